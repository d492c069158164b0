/**
 * Set lines kept on disk (src/render/pdf/layout/storedLines.ts), in one process: the kept state
 * emptied (buildContext.clear(), as a new process starts, the open fonts aside) stands for the
 * next process. The entry
 * is tampered with where its format puts a glyph run's first advance and glyph id, so what a
 * layout takes from the disk can be seen in it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, rmSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLetterFromText } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { layOutLetter, type PdfLayout } from '../src/render/pdf/index.js';
import { storedLinesWritten } from '../src/render/pdf/layout/storedLines.js';
import { buildContext } from '../src/context.js';
import { DiskCache } from '../src/io/diskCache.js';
import { codeVersion, hashSources } from '../src/util/codeVersion.js';
import { root, scratch } from './helpers.js';

const previousCache = process.env.LETTERPRESS_CACHE_DIR;
const project = scratch('letterpress-stored-lines-');
const cacheDir = path.join(project, 'cache');
const entries = path.join(cacheDir, 'set-lines');
const fontFile = path.join(project, 'fonts', 'serif.ttf');
const serif = (design: string) => path.join(root, 'node_modules', '@expo-google-fonts', 'source-serif-4', design, `SourceSerif4_${design}.ttf`);

const letter = `---
lang: en
date: 2023-09-21
to:
  - name: President Xi Jinping
subject: Forced repatriation
salutation: Dear President Xi,
closing: Yours sincerely,
signatories: signatories.yaml
template: house
---

We, the undersigned organisations, write to express our deep concern about forced repatriations,[^a] a practice suspended since 2020 and now resumed.

[^a]: Kyodo News, 13 May 2023.
`;

beforeAll(() => {
  process.env.LETTERPRESS_CACHE_DIR = cacheDir;
  mkdirSync(path.join(project, 'fonts'));
  mkdirSync(path.join(project, 'templates'));
  cpSync(serif('400Regular'), fontFile);
  // The English house style with the project's own font first in the chain.
  const en = readFileSync(path.join(root, 'templates', 'en.yaml'), 'utf8');
  writeFileSync(path.join(project, 'templates', 'house.yaml'), en.replace('  serif:\n', '  serif:\n    - { file: "../fonts/serif.ttf", name: "Project Serif", use: latin }\n'));
  writeFileSync(path.join(project, 'signatories.yaml'), 'organizations:\n  - name: Human Rights Watch\n    country: USA\n  - name: Amnesty International\n    country: UK\n');
});

// Each test starts with no entry on disk.
beforeEach(() => rmSync(entries, { recursive: true, force: true }));

afterAll(() => {
  process.env.LETTERPRESS_CACHE_DIR = previousCache;
});

/**
 * The letter laid out as a new process would (nothing kept in memory but the open font files,
 * which a changed file replaces: its parse is start-up work), with the disk cache or without.
 */
const OPEN_FONTS = ['font faces', 'replaced face ids', 'harfbuzz fonts'];
async function layOut(cache = true): Promise<PdfLayout> {
  buildContext.clear(buildContext.list().map((c) => c.name).filter((name) => !OPEN_FONTS.includes(name)));
  const loaded = await loadLetterFromText({ letterPath: path.join(project, 'letter.md'), text: letter });
  const laid = await layOutLetter(buildFrame(loaded.document), { cache });
  await storedLinesWritten();
  return laid;
}

/** Every placed piece of the body and the notes. */
const pieces = (laid: PdfLayout) => [...laid.layout.flow.map((f) => f.line), ...[...laid.layout.notes.values()].flatMap((n) => n.lines.map((l) => l.line))].flatMap((line) => line.placed.map((p) => p.piece));

/** What decides the drawn page: each piece's text, face, place and glyphs. */
const summary = (laid: PdfLayout) =>
  JSON.stringify(laid.layout.flow.map((f) => f.line.placed.map((p) => [p.piece.text, p.piece.face.name, p.x, p.width, p.piece.glyphs.ids, p.piece.glyphs.advances])));

