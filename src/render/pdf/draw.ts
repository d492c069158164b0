/**
 * Typeset pages → pdfmake content. Every run of glyphs is placed at the position the typesetter
 * computed (absolutePosition, noWrap), so pdfmake writes fonts, links and the PDF but makes no
 * layout decision of its own. Consecutive pieces that pdfmake can draw as one text run (same face,
 * size and link; evenly spaced single glyphs, or unspaced text with natural word spaces) are
 * merged into one node to keep the PDF small.
 */
import type { PlacedPiece } from '../../typeset/lineBreak.js';
import type { Page, PlacedLine } from '../../typeset/pages.js';
import type { Face } from '../../fonts/fontChain.js';
import type { Geometry } from './layout.js';

export interface TextNode {
  text: string;
  font: string;
  fontSize: number;
  characterSpacing?: number;
  fontFeatures?: string[];
  link?: string;
  noWrap: true;
  absolutePosition: { x: number; y: number };
}

interface Run {
  face: Face;
  size: number;
  rise: number;
  link?: string;
  text: string;
  /** x where the drawn text starts (pen position + offset of the first glyph) */
  x: number;
  /** x where the next glyph would be drawn */
  end: number;
  spacing: number | null;
  singleGlyphs: boolean;
  count: number;
  features?: string[];
}

const EPS = 0.005;
const round = (n: number) => Math.round(n * 1000) / 1000;

const spaceUnits = new WeakMap<Face, number>();

function spaceWidth(face: Face, size: number): number {
  let units = spaceUnits.get(face);
  if (units === undefined) {
    units = face.font.glyphForCodePoint(0x20).advanceWidth;
    spaceUnits.set(face, units);
  }
  return (units / face.unitsPerEm) * size;
}

export function runsOf(placed: PlacedPiece[]): Run[] {
  const runs: Run[] = [];
  let run: Run | null = null;
  for (const p of placed) {
    const piece = p.piece;
    const drawX = p.x + p.offset;
 const single = piece.glyphCount === 1;
    if (p.offset === 0 && p.width < piece.drawnAdvance - EPS) {
      // A closing mark set narrower than its glyph (compressed, or shrunk at a line end): drawn
      // alone with the font's half-width form (`halt`), so that the PDF's own advance stays
      // inside the line and text extraction sees no overlap.
      runs.push({ face: piece.face, size: piece.size, rise: piece.rise, text: piece.text, x: drawX, end: -1, spacing: null, singleGlyphs: true, count: 1, features: ['halt'], ...(piece.link ? { link: piece.link } : {}) });
      run = null;
      continue;
    }
    if (run && run.face === piece.face && run.size === piece.size && run.rise === piece.rise && run.link === piece.link && p.offset === 0) {
      const gap = drawX - run.end;
      const sameGap = run.spacing === null ? true : Math.abs(gap - run.spacing) < EPS;
      // Evenly spaced single glyphs: one run with character spacing.
      if (sameGap && (Math.abs(gap) < EPS || (run.singleGlyphs && single))) {
        run.spacing = run.spacing ?? (Math.abs(gap) < EPS ? 0 : gap);
        run.text += piece.text;
        run.end = drawX + piece.drawnAdvance + run.spacing;
        run.singleGlyphs &&= single;
        run.count++;
        closeIfCompressed(run, p, runs);
        if (run.end === -1) run = null;
        continue;
      }
      // Unspaced text with a natural word space: include the space.
      if ((run.spacing ?? 0) === 0 && Math.abs(gap - spaceWidth(piece.face, piece.size)) < EPS) {
        run.spacing = 0;
        run.text += ` ${piece.text}`;
        run.end = drawX + piece.drawnAdvance;
        run.singleGlyphs = false;
        run.count++;
        closeIfCompressed(run, p, runs);
        if (run.end === -1) run = null;
        continue;
      }
    }
    run = { face: piece.face, size: piece.size, rise: piece.rise, text: piece.text, x: drawX, end: drawX + piece.drawnAdvance, spacing: null, singleGlyphs: single, count: 1 };
    if (piece.link) run.link = piece.link;
    runs.push(run);
    closeIfCompressed(run, p, runs);
    if (run.end === -1) run = null;
  }
  return runs;
}

/** A piece set narrower than its glyph's advance (compressed punctuation) ends its run. */
function closeIfCompressed(run: Run, p: PlacedPiece, _runs: Run[]): void {
  if (Math.abs(p.offset + p.piece.drawnAdvance - p.width) > EPS) run.end = -1;
}

export interface DrawnPage {
  nodes: Array<TextNode | object>;
}

export function drawLine(line: PlacedLine, textLeft: number, originY: number, nodes: Array<TextNode | object>): void {
  const baseline = originY + line.top + line.baseline;
  const originX = textLeft + (line.x ?? 0);
  for (const run of runsOf(line.line.placed)) {
    const node: TextNode = {
      text: run.text,
      font: run.face.id,
      fontSize: run.size,
      noWrap: true,
      // pdfkit puts the baseline `ascent` below the y it is given
      absolutePosition: { x: round(originX + run.x), y: round(baseline - run.rise - run.face.ascent * run.size) },
    };
    if (run.spacing) node.characterSpacing = round(run.spacing);
    if (run.features) node.fontFeatures = run.features;
    if (run.link) node.link = run.link;
    nodes.push(node);
  }
}

export function drawPages(
  pages: Page[],
  geometry: Geometry,
  options: { noteSeparator: number; pageLabel: (page: number, pages: number) => PlacedLine | null },
): Array<TextNode | object> {
  const content: Array<TextNode | object> = [];
  pages.forEach((page, index) => {
    if (index > 0) content.push({ text: '', pageBreak: 'before' });
    for (const line of page.body) drawLine(line, geometry.left, geometry.top, content);
    if (page.notes.length > 0) {
      const notesTop = geometry.top + geometry.textHeight - page.notesHeight;
      const ruleY = round(notesTop - options.noteSeparator / 2);
      content.push({
        canvas: [{ type: 'line', x1: 0, y1: 0, x2: round(geometry.textWidth * 0.3), y2: 0, lineWidth: 0.5 }],
        absolutePosition: { x: geometry.left, y: ruleY },
      });
      for (const line of page.notes) drawLine(line, geometry.left, notesTop, content);
    }
    const label = options.pageLabel(index + 1, pages.length);
    if (label) drawLine(label, geometry.left, geometry.top + geometry.textHeight, content);
  });
  return content;
}
