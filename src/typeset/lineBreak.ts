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
/**
 * Extra space per gap, in ems, that a justified line takes at badness 100: beyond it the spread
 * shows (a line spread by more than about ⅛ em reads as letter-spaced), and badness grows with
 * the cube, so that a costly break (inside a URL, before a bracket) wins over a visibly spread line.
 */
const COMFORTABLE_SPREAD = 0.08;
/** Badness of a ragged line: after a break inside a URL or word it reads naturally, elsewhere less so. */
const RAGGED_IN_WORD = 1000;
const RAGGED = 6000;

/**
 * The element at `k` of an array, for an index the caller knows to be in range (the one place
 * where `noUncheckedIndexedAccess` is answered, instead of a cast at every access).
 */
function at<T>(items: readonly T[], k: number): T {
  const item = items[k];
  if (item === undefined) throw new RangeError(`index ${k} outside 0..${items.length - 1}`);
  return item;
}

/** The space before piece k on a line that starts at `lineStart` (none at the line start). */
function glueAt(pieces: Piece[], k: number, lineStart: number): Glue | null {
  return k === lineStart ? null : at(pieces, k).glueBefore;
}

/** Natural width and total shrink of pieces [start, end]. */
function measureRange(pieces: Piece[], start: number, end: number) {
  let natural = 0;
  let shrink = 0;
  let midShrink = 0;
  for (let k = start; k <= end; k++) {
    const p = at(pieces, k);
    const glue = glueAt(pieces, k, start);
    if (glue) {
      natural += glue.width;
      shrink += glue.shrink;
    }
    natural += p.width + (k === start ? p.startRestore : 0);
    if (k !== end) midShrink += p.midShrink;
  }
  shrink += at(pieces, end).endShrink;
  natural += at(pieces, end).hyphen?.width ?? 0; // a break at a hyphenation point adds the hyphen
  return { natural, shrink, midShrink };
}

/** Han and Latin characters among pieces [start, end]. */
function charCount(pieces: Piece[], start: number, end: number): number {
  let n = 0;
  for (let k = start; k <= end; k++) {
    const p = at(pieces, k);
    if (p.kind === 'ideo' || p.kind === 'latin') n += [...p.text].length;
  }
  return n;
}

function isBreakAfter(pieces: Piece[], k: number): boolean {
  return k === pieces.length - 1 || at(pieces, k + 1).breakBefore;
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
  keepTwoCharactersOnLastLine(pieces, ends);
  return ends;
}

/**
 * clreq §3.8: the last line of a paragraph holds at least two characters. If it holds fewer, the
 * line before it ends at its last earlier break, so that more goes down with the last line.
 */
