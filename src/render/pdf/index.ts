/**
 * The mailing PDF: the model laid out by src/typeset (clreq line breaking, page-foot notes), drawn
 * glyph by glyph at the computed positions through pdfkit (pdfmake's PDFDocument), tagged.
 */
import type { LetterDocument } from '../../model/types.js';
import { fillLabel } from '../../template/format.js';
import { fontChainFor, type FontChain } from '../../fonts/fontChain.js';
import { buildPages, type Page, type PlacedLine } from '../../typeset/pages.js';
import { LetterLayout, type Geometry } from './layout.js';
import { drawPdf } from './pdfkitDraw.js';
import { creationDate } from '../dates.js';
import type { PreflightFacts } from './report.js';
import { PreflightFailed } from '../errors.js';
import { checkLayout } from './layoutCheck.js';

export interface PdfLayout {
  pages: Page[];
  geometry: Geometry;
  noteSeparator: number;
}

export function layoutPdf(document: LetterDocument): PdfLayout & { layout: LetterLayout; fonts: FontChain; pageLabels: Array<PlacedLine | null> } {
  const fonts = fontChainFor(document.template);
  const layout = new LetterLayout(document, fonts);
  layout.layoutLetter();
  const { separator: noteSeparator, minLines } = layout.frame.notesStyle;
  const geometry = layout.geometry;
  const pages = buildPages(layout.flow, layout.notes, { height: geometry.textHeight, noteSeparator, minNoteLines: minLines });
  // Checked from the layout before anything is drawn; `build --check` also reads the PDF back.
  const report = checkLayout(pages, geometry, { noteSeparator, notes: document.notes.length });
  if (report.problems.length > 0) throw new PreflightFailed(report, document);
  // Page labels ("第1页，共5页"), laid out here so that drawing shapes nothing.
  const label = layout.frame.furniture.pageLabel;
  const pageLabels = pages.map((_, index) => {
    if (pages.length < 2) return null;
    const text = fillLabel(label.pattern, { page: index + 1, pages: pages.length });
    const [line] = layout.lines([{ text, style: { size: label.size, bold: false } }], {
      size: label.size, lineHeight: 1, align: 'center', firstIndent: 0, restIndent: 0,
    });
    return line ? { line, top: geometry.bottomMargin * label.fromBottom, baseline: label.size } : null;
  });
  return { pages, geometry, noteSeparator, layout, fonts, pageLabels };
}

export async function renderPdf(document: LetterDocument): Promise<Uint8Array> {
  return drawLetterPdf(document, layoutPdf(document));
}

/** Draw a laid-out letter (no shaping happens here: the glyphs come from the layout). */
export async function drawLetterPdf(document: LetterDocument, laidOut: ReturnType<typeof layoutPdf>): Promise<Uint8Array> {
  const { pages, geometry, noteSeparator, layout, pageLabels } = laidOut;
  const { template, meta } = document;
  const { notesStyle } = layout.frame;
  const date = creationDate(document);
  return drawPdf(pages, {
    geometry,
    noteSeparator,
    noteRule: { length: notesStyle.ruleLength, weight: notesStyle.ruleWeight },
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
    pageLabels,
  });
}

function preflightFacts(document: LetterDocument, geometry: Geometry): PreflightFacts {
  const { type } = document.template;
  return {
    pageWidth: geometry.pageWidth,
    textLeft: geometry.left,
    textRight: geometry.left + geometry.textWidth,
    markSize: type.bodySize * document.template.layout.notes.markScale,
    noteSize: type.noteSize,
    notes: document.notes.length,
  };
}
