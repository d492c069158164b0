import subsetFont from 'subset-font';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { loadLetter } from '../src/load/letter.js';
import { layoutPdf, renderPdf } from '../src/render/pdf/index.js';
import { checkLayout } from '../src/render/pdf/layoutCheck.js';
import { preflight } from '../src/render/pdf/preflight.js';
import type { Page } from '../src/typeset/pages.js';
import { fixture, root, runCli, scratch } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

type Laid = ReturnType<typeof layoutPdf>;
let laid: Laid;
let notes: number;

/** A deep enough copy of the pages to move lines and notes around. */
const copyPages = (pages: Page[]): Page[] =>
  pages.map((p) => ({ ...p, body: p.body.map((l) => ({ ...l })), notes: p.notes.map((l) => ({ ...l })), noteNumbers: [...p.noteNumbers] }));

const check = (pages: Page[]) => checkLayout(pages, laid.geometry, { noteSeparator: laid.noteSeparator, notes });

beforeAll(async () => {
  const { document } = await loadLetter(path.join(root, 'letter.md'));
  laid = layoutPdf(buildFrame(document));
  notes = document.notes.length;
});

describe('the checks a build makes from its own layout', () => {
  it('pass the seed letter and agree with the read-back preflight of its PDF', async () => {
    const report = check(laid.pages);
    expect(report.problems).toEqual([]);
    const { document } = await loadLetter(path.join(root, 'letter.md'));
    const readBack = await preflight(await renderPdf(buildFrame(document)));
    expect(readBack.problems).toEqual([]);
    expect(report.pages).toBe(readBack.pages);
    expect(report.notes).toEqual(readBack.notes);
    expect(report.maxRight).toBeCloseTo(readBack.maxRight, 0);
  });

  it('find a note that starts on another page than its mark', () => {
    const pages = copyPages(laid.pages);
    const first = pages[0] as Page;
    const moved = first.noteNumbers.pop() as number;
    (pages[1] as Page).noteNumbers.unshift(moved);
    expect(check(pages).problems.map((p) => p.message)).toContain(`Footnote ${moved} starts on page 2 but its mark is on page 1`);
  });

  it('find a line past the right margin and a body line run into the notes', () => {
    const pages = copyPages(laid.pages);
    const first = pages[0] as Page;
    (first.body.find((l) => l.block === 'body') as Page['body'][number]).x = 40; // a full justified line
    const last = first.body.at(-1) as Page['body'][number];
    last.top = laid.geometry.textHeight - first.notesHeight - last.baseline; // its baseline in the gap above the rule
    const problems = check(pages).problems.map((p) => p.message).join('\n');
    expect(problems).toMatch(/Page 1: ".+" runs \d+\.\d pt past the right margin/);
    expect(problems).toMatch(/Page 1: the body text runs \d+\.\d pt into the notes/);
  });

  it('find a character set in a face that has no glyph for it', () => {
    const pages = copyPages(laid.pages);
    const line = (pages[0] as Page).body[0] as Page['body'][number];
    const [placed] = line.line.placed;
    line.line = { ...line.line, placed: [{ ...placed!, piece: { ...placed!.piece, text: '😀' } }, ...line.line.placed.slice(1)] };
    // The first piece of the letter is the date's year, in the Latin face (Source Serif 4).
    expect(placed?.piece.face.name).toBe('Source Serif 4');
    expect(check(pages).problems.map((p) => p.message).join('\n')).toMatch(/Font Source Serif 4 has no glyph for "😀" \(U\+1F600\)/);
  });
});

describe('build and build --check', () => {
  it('write the same editions; --check reads the PDF back first', async () => {
    const dir = scratch('letterpress-check-');
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    expect((await runCli(['build', '--format', 'pdf,txt'], dir)).code).toBe(0);
    const plain = readFileSync(path.join(dir, 'out', 'letter.pdf'));
    const checked = await runCli(['build', '--format', 'pdf,txt', '--check'], dir);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(readFileSync(path.join(dir, 'out', 'letter.pdf')).equals(plain)).toBe(true);
  });

  it('refuses a WOFF2 font at load, before anything is written', async () => {
    const dir = scratch('letterpress-woff2-');
    cpSync(fixture('letters', 'fallback'), dir, { recursive: true });
    // A real WOFF2 font: a small subset of the SC face, written as WOFF2 by HarfBuzz.
    const sc = readFileSync(path.join(root, 'node_modules', '@expo-google-fonts', 'noto-serif-sc', '400Regular', 'NotoSerifSC_400Regular.ttf'));
    writeFileSync(path.join(dir, 'project.woff2'), await subsetFont(sc, '这封信提到', { targetFormat: 'woff2' }));
    const zh = readFileSync(path.join(root, 'templates', 'zh-CN.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'house.yaml'), zh.replace('  serif:\n', '  serif:\n    - { file: "project.woff2", name: "Project Serif" }\n'));
    const letter = path.join(dir, 'letter.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace('signatories: signatories.yaml', 'signatories: signatories.yaml\ntemplate: house.yaml'));
    const result = await runCli(['build', '--format', 'txt,pdf'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/project\.woff2.* This is a WOFF2 font, which cannot be embedded in the PDF correctly/);
    expect(existsSync(path.join(dir, 'out', 'letter.txt'))).toBe(false);
  });
});