/** The one entry on disk: its key and contents (the cache's own header taken off). */
function entry(): { key: string; data: Uint8Array } {
  const [key, ...more] = readdirSync(entries).filter((name) => /^[0-9a-f]{64}$/.test(name));
  expect(more).toEqual([]);
  return { key: key as string, data: new Uint8Array(readFileSync(path.join(entries, key as string)).subarray(36)) };
}

/**
 * The entry with its first glyph run changed (its first advance, or its first glyph id), written
 * back whole (a valid checksum): the run table comes first (after the faces) in the whole numbers,
 * its advances first in the 64-bit numbers.
 */
async function tamper(change: { advance?: number; glyph?: number }): Promise<void> {
  const { key, data } = entry();
  const copy = data.slice();
  const view = new DataView(copy.buffer);
  const intCount = view.getUint32(4, true);
  // faces: a count, then for each its entry, its style and its sane code points (a count, the list)
  let at = 16;
  const faces = view.getUint32(at, true);
  at += 4;
  for (let k = 0; k < faces; k++) at += 4 * (3 + view.getUint32(at + 8, true));
  const firstRun = at + 4; // after the count of runs
  expect(view.getUint32(firstRun, true)).toBeGreaterThan(0); // the run has a glyph
  if (change.glyph !== undefined) view.setUint32(firstRun + 4, change.glyph, true);
  const nums = 16 + 4 * intCount + ((8 - ((16 + 4 * intCount) % 8)) % 8);
  if (change.advance !== undefined) view.setFloat64(nums, change.advance, true);
  await new DiskCache(entries).put(key, copy);
}

