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
 * Lines carry a mark of the caller's type `M` (what the line's text is, for the edition that draws
 * it); pages are built without looking at it.
 */
export interface FlowLine<M = unknown> {
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
  mark?: M;
}

export interface NoteLines<M = unknown> {
  number: number;
  lines: Array<{ line: Line; height: number; baseline: number; mark?: M }>;
}

export interface PlacedLine<M = unknown> {
  line: Line;
  /** Top of the line box, from the top of the text area. */
  top: number;
  /** Left of the line, from the left of the text area (columns). */
  x?: number;
  baseline: number;
  block?: string;
  mark?: M;
}

export interface Page<M = unknown> {
  body: Array<PlacedLine<M>>;
  /** Note lines, `top` measured from the top of the notes area. */
  notes: Array<PlacedLine<M>>;
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

/**
 * How far the space above a line may stretch on a page that ends before the letter does, as a
 * share of its own size: TeX's \flushbottom, with the stretch of plain TeX's \bigskip (12 pt plus
 * 4 pt). Only the spaces between blocks stretch (between the letter's parts, between spaced
 * paragraphs, between list entries); lines of a paragraph keep their leading, so text set without
 * paragraph spacing (clreq) keeps its line grid.
 */
const SPACE_STRETCH = 1 / 3;

/** Room kept for body text (about two lines) on a page that starts with a note continued from the previous one. */
const BODY_ROOM_UNDER_CONTINUED_NOTES = 40;

/** Rounding slack when a height is compared with the room left. */
const TOLERANCE = 0.01;

type NoteLine = NoteLines['lines'][number];

/** Lines that must stand on one page (or in one column): a line and every line it keeps with. Never empty. */
type LineGroup = [FlowLine, ...FlowLine[]];

/** A note split at a page foot: the lines still to set at the head of the following page(s). */
interface NoteRemainder {
  number: number;
  lines: NoteLine[];
}

/** A note the current line starts, split so that its first `keep` lines stand on this page. */
interface NoteSplit {
  number: number;
  keep: number;
}

/** The columns being filled on the current page (see `placeInColumns`). */
interface ColumnState {
  /** Top of the columns, from the top of the text area. */
  top: number;
  /** The column being filled, 0 for the leftmost. */
  index: number;
  /** Foot of the last line set in this column; null while the column is empty. */
  y: number | null;
}

/** The page being filled. */
interface PageState {
  page: Page;
  /** Depth of the body text: from the top of the text area to the foot of its lowest line. */
  bodyHeight: number;
  /** Set while lines in columns are being placed on this page. */
  columns: ColumnState | null;
  /** The space above each line placed below another on this page (index in `page.body`, points). */
  spaces: Array<{ index: number; space: number }>;
  /** Some lines stand in columns (their spaces are not stretched). */
  inColumns: boolean;
}

/** What placing a group of lines asks of the current page. */
interface Demand {
  /** Height of the lines with their space before (none before a page's first line). */
  body: number;
  /** Height of the notes the lines' marks start, in full. */
  notes: number;
  /** The rule above the notes, when these notes would be the page's first. */
  separator: number;
  /** Numbers of the notes the lines start, in mark order. */
  fresh: number[];
}

function emptyPageState(): PageState {
  return { page: { body: [], notes: [], notesHeight: 0, noteNumbers: [] }, bodyHeight: 0, columns: null, spaces: [], inColumns: false };
}

function heightOf(lines: NoteLine[]): number {
  return lines.reduce((s, l) => s + l.height, 0);
}

/** How many of the lines fit, in order, into `room` points. */
function linesThatFit(lines: NoteLine[], room: number): number {
  let fit = 0;
  let used = 0;
  for (const line of lines) {
    if (used + line.height > room) break;
    used += line.height;
    fit++;
  }
  return fit;
}

/**
 * Keep rules: the group starting at `start` runs to the first line that does not keep with the
 * next (headings keep with what follows; LetterLayout marks a paragraph's first two and last two
 * lines so that no orphan or widow is left).
 */
function keepGroup(flow: FlowLine[], start: number, first: FlowLine): LineGroup {
  let end = start;
  while (end < flow.length - 1 && flow[end]?.keepWithNext) end++;
  return [first, ...flow.slice(start + 1, end + 1)];
}

function addNoteLines(page: Page, lines: NoteLine[]): void {
  for (const l of lines) {
    page.notes.push({ line: l.line, top: page.notesHeight, baseline: l.baseline, ...(l.mark !== undefined ? { mark: l.mark } : {}) });
    page.notesHeight += l.height;
  }
}

/**
 * Column placer (long signatory lists): the group goes down the current column; when the column
 * is full down to the notes (or the page foot) it goes to the head of the next column; a group
 * stays in one column. Returns false when no column on this page has room left.
 */
function placeInColumns(state: PageState, group: LineGroup, columns: NonNullable<FlowLine['columns']>, spec: PageSpec): boolean {
  const { page } = state;
  const [first] = group;
  const bottom = spec.height - page.notesHeight - (page.notes.length > 0 ? spec.noteSeparator : 0);
  const column = (state.columns ??= { top: state.bodyHeight + (page.body.length > 0 ? first.spaceBefore : 0), index: 0, y: null });
  for (;;) {
    const atColumnTop = column.y === null;
    let need = 0;
    group.forEach((f, k) => (need += f.height + (k === 0 && atColumnTop ? 0 : f.spaceBefore)));
    const y = column.y ?? column.top;
    // A group taller than the whole first column of an empty page goes there all the same.
    const onEmptyPage = atColumnTop && column.index === 0 && page.body.length === 0;
    if (y + need > bottom + TOLERANCE && !onEmptyPage) {
      if (column.index + 1 < columns.count && !atColumnTop) {
        column.index++;
        column.y = null;
        continue;
      }
      return false;
    }
    const top = y + (atColumnTop ? 0 : first.spaceBefore);
    page.body.push({ line: first.line, top, x: column.index * (columns.width + columns.gap), baseline: first.baseline, block: first.block, ...(first.mark !== undefined ? { mark: first.mark } : {}) });
    column.y = top + first.height;
    state.bodyHeight = Math.max(state.bodyHeight, column.y);
    return true;
  }
}

/**
 * Fills pages one line at a time. A line is placed only as the first line of its keep group, and
 * only when the whole group fits; the rest of the group follows in later turns, so a group taller
 * than a page still flows.
 */
class PageBuilder {
  private readonly pages: Page[] = [];
  private state: PageState = emptyPageState();
  /** Notes whose first lines stand on this page or an earlier one. */
  private readonly placedNotes = new Set<number>();
  /** Notes split at the foot of the current page, to continue at the head of the next. */
  private continued: NoteRemainder[] = [];

