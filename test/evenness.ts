/**
 * Evenness and page fill, measured from a built PDF: every glyph's position is read back from the
 * page's content stream (pdfjs-dist's operator list, with the text state the drawing code uses:
 * Tf, Tm, Tc, Ts and TJ), grouped into lines by baseline, and each line measured.
 *
 * - Han gap: the mean blank between two adjacent ideographs or kana of a line, in ems.
 * - Hangul gap: the same between two adjacent Hangul syllables (letter-spacing).
 * - Word space: the mean distance between two words separated by a space, in ems.
 * - A line is justified when it reaches the right margin and is not its paragraph's last.
 * - Space above the notes: the empty body space of each page but the last, in body lines.
 *
 * Which lines end a paragraph, and the vertical geometry of each page, come from the layout the
 * PDF was drawn from (built in the same process).
 */
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { layoutPdf } from '../src/render/pdf/index.js';

type Laid = ReturnType<typeof layoutPdf>;

export interface Glyph {
  ch: string;
  x: number;
  width: number;
  size: number;
  /** Raised (a note mark). */
  raised: boolean;
}

export interface MeasuredLine {
  page: number;
  y: number;
  text: string;
  left: number;
  /** Right edge of the visible text (a closing mark at the end counts half). */
  right: number;
  /** Right edge of the last glyph's advance. */
  advanceRight: number;
  size: number;
  note: boolean;
  last: boolean;
  justified: boolean;
  /** Mean blank between adjacent ideographs/kana (em), null without such pairs. */
  hanGap: number | null;
  hangulGap: number | null;
  wordSpace: number | null;
  latin: boolean;
  /** The line holds Hangul. */
  hangul: boolean;
  block: string;
  /** Short of the margin though not the paragraph's last (pt). */
  short: number;
}

export interface Figures {
  lines: MeasuredLine[];
  /** Adjacent CJK punctuation marks on one line (a note mark between them aside), and how many of them are set closer than 1 em apart. */
  punctuationPairs: { pairs: number; compressed: number; full: string[] };
  /** Note marks after a closing mark that stand after its blank half (more than ½ em from its start). */
  detachedMarks: string[];
  justified: number;
  worstHanGap: { value: number; text: string };
  worstWordSpace: { value: number; text: string };
  worstLatinWordSpace: { value: number; text: string };
  worstHangulGap: { value: number; text: string };
  /** Lines (body and notes, not a paragraph's last) ending more than 1 em short of the margin. */
  shortLines: string[];
  overfull: string[];
  /**
   * Line breaks inside a word of `source` (the two sides stand unspaced in it): between two
   * syllables, or beside a bracket (allowed by CSS keep-all).
   */
  splitWords: { syllables: string[]; brackets: string[] };
  /** A signatory section's heading or a single entry of it left alone at a page foot or head. */
  lonelyEntries: string[];
  /** Empty space above the note area (or at the foot) on each page but the last, in body lines. */
  pageSpace: number[];
}

const CJK_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;
const CLOSING_MARK = /[、，。．：；？！”’）》〉」』】〕〗］｝]/u;
const LATIN_LETTER = /[\p{Script=Latin}\p{Nd}]/u;

interface PdfGlyph {
  unicode?: string;
  width?: number;
  isSpace?: boolean;
}

/** Glyphs of every page, by page and baseline (rounded to 0.01 pt). */
export async function readGlyphs(pdf: Uint8Array): Promise<Array<Map<number, Glyph[]>>> {
  const doc = await getDocument({ data: pdf.slice(), verbosity: 0, isEvalSupported: false }).promise;
  const pages: Array<Map<number, Glyph[]>> = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const list = await page.getOperatorList();
    const lines = new Map<number, Glyph[]>();
    let size = 0;
    let spacing = 0;
    let rise = 0;
    let x = 0;
    let y = 0;
    list.fnArray.forEach((fn, i) => {
      const args = list.argsArray[i] as unknown[];
      if (fn === OPS.setFont) size = args[1] as number;
      else if (fn === OPS.setCharSpacing) spacing = args[0] as number;
      else if (fn === OPS.setTextRise) rise = args[0] as number;
      else if (fn === OPS.setTextMatrix) {
        const m = (Array.isArray(args[0]) || ArrayBuffer.isView(args[0]) ? args[0] : args) as ArrayLike<number>;
        x = m[4] as number;
        y = m[5] as number;
      } else if (fn === OPS.showSpacedText || fn === OPS.showText) {
        const key = Math.round(y * 100) / 100;
        const line = lines.get(key) ?? [];
        lines.set(key, line);
        for (const item of args[0] as Array<PdfGlyph | number>) {
          if (typeof item === 'number') {
            x -= (item * size) / 1000;
            continue;
          }
          const width = ((item.width ?? 0) * size) / 1000;
          line.push({ ch: item.unicode ?? '', x, width, size, raised: rise !== 0 });
          x += width + spacing;
        }
      }
    });
    pages.push(lines);
  }
  await doc.destroy();
  return pages;
}

