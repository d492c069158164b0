/**
 * The mailing PDF: the model laid out by src/typeset (clreq line breaking, page-foot notes), drawn
 * through pdfmake at the computed positions.
 */
import type { LetterDocument } from '../../model/types.js';
import { fillLabel } from '../../template/format.js';
import { fontChainFor, type FontChain } from '../../fonts/fontChain.js';
import { buildPages, type Page } from '../../typeset/pages.js';
import { LetterLayout, type Geometry } from './layout.js';
import { drawPages } from './draw.js';
import { pdfmakeWith } from './fonts.js';
import { creationDate } from '../dates.js';
import type { PreflightFacts } from './report.js';
import { PreflightFailed } from '../errors.js';
import { checkLayout } from './layoutCheck.js';

export interface PdfLayout {
  pages: Page[];
  geometry: Geometry;
  noteSeparator: number;
}

export function layoutPdf(document: LetterDocument): PdfLayout & { layout: LetterLayout; fonts: FontChain } {
  const fonts = fontChainFor(document.template);
  const layout = new LetterLayout(document, fonts);
  layout.layoutLetter();
  const { separator: noteSeparator, minLines } = layout.frame.notesStyle;
  const pages = buildPages(layout.flow, layout.notes, { height: layout.geometry.textHeight, noteSeparator, minNoteLines: minLines });
  // Checked from the layout before anything is drawn; `build --check` also reads the PDF back.
  const report = checkLayout(pages, layout.geometry, { noteSeparator, notes: document.notes.length });
  if (report.problems.length > 0) throw new PreflightFailed(report, document);
  return { pages, geometry: layout.geometry, noteSeparator, layout, fonts };
}

export async function renderPdf(document: LetterDocument): Promise<Uint8Array> {
  const { pages, geometry, noteSeparator, fonts, layout } = layoutPdf(document);
  const { meta } = document;
  const { notesStyle, furniture } = layout.frame;
  const label = furniture.pageLabel;
  const { content, faces } = drawPages(pages, geometry, {
    noteSeparator,
    noteRule: { length: notesStyle.ruleLength, weight: notesStyle.ruleWeight },
    pageLabel: (page, total) => {
      if (total < 2) return null;
      const text = fillLabel(label.pattern, { page, pages: total });
      const [line] = layout.lines([{ text, style: { size: label.size, bold: false } }], {
        size: label.size, lineHeight: 1, align: 'center', firstIndent: 0, restIndent: 0,
      });
      return line ? { line, top: geometry.bottomMargin * label.fromBottom, baseline: label.size } : null;
    },
  });
  const pdfmake = pdfmakeWith(faces);
  const date = creationDate(document);
  const doc = pdfmake.createPdf({
    pageSize: 'A4',
    pageMargins: 0,
    content,
    defaultStyle: { font: fonts.primary(false).id },
    language: meta.lang,
    info: {
      title: meta.subject,
      author: meta.author ?? '',
      subject: meta.subject,
      creator: 'letterpress',
      producer: 'letterpress (pdfmake)',
      creationDate: date,
      modDate: date,
      Letterpress: JSON.stringify(preflightFacts(document, geometry)),
    },
  });
  return new Uint8Array(await doc.getBuffer());
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
