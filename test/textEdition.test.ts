import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLetter } from '../src/load/letter.js';
import { renderText } from '../src/render/text/index.js';
import { displayWidth } from '../src/unicode/scripts.js';
import { NOT_AT_LINE_START, NOT_AT_LINE_END } from '../src/typeset/breaks.js';
import { fixture, hanCounts, hanDifferences, root, sourceLetter } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

const { document } = await loadLetter(path.join(root, 'letter.md'));
const text = renderText(buildFrame(document));

describe('plain-text edition of the 2023-09-21 letter', () => {
  it('keeps the two copy recipients\' address blocks apart, as the PDF does', () => {
    expect(text).toContain('东城区东长安街14号\n\n外交部长王毅');
    expect(text).toContain('公安部长王小洪\n中华人民共和国北京市\n东城区东长安街14号');
  });

  it('holds every Han character of the source exactly as often', () => {
    expect(hanDifferences(hanCounts(sourceLetter()), hanCounts(text))).toEqual([]);
  });

  it('holds the source text once spaces are ignored (every word of the letter kept)', () => {
    // The source's spaces around digits are extraction artefacts, and its notes stand where the
    // PDF's pages broke; compare paragraph by paragraph with spaces removed.
    const squeeze = (s: string) => s.replace(/\s+/g, '');
    const ours = squeeze(text);
    const paragraphs = sourceLetter()
      .replace(/2013年12\n[\s\S]*?\n月 16 日/, '2013年12月16日') // the sentence split by a page break
      .split(/\n\s*\n/)
      .map(squeeze)
      .filter((p) => p.length > 0)
      .map((p) => p.replace(/（截至[^）]*）/, '').replace(/^[⁰¹²³⁴⁵⁶⁷⁸⁹]+/, ''))
      // The signed PDF printed URLs in angle brackets; the editions print them bare (clickable).
      .map((p) => p.replace(/<(https?:[^>]+)>/g, '$1'));
    const missing = paragraphs.filter((p) => !ours.includes(p));
    expect(missing).toEqual([]);
  });

  it('has 13 notes numbered 1–13 in reading order, marks in the body in the same order', () => {
    const [body, rest] = text.split('——————') as [string, string];
    const marks = [...body.matchAll(/[¹²³⁴⁵⁶⁷⁸⁹⁰]+/g)].map((m) => m[0]);
    const notes = [...rest.matchAll(/^([¹²³⁴⁵⁶⁷⁸⁹⁰]+) /gm)].map((m) => m[1]);
    const expected = ['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '¹⁰', '¹¹', '¹²', '¹³'];
    expect(marks).toEqual(expected);
    expect(notes).toEqual(expected);
  });

  it('is UTF-8 with LF line ends and no trailing spaces', () => {
    expect(text).not.toMatch(/\r/);
    expect(text).not.toMatch(/ +\n/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('matches the expected edition (regenerate with UPDATE_FIXTURES=1 npm test)', () => {
    const expectedPath = fixture('expected', 'letter.txt');
    if (process.env.UPDATE_FIXTURES) writeFileSync(expectedPath, text);
    expect(text).toBe(readFileSync(expectedPath, 'utf8'));
  });

  it('uses [n] marks when the template says brackets', () => {
    const bracketed = renderText(buildFrame({ ...document, template: { ...document.template, text: { ...document.template.text, noteMarks: 'brackets' } } }));
    expect(bracketed).toContain('亚洲运动会[1]，');
    expect(bracketed).toMatch(/^\[13\] 联合国难民署/m);
  });
});

describe('wrapped plain text', () => {
  const wrapped = renderText(buildFrame(document), { wrap: 60 });
  const lines = wrapped.split('\n');

  it('keeps lines within 60 columns, CJK counted as 2, except lines holding a URL', () => {
    const long = lines.filter((l) => displayWidth(l) > 60 && !/https?:\/\//.test(l));
    expect(long).toEqual([]);
    expect(lines.some((l) => displayWidth(l) > 50)).toBe(true);
  });

  it('never splits a URL', () => {
    for (const url of text.match(/https?:\/\/[^\s（]+/g) ?? []) expect(wrapped).toContain(url);
  });

  it('obeys the clreq line-start and line-end rules', () => {
    const starts = lines.filter((l) => NOT_AT_LINE_START.has([...l.trimStart()][0] ?? '') || /^\s*[¹²³⁴⁵⁶⁷⁸⁹⁰]+(?![ ¹²³⁴⁵⁶⁷⁸⁹⁰])/.test(l));
    const ends = lines.filter((l) => NOT_AT_LINE_END.has([...l].at(-1) ?? ''));
    expect(starts).toEqual([]);
    expect(ends).toEqual([]);
  });

  it('loses no character to wrapping', () => {
    expect(wrapped.replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  });
});
