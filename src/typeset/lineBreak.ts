/**
 * Pieces → lines. Justified paragraphs are broken by total fit (optimalBreaks); others, and any
 * paragraph total fit cannot set, first-fit, squeezing before pushing (clreq §3.8, "先挤进，
 * 后推出"): a line takes every piece that still fits once its shrinkable space is used. Each line
 * is then justified in clreq's order.
 *
 * Shrink, in order: the closing mark at the line end to ½ em; Han–Latin gaps towards ⅛ em; word
 * spaces; only for a line that cannot break otherwise, punctuation inside the line to ½ em.
 * Stretch, in order: Han–Latin gaps and word spaces (up to a limit); then the rest spread evenly
 * over every gap next to a CJK character. Never inside a Latin word, a number, —— or …….
 * The last line of a paragraph is not stretched and holds at least two characters.
 */
import { splitOversized, withHyphen, type Glue, type Piece } from './shape.js';
import { hyphenDemerits } from './hyphenate.js';

export type Align = 'justify' | 'left' | 'center' | 'right';

export interface PlacedPiece {
  piece: Piece;
  /** x of the piece's pen position, relative to the line's left edge (indent included). */
  x: number;
  /** Width as set on this line (after shrinking at the line end, restoring at the start). */
  width: number;
  /** Glyph drawing offset relative to x. */
  offset: number;
}

export interface Line {
  placed: PlacedPiece[];
  /** Width the line occupies from its left edge, indent included. */
  width: number;
  /** Footnote numbers whose marks stand on this line. */
  notes: number[];
  last: boolean;
}

export interface LineSpec {
  width: number;
  firstIndent: number;
  /** Indent of every line after the first (hanging indent). */
  restIndent: number;
  align: Align;
}

const EPS = 0.01;
/** Largest extra space spread into one gap when justifying, in ems; a line needing more is ragged. */
const MAX_SPREAD = 0.25;
/** Badness of a ragged line: after a break inside a URL or word it reads naturally, elsewhere less so. */
const RAGGED_IN_WORD = 3000;
const RAGGED = 6000;

function glueAt(pieces: Piece[], k: number, lineStart: number): Glue | null {
  return k === lineStart ? null : (pieces[k] as Piece).glueBefore;
}

/** Natural width and total shrink of pieces [start, end]. */
function measureRange(pieces: Piece[], start: number, end: number) {
  let natural = 0;
  let shrink = 0;
  let midShrink = 0;
  for (let k = start; k <= end; k++) {
    const p = pieces[k] as Piece;
    const glue = glueAt(pieces, k, start);
    if (glue) {
      natural += glue.width;
      shrink += glue.shrink;
    }
    natural += p.width + (k === start ? p.startRestore : 0);
    if (k !== end) midShrink += p.midShrink;
  }
  shrink += (pieces[end] as Piece).endShrink;
  natural += (pieces[end] as Piece).hyphen?.width ?? 0; // a break at a hyphenation point adds the hyphen
  return { natural, shrink, midShrink };
}

function charCount(pieces: Piece[], start: number, end: number): number {
  let n = 0;
  for (let k = start; k <= end; k++) {
    const p = pieces[k] as Piece;
    if (p.kind === 'ideo' || p.kind === 'latin') n += [...p.text].length;
  }
  return n;
}

function isBreakAfter(pieces: Piece[], k: number): boolean {
  return k === pieces.length - 1 || (pieces[k + 1] as Piece).breakBefore;
}

/**
 * Indices of the last piece of each line. A line takes every piece that fits once the line-end
 * mark and the Han–Latin and word spaces are squeezed; squeezing punctuation inside the line is
 * kept for lines that have no other way to break, so that marks keep one width from line to line.
 */
function chooseBreaks(pieces: Piece[], spec: LineSpec): number[] {
  const ends: number[] = [];
  let start = 0;
  while (start < pieces.length) {
    const available = spec.width - (ends.length === 0 ? spec.firstIndent : spec.restIndent);
    let best = -1;
    let squeezed = -1;
    for (let k = start; k < pieces.length; k++) {
      const { natural, shrink, midShrink } = measureRange(pieces, start, k);
      if (natural - shrink - midShrink > available + EPS) break;
      if (!isBreakAfter(pieces, k)) continue;
      if (natural - shrink <= available + EPS) best = k;
      else if (best < 0) squeezed = k;
    }
    if (best < 0) best = squeezed;
    if (best < 0) {
      // Nothing fits with a legal break (a very long unbreakable word): break before the
      // first piece that overflows, keeping at least one piece on the line.
      let k = start;
      while (k + 1 < pieces.length && measureRange(pieces, start, k + 1).natural <= available) k++;
      best = k;
    }
    ends.push(best);
    start = best + 1;
  }
  // clreq §3.8: the last line of a paragraph holds at least two characters.
  if (ends.length >= 2) {
    const lastStart = (ends[ends.length - 2] as number) + 1;
    if (charCount(pieces, lastStart, pieces.length - 1) < 2) {
      const prevStart = ends.length >= 3 ? (ends[ends.length - 3] as number) + 1 : 0;
      for (let k = lastStart - 1; k > prevStart; k--) {
        if ((pieces[k] as Piece).breakBefore) {
          ends[ends.length - 2] = k - 1;
          break;
        }
      }
    }
  }
  return ends;
}

