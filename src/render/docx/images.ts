/**
 * Pictures in the Word copy (the letterhead in the page header, a signature image): docx's
 * ImageRun at the frame's size. An SVG goes in as SVG (Word 2016+ draws it as vectors) with a
 * PNG beside it, drawn by resvg at twice the picture's size, for word processors that show only
 * the fallback (LibreOffice, older Word): docx requires one, and no PNG is ever invented from
 * nothing: it is the same drawing.
 */
import { ImageRun } from 'docx';
import type { FrameImage } from '../../frame/types.js';

/** Pixels at 96 to the inch, as docx sizes pictures. */
const pixels = (pt: number) => Math.max(1, Math.round((pt * 96) / 72));

/** The PNG fallback of an SVG picture, at `width` pixels (system fonts not loaded: text in the drawing uses resvg's defaults). */
async function svgFallback(svg: Uint8Array, width: number): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(Buffer.from(svg), { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } }).render().asPng();
  return new Uint8Array(png);
}

/** An inline picture of `image` at its frame size; its alternative text as Word's description (empty: decoration). */
export async function imageRun(image: FrameImage, name: string): Promise<ImageRun> {
  const transformation = { width: pixels(image.width), height: pixels(image.height) };
  const altText = { name, title: image.alt ?? '', description: image.alt ?? '' };
  if (image.type === 'svg') {
    const fallback = await svgFallback(image.data, transformation.width * 2);
    return new ImageRun({ type: 'svg', data: image.data, fallback: { type: 'png', data: fallback }, transformation, altText });
  }
  return new ImageRun({ type: image.type === 'jpeg' ? 'jpg' : 'png', data: image.data, transformation, altText });
}
