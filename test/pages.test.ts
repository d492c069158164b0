import { describe, expect, it } from 'vitest';
import { buildPages, type FlowLine, type NoteLines } from '../src/typeset/pages.js';
import type { Line } from '../src/typeset/lineBreak.js';

// Page building on synthetic lines: only heights and note marks matter to buildPages.
const line = (notes: number[] = []): Line => ({ placed: [], width: 0, notes, last: false });
const body = (count: number, marks: Map<number, number[]> = new Map()): FlowLine[] =>
  Array.from({ length: count }, (_, k) => ({ line: line(marks.get(k)), height: 20, baseline: 15, spaceBefore: 0, keepWithNext: false, block: 'body' }));
const note = (number: number, count: number): NoteLines => ({
  number,
  lines: Array.from({ length: count }, () => ({ line: line(), height: 10, baseline: 8 })),
});

describe('buildPages', () => {
  it('sets every line of a long note exactly once when it runs on past the last body line', () => {
    const long = note(1, 30);
    const pages = buildPages(body(3, new Map([[2, [1]]])), new Map([[1, long]]), { height: 200, noteSeparator: 10, minNoteLines: 2 });
    expect(new Set(pages).size).toBe(pages.length);
    const placed = pages.flatMap((p) => p.notes.map((n) => n.line));
    expect(placed).toHaveLength(long.lines.length);
    expect(new Set(placed)).toEqual(new Set(long.lines.map((l) => l.line)));
    expect(pages[0]?.noteNumbers).toEqual([1]);
    expect(pages[0]?.body).toHaveLength(3);
    for (const page of pages) expect(page.notesHeight).toBeLessThanOrEqual(200);
  });

  it('stretches the spaces between blocks of a page the next line did not fit, by at most a third, and never the last page', () => {
    // Blocks of two lines with 12 pt above each: a page of 100 pt holds two blocks (20+20+12+20+20 = 92).
    const flow = body(6).map((l, k) => ({ ...l, spaceBefore: k % 2 === 0 ? 12 : 0, keepWithNext: k % 2 === 0 }));
    const pages = buildPages(flow, new Map(), { height: 100, noteSeparator: 10, minNoteLines: 2 });
    expect(pages.map((p) => p.body.map((l) => l.top))).toEqual([[0, 20, 52 + 4, 72 + 4], [0, 20]]);
    const roomy = buildPages(flow, new Map(), { height: 94, noteSeparator: 10, minNoteLines: 2 });
    expect(roomy[0]?.body.map((l) => l.top)).toEqual([0, 20, 54, 74]);
  });

  it('ends on a page too short for the room kept under a continued note', () => {
    const pages = buildPages(body(2, new Map([[0, [1]]])), new Map([[1, note(1, 12)]]), { height: 45, noteSeparator: 10, minNoteLines: 1 });
    expect(pages.flatMap((p) => p.notes)).toHaveLength(12);
    expect(pages.flatMap((p) => p.body)).toHaveLength(2);
  });
});
