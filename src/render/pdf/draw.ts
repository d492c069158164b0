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
  /** x after the last glyph's own advance (character spacing not counted) */
  last: number;
  /** Character spacing of the run: null while it holds one piece. */
  spacing: number | null;
  singleGlyphs: boolean;
  /** No piece may follow (its glyph's advance differs from the width it was set in). */
  closed: boolean;
  features?: string[];
}

const EPS = 0.005;
const round = (n: number) => Math.round(n * 1000) / 1000;
/** Positions to 1/100 pt (3.5 µm): shorter numbers in the content streams, no visible change. */
const roundPosition = (n: number) => Math.round(n * 100) / 100;

const spaceUnits = new WeakMap<Face, number>();

function spaceWidth(face: Face, size: number): number {
  let units = spaceUnits.get(face);
  if (units === undefined) {
    units = face.font.glyphForCodePoint(0x20).advanceWidth;
    spaceUnits.set(face, units);
  }
  return (units / face.unitsPerEm) * size;
}

/** How piece `p` can follow `run`: directly, after a word space, or not at all. */
function joinOf(run: Run, p: PlacedPiece): 'direct' | 'space' | null {
  const piece = p.piece;
  if (run.closed || p.offset !== 0 || run.face !== piece.face || run.size !== piece.size || run.rise !== piece.rise || run.link !== piece.link) return null;
  const gap = p.x - run.last;
  const single = piece.glyphCount === 1;
  if (run.spacing === null) {
    if (Math.abs(gap) < EPS) return 'direct';
    if (run.singleGlyphs && single && gap > 0) return 'direct'; // sets the run's spacing
    return Math.abs(gap - spaceWidth(piece.face, piece.size)) < EPS ? 'space' : null;
  }
  if (run.spacing === 0) {
    if (Math.abs(gap) < EPS) return 'direct';
    return Math.abs(gap - spaceWidth(piece.face, piece.size)) < EPS ? 'space' : null;
  }
  return single && Math.abs(gap - run.spacing) < EPS ? 'direct' : null;
}

export function runsOf(placed: PlacedPiece[]): Run[] {
  const runs: Run[] = [];
  for (const p of placed) {
    const piece = p.piece;
    const drawX = p.x + p.offset;
    if (p.offset === 0 && p.width < piece.drawnAdvance - EPS) {
      // A closing mark set narrower than its glyph (compressed, or shrunk at a line end): drawn
      // alone with the font's half-width form (`halt`), so that the PDF's own advance stays
      // inside the line and text extraction sees no overlap.
      runs.push({
        face: piece.face, size: piece.size, rise: piece.rise, text: piece.text, x: drawX, last: drawX + p.width,
        spacing: null, singleGlyphs: true, closed: true, features: ['halt'], ...(piece.link ? { link: piece.link } : {}),
      });
      continue;
    }
    // A glyph whose advance ends elsewhere than the width it was set in ends its run.
    const closed = Math.abs(p.offset + piece.drawnAdvance - p.width) > EPS;
    const run = runs.at(-1);
    const join = run ? joinOf(run, p) : null;
    if (run && join) {
      if (run.spacing === null) run.spacing = join === 'direct' ? round(p.x - run.last) : 0;
      run.text += join === 'space' ? ` ${piece.text}` : piece.text;
      run.last = drawX + piece.drawnAdvance;
      run.singleGlyphs &&= piece.glyphCount === 1 && join === 'direct';
      run.closed = closed;
      continue;
    }
    runs.push({
      face: piece.face, size: piece.size, rise: piece.rise, text: piece.text, x: drawX, last: drawX + piece.drawnAdvance,
      spacing: null, singleGlyphs: piece.glyphCount === 1, closed, ...(piece.link ? { link: piece.link } : {}),
    });
  }
  return runs;
}

export function drawLine(line: PlacedLine, textLeft: number, originY: number, nodes: Array<TextNode | object>, faces: Set<Face>): void {
  const baseline = roundPosition(originY + line.top + line.baseline);
  const originX = textLeft + (line.x ?? 0);
  for (const run of runsOf(line.line.placed)) {
    const node: TextNode = {
      text: run.text,
      font: run.face.id,
      fontSize: run.size,
      noWrap: true,
      // pdfkit puts the baseline `ascent` below the y it is given
      absolutePosition: { x: roundPosition(originX + run.x), y: baseline - roundPosition(run.rise) - run.face.ascent * run.size },
    };
    if (run.spacing) node.characterSpacing = round(run.spacing);
    if (run.features) node.fontFeatures = run.features;
    faces.add(run.face);
    if (run.link) node.link = run.link;
    nodes.push(node);
  }
}

export function drawPages(
  pages: Page[],
  geometry: Geometry,
  options: {
    noteSeparator: number;
    /** The rule above the notes: share of the text width, weight in points. */
    noteRule: { length: number; weight: number };
    pageLabel: (page: number, pages: number) => PlacedLine | null;
  },
): { content: Array<TextNode | object>; faces: Set<Face> } {
  const content: Array<TextNode | object> = [];
  const faces = new Set<Face>();
  pages.forEach((page, index) => {
    if (index > 0) content.push({ text: '', pageBreak: 'before' });
    for (const line of page.body) drawLine(line, geometry.left, geometry.top, content, faces);
    if (page.notes.length > 0) {
      const notesTop = geometry.top + geometry.textHeight - page.notesHeight;
      const ruleY = roundPosition(notesTop - options.noteSeparator / 2);
      content.push({
        canvas: [{ type: 'line', x1: 0, y1: 0, x2: round(geometry.textWidth * options.noteRule.length), y2: 0, lineWidth: options.noteRule.weight }],
        absolutePosition: { x: geometry.left, y: ruleY },
      });
      for (const line of page.notes) drawLine(line, geometry.left, notesTop, content, faces);
    }
    const label = options.pageLabel(index + 1, pages.length);
    if (label) drawLine(label, geometry.left, geometry.top + geometry.textHeight, content, faces);
  });
  return { content, faces };
}
