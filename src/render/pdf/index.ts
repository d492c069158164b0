/**
 * The mailing PDF: the frame laid out by src/render/pdf/layout (clreq line breaking, page-foot
 * notes), drawn glyph by glyph at the computed positions through pdfkit (pdfmake's PDFDocument),
 * tagged from the layout's role marks as it is drawn.
 */
import type { LetterFrame } from '../../frame/types.js';
import { pageLabelText } from '../../frame/index.js';
import { buildPages } from '../../typeset/pages.js';
import { LetterLayout, type Geometry } from './layout/index.js';
import type { MarkedLine, MarkedPage } from './marks.js';
import { drawPdf, type DrawOptions } from './pdfkitDraw.js';
import type { PreflightFacts } from './report.js';
import { PreflightFailed } from '../errors.js';
import { checkLayout } from './layoutCheck.js';
import { withHarfBuzz } from '../../typeset/harfbuzz.js';
import { fontChainFor } from '../../fonts/fontChain.js';
import { loadStoredLines, saveStoredLines } from './layout/storedLines.js';

export interface PdfLayout {
  pages: MarkedPage[];
  geometry: Geometry;
  noteSeparator: number;
  layout: LetterLayout;
  /** Each page's label line ("第1页，共5页"), or null. */
  pageLabels: Array<MarkedLine | null>;
}

export function layoutPdf(frame: LetterFrame): PdfLayout {
  const layout = new LetterLayout(frame);
  layout.layoutLetter();
  const { separator: noteSeparator, minLines } = frame.notesStyle;
  const geometry = layout.geometry;
  const pages = buildPages(layout.flow, layout.notes, { height: geometry.textHeight, noteSeparator, minNoteLines: minLines });
  // Checked from the layout before anything is drawn; `build --check` also reads the PDF back.
  const report = checkLayout(pages, geometry, { noteSeparator, notes: frame.notes.length });
  if (report.problems.length > 0) throw new PreflightFailed(report, frame);
  // Page labels, laid out here so that drawing shapes nothing.
  const label = frame.furniture.pageLabel;
  const pageLabels = pages.map((_, index): MarkedLine | null => {
    if (pages.length < 2) return null;
    const text = pageLabelText(frame.furniture, index + 1, pages.length);
    const [line] = layout.lines([{ text, style: { size: label.size, bold: false } }], {
      size: label.size, lineHeight: 1, align: 'center', firstIndent: 0, restIndent: 0,
    });
    return line ? { line, top: geometry.bottomMargin * label.fromBottom, baseline: label.size, mark: { artifact: 'Pagination' } } : null;
  });
  return { pages, geometry, noteSeparator, layout, pageLabels };
}

/** `cache: false`: the font subsets and set lines are made afresh, without the disk cache. */
export async function renderPdf(frame: LetterFrame, options: { cache?: boolean } = {}): Promise<Uint8Array> {
  return drawLetterPdf(frame, await layOutLetter(frame, options), options);
}

/**
 * The letter laid out, its lines taken from the disk cache where it has them (./layout/storedLines.ts)
 * and kept there for the next process. Shaping is with HarfBuzz (a third of fontkit's time for the
 * same glyphs), whose WebAssembly module is started only if something is left to shape.
 */
export async function layOutLetter(frame: LetterFrame, options: { cache?: boolean } = {}): Promise<PdfLayout> {
  const store = await loadStoredLines(fontChainFor(frame.fonts), frame.sources.letter, options);
  const laidOut = await withHarfBuzz(() => layoutPdf(frame));
  await saveStoredLines(store);
  return laidOut;
}

/** Draw a laid-out letter (no shaping happens here: the glyphs come from the layout). */
export async function drawLetterPdf(frame: LetterFrame, laidOut: PdfLayout, options: { cache?: boolean } = {}): Promise<Uint8Array> {
  return drawPdf(laidOut.pages, letterDrawOptions(frame, laidOut, options));
}

/** How a laid-out letter is drawn: its geometry, note rule, structure, metadata and page labels. */
export function letterDrawOptions(frame: LetterFrame, laidOut: PdfLayout, options: { cache?: boolean } = {}): DrawOptions {
  const { geometry, noteSeparator, layout, pageLabels } = laidOut;
  const { notesStyle } = frame;
  return {
    geometry,
    cache: options.cache !== false,
    noteSeparator,
    noteRule: { length: notesStyle.ruleLength, weight: notesStyle.ruleWeight },
    structure: [{ flow: layout.flow, notes: [...layout.notes.values()] }],
    standard: frame.pdfStandard,
    info: {
      title: frame.title,
      ...(frame.author ? { author: frame.author } : {}),
      subject: frame.title,
      creator: 'letterpress',
      producer: 'letterpress (pdfkit)',
      date: frame.created,
      lang: frame.lang,
    },
    extraInfo: { Letterpress: JSON.stringify(preflightFacts(frame, geometry)) },
    pageLabels,
    ...(frame.letterhead ? { letterhead: frame.letterhead } : {}),
  };
}

function preflightFacts(frame: LetterFrame, geometry: Geometry): PreflightFacts {
  return {
    pageWidth: geometry.pageWidth,
    textLeft: geometry.left,
    textRight: geometry.left + geometry.textWidth,
    markSize: frame.body.paragraph.size * frame.notesStyle.markScale,
    noteSize: frame.notesStyle.size,
    notes: frame.notes.length,
  };
}
