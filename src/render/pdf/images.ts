/**
 * Pictures in the mailing PDF: PNG and JPEG through pdfkit's image() (one image XObject per
 * picture, however many pages show it), SVG drawn as vectors by svg-to-pdfkit into the page's
 * content (the loader let through only drawings: no text, no script, no outside references, so
 * it needs no font and fetches nothing).
 */
import SVGtoPDF from 'svg-to-pdfkit';
import type { FrameImage } from '../../frame/types.js';
import type { PdfkitDocument, PdfkitImage } from './pdfkitAdapter.js';

export class PictureDrawer {
  private readonly opened = new Map<FrameImage, PdfkitImage>();
  private readonly svgText = new Map<FrameImage, string>();

  constructor(private readonly doc: PdfkitDocument) {}

  /** Draw `image` with its top-left corner at (x, y) from the page's top-left, at its frame size. */
  draw(image: FrameImage, x: number, y: number): void {
    const size = { width: image.width, height: image.height };
    if (image.type === 'svg') {
      let text = this.svgText.get(image);
      if (text === undefined) this.svgText.set(image, (text = new TextDecoder().decode(image.data)));
      this.doc.addContent('q');
      // svg-to-pdfkit's types name pdfkit's own document class; pdfmake's document is one.
      SVGtoPDF(this.doc as unknown as Parameters<typeof SVGtoPDF>[0], text, x, y, { ...size, preserveAspectRatio: 'xMidYMid meet', assumePt: false });
      this.doc.addContent('Q');
      return;
    }
    let opened = this.opened.get(image);
    if (!opened) this.opened.set(image, (opened = this.doc.openImage(Buffer.from(image.data))));
    this.doc.image(opened, x, y, size);
  }
}
