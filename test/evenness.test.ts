/**
 * Typographic evenness and page fill of the seed letter and every example, measured from the
 * PDFs built in this process (test/evenness.ts reads every glyph's position back).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadLetter } from '../src/load/letter.js';
import { drawLetterPdf, layoutPdf } from '../src/render/pdf/index.js';
import { buildFrame } from '../src/frame/index.js';
import { measure, summary, type Figures } from './evenness.js';
import { root } from './helpers.js';

const LETTERS = { 'zh-CN': 'letter.md', 'zh-TW': 'examples/letter.zh-TW.md', en: 'examples/letter.en.md', ko: 'examples/letter.ko.md', ja: 'examples/letter.ja.md' } as const;
type Name = keyof typeof LETTERS;
const figures = new Map<Name, Figures>();
/** Baseline distance of a body line and the space between paragraphs, per letter. */
const spacing = new Map<Name, { line: number; paragraph: number }>();

beforeAll(async () => {
  for (const [name, file] of Object.entries(LETTERS) as Array<[Name, string]>) {
    const { document } = await loadLetter(path.join(root, file));
    const frame = buildFrame(document);
    const laid = layoutPdf(frame);
    const pdf = await drawLetterPdf(frame, laid);
    const { type } = document.template;
    spacing.set(name, { line: type.bodySize * type.lineHeight, paragraph: type.paragraphSpacing * type.bodySize * type.lineHeight });
    figures.set(name, await measure(pdf, laid, document.template.type.bodySize * document.template.type.lineHeight, readFileSync(path.join(root, file), 'utf8')));
  }
  if (process.env.EVENNESS_REPORT) for (const [name, f] of figures) console.log(summary(name, f));
}, 120_000);

const of = (name: Name) => figures.get(name) as Figures;
const NAMES = Object.keys(LETTERS) as Name[];

describe('evenness of justified lines, read back from the PDF', () => {
  it.each(NAMES)('%s: measures a real number of justified lines', (name) => {
    expect(of(name).justified).toBeGreaterThan(10);
  });

  it.each(NAMES)('%s: no justified line spreads its ideographs or kana by more than 0.12 em on average', (name) => {
    expect(of(name).worstHanGap.value, of(name).worstHanGap.text).toBeLessThanOrEqual(0.12);
  });

  it.each(NAMES)('%s: no justified Latin line has word spaces above 0.5 em on average', (name) => {
    expect(of(name).worstLatinWordSpace.value, of(name).worstLatinWordSpace.text).toBeLessThanOrEqual(0.5);
  });

  it('ko: no body or note line ends short of the margin except a paragraph\'s last', () => {
    expect(of('ko').shortLines).toEqual([]);
  });

  it('ko: never splits a word between syllables (keep-all); a word breaks only beside a bracket', () => {
    expect(of('ko').splitWords.syllables).toEqual([]);
    for (const split of of('ko').splitWords.brackets) expect(split).toMatch(/[)）]\|$|\|[(（]/u);
  });

  it('ko: a justified line letter-spaces its syllables only once its word spaces are stretched (klreq)', () => {
    const spaced = of('ko').lines.filter((l) => l.justified && (l.hangulGap ?? 0) > 0.005 && l.wordSpace !== null);
    for (const line of spaced) expect(line.wordSpace, line.text).toBeGreaterThanOrEqual(0.49);
  });

  it('zh-CN: every pair of adjacent punctuation marks is compressed, a note mark between them or not (clreq §3.1.4)', () => {
    const { pairs, compressed, full } = of('zh-CN').punctuationPairs;
    expect(full).toEqual([]);
    expect(pairs).toBeGreaterThanOrEqual(48);
    expect(compressed).toBe(pairs);
  });

  it.each(NAMES)('%s: a note mark after a closing mark stands against its glyph, not after its blank half', (name) => {
    expect(of(name).detachedMarks).toEqual([]);
  });

  it.each(NAMES)('%s: no signatory section leaves its heading or a single entry alone at a page foot or head', (name) => {
    expect(of(name).lonelyEntries).toEqual([]);
  });

  it.each(NAMES)('%s: the salutation stands above the first paragraph as paragraphs stand apart', (name) => {
    const { lines } = of(name);
    const salutation = lines.findIndex((l) => l.block === 'salutation');
    const [a, b] = [lines[salutation], lines[salutation + 1]];
    const { line, paragraph } = spacing.get(name) as { line: number; paragraph: number };
    expect(b?.block).toBe('body');
    const gap = (b?.y ?? 0) - (a?.y ?? 0);
    // A page that ends before the letter may stretch the spaces between its blocks by up to ⅓ (flush bottom).
    expect(gap, `${a?.text} → ${b?.text}`).toBeGreaterThanOrEqual(line + paragraph - 0.05);
    expect(gap, `${a?.text} → ${b?.text}`).toBeLessThanOrEqual(line + (paragraph * 4) / 3 + 0.05);
    // …and then as much as the space between two paragraphs on the same page.
    const next = lines.findIndex((l, k) => k > salutation + 1 && l.page === a?.page && !l.note && l.block === 'body' && lines[k - 1]?.last === true && lines[k - 1]?.block === 'body');
    if (next > 0) expect(gap).toBeCloseTo((lines[next]?.y ?? 0) - (lines[next - 1]?.y ?? 0), 1);
  });

  it.each(NAMES)('%s: no page but the last ends more than three body lines above its notes or its foot', (name) => {
    for (const space of of(name).pageSpace) expect(space).toBeLessThanOrEqual(3);
  });

  // Space above the notes per page (lines) before the page builder stretched the spaces between
  // blocks; en as it was before the salutation got its paragraph spacing and lists their keeps.
  const EARLIER_PAGE_SPACE: Record<Name, number[]> = { 'zh-CN': [2.22, 0.79, 0.67, 0.61], 'zh-TW': [2.89], en: [0.03, 0.41], ko: [2.02], ja: [1.89] };

  it.each(NAMES)('%s: no page ends emptier above its notes than it did before', (name) => {
    const { pageSpace } = of(name);
    expect(pageSpace).toHaveLength(EARLIER_PAGE_SPACE[name].length);
    pageSpace.forEach((space, k) => expect(space, `page ${k + 1}`).toBeLessThanOrEqual(EARLIER_PAGE_SPACE[name][k] ?? 0));
  });

  it('zh-CN: page 1 ends within two body lines of its notes', () => {
    expect(of('zh-CN').pageSpace[0]).toBeLessThanOrEqual(2);
  });

  it.each(NAMES)('%s: no line runs past the margin', (name) => {
    expect(of(name).overfull).toEqual([]);
  });
});