function keepTwoCharactersOnLastLine(pieces: Piece[], ends: number[]): void {
  const penultimate = ends.length - 2;
  if (penultimate < 0) return;
  const lastStart = at(ends, penultimate) + 1;
  if (charCount(pieces, lastStart, pieces.length - 1) >= 2) return;
  const prevStart = penultimate >= 1 ? at(ends, penultimate - 1) + 1 : 0;
  for (let k = lastStart - 1; k > prevStart; k--) {
    if (at(pieces, k).breakBefore) {
      ends[penultimate] = k - 1;
      return;
    }
  }
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
  // The best way found so far to end a line after each piece: the sum of the demerits of every
  // line up to there (Infinity while no line can end there) and the first piece of its line.
  const cost = new Float64Array(n).fill(Infinity);
  const lineStart = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    if (!isBreakAfter(pieces, k)) continue;
    const end = at(pieces, k);
    const last = k === n - 1;
    let interior = 0; // widths and spaces of pieces s+1..k
    let glueShrink = 0;
    let glueStretch = 0;
    let gaps = 0;
    let mid = 0;
    // Lines ending after piece k, from the shortest (starting at k) to the longest that fits.
    let next: Piece | null = null; // the piece after s
    for (let s = k; s >= 0; s--) {
      const p = at(pieces, s);
      if (next) {
        interior += next.glueBefore?.width ?? 0;
        glueShrink += next.glueBefore?.shrink ?? 0;
        glueStretch += next.glueBefore?.stretch ?? 0;
        if (isStretchableGap(p, next)) gaps++;
        mid += p.midShrink;
      }
      next = p;
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
            : 200 + 400 * ((d - glueShrink) / Math.max(mid, EPS)) ** 3;
      } else if (last) {
        badness = 0;
      } else {
        const d = available - natural;
        const capacity = glueStretch + gaps * MAX_SPREAD * end.size;
        const comfortable = glueStretch + gaps * COMFORTABLE_SPREAD * end.size;
        const after = at(pieces, k + 1);
        const inWord = end.kind === 'latin' && after.kind === 'latin' && !after.glueBefore;
        // Of two ragged lines the fuller is better (a Korean line before a long word set keep-all).
        badness = d <= EPS ? 0 : d <= capacity ? 100 * (d / comfortable) ** 3 : (inWord ? RAGGED_IN_WORD : RAGGED) + 1000 * (d / available);
      }
      const previousEnd = s === 0 ? undefined : at(pieces, s - 1);
      const earlierEnd = s === 0 ? undefined : pieces[(lineStart[s - 1] as number) - 1];
      let demerits = (10 + badness) ** 2 + hyphenDemerits(end, previousEnd, earlierEnd) + (last ? 0 : (at(pieces, k + 1).breakCost ?? 0));
      // clreq §3.8: the last line of a paragraph holds at least two characters.
      if (last && s > 0 && charCount(pieces, s, k) < 2) demerits += 1e8;
      if (before + demerits < (cost[k] as number)) {
        cost[k] = before + demerits;
        lineStart[k] = s;
      }
    }
  }
  if (cost[n - 1] === Infinity) return null;
  const ends: number[] = [];
  for (let k = n - 1; k >= 0; k = (lineStart[k] as number) - 1) ends.unshift(k);
  return ends;
}

/** One piece as set on a line: the space before it and its width and drawing offset, adjusted by justification. */
interface Slot {
  piece: Piece;
  /** The piece's own space before it (null for the line's first piece, whose space is dropped). */
  glue: Glue | null;
  /** Width of the space before the piece, as set. */
  space: number;
  width: number;
  offset: number;
  /** The piece before this one on the line (null for the first). */
  previous: Piece | null;
}

type GluedSlot = Slot & { glue: Glue };

const hasGlue = (slot: Slot): slot is GluedSlot => slot.glue !== null;

/** Pieces [start, end] as slots at their natural widths (a line's first piece gets back what it lost to compression). */
function slotsOf(pieces: Piece[], start: number, end: number): Slot[] {
  const slots: Slot[] = [];
  let previous: Piece | null = null;
  for (let k = start; k <= end; k++) {
    const piece = at(pieces, k);
    const restore = k === start ? piece.startRestore : 0;
    const glue = glueAt(pieces, k, start);
    slots.push({
      piece,
      glue,
      space: glue?.width ?? 0,
      width: piece.width + restore,
      offset: piece.offset + restore,
      previous,
    });
    previous = piece;
  }
  return slots;
}

/** Width of the line as set: the pieces' widths, then the spaces (summed in this order, so that results do not move). */
function widthOf(slots: Slot[]): number {
  let widths = 0;
  let spaces = 0;
  for (const s of slots) widths += s.width;
  for (const s of slots) spaces += s.space;
  return widths + spaces;
}

