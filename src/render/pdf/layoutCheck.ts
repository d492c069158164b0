/**
 * The checks a build makes from its own layout, before anything is drawn: every footnote starts
 * on the page of its mark, no line runs past the margins, every character has a glyph in the face
 * it is set in, and every glyph used has a sane outline box. They need no PDF parser, so the
 * default build runs them instead of reading its PDF back (pdfjs-dist costs ~0.5 s and 40 MB at
 * load); the read-back preflight (preflight.ts) checks the written file itself in
 * `letterpress check`, in `build --check` and in the tests.
 *
 * They look only at the typeset pages, not at how the pages are drawn.
 */
import { FontChain, type Face } from '../../fonts/fontChain.js';
import type { PlacedPiece } from '../../typeset/lineBreak.js';
import type { Page, PlacedLine } from '../../typeset/pages.js';
import type { Geometry } from './layout/geometry.js';
import { MARGIN_TOLERANCE, notePages, type PreflightProblem, type PreflightReport } from './report.js';
import { codePointLabel } from '../../unicode/scripts.js';
import { buildContext } from '../../context.js';

/** Points a line may stand past a margin (rounding of positions), as the read-back preflight allows. */
const TOLERANCE = MARGIN_TOLERANCE;

/** Right end of a piece's drawn glyphs: a closing mark set narrower than its glyph is drawn half width. */
function drawnEnd(p: PlacedPiece): number {
  const halfWidth = p.offset === 0 && p.width < p.piece.drawnAdvance;
  return p.x + p.offset + (halfWidth ? p.width : p.piece.drawnAdvance);
}

/** Glyph outlines found sane, per face and code point (kept across builds, like the faces). */
const saneGlyphs = buildContext.weakMap<Face, Set<number>>('sane glyphs');
/** Piece texts whose every glyph was found sane, per face: most pieces repeat (one ideograph each). */
const saneTexts = buildContext.weakMap<Face, Set<string>>('sane texts');

/**
 * The code points whose glyphs were found sane in a face, and more such code points (read from
 * the disk cache with the lines set in that very font file: src/render/pdf/layout/storedLines.ts,
 * so a new process does not decode every outline again; only sane glyphs are kept, a problem is
 * always found afresh).
 */
export function saneCodePoints(face: Face): ReadonlySet<number> {
  return saneGlyphs.get(face) ?? new Set();
}

export function addSaneCodePoints(face: Face, codePoints: Iterable<number>): void {
  let known = saneGlyphs.get(face);
  if (!known) saneGlyphs.set(face, (known = new Set()));
  for (const cp of codePoints) known.add(cp);
}

/** Problems with the glyphs of a piece's text in its face, or null (the common case: none). */
function textProblems(face: Face, text: string): string[] | null {
  let known = saneTexts.get(face);
  if (!known) saneTexts.set(face, (known = new Set()));
  if (known.has(text)) return null;
  const found: string[] = [];
  for (const ch of text) {
    if (ch === ' ' || FontChain.isInvisible(ch)) continue;
    const problem = glyphProblem(face, ch.codePointAt(0) ?? 0);
    if (problem) found.push(problem);
  }
  if (found.length === 0) known.add(text);
  return found.length > 0 ? found : null;
}

/**
 * The face has a glyph for the code point and its outline box lies within a sane box (a glyph
 * table read wrong gives huge or garbage boxes). Returns the problem, or null.
 */
function glyphProblem(face: Face, codePoint: number): string | null {
  let known = saneGlyphs.get(face);
  if (!known) saneGlyphs.set(face, (known = new Set()));
  if (known.has(codePoint)) return null;
  const char = String.fromCodePoint(codePoint);
  const code = codePointLabel(String.fromCodePoint(codePoint));
  if (!face.font.hasGlyphForCodePoint(codePoint)) return `Font ${face.name} has no glyph for "${char}" (${code})`;
  let box: { minX: number; minY: number; maxX: number; maxY: number };
  try {
    box = face.font.glyphForCodePoint(codePoint).cbox;
  } catch {
    return `Font ${face.name}: the glyph of "${char}" (${code}) does not decode`;
  }
  const em = face.unitsPerEm;
  if (Number.isFinite(box.minX) && (box.minX < -em || box.maxX > 2 * em || box.minY < -em || box.maxY > 2 * em)) {
    return `Font ${face.name}: the glyph of "${char}" (${code}) has a broken outline (bounding box ${box.minX},${box.minY} – ${box.maxX},${box.maxY})`;
  }
  known.add(codePoint);
  return null;
}

export function checkLayout(pages: Page[], geometry: Geometry, options: { noteSeparator: number; notes: number }): PreflightReport {
  const problems: PreflightProblem[] = [];
  const faces = new Set<Face>();
  const marks = new Map<number, number>();
  const noteStarts = new Map<number, number>();
  let maxRight = 0;

  const checkLine = (line: PlacedLine, pageNumber: number) => {
    const left = line.x ?? 0;
    let right = 0;
    let start = Infinity;
    for (const p of line.line.placed) {
      const { piece } = p;
      faces.add(piece.face);
      right = Math.max(right, left + drawnEnd(p));
      start = Math.min(start, left + p.x + p.offset);
      const found = textProblems(piece.face, piece.text);
      if (found) for (const problem of found) problems.push({ page: pageNumber, message: `Page ${pageNumber}: ${problem}` });
    }
    maxRight = Math.max(maxRight, geometry.left + right);
    const text = () => line.line.placed.map((p) => p.piece.text).join('').slice(0, 24);
    if (right > geometry.textWidth + TOLERANCE) problems.push({ page: pageNumber, message: `Page ${pageNumber}: "${text()}" runs ${(right - geometry.textWidth).toFixed(1)} pt past the right margin` });
    if (start < -TOLERANCE) problems.push({ page: pageNumber, message: `Page ${pageNumber}: "${text()}" starts ${(-start).toFixed(1)} pt left of the left margin` });
  };

  pages.forEach((page, index) => {
    const n = index + 1;
    for (const line of page.body) {
      checkLine(line, n);
      for (const number of line.line.notes) if (!marks.has(number)) marks.set(number, n);
    }
    for (const line of page.notes) checkLine(line, n);
    for (const number of page.noteNumbers) if (!noteStarts.has(number)) noteStarts.set(number, n);
    // Bottom margin: the body's last baseline stands above the rule over the notes (or the
    // text area's foot), and the notes fit in the text area.
    const notesTop = geometry.textHeight - page.notesHeight - (page.notes.length > 0 ? options.noteSeparator / 2 : 0);
    const lowest = Math.max(0, ...page.body.map((l) => l.top + l.baseline));
    if (lowest > notesTop + TOLERANCE) {
      problems.push({ page: n, message: `Page ${n}: the body text runs ${(lowest - notesTop).toFixed(1)} pt into the ${page.notes.length > 0 ? 'notes' : 'bottom margin'}` });
    }
    if (page.notesHeight > geometry.textHeight + TOLERANCE) problems.push({ page: n, message: `Page ${n}: the notes are taller than the page's text area` });
  });

  const notes = notePages(options.notes, marks, noteStarts, problems);
  return {
    pages: pages.length,
    // The faces are embedded by construction (the PDF writer embeds every face it draws with).
    fonts: [...faces].map((face) => ({ name: face.name, embedded: true })),
    notes,
    maxRight,
    problems,
  };
}
