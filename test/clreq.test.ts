/**
 * The clreq rules, on small fixtures set with the real fonts and the zh-CN template.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadTemplate } from '../src/load/template.js';
import { FontChain } from '../src/fonts/fontChain.js';
import { shape, type Piece, type Span } from '../src/typeset/shape.js';
import { breakLines, type Line } from '../src/typeset/lineBreak.js';
import { buildPages, type FlowLine, type NoteLines } from '../src/typeset/pages.js';
import { breakOpportunities, NOT_AT_LINE_END, NOT_AT_LINE_START } from '../src/typeset/breaks.js';
import { root, startsAgainstRule } from './helpers.js';

const template = await loadTemplate(path.join(root, 'templates', 'zh-CN.yaml'));
const fonts = new FontChain(template);
const SIZE = 10;
const opts = { hanLatinSpace: 0.25, markScale: 0.62, markRise: 0.42 };
const span = (text: string): Span => ({ text, style: { size: SIZE, bold: false } });
const pieces = (...spans: Span[]) => shape(spans, fonts, opts);
const set = (width: number, ...spans: Span[]): Line[] =>
  breakLines(pieces(...spans), { width, firstIndent: 0, restIndent: 0, align: 'justify' });
const lineText = (line: Line) => line.placed.map((p) => p.piece.text).join('');
const right = (line: Line) => Math.max(...line.placed.map((p) => p.x + p.width));

function expectClreq(lines: Line[], width: number) {
  lines.forEach((line, k) => {
    const text = lineText(line);
    const previous = k > 0 ? lineText(lines[k - 1] as Line) : undefined;
    expect(startsAgainstRule(text, previous, NOT_AT_LINE_START), `line starts with a closing mark: ${text}`).toBe(false);
    expect(line.placed[0]?.piece.kind, `line starts with a footnote mark: ${text}`).not.toBe('mark');
    expect(NOT_AT_LINE_END.has([...text].at(-1) ?? ''), `line ends with an opening mark: ${text}`).toBe(false);
    expect(right(line), `line past the margin: ${text}`).toBeLessThanOrEqual(width + 0.01);
  });
}

describe('clreq line breaking', () => {
  it('never starts a line with 。 when the natural break falls before it: squeezes it in when ½ em is enough', () => {
    // 10 ideographs (100 pt) and a 。 that fits only half-width in 105 pt
    const lines = set(105, span('一二三四五六七八九十。一二三四五六七八九十。'));
    expectClreq(lines, 105);
    expect(lineText(lines[0] as Line)).toBe('一二三四五六七八九十。');
    expect(right(lines[0] as Line)).toBeCloseTo(105, 1);
  });

  it('pushes a character down when squeezing is not enough', () => {
    const lines = set(100, span('一二三四五六七八九十。一二三'));
    expectClreq(lines, 100);
    expect(lineText(lines[0] as Line)).toBe('一二三四五六七八九');
    expect(lineText(lines[1] as Line).startsWith('十。')).toBe(true);
    expect(right(lines[0] as Line)).toBeCloseTo(100, 1); // justified: the gap spread over the line
  });

  it('keeps a footnote mark with the text before it', () => {
    const lines = set(100, span('一二三四五六七八九十'), { mark: 7, style: { size: SIZE, bold: false } }, span('一二三'));
    expectClreq(lines, 100);
    const withMark = lines.find((l) => l.notes.includes(7)) as Line;
    const at = withMark.placed.findIndex((p) => p.piece.kind === 'mark');
    expect(at).toBeGreaterThan(0);
    expect(withMark.placed[at - 1]?.piece.text).toBe('十');
  });

  it('sets ”，“ in 2 ems, 。” in 1.5', () => {
    const widths = (text: string) => pieces(span(text)).filter((p) => p.kind !== 'ideo').reduce((s, p) => s + p.width, 0);
    expect(widths('说”，“好')).toBeCloseTo(2 * SIZE, 5);
    expect(widths('好。”')).toBeCloseTo(1.5 * SIZE, 5);
    expect(widths('）。')).toBeCloseTo(1.5 * SIZE, 5);
  });

  it('puts ¼ em between Han and Latin letters or digits, none next to punctuation, with or without a source space', () => {
    const ps = pieces(span('于2020年中止，ACAT Germany（德国）与 THINK 合作'));
    const glue = (text: string) => ps.find((p) => p.text === text)?.glueBefore;
    expect(glue('2020')?.width).toBeCloseTo(0.25 * SIZE, 5);
    expect(glue('年')?.width).toBeCloseTo(0.25 * SIZE, 5);
    expect(glue('ACAT')).toBeNull(); // after ，
    expect(glue('（')).toBeNull(); // after a Latin word, before punctuation
    expect(glue('THINK')?.width).toBeCloseTo(0.25 * SIZE, 5); // the source space becomes ¼ em
    expect(glue('合')?.width).toBeCloseTo(0.25 * SIZE, 5);
    expect(glue('Germany')?.kind).toBe('space');
  });

  it('never breaks inside a number and its unit, or a Latin word', () => {
    const lines = set(60, span('我们于2020年和2,000名ACAT Germany成员'));
    const texts = lines.map(lineText);
    for (const t of texts) expect(t).not.toMatch(/^[年名]/);
    expect(texts.join('|')).not.toMatch(/Ger\|many|20\|20/);
  });

  it('breaks a long URL after / . ? & = - or, at a cost, between letters of a long segment, and keeps every line inside the measure', () => {
    const url = 'https://spcommreports.ohchr.org/TMResultsBase/DownloadPublicCommunicationFile?gId=26571';
    const lines = set(250, span(`信函，2021年8月23日，${url}（2023年9月5日读取）。`));
    expectClreq(lines, 250);
    const joined = lines.map(lineText);
    for (let i = 0; i < joined.length - 1; i++) {
      const end = joined[i] as string;
      const next = joined[i + 1] as string;
      const letters = /[A-Za-z0-9]{3}$/.exec(end)?.[0];
      if (letters && /^[A-Za-z0-9]/.test(next) && url.includes(`${letters}${next.slice(0, 3)}`)) {
        // a break between letters leaves three at least on each side, inside one run of letters, no hyphen added
        expect(next).toMatch(/^[A-Za-z0-9]{3}/);
        expect(end).not.toMatch(/-$/);
      }
      expect(end).toMatch(/[/.?&=\-_#，）。日读a-zA-Z0-9]$/);
    }
    expect(joined.join('')).toContain(url);
    // no line is spread with visible holes: every gap under ½ em beyond natural
    for (const line of lines.slice(0, -1)) {
      for (let k = 1; k < line.placed.length; k++) {
        const a = line.placed[k - 1] as Line['placed'][number];
        const b = line.placed[k] as Line['placed'][number];
        const natural = b.piece.glueBefore?.width ?? 0;
        expect(b.x - (a.x + a.width) - natural).toBeLessThan(0.5 * SIZE + 0.01);
      }
    }
  });

  it('breaks a host name before its dots (Chicago 14.18), never after them; the path keeps its breaks after a dot', () => {
    const url = 'https://english.kyodonews.net/news/view.php?id=1';
    const { allowed, costs } = breakOpportunities(`见${url}。`);
    const at = (s: string) => 1 + url.indexOf(s);
    expect(allowed.has(at('.kyodonews')), 'before .kyodonews').toBe(true);
    expect(allowed.has(at('.net/')), 'before .net').toBe(true);
    expect(costs.get(at('.kyodonews')) ?? 0).toBe(costs.get(at('news/view')) ?? 0); // as good as after a slash
    expect(allowed.has(at('kyodonews')), 'after english.').toBe(false);
    expect(allowed.has(at('net/')), 'after kyodonews.').toBe(false);
    expect(allowed.has(at('php')), 'after view. (path)').toBe(true);
    expect(allowed.has(at('.php')), 'before .php (path)').toBe(false);
    // Set at many widths: the host breaks before a dot, never after; the pieces join back to the URL with nothing added.
    let beforeDot = 0;
    for (let width = 100; width <= 240; width += 10) {
      const lines = set(width, span(`见${url}。`)).map(lineText);
      expectClreq(set(width, span(`见${url}。`)), width);
      expect(lines.join('')).toBe(`见${url}。`);
      expect(lines.filter((t) => /(english|kyodonews)\.$/u.test(t)), lines.join(' | ')).toEqual([]);
      if (lines.some((t) => t.startsWith('.kyodonews') || t.startsWith('.net'))) beforeDot++;
    }
    expect(beforeDot).toBeGreaterThan(0);
  });

  it('splits a URL segment longer than the whole line rather than run past the margin', () => {
    const lines = set(120, span('见https://example.org/DownloadPublicCommunicationFileWithAVeryLongName?id=1。'));
    expectClreq(lines, 120);
    expect(lines.map(lineText).join('')).toContain('DownloadPublicCommunicationFileWithAVeryLongName');
  });

  it('keeps at least two characters on the last line of a paragraph', () => {
    const lines = set(100, span('一二三四五六七八九十一'));
    expect(lines.at(-1)?.placed.filter((p) => p.piece.kind === 'ideo').length).toBeGreaterThanOrEqual(2);
  });

  it('does not stretch the last line', () => {
    const lines = set(100, span('一二三四五六七八九十一二三'));
    const last = lines.at(-1) as Line;
    expect(right(last)).toBeLessThan(60);
  });
});

describe('page-foot notes', () => {
  const line = (notes: number[] = []): Line => ({ placed: [], width: 0, notes, last: false });
  const flow = (n: number, markAt: number, note: number): FlowLine[] =>
    Array.from({ length: n }, (_, i) => ({ line: line(i === markAt ? [note] : []), height: 20, baseline: 15, spaceBefore: 0, keepWithNext: false, block: 'body' }));
  const noteOf = (number: number, count: number): NoteLines => ({ number, lines: Array.from({ length: count }, () => ({ line: line(), height: 10, baseline: 8 })) });

  it('moves a line to the next page with its note when the note would not fit', () => {
    // 10 lines of 20 pt on a 200 pt page; line 9 carries a 3-line note: line and note move on
    const pages = buildPages(flow(12, 8, 1), new Map([[1, noteOf(1, 3)]]), { height: 200, noteSeparator: 10, minNoteLines: 2 });
    const pageOfMark = pages.findIndex((p) => p.body.some((l) => l.line.notes.includes(1)));
    const pageOfNote = pages.findIndex((p) => p.noteNumbers.includes(1));
    expect(pageOfMark).toBe(1);
    expect(pageOfNote).toBe(1);
    expect(pages[0]?.body).toHaveLength(8);
  });

  it('splits the note of a line kept with the one before it (a paragraph\'s last two lines) when that fills the page', () => {
    // 9 lines of 20 pt fill 180 of 200 pt; lines 9 and 10 keep together, line 10 starts a 6-line note:
    // both lines and the note's first lines would not fit whole, but fit with the note split.
    const lines = flow(11, 9, 1);
    (lines[8] as FlowLine).keepWithNext = true;
    const pages = buildPages(lines.slice(0, 10), new Map([[1, noteOf(1, 6)]]), { height: 230, noteSeparator: 10, minNoteLines: 2 });
    expect(pages[0]?.body).toHaveLength(10);
    expect(pages[0]?.noteNumbers).toEqual([1]);
    expect(pages[0]?.notes).toHaveLength(2);
    expect(pages[1]?.notes).toHaveLength(4);
  });

  it('splits a long note after its first lines and continues it on the next page', () => {
    const pages = buildPages(flow(20, 2, 1), new Map([[1, noteOf(1, 30)]]), { height: 200, noteSeparator: 10, minNoteLines: 2 });
    expect(pages[0]?.noteNumbers).toEqual([1]);
    expect(pages[0]?.body.some((l) => l.line.notes.includes(1))).toBe(true);
    const noteLines = pages.reduce((s, p) => s + p.notes.length, 0);
    expect(noteLines).toBe(30);
    expect(pages[1]?.notes.length).toBeGreaterThan(0);
    for (const p of pages) {
      const bodyBottom = Math.max(0, ...p.body.map((l) => l.top + 20));
      expect(bodyBottom + p.notesHeight + (p.notes.length ? 10 : 0)).toBeLessThanOrEqual(200.01);
    }
  });
});