const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

function measureLine(glyphs: Glyph[]): Pick<MeasuredLine, 'text' | 'left' | 'right' | 'advanceRight' | 'size' | 'hanGap' | 'hangulGap' | 'wordSpace' | 'latin' | 'hangul'> {
  const sorted = [...glyphs].sort((a, b) => a.x - b.x);
  const body = sorted.filter((g) => !g.raised);
  const size = Math.max(...body.map((g) => g.size));
  const han: number[] = [];
  const hangul: number[] = [];
  const words: number[] = [];
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1] as Glyph;
    const b = sorted[k] as Glyph;
    if (a.raised || b.raised || b.ch === ' ') continue;
    if (a.ch === ' ') {
      const before = sorted[k - 2];
      if (before && !before.raised && before.ch !== ' ') words.push((b.x - (before.x + before.width)) / b.size);
      continue;
    }
    const gap = (b.x - (a.x + a.width)) / b.size;
    if (CJK_LETTER.test(a.ch) && CJK_LETTER.test(b.ch)) han.push(gap);
    if (HANGUL.test(a.ch) && HANGUL.test(b.ch)) hangul.push(gap);
  }
  const text = sorted.map((g) => g.ch).join('');
  const last = body.at(-1);
  return {
    text,
    left: body[0]?.x ?? 0,
    // a closing mark at the line end is set half-width (its blank half may pass the margin)
    advanceRight: last ? last.x + last.width : 0,
    right: last ? last.x + (CLOSING_MARK.test(last.ch) ? last.width / 2 : last.width) : 0,
    size,
    hanGap: mean(han),
    hangulGap: mean(hangul),
    wordSpace: mean(words),
    latin: /\p{Script=Latin}{2}/u.test(text) && LATIN_LETTER.test(text),
    hangul: HANGUL.test(text),
  };
}

const PUNCTUATION = /[、，。．：；？！”’）》〉」』】〕〗］｝“‘（《〈「『【〔〖［｛]/u;

/** Punctuation pairs and note marks after closing marks, on one line's glyphs. */
function punctuationOf(glyphs: Glyph[], where: string, out: Pick<Figures, 'punctuationPairs' | 'detachedMarks'>): void {
  const all = [...glyphs].sort((a, b) => a.x - b.x);
  const text = all.filter((g) => !g.raised);
  for (let k = 1; k < text.length; k++) {
    const a = text[k - 1] as Glyph;
    const b = text[k] as Glyph;
    if (!PUNCTUATION.test(a.ch) || !PUNCTUATION.test(b.ch)) continue;
    const marks = all.filter((g) => g.raised && g.x > a.x && g.x < b.x);
    const advance = (b.x - a.x - marks.reduce((w, g) => w + g.width, 0)) / a.size;
    out.punctuationPairs.pairs++;
    if (advance < 0.9) out.punctuationPairs.compressed++;
    else out.punctuationPairs.full.push(`${where}: ${a.ch}${b.ch} ${advance.toFixed(2)} em`);
  }
  for (let k = 1; k < all.length; k++) {
    const a = all[k - 1] as Glyph;
    const b = all[k] as Glyph;
    if (!b.raised || a.raised || !CLOSING_MARK.test(a.ch) || '、，'.includes(a.ch)) continue;
    if (b.x - a.x > a.size * 0.55) out.detachedMarks.push(`${where}: ${a.ch}${b.ch} ${((b.x - a.x) / a.size).toFixed(2)} em`);
  }
}