describe('set lines kept on disk', () => {
  it('a new process takes the lines from the disk, exactly as set, and writes nothing when nothing is new', async () => {
    const fresh = await layOut(false);
    expect(existsSync(entries)).toBe(false); // --no-cache: nothing written
    const first = await layOut();
    expect(summary(first)).toBe(summary(fresh));
    const written = entry();
    const again = await layOut();
    expect(summary(again)).toBe(summary(fresh));
    expect(Buffer.from(entry().data).equals(Buffer.from(written.data))).toBe(true);
    // Proof that they came from the disk: a value changed in the entry is in the layout.
    await tamper({ advance: 12345.5 });
    const read = await layOut();
    expect(pieces(read).some((p) => p.glyphs.advances.includes(12345.5))).toBe(true);
    // without the cache, the letter is set afresh
    expect(pieces(await layOut(false)).some((p) => p.glyphs.advances.includes(12345.5))).toBe(false);
  });

  it('pieces stored alike are read as one piece, shared by the lines that hold it; pieces stored differently are not', async () => {
    const fresh = await layOut(false);
    await layOut();
    const read = await layOut();
    expect(summary(read)).toBe(summary(fresh));
    // A glyph run is stored once (by identity), and a piece by its fields and its run.
    const runs = new Map<object, number>();
    const runOf = (run: object) => runs.get(run) ?? runs.set(run, runs.size).size - 1;
    const fields = (p: ReturnType<typeof pieces>[number]) => JSON.stringify({ ...p, face: p.face.name, glyphs: runOf(p.glyphs), hyphen: p.hyphen && [runOf(p.hyphen.glyphs), p.hyphen.width] });
    const byFields = new Map<string, Set<object>>();
    for (const piece of pieces(read)) byFields.set(fields(piece), (byFields.get(fields(piece)) ?? new Set()).add(piece));
    const placed = pieces(read).length;
    expect(placed).toBeGreaterThan(byFields.size); // some pieces are alike (a word space, a word said twice)
    for (const same of byFields.values()) expect(same.size).toBe(1);
  });

  it('an entry with a glyph its face does not have is not used, and is written again', async () => {
    const fresh = await layOut(false);
    await layOut();
    const good = entry().data;
    await tamper({ glyph: 0xfffff, advance: 12345.5 });
    const laid = await layOut();
    expect(pieces(laid).some((p) => p.glyphs.advances.includes(12345.5))).toBe(false);
    expect(summary(laid)).toBe(summary(fresh));
    expect(Buffer.from(entry().data).equals(Buffer.from(good))).toBe(true);
  });

  it('a damaged entry (cut short) is not used', async () => {
    const fresh = await layOut(false);
    await layOut();
    const { key, data } = entry();
    await new DiskCache(entries).put(key, data.subarray(0, data.length - 100));
    expect(summary(await layOut())).toBe(summary(fresh));
  });

  it('a name added is appended to the entry as a segment of its own, and read back with the rest', async () => {
    const data = path.join(project, 'signatories.yaml');
    const original = readFileSync(data, 'utf8');
    await layOut();
    const before = entry().data;
    writeFileSync(data, original.replace('organizations:\n', 'organizations:\n  - name: Aardvark Rights Watch\n    country: Kenya\n'));
    const fresh = await layOut(false);
    await layOut();
    const after = entry().data;
    expect(after.length).toBeGreaterThan(before.length);
    expect(Buffer.from(after.subarray(0, before.length)).equals(Buffer.from(before))).toBe(true);
    // Read back whole in a new process: nothing set afresh, so nothing written again.
    const again = await layOut();
    expect(summary(again)).toBe(summary(fresh));
    expect(summary(again)).toMatch(/Aardvark/);
    expect(Buffer.from(entry().data).equals(Buffer.from(after))).toBe(true);
    writeFileSync(data, original);
  });

  it('after the font file changes, the lines set with the old one are not used', async () => {
    await layOut();
    await tamper({ advance: 12345.5 });
    expect(pieces(await layOut()).some((p) => p.glyphs.advances.includes(12345.5))).toBe(true);
    // The same file name, another font: its lines are set afresh.
    cpSync(serif('700Bold'), fontFile);
    const fresh = await layOut(false);
    const laid = await layOut();
    expect(pieces(laid).some((p) => p.glyphs.advances.includes(12345.5))).toBe(false);
    expect(summary(laid)).toBe(summary(fresh));
    expect(pieces(laid).some((p) => p.face.name === 'Project Serif')).toBe(true);
  });

  it('an entry copied under another key (the letter set with another version of its font) is not used', async () => {
    const before = summary(await layOut());
    const other = entry().data;
    rmSync(entries, { recursive: true, force: true });
    cpSync(serif(readFileSync(fontFile).equals(readFileSync(serif('700Bold'))) ? '400Regular' : '700Bold'), fontFile);
    const fresh = await layOut(false);
    await layOut();
    expect(summary(fresh)).not.toBe(before); // the copied entry's lines are not this font's
    await new DiskCache(entries).put(entry().key, other);
    expect(summary(await layOut())).toBe(summary(fresh));
  });
});

describe('the code version in the key', () => {
  it('changes with any change to a module, and only with one', () => {
    const code = scratch('letterpress-code-');
    mkdirSync(path.join(code, 'typeset'));
    writeFileSync(path.join(code, 'typeset', 'shape.js'), 'export const a = 1;\n');
    writeFileSync(path.join(code, 'index.js'), 'export {};\n');
    const before = hashSources(code, /\.(js|ts)$/);
    writeFileSync(path.join(code, 'typeset', 'shape.d.ts'), 'export declare const a: number;\n');
    writeFileSync(path.join(code, 'notes.txt'), 'not code');
    expect(hashSources(code, /\.(js|ts)$/)).toBe(before);
    writeFileSync(path.join(code, 'typeset', 'shape.js'), 'export const a = 2;\n');
    expect(hashSources(code, /\.(js|ts)$/)).not.toBe(before);
    // These modules (src/ under the tests) have one.
    expect(codeVersion()).toMatch(/^modules [0-9a-f]{64}$/);
  });
});