  constructor(
    private readonly notes: Map<number, NoteLines>,
    private readonly spec: PageSpec,
  ) {}

  private noteLines(n: number): NoteLine[] {
    return this.notes.get(n)?.lines ?? [];
  }

  /** Place the group's first line on the current page; false when it belongs on the next page. */
  place(group: LineGroup): boolean {
    const { columns } = group[0];
    if (columns) {
      this.state.inColumns = true;
      return placeInColumns(this.state, group, columns, this.spec);
    }
    this.state.columns = null;
    return this.placeWithNotes(group);
  }

  /** Close the current page and open the next, which starts with the notes continued from it. */
  nextPage(flushBottom = true): void {
    if (flushBottom) this.stretchSpaces();
    this.pages.push(this.state.page);
    this.state = emptyPageState();
    const pending = this.continued;
    this.continued = [];
    for (const rest of pending) this.continueNote(rest);
  }

  /**
   * TeX's \flushbottom on a page that the next line did not fit: the spaces between its blocks
   * stretch (each by at most `SPACE_STRETCH` of itself) to bring its last line down towards the
   * notes or the foot. Breaks do not change; pages in columns are left as they are.
   */
  private stretchSpaces(): void {
    const { page, spaces, inColumns, bodyHeight } = this.state;
    const room = this.spec.height - page.notesHeight - (page.notes.length > 0 ? this.spec.noteSeparator : 0) - bodyHeight;
    const total = spaces.reduce((sum, s) => sum + s.space, 0);
    if (inColumns || room <= TOLERANCE || total <= 0) return;
    const ratio = Math.min(SPACE_STRETCH, room / total);
    const stretchAt = new Map(spaces.map((s) => [s.index, ratio * s.space]));
    let shift = 0;
    page.body.forEach((line, index) => {
      shift += stretchAt.get(index) ?? 0;
      line.top += shift;
    });
    this.state.bodyHeight += shift;
  }

  /** The pages, once every line is placed (and every continued note has found its page). */
  finish(): Page[] {
    // The page with the letter's last line is not stretched, nor the pages of notes after it.
    while (this.continued.length > 0) this.nextPage(false);
    this.pages.push(this.state.page);
    return this.pages.filter((p, index) => index === 0 || p.body.length > 0 || p.notes.length > 0);
  }

  /**
   * A note continued from the previous page goes on this page's head, as far as it fits with room
   * kept for about two body lines; the rest goes on again (a very long note may run over several
   * pages). A page that holds nothing else takes at least one line, so that every note ends.
   */
  private continueNote(rest: NoteRemainder): void {
    const { page, bodyHeight } = this.state;
    const room = this.spec.height - this.spec.noteSeparator - page.notesHeight - bodyHeight - BODY_ROOM_UNDER_CONTINUED_NOTES;
    const fit = Math.max(page.notes.length === 0 ? 1 : 0, linesThatFit(rest.lines, room));
    addNoteLines(page, rest.lines.slice(0, fit));
    if (fit < rest.lines.length) this.continued.push({ number: rest.number, lines: rest.lines.slice(fit) });
  }