/** Measure a letter's PDF against the layout it was drawn from. */
export async function measure(pdf: Uint8Array, laid: Laid, lineHeight: number, source = ''): Promise<Figures> {
  const glyphPages = await readGlyphs(pdf);
  const { pages, geometry, noteSeparator } = laid;
  const textRight = geometry.left + geometry.textWidth;
  const lines: MeasuredLine[] = [];
  const pageSpace: number[] = [];
  const punctuation: Pick<Figures, 'punctuationPairs' | 'detachedMarks'> = { punctuationPairs: { pairs: 0, compressed: 0, full: [] }, detachedMarks: [] };
  pages.forEach((page, p) => {
    const byY = glyphPages[p] ?? new Map<number, Glyph[]>();
    const notesTop = geometry.top + geometry.textHeight - page.notesHeight;
    const placed = [
      ...page.body.map((l) => ({ l, note: false, y: geometry.top + l.top + l.baseline })),
      ...page.notes.map((l) => ({ l, note: true, y: notesTop + l.top + l.baseline })),
    ];
    for (const { l, note, y } of placed) {
      if (l.x) continue; // a column of a signatory list
      const glyphs = [...byY].find(([at]) => Math.abs(at - y) < 0.05)?.[1];
      if (!glyphs || glyphs.length === 0) continue;
      const m = measureLine(glyphs);
      punctuationOf(glyphs, `p.${p + 1} ${m.text.slice(0, 12)}`, punctuation);
      const reaches = m.advanceRight >= textRight - 0.5;
      const last = l.line.last;
      lines.push({
        ...m, page: p + 1, y, note, last, block: note ? 'note' : (l.block ?? ''),
        justified: reaches && !last,
        short: !last && (note || l.block === 'body') ? Math.max(0, textRight - m.right) : 0,
      });
    }
    if (p < pages.length - 1) {
      const bodyFoot = Math.max(0, ...page.body.map((l) => l.top + boxHeight(l)));
      const room = geometry.textHeight - page.notesHeight - (page.notes.length > 0 ? noteSeparator : 0) - bodyFoot;
      pageSpace.push(Math.round((room / lineHeight) * 100) / 100);
    }
  });
  const worst = (pick: (l: MeasuredLine) => number | null, filter: (l: MeasuredLine) => boolean = () => true) => {
    let best = { value: 0, text: '' };
    for (const l of lines) {
      const v = pick(l);
      if (l.justified && filter(l) && v !== null && v > best.value) best = { value: round(v), text: `p.${l.page}${l.note ? ' note' : ''}: ${l.text}` };
    }
    return best;
  };
  return {
    lines,
    lonelyEntries: lonelyEntriesOf(pages),
    ...punctuation,
    splitWords: splitWordsOf(lines, source),
    justified: lines.filter((l) => l.justified).length,
    worstHanGap: worst((l) => l.hanGap),
    worstWordSpace: worst((l) => l.wordSpace),
    worstLatinWordSpace: worst((l) => l.wordSpace, (l) => l.latin && !l.hangul),
    worstHangulGap: worst((l) => l.hangulGap),
    shortLines: lines.filter((l) => l.short > l.size).map((l) => `p.${l.page}${l.note ? ' note' : ''} ${l.short.toFixed(0)} pt short: ${l.text}`),
    overfull: lines.filter((l) => l.right > textRight + 0.5).map((l) => `p.${l.page}: ${(l.right - textRight).toFixed(2)} pt ${l.text}`),
    pageSpace,
  };
}

/** Page breaks that leave a section heading, or one entry of a section, alone at a page foot or head. */
function lonelyEntriesOf(pages: Laid['pages']): string[] {
  const out: string[] = [];
  pages.forEach((page, p) => {
    const blocks = page.body.map((l) => l.block ?? '');
    const [first, second] = blocks;
    if (p > 0 && first === 'listEntry' && second === 'listSection') out.push(`p.${p + 1}: one entry at the head`);
    const last = blocks.at(-1);
    const before = blocks.at(-2);
    if (p < pages.length - 1 && last === 'listSection') out.push(`p.${p + 1}: a heading at the foot`);
    if (p < pages.length - 1 && last === 'listEntry' && before === 'listSection') out.push(`p.${p + 1}: one entry at the foot`);
  });
  return out;
}

