/**
 * The mailing PDF: the model laid out by src/typeset (clreq line breaking, page-foot notes), drawn
 * glyph by glyph at the computed positions through pdfkit (pdfmake's PDFDocument), tagged.
 */
import type { LetterDocument } from '../../model/types.js';
import { fillLabel } from '../../template/format.js';
import { FontChain } from '../../fonts/fontChain.js';
import { buildPages, type Page, type PlacedLine } from '../../typeset/pages.js';
import { LetterLayout, MARK_SCALE, type Geometry } from './layout.js';
import { drawPdf } from './pdfkitDraw.js';
import { creationDate } from '../dates.js';
import type { PreflightFacts } from './report.js';
import { PreflightFailed } from '../errors.js';

const chains = new Map<string, FontChain>();

/** One font chain per template file, kept across builds (fonts stay open in memory). */
export function fontChainFor(document: LetterDocument): FontChain {
  const key = JSON.stringify([document.template.sourcePath, document.template.fonts]);
  let chain = chains.get(key);
  if (!chain) {
    chain = new FontChain(document.template);
    chains.set(key, chain);
  }
  return chain;
}

export interface PdfLayout {
  pages: Page[];
  geometry: Geometry;
  noteSeparator: number;
}

export function layoutPdf(document: LetterDocument): PdfLayout & { layout: LetterLayout; fonts: FontChain; pageLabels: Array<PlacedLine | null> } {
  const fonts = fontChainFor(document);
  const layout = new LetterLayout(document, fonts);
  layout.layoutLetter();
  const { template } = document;
  const { noteSize, noteLineHeight } = template.type;
  const noteSeparator = noteSize * noteLineHeight * 1.5;
  const geometry = layout.geometry;
  const pages = buildPages(layout.flow, layout.notes, { height: geometry.textHeight, noteSeparator, minNoteLines: 2 });
  // Page labels ("第1页，共5页"), set in the note size, in the bottom margin.
  const pageLabels = pages.map((_, index) => {
    if (pages.length < 2) return null;
    const text = fillLabel(template.labels.page, { page: index + 1, pages: pages.length });
    const [line] = layout.lines([{ text, style: { size: noteSize, bold: false } }], {
      size: noteSize, lineHeight: 1, align: 'center', firstIndent: 0, restIndent: 0,
    });
    return line ? { line, top: geometry.bottomMargin * 0.45, baseline: noteSize } : null;
  });
  return { pages, geometry, noteSeparator, layout, fonts, pageLabels };
}

export async function renderPdf(document: LetterDocument): Promise<Uint8Array> {
  return drawLetterPdf(document, layoutPdf(document));
}

/** Draw a laid-out letter (no shaping happens here: the glyphs come from the layout). */
export async function drawLetterPdf(document: LetterDocument, laidOut: ReturnType<typeof layoutPdf>): Promise<Uint8Array> {
  const { pages, geometry, noteSeparator, layout } = laidOut;
  const { template, meta } = document;
  const date = creationDate(document);
  return drawPdf(pages, {
    geometry,
    noteSeparator,
    structure: layout.structure,
    standard: template.pdf.standard,
    info: {
      title: meta.subject,
      ...(meta.author ? { author: meta.author } : {}),
      subject: meta.subject,
      creator: 'letterpress',
      producer: 'letterpress (pdfkit)',
      date,
      lang: meta.lang,
    },
    extraInfo: { Letterpress: JSON.stringify(preflightFacts(document, geometry)) },
    pageLabels: laidOut.pageLabels,
  });
}

/** Render, then read the PDF back and check it; a PDF that fails is never written. */
export async function renderCheckedPdf(document: LetterDocument): Promise<Uint8Array> {
  const bytes = await renderPdf(document);
  // pdfjs-dist loads only when a PDF is checked. (A worker thread for the check saved 0.3 s but
  // raised peak memory past the 250 MB target, so it runs here.)
  const { preflight } = await import('./preflight.js');
  const report = await preflight(bytes);
  if (report.problems.length > 0) throw new PreflightFailed(report);
  return bytes;
}

function preflightFacts(document: LetterDocument, geometry: Geometry): PreflightFacts {
  const { type } = document.template;
  return {
    pageWidth: geometry.pageWidth,
    textLeft: geometry.left,
    textRight: geometry.left + geometry.textWidth,
    markSize: type.bodySize * MARK_SCALE,
    noteSize: type.noteSize,
    notes: document.notes.length,
  };
}