  /** The group's body height, and the notes its marks start that no page holds yet. */
  private demandOf(group: LineGroup, atTop: boolean): Demand {
    let body = 0;
    const fresh: number[] = [];
    group.forEach((f, k) => {
      body += f.height + (atTop && k === 0 ? 0 : f.spaceBefore);
      for (const n of f.line.notes) if (!this.placedNotes.has(n) && !fresh.includes(n)) fresh.push(n);
    });
    let notes = 0;
    for (const n of fresh) notes += heightOf(this.noteLines(n));
    const separator = fresh.length > 0 && this.state.page.notes.length === 0 ? this.spec.noteSeparator : 0;
    return { body, notes, separator, fresh };
  }

  /**
   * TeX's insertions: a line goes on a page only with the notes its marks start (and the rule
   * above the notes, for the page's first note). If they do not fit, the line and its notes move
   * to the next page, unless the last note its group starts may be split (TeX's \footins): its
   * first lines stay on the mark's page, filling it, and the rest heads the next page.
   */
  private placeWithNotes(group: LineGroup): boolean {
    const { page, bodyHeight } = this.state;
    const atTop = page.body.length === 0;
    const demand = this.demandOf(group, atTop);
    const used = bodyHeight + page.notesHeight + (page.notes.length > 0 ? this.spec.noteSeparator : 0);
    let fits = used + demand.body + demand.notes + demand.separator <= this.spec.height + TOLERANCE;
    let split: NoteSplit | null = null;
    if (!fits) {
      split = this.splitLastNote(demand, used);
      fits = split !== null;
    }
    // A line at the head of a page stays there even if it and its notes overflow (it would fit nowhere else).
    if (!fits && !atTop) return false;
    const [first] = group;
    const top = bodyHeight + (atTop ? 0 : first.spaceBefore);
    if (!atTop && first.spaceBefore > 0) this.state.spaces.push({ index: page.body.length, space: first.spaceBefore });
    page.body.push({ line: first.line, top, baseline: first.baseline, block: first.block, ...(first.mark !== undefined ? { mark: first.mark } : {}) });
    this.state.bodyHeight = top + first.height;
    this.placeNotesOf(first.line, split);
    return true;
  }

  /**
   * A note that does not fit whole may be split: the last note the line starts keeps its first
   * lines on the mark's page (at least `minNoteLines`, or the whole note if shorter) and continues
   * on the next. Null when even that does not fit.
   */
  private splitLastNote(demand: Demand, used: number): NoteSplit | null {
    const lastNote = demand.fresh.at(-1);
    if (lastNote === undefined || !(used + demand.body + demand.separator <= this.spec.height)) return null;
    const lastLines = this.noteLines(lastNote);
    const before = demand.notes - heightOf(lastLines);
    const room = this.spec.height - used - demand.body - demand.separator - before;
    const keep = linesThatFit(lastLines, room);
    return keep >= Math.min(this.spec.minNoteLines, lastLines.length) && keep > 0 && room >= 0 ? { number: lastNote, keep } : null;
  }

  /**
   * The notes a placed line starts go under this page's body: whole if they fit; the note chosen
   * by `splitLastNote` split as chosen; a note that still overflows (its line stands at a page head)
   * keeps as many lines as fit, at least one, and continues on the next page.
   */
  private placeNotesOf(line: Line, split: NoteSplit | null): void {
    const { page, bodyHeight } = this.state;
    for (const n of line.notes) {
      if (this.placedNotes.has(n)) continue;
      this.placedNotes.add(n);
      page.noteNumbers.push(n);
      const lines = this.noteLines(n);
      if (split && split.number === n) {
        this.splitNote(n, lines, split.keep);
      } else if (!this.fitsWhole(lines) && lines.length > 1) {
        const keep = linesThatFit(lines, this.spec.height - bodyHeight - page.notesHeight - this.spec.noteSeparator);
        this.splitNote(n, lines, Math.max(1, keep));
      } else {
        addNoteLines(page, lines);
      }
    }
  }

  private splitNote(number: number, lines: NoteLine[], keep: number): void {
    addNoteLines(this.state.page, lines.slice(0, keep));
    this.continued.push({ number, lines: lines.slice(keep) });
  }

  private fitsWhole(lines: NoteLine[]): boolean {
    const { page, bodyHeight } = this.state;
    return bodyHeight + page.notesHeight + heightOf(lines) + this.spec.noteSeparator <= this.spec.height + TOLERANCE;
  }
}

export function buildPages<M>(flow: Array<FlowLine<M>>, notes: Map<number, NoteLines<M>>, spec: PageSpec): Array<Page<M>> {
  const builder = new PageBuilder(notes, spec);
  // Each turn places one line, or opens the next page when the line belongs there.
  let i = 0;
  for (let line = flow[0]; line !== undefined; line = flow[i]) {
    if (builder.place(keepGroup(flow, i, line))) i++;
    else builder.nextPage();
  }
  return builder.finish() as Array<Page<M>>;
}