/** clreq §3.8 squeezing, in order, until the line fits: the line-end mark, Han–Latin gaps, word spaces, then punctuation inside the line. */
function squeeze(slots: Slot[], excess: number): void {
  // 1. the closing mark at the line end
  const lastSlot = slots.at(-1);
  if (lastSlot) {
    const endCut = Math.min(excess, lastSlot.piece.endShrink);
    lastSlot.width -= endCut;
    excess -= endCut;
  }
  // 2. Han–Latin gaps, 3. word spaces (each line of a long list comes here: loops, not filtered copies)
  for (const kind of ['hanLatin', 'space'] as const) {
    if (excess <= EPS) break;
    let capacity = 0;
    for (const s of slots) if (s.glue?.kind === kind) capacity += s.glue.shrink;
    if (capacity <= 0) continue;
    const ratio = Math.min(1, excess / capacity);
    for (const s of slots) if (s.glue?.kind === kind) s.space -= s.glue.shrink * ratio;
    excess -= capacity * ratio;
  }
  // 4. punctuation inside the line
  if (excess > EPS) {
    for (let k = 0; k < slots.length - 1; k++) {
      const s = at(slots, k);
      if (excess <= EPS) break;
      const cut = Math.min(excess, s.piece.midShrink);
      if (cut <= 0) continue;
      s.width -= cut;
      if (s.piece.kind === 'open') s.offset -= cut;
      excess -= cut;
    }
  }
}

/**
 * clreq §3.8 stretching of a justified line: Han–Latin gaps and word spaces up to their stretch,
 * then the rest evenly over every gap next to a CJK character (or a space), never inside Latin
 * words, numbers, —— or ……, and never before a footnote mark. A line that would need more than
 * MAX_SPREAD em in every gap (the line before a long URL) is set ragged, at its natural spacing,
 * rather than with visible holes.
 */
function stretch(slots: Slot[], slack: number): void {
  const glued = slots.filter(hasGlue);
  const capacity = glued.reduce((c, s) => c + s.glue.stretch, 0);
  const gaps = slots.filter((s) => s.previous !== null && isStretchableGap(s.previous, s.piece));
  const size = slots.at(-1)?.piece.size ?? 0;
  if (slack > capacity + gaps.length * MAX_SPREAD * size + EPS) return;
  if (capacity > 0) {
    const ratio = Math.min(1, slack / capacity);
    for (const s of glued) s.space += s.glue.stretch * ratio;
    slack -= capacity * ratio;
  }
  if (slack > EPS && gaps.length > 0) {
    const each = slack / gaps.length;
    for (const s of gaps) s.space += each;
  }
}

function justify(pieces: Piece[], start: number, end: number, available: number, indent: number, align: Align, last: boolean): PlacedPiece[] {
  const slots = slotsOf(pieces, start, end);
  const excess = widthOf(slots) - available;
  if (excess > EPS) squeeze(slots, excess);
  else if (excess < -EPS && align === 'justify' && !last) stretch(slots, -excess);

  let x = indent;
  const lineWidth = widthOf(slots);
  if (align === 'center') x += Math.max(0, (available - lineWidth) / 2);
  if (align === 'right') x += Math.max(0, available - lineWidth);
  const placed: PlacedPiece[] = [];
  for (const { piece, space, width, offset } of slots) {
    x += space;
    placed.push({ piece, x, width, offset });
    x += width;
  }
  return placed;
}

export function breakLines(shaped: Piece[], spec: LineSpec): Line[] {
  if (shaped.length === 0) return [];
  const pieces = splitOversized(shaped, spec.width - Math.max(spec.firstIndent, spec.restIndent)).slice();
  const ends = (spec.align === 'justify' && optimalBreaks(pieces, spec)) || chooseBreaks(pieces, spec);
  for (const end of ends) pieces[end] = withHyphen(at(pieces, end));
  let start = 0;
  return ends.map((end, n) => {
    const indent = n === 0 ? spec.firstIndent : spec.restIndent;
    const last = n === ends.length - 1;
    const placed = justify(pieces, start, end, spec.width - indent, indent, spec.align, last);
    start = end + 1;
    const lastPlaced = placed.at(-1);
    return {
      placed,
      width: lastPlaced ? lastPlaced.x + lastPlaced.width : 0,
      notes: placed.flatMap(({ piece }) => (piece.kind === 'mark' && piece.note !== undefined ? [piece.note] : [])),
      last,
    };
  });
}
