/** The page's text area in points, from the frame's page size and margins. */
import type { LetterFrame } from '../../../frame/types.js';

export interface Geometry {
  pageWidth: number;
  pageHeight: number;
  left: number;
  top: number;
  textWidth: number;
  textHeight: number;
  bottomMargin: number;
}

export function geometryOf(frame: LetterFrame): Geometry {
  const { width, height, margins: m } = frame.page;
  return {
    pageWidth: width,
    pageHeight: height,
    left: m.left,
    top: m.top,
    textWidth: width - m.left - m.right,
    textHeight: height - m.top - m.bottom,
    bottomMargin: m.bottom,
  };
}