/** Breaks between two lines of a paragraph that fall inside a word of the (space-separated) source text. */
function splitWordsOf(lines: MeasuredLine[], source: string): Figures['splitWords'] {
  const plain = source.replace(/\[\^[^\]]*\]/g, '').replace(/\s+/g, ' ');
  const out: Figures['splitWords'] = { syllables: [], brackets: [] };
  for (let k = 0; k + 1 < lines.length; k++) {
    const a = lines[k] as MeasuredLine;
    const b = lines[k + 1] as MeasuredLine;
    if (a.last || a.page !== b.page || a.note !== b.note || !HANGUL.test(a.text + b.text)) continue;
    const end = (a.text.split(' ').at(-1) ?? '').replace(/\d+$/u, '');
    const start = b.text.split(' ')[0] ?? '';
    if (/[/.]/u.test(end + start)) continue; // a URL's break (measured elsewhere)
    if (!end || !start || !plain.includes(`${end}${start}`) || plain.includes(`${end} ${start}`)) continue;
    const where = `p.${a.page}: ${end}|${start}`;
    if (HANGUL.test(end.at(-1) ?? '') && HANGUL.test(start[0] ?? '')) out.syllables.push(where);
    else out.brackets.push(where);
  }
  return out;
}

/** Height of a placed line's box, from its baseline (LetterLayout centres the em box in the leading: baseline = (h − size)/2 + 0.88 size). */
function boxHeight(line: Laid['pages'][number]['body'][number]): number {
  const size = Math.max(0, ...line.line.placed.filter((p) => p.piece.kind !== 'mark').map((p) => p.piece.size));
  return 2 * line.baseline - 0.76 * size;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** A short table of the figures, for a person comparing two builds. */
export function summary(name: string, f: Figures): string {
  return [
    `${name}: ${f.justified} justified lines; worst Han gap ${f.worstHanGap.value} em (${f.worstHanGap.text.slice(0, 40)})`,
    `  worst Latin word space ${f.worstLatinWordSpace.value} em (${f.worstLatinWordSpace.text.slice(0, 50)})`,
    `  worst word space (any) ${f.worstWordSpace.value} em; worst Hangul gap ${f.worstHangulGap.value} em (${f.worstHangulGap.text.slice(0, 40)})`,
    `  short lines ${f.shortLines.length}${f.shortLines.length ? `: ${f.shortLines.map((s) => s.slice(0, 60)).join(' | ')}` : ''}`,
    ...(process.env.EVENNESS_LINES ? f.lines.filter((l) => l.text.includes(process.env.EVENNESS_LINES as string) || l.note).map((l) => `  = p.${l.page} ${l.justified ? 'J' : ' '} ${(l.right - l.left).toFixed(1)} han ${l.hanGap?.toFixed(3)} word ${l.wordSpace?.toFixed(3)}: ${l.text}`) : []),
    ...f.lines.filter((l) => l.justified && ((l.hanGap ?? 0) > 0.1 || (l.wordSpace ?? 0) > 0.45 || (l.hangulGap ?? 0) > 0.05)).map((l) => `  ! p.${l.page}${l.note ? ' note' : ''} han ${l.hanGap?.toFixed(3)} word ${l.wordSpace?.toFixed(3)} hangul ${l.hangulGap?.toFixed(3)}: ${l.text}`),
    `  punctuation pairs compressed ${f.punctuationPairs.compressed}/${f.punctuationPairs.pairs}; note marks after a closing mark's blank half: ${f.detachedMarks.length} ${f.detachedMarks.join(' | ')}`,
    `  Korean words split between syllables ${f.splitWords.syllables.length}, beside a bracket ${f.splitWords.brackets.length} ${f.splitWords.brackets.join(' ')}`,
    `  signatory entries alone at a page head or foot: ${f.lonelyEntries.length} ${f.lonelyEntries.join(' ')}`,
    `  overfull ${f.overfull.length} ${f.overfull.map((s) => s.slice(0, 30)).join(' | ')}; space above notes / at the foot (lines) per page: ${f.pageSpace.join(', ')}`,
  ].join('\n');
}
