/**
 * Lines → pages, with footnotes at the foot of the page that carries their mark, built like TeX's
 * insertions: a line goes on a page only if the line, plus the notes its marks start (plus the
 * rule above the notes, for a page's first note) still fit; otherwise it moves to the next page
 * and its notes with it. A note that does not fit whole may continue on the next page once its
 * first lines stand on its mark's page; a note never starts on another page than its mark.
 *
 * Keep rules: a heading keeps with what follows; a paragraph leaves neither its first line alone
 * at a page foot nor its last line alone at a page head.
 *
 * Lines marked with `columns` flow down the first column to the foot of the page (above its
 * notes), then down the next, then on to the next page; a line group that must stay together
 * stays in one column.
 */
import type { Line } from './lineBreak.js';

/**
 * Where a line's text belongs in the PDF's structure tree (src/render/pdf/structure.ts): the
 * element that owns it, and the element of its leading label pieces (a list bullet, a note's
 * number); or the kind of artifact it is (page furniture, ornaments).
 */
export type LineTag =
  | { node: number; label?: { pieces: number; node: number } }
  | { artifact: 'Pagination' | 'Layout' };

export interface FlowLine {
  line: Line;
  /** Box height of the line (baseline-to-baseline distance). */
  height: number;
  /** Where the baseline stands below the top of the line box. */
  baseline: number;
  /** Extra space above this line when it is not the first on a page. */
  spaceBefore: number;
  /** This line must stand on the same page as the next one. */
  keepWithNext: boolean;
  /** Which block the line belongs to (for diagnostics and tests). */
  block: string;
  /** Set in columns: the line flows down one column, then the next (long signatory lists). */
  columns?: { count: number; width: number; gap: number };
  tag?: LineTag;
}

export interface NoteLines {
  number: number;
  lines: Array<{ line: Line; height: number; baseline: number; tag?: LineTag }>;
}

export interface PlacedLine {
  line: Line;
  /** Top of the line box, from the top of the text area. */
  top: number;
  /** Left of the line, from the left of the text area (columns). */
  x?: number;
  baseline: number;
  block?: string;
  tag?: LineTag;
}

export interface Page {
  body: PlacedLine[];
  /** Note lines, `top` measured from the top of the notes area. */
  notes: PlacedLine[];
  notesHeight: number;
  /** Note numbers whose first line stands on this page. */
  noteNumbers: number[];
}

export interface PageSpec {
  height: number;
  /** Space for the rule above the notes (gap + rule + gap). */
  noteSeparator: number;
  /** Minimum number of note lines that must stand with the mark when a note is split. */
  minNoteLines: number;
}

/** Room kept for body text (about two lines) on a page that starts with a note continued from the previous one. */
const BODY_ROOM_UNDER_CONTINUED_NOTES = 40;

/** How many of the lines fit, in order, into `room` points. */
function linesThatFit(lines: NoteLines['lines'], room: number): number {
  let fit = 0;
  let used = 0;
  while (fit < lines.length && used + (lines[fit]?.height ?? 0) <= room) used += lines[fit++]?.height ?? 0;
  return fit;
}

interface NoteRemainder {
  number: number;
  lines: NoteLines['lines'];
}

