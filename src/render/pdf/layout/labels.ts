/** Line-start labels: a note's number, a list item's bullet or number, set before the line's text. */
import type { FontChain } from '../../../fonts/fontChain.js';
import { shape } from '../../../typeset/shape.js';
import type { Line } from '../../../typeset/lineBreak.js';

/** Put `text` at x = `at` on the line, before its text; returns how many pieces the label has (0 without a line). */
export function addLabel(fonts: FontChain, line: Line | undefined, text: string, size: number, at: number): number {
  if (!line) return 0;
  const pieces = shape([{ text, style: { size, bold: false } }], fonts, { hanLatinSpace: 0, markScale: 1, markRise: 0 });
  let x = at;
  line.placed.unshift(
    ...pieces.map((piece) => {
      const placed = { piece, x, width: piece.width, offset: piece.offset };
      x += piece.width;
      return placed;
    }),
  );
  return pieces.length;
}