/** May extra space go into the gap between a and b when a line is justified? */
function isStretchableGap(a: Piece, b: Piece): boolean {
  if (b.kind === 'mark') return false;
  if (b.glueBefore) return true;
  return a.kind !== 'latin' || b.kind !== 'latin';
}

/**
 * Total-fit line breaking for justified paragraphs (after Knuth and Plass): among all legal
 * breaks, choose those that set the whole paragraph most evenly, so that one line is not
 * squeezed tight and the next spread wide. A line's badness grows with the cube of how much of
 * its shrink or stretch it uses (clreq's order of adjustment: the line-end mark first, free; then
 * spaces; squeezing punctuation inside the line only as a costly last resort). Returns null when no
 * set of breaks fits (the first-fit breaker then takes over).
 */
function optimalBreaks(pieces: Piece[], spec: LineSpec): number[] | null {
  const n = pieces.length;
  const cost = new Array<number>(n).fill(Infinity);
  const from = new Array<number>(n).fill(-1);
  for (let k = 0; k < n; k++) {
    if (!isBreakAfter(pieces, k)) continue;
    const last = k === n - 1;
    const end = pieces[k] as Piece;
    let interior = 0; // widths and spaces of pieces s+1..k
    let glueShrink = 0;
    let glueStretch = 0;
    let gaps = 0;
    let mid = 0;
    for (let s = k; s >= 0; s--) {
      const p = pieces[s] as Piece;
      if (s < k) {
        const q = pieces[s + 1] as Piece;
        interior += q.glueBefore?.width ?? 0;
        glueShrink += q.glueBefore?.shrink ?? 0;
        glueStretch += q.glueBefore?.stretch ?? 0;
        if (isStretchableGap(p, q)) gaps++;
        mid += p.midShrink;
      }
      const natural = interior + p.width + p.startRestore + (end.hyphen?.width ?? 0);
      interior += p.width;
      const shrink = glueShrink + end.endShrink;
      const available = spec.width - (s === 0 ? spec.firstIndent : spec.restIndent);
      if (natural - shrink - mid > available + EPS) break;
      if (s > 0 && !p.breakBefore) continue;
      const before = s === 0 ? 0 : (cost[s - 1] as number);
      if (before === Infinity) continue;
      let badness: number;
      if (natural > available + EPS) {
        // A closing mark at the line end set half-width costs nothing (clreq: squeeze it in
        // before pushing a character down); squeezing spaces costs by how much is used.
        const d = Math.max(0, natural - available - end.endShrink);
        badness =
          d <= glueShrink + EPS
            ? 100 * (glueShrink > 0 ? d / glueShrink : 0) ** 3
            : 1000 + 1000 * ((d - glueShrink) / Math.max(mid, EPS)) ** 3;
      } else if (last) {
        badness = 0;
      } else {
        const d = available - natural;
        const capacity = glueStretch + gaps * MAX_SPREAD * end.size;
        const next = pieces[k + 1] as Piece;
        const inWord = end.kind === 'latin' && next.kind === 'latin' && !next.glueBefore;
        // Of two ragged lines the fuller is better (a Korean line before a long word set keep-all).
        badness = d <= EPS ? 0 : d <= capacity ? 100 * (d / capacity) ** 3 : (inWord ? RAGGED_IN_WORD : RAGGED) + 1000 * (d / available);
      }
      let demerits = (10 + badness) ** 2 + hyphenDemerits(end, pieces[s - 1], s > 0 ? pieces[(from[s - 1] as number) - 1] : undefined);
      // clreq §3.8: the last line of a paragraph holds at least two characters.
      if (last && s > 0 && charCount(pieces, s, k) < 2) demerits += 1e8;
      if (before + demerits < (cost[k] as number)) {
        cost[k] = before + demerits;
        from[k] = s;
      }
    }
  }
  if (cost[n - 1] === Infinity) return null;
  const ends: number[] = [];
  for (let k = n - 1; k >= 0; k = (from[k] as number) - 1) ends.unshift(k);
  return ends;
}