export function buildPages(flow: FlowLine[], notes: Map<number, NoteLines>, spec: PageSpec): Page[] {
  const pages: Page[] = [];
  let page: Page = { body: [], notes: [], notesHeight: 0, noteNumbers: [] };
  let bodyHeight = 0;
  let carry: NoteRemainder[] = [];
  const placedNotes = new Set<number>();

  const noteHeight = (lines: NoteLines['lines']) => lines.reduce((s, l) => s + l.height, 0);

  const addNoteLines = (p: Page, lines: NoteLines['lines']) => {
    for (const l of lines) {
      p.notes.push({ line: l.line, top: p.notesHeight, baseline: l.baseline, ...(l.tag ? { tag: l.tag } : {}) });
      p.notesHeight += l.height;
    }
  };

  /** The columns being filled on this page: their top, the current column and its depth. */
  let column: { top: number; index: number; y: number } | null = null;

  const startPage = () => {
    pages.push(page);
    page = { body: [], notes: [], notesHeight: 0, noteNumbers: [] };
    bodyHeight = 0;
    column = null;
    const pending = carry;
    carry = [];
    // Continued notes first, as far as they fit (a very long note may run over several pages).
    for (const rest of pending) {
      const fit = linesThatFit(rest.lines, spec.height - spec.noteSeparator - page.notesHeight - bodyHeight - BODY_ROOM_UNDER_CONTINUED_NOTES);
      addNoteLines(page, rest.lines.slice(0, fit));
      if (fit < rest.lines.length) carry.push({ number: rest.number, lines: rest.lines.slice(fit) });
    }
  };

  /** Height the lines [i, j] need on the current page: body and the notes they start. */
  const needOf = (i: number, j: number, atTop: boolean) => {
    let body = 0;
    let noteNeed = 0;
    const fresh: number[] = [];
    for (let k = i; k <= j; k++) {
      const f = flow[k] as FlowLine;
      body += f.height + (atTop && k === i ? 0 : f.spaceBefore);
      for (const n of f.line.notes) if (!placedNotes.has(n) && !fresh.includes(n)) fresh.push(n);
    }
    for (const n of fresh) noteNeed += noteHeight(notes.get(n)?.lines ?? []);
    const separator = fresh.length > 0 && page.notes.length === 0 ? spec.noteSeparator : 0;
    return { body, noteNeed, separator, fresh };
  };

  /** Place a line of a column flow; returns false when the page is full. */
  const placeInColumns = (i: number, j: number): boolean => {
    const f = flow[i] as FlowLine;
    const cols = f.columns as NonNullable<FlowLine['columns']>;
    const bottom = spec.height - page.notesHeight - (page.notes.length > 0 ? spec.noteSeparator : 0);
    if (!column) column = { top: bodyHeight + (page.body.length > 0 ? f.spaceBefore : 0), index: 0, y: -1 };
    const atColumnTop = column.y < 0;
    let need = 0;
    for (let k = i; k <= j; k++) need += (flow[k] as FlowLine).height + (k === i && atColumnTop ? 0 : (flow[k] as FlowLine).spaceBefore);
    const y = atColumnTop ? column.top : column.y;
    if (y + need > bottom + 0.01 && !(atColumnTop && column.index === 0 && page.body.length === 0)) {
      if (column.index + 1 < cols.count && !atColumnTop) {
        column.index++;
        column.y = -1;
        return placeInColumns(i, j);
      }
      return false;
    }
    const top = y + (atColumnTop ? 0 : f.spaceBefore);
    page.body.push({ line: f.line, top, x: column.index * (cols.width + cols.gap), baseline: f.baseline, block: f.block, ...(f.tag ? { tag: f.tag } : {}) });
    column.y = top + f.height;
    bodyHeight = Math.max(bodyHeight, column.y);
    return true;
  };

  let i = 0;
  while (i < flow.length) {
    // The group that must stay together: this line and every line it keeps with.
    let j = i;
    while (j < flow.length - 1 && (flow[j] as FlowLine).keepWithNext) j++;
    if ((flow[i] as FlowLine).columns) {
      if (!placeInColumns(i, j)) {
        startPage();
        continue;
      }
      i++;
      continue;
    }
    column = null;
    const atTop = page.body.length === 0;
    const { body, noteNeed, separator, fresh } = needOf(i, j, atTop);
    const used = bodyHeight + page.notesHeight + (page.notes.length > 0 ? spec.noteSeparator : 0);
    let fits = used + body + noteNeed + separator <= spec.height + 0.01;
    let split: { number: number; keep: number } | null = null;
    if (!fits && j === i && fresh.length > 0 && used + body + separator <= spec.height) {
      // Split the last note the group starts: its first lines stay, the rest continues.
      const lastNote = fresh.at(-1) as number;
      const lastLines = notes.get(lastNote)?.lines ?? [];
      const before = noteNeed - noteHeight(lastLines);
      const room = spec.height - used - body - separator - before;
      const keep = linesThatFit(lastLines, room);
      if (keep >= Math.min(spec.minNoteLines, lastLines.length) && keep > 0 && room >= 0) {
        fits = true;
        split = { number: lastNote, keep };
      }
    }
    if (!fits && !atTop) {
      startPage();
      continue;
    }
    // Place the first line of the group (the rest follow in later turns, so a group taller than
    // a page still flows).
    const f = flow[i] as FlowLine;
    const top = bodyHeight + (atTop ? 0 : f.spaceBefore);
    page.body.push({ line: f.line, top, baseline: f.baseline, block: f.block, ...(f.tag ? { tag: f.tag } : {}) });
    bodyHeight = top + f.height;
    for (const n of f.line.notes) {
      if (placedNotes.has(n)) continue;
      placedNotes.add(n);
      page.noteNumbers.push(n);
      const lines = notes.get(n)?.lines ?? [];
      if (split && split.number === n) {
        addNoteLines(page, lines.slice(0, split.keep));
        carry.push({ number: n, lines: lines.slice(split.keep) });
      } else if (!fitsWhole(page, lines, bodyHeight, spec) && lines.length > 1) {
        const keep = linesThatFit(lines, spec.height - bodyHeight - page.notesHeight - spec.noteSeparator);
        addNoteLines(page, lines.slice(0, Math.max(1, keep)));
        carry.push({ number: n, lines: lines.slice(Math.max(1, keep)) });
      } else {
        addNoteLines(page, lines);
      }
    }
    i++;
  }
  pages.push(page);
  while (carry.length > 0) startPage();
  return pages.filter((p, index) => index === 0 || p.body.length > 0 || p.notes.length > 0);
}

function fitsWhole(page: Page, lines: NoteLines['lines'], bodyHeight: number, spec: PageSpec): boolean {
  const h = lines.reduce((s, l) => s + l.height, 0);
  return bodyHeight + page.notesHeight + h + spec.noteSeparator <= spec.height + 0.01;
}