function justify(pieces: Piece[], start: number, end: number, available: number, indent: number, align: Align, last: boolean): PlacedPiece[] {
  const count = end - start + 1;
  const widths: number[] = [];
  const offsets: number[] = [];
  const glues: number[] = []; // space before each piece
  for (let k = start; k <= end; k++) {
    const p = pieces[k] as Piece;
    const restore = k === start ? p.startRestore : 0;
    widths.push(p.width + restore);
    offsets.push(p.offset + restore);
    glues.push(glueAt(pieces, k, start)?.width ?? 0);
  }
  const total = () => widths.reduce((a, b) => a + b, 0) + glues.reduce((a, b) => a + b, 0);
  let excess = total() - available;

  if (excess > EPS) {
    // 1. the closing mark at the line end
    const lastPiece = pieces[end] as Piece;
    const endCut = Math.min(excess, lastPiece.endShrink);
    widths[count - 1] = (widths[count - 1] as number) - endCut;
    excess -= endCut;
    // 2. Han–Latin gaps, 3. word spaces
    for (const kind of ['hanLatin', 'space'] as const) {
      if (excess <= EPS) break;
      const idx = [...Array(count).keys()].filter((i) => glueAt(pieces, start + i, start)?.kind === kind);
      const capacity = idx.reduce((s, i) => s + ((pieces[start + i] as Piece).glueBefore as Glue).shrink, 0);
      if (capacity <= 0) continue;
      const ratio = Math.min(1, excess / capacity);
      for (const i of idx) glues[i] = (glues[i] as number) - ((pieces[start + i] as Piece).glueBefore as Glue).shrink * ratio;
      excess -= capacity * ratio;
    }
    // 4. punctuation inside the line
    if (excess > EPS) {
      for (let i = 0; i < count - 1 && excess > EPS; i++) {
        const p = pieces[start + i] as Piece;
        const cut = Math.min(excess, p.midShrink);
        if (cut <= 0) continue;
        widths[i] = (widths[i] as number) - cut;
        if (p.kind === 'open') offsets[i] = (offsets[i] as number) - cut;
        excess -= cut;
      }
    }
  } else if (excess < -EPS && align === 'justify' && !last) {
    let slack = -excess;
    const idx = [...Array(count).keys()].filter((i) => i > 0 && glueAt(pieces, start + i, start));
    const capacity = idx.reduce((s, i) => s + ((pieces[start + i] as Piece).glueBefore as Glue).stretch, 0);
    const gaps = [...Array(count).keys()].filter((i) => i > 0 && isStretchableGap(pieces[start + i - 1] as Piece, pieces[start + i] as Piece));
    const size = (pieces[end] as Piece).size;
    // A line that would need more than MAX_SPREAD em in every gap (the line before a long URL)
    // is set ragged, at its natural spacing, rather than with visible holes.
    if (slack <= capacity + gaps.length * MAX_SPREAD * size + EPS) {
      // 1. Han–Latin gaps and word spaces, up to their stretch
      if (capacity > 0) {
        const ratio = Math.min(1, slack / capacity);
        for (const i of idx) glues[i] = (glues[i] as number) + ((pieces[start + i] as Piece).glueBefore as Glue).stretch * ratio;
        slack -= capacity * ratio;
      }
      // 2. evenly over every gap next to a CJK character (or a space), never inside Latin
      // words, numbers, —— or ……, and never before a footnote mark
      if (slack > EPS && gaps.length > 0) {
        const each = slack / gaps.length;
        for (const i of gaps) glues[i] = (glues[i] as number) + each;
      }
    }
  }

  let x = indent;
  const lineWidth = total();
  if (align === 'center') x += Math.max(0, (available - lineWidth) / 2);
  if (align === 'right') x += Math.max(0, available - lineWidth);
  const placed: PlacedPiece[] = [];
  for (let i = 0; i < count; i++) {
    x += glues[i] as number;
    placed.push({ piece: pieces[start + i] as Piece, x, width: widths[i] as number, offset: offsets[i] as number });
    x += widths[i] as number;
  }
  return placed;
}

export function breakLines(shaped: Piece[], spec: LineSpec): Line[] {
  if (shaped.length === 0) return [];
  const pieces = splitOversized(shaped, spec.width - Math.max(spec.firstIndent, spec.restIndent)).slice();
  const ends = (spec.align === 'justify' && optimalBreaks(pieces, spec)) || chooseBreaks(pieces, spec);
  for (const end of ends) pieces[end] = withHyphen(pieces[end] as Piece);
  const lines: Line[] = [];
  let start = 0;
  ends.forEach((end, n) => {
    const indent = n === 0 ? spec.firstIndent : spec.restIndent;
    const last = n === ends.length - 1;
    const placed = justify(pieces, start, end, spec.width - indent, indent, spec.align, last);
    const lastPlaced = placed.at(-1);
    lines.push({
      placed,
      width: lastPlaced ? lastPlaced.x + lastPlaced.width : 0,
      notes: placed.filter((p) => p.piece.kind === 'mark').map((p) => p.piece.note as number),
      last,
    });
    start = end + 1;
  });
  return lines;
}
