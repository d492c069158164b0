/**
 * The font subset cache on disk (src/io/diskCache.ts, src/fonts/subset.ts): the editions are the
 * same cold, warm and with --no-cache; an entry read is used (and touched), a damaged one is
 * ignored and written again; the folder stays within its bound; --no-cache writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hex, root, runCli, scratch } from './helpers.js';
import { buildContext } from '../src/context.js';
import { DiskCache, cacheFolder, cacheKey } from '../src/io/diskCache.js';
import { cachedSubset } from '../src/fonts/subsetCache.js';
import { readBoundedSync } from '../src/io/readBounded.js';
import { fontChainFor } from '../src/fonts/fontChain.js';

const previous = process.env.LETTERPRESS_CACHE_DIR;
afterEach(() => {
  process.env.LETTERPRESS_CACHE_DIR = previous;
});

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Build the seed letter's editions that embed font subsets (PDF and Word copy; `formats` fewer)
 * into a new folder; the sha256 of each edition by name.
 */
async function buildSeed(cacheDir: string, formats = 'pdf,docx', ...flags: string[]): Promise<Record<string, string>> {
  process.env.LETTERPRESS_CACHE_DIR = cacheDir;
  // The subsets kept in memory would answer before the disk cache: a new process has none, and
  // opens its faces afresh (read part by part: src/fonts/fontChain.ts).
  buildContext.clear(['font subsets', 'font faces', 'font chains']);
  const out = scratch('letterpress-cache-out-');
  const run = await runCli(['build', 'letter.md', '-o', out, '-q', '-f', formats, ...flags], root);
  expect(run.code, run.stderr).toBe(0);
  const editions = readdirSync(out).filter((name) => !name.endsWith('.json'));
  expect(editions.sort()).toEqual(formats.split(',').map((f) => `letter.${f}`).sort());
  return Object.fromEntries(editions.map((name) => [name, sha(path.join(out, name))]));
}

const entriesOf = (cacheDir: string) => {
  const folder = path.join(cacheDir, 'font-subsets');
  return existsSync(folder) ? readdirSync(folder).map((name) => path.join(folder, name)) : [];
};

describe('the font subset cache', () => {
  it('gives the same editions cold, warm and with --no-cache', async () => {
    const cacheDir = scratch('letterpress-cache-');
    const cold = await buildSeed(cacheDir);
    const entries = entriesOf(cacheDir);
    expect(entries.length).toBeGreaterThan(0); // the seed letter's Word copy embeds CJK and Latin subsets

    // Warm: every entry is read (a read touches it), none is written again.
    const long = new Date('2020-01-01T00:00:00Z');
    for (const entry of entries) utimesSync(entry, long, long);
    const stored = entries.map((entry) => hex(readFileSync(entry)));
    expect(await buildSeed(cacheDir)).toEqual(cold);
    for (const entry of entries) expect(statSync(entry).mtimeMs).toBeGreaterThan(long.getTime());
    expect(entriesOf(cacheDir).map((entry) => hex(readFileSync(entry)))).toEqual(stored);

    // The set lines from the disk cache, the subsets made again from faces read part by part.
    for (const entry of entries) rmSync(entry);
    expect(await buildSeed(cacheDir)).toEqual(cold);

    // --no-cache: neither read nor written (the PDF's subsets: the Word copy's are made the same way).
    const unused = path.join(scratch('letterpress-cache-'), 'never');
    expect(await buildSeed(unused, 'pdf', '--no-cache')).toEqual({ 'letter.pdf': cold['letter.pdf'] });
    expect(existsSync(unused)).toBe(false);
  });

  it('makes a damaged entry again and writes it whole', async () => {
    process.env.LETTERPRESS_CACHE_DIR = scratch('letterpress-cache-');
    const face = { file: '/fonts/a.ttf', data: new Uint8Array([1, 2, 3, 4]) };
    let made = 0;
    const request = {
      face,
      subsetter: 'a test subsetter',
      keeps: 'abc',
      make: () => (made++, new Uint8Array([9, 8, 7, 6, 5])),
      usable: (data: Uint8Array) => data.length === 5,
    };
    expect(await cachedSubset(request)).toEqual(new Uint8Array([9, 8, 7, 6, 5]));
    const [entry] = entriesOf(process.env.LETTERPRESS_CACHE_DIR);
    const stored = readFileSync(entry ?? '');
    const damaged = Buffer.from(stored);
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(entry ?? '', damaged);
    buildContext.clear(['font subsets']);
    expect(await cachedSubset(request)).toEqual(new Uint8Array([9, 8, 7, 6, 5]));
    expect(made).toBe(2);
    expect(readFileSync(entry ?? '')).toEqual(stored);
    buildContext.clear(['font subsets']);
    await cachedSubset(request); // whole again: read, not made
    expect(made).toBe(2);
    await cachedSubset(request, { cache: false }); // in memory still
    expect(made).toBe(2);
  });

  it("remembers a font file's hash by the file's identity, and hashes again when the file changed", async () => {
    process.env.LETTERPRESS_CACHE_DIR = scratch('letterpress-cache-');
    const file = path.join(scratch('letterpress-font-'), 'a.ttf');
    writeFileSync(file, 'first contents');
    const read = readBoundedSync(file, 1000);
    if (!read.ok || !read.identity) throw new Error('read without identity');
    expect(Buffer.from(read.bytes).toString()).toBe('first contents');
    const info = statSync(file, { bigint: true });
    expect(read.identity).toEqual({ dev: Number(info.dev), ino: Number(info.ino), size: 14, mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs });
    // As if last changed long ago (a file's change time cannot be set).
    const long = 1_577_836_800_000_000_000n;
    const settled = { ...read.identity, mtimeNs: long, ctimeNs: long };
    const made: string[] = [];
    const subsetOf = (face: { file: string; data: Uint8Array; identity?: typeof read.identity }) => {
      buildContext.clear(['font subsets', 'font file hashes']); // a new process
      return cachedSubset({ face, subsetter: 'a test subsetter', keeps: 'abc', make: () => (made.push(Buffer.from(face.data).toString()), face.data), usable: () => true });
    };
    await subsetOf({ file, data: read.bytes, identity: settled });
    expect(readdirSync(path.join(process.env.LETTERPRESS_CACHE_DIR, 'font-hashes'))).toHaveLength(1);
    // Same identity: the remembered hash, so the subset made from the first contents (the data is
    // not hashed; in use the bytes are those the identity was read with).
    expect(Buffer.from(await subsetOf({ file, data: Buffer.from('other contents'), identity: settled })).toString()).toBe('first contents');
    // The file changed (other times): hashed again, a new subset.
    await subsetOf({ file, data: Buffer.from('second contents'), identity: { ...settled, size: 15, ctimeNs: long + 1_000_000n } });
    expect(made).toEqual(['first contents', 'second contents']);
    // Changed just now: hashed, not remembered (a clock that ticks in seconds could not tell a second edit).
    writeFileSync(file, 'third contents');
    const fresh = readBoundedSync(file, 1000);
    if (!fresh.ok || !fresh.identity) throw new Error('read without identity');
    await subsetOf({ file, data: fresh.bytes, identity: fresh.identity });
    expect(readdirSync(path.join(process.env.LETTERPRESS_CACHE_DIR, 'font-hashes'))).toHaveLength(2);
    expect(made).toEqual(['first contents', 'second contents', 'third contents']);
  });

  it('opens a kept font file again once it changed (watch, serve), even to the same size and times', () => {
    const dir = scratch('letterpress-face-');
    const family = path.join(root, 'node_modules', '@expo-google-fonts', 'source-serif-4');
    const regular = readFileSync(path.join(family, '400Regular', 'SourceSerif4_400Regular.ttf'));
    const bold = readFileSync(path.join(family, '700Bold', 'SourceSerif4_700Bold.ttf'));
    const padded = (font: Buffer) => Buffer.concat([font, Buffer.alloc(Math.max(regular.length, bold.length) - font.length)]);
    const file = path.join(dir, 'House.ttf');
    writeFileSync(file, padded(regular));
    const spec = { sourcePath: path.join(dir, 'house.yaml'), serif: [{ file: 'House.ttf', name: 'House' }] };
    const before = fontChainFor(spec).wholeFaces('House')?.regular;
    expect(before?.font.subfamilyName).toBe('Regular');
    expect(fontChainFor(spec).wholeFaces('House')?.regular).toBe(before); // unchanged: kept open
    // Edited in place: the same size, its times put back.
    const { atime, mtime } = statSync(file);
    writeFileSync(file, padded(bold));
    utimesSync(file, atime, mtime);
    const after = fontChainFor(spec).wholeFaces('House')?.regular;
    expect(after?.font.subfamilyName).toBe('Bold');
    expect(after?.id).toBe(before?.id);
  });

  it('ignores an entry whose contents hash holds but which is not the font it should be', async () => {
    const folder = scratch('letterpress-cache-');
    const cache = new DiskCache(folder);
    const key = cacheKey(['a key']);
    await cache.put(key, new Uint8Array([1, 2, 3]));
    expect(await cache.get(key, () => true)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await cache.get(key, () => false)).toBeUndefined();
    expect(
      await cache.get(key, () => {
        throw new Error('not a font');
      }),
    ).toBeUndefined();
    writeFileSync(path.join(folder, key), 'LPC2 too short');
    expect(await cache.get(key, () => true)).toBeUndefined();
  });

  it('ignores a whole entry copied under another key (another subset of the same font opens as a font too)', async () => {
    const folder = scratch('letterpress-cache-');
    const cache = new DiskCache(folder);
    const [one, two] = [cacheKey(['one']), cacheKey(['two'])];
    await cache.put(one, new Uint8Array([1, 2, 3]));
    await cache.put(two, new Uint8Array([4, 5, 6]));
    cpSync(path.join(folder, one), path.join(folder, two));
    expect(await cache.get(one, () => true)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await cache.get(two, () => true)).toBeUndefined();
  });

  it('works without a folder it cannot make, even one under /proc (where Node\'s recursive mkdir never returns)', async () => {
    const missing = path.join(scratch('letterpress-cache-'), 'a-file');
    writeFileSync(missing, 'not a folder');
    for (const folder of [path.join(missing, 'cache'), ...(existsSync('/proc/self') ? ['/proc/letterpress-nowhere/cache'] : [])]) {
      const cache = new DiskCache(folder);
      const key = cacheKey([folder]);
      await cache.put(key, new Uint8Array([1, 2, 3])); // never throws
      expect(await cache.get(key, () => true)).toBeUndefined();
    }
  });

  it('keeps its folder within its bound, the least recently read entries going first', async () => {
    const folder = scratch('letterpress-cache-');
    const cache = new DiskCache(folder, 2500);
    const keys = ['one', 'two', 'three'].map((k) => cacheKey([k]));
    const [one, two, three] = keys as [string, string, string];
    await cache.put(one, new Uint8Array(1000));
    await cache.put(two, new Uint8Array(1000));
    const long = new Date('2020-01-01T00:00:00Z');
    utimesSync(path.join(folder, one), long, long);
    utimesSync(path.join(folder, two), new Date(long.getTime() + 1000), new Date(long.getTime() + 1000));
    expect(await cache.get(one, () => true)).toBeDefined(); // read: now the most recent
    await cache.put(three, new Uint8Array(1000));
    expect(readdirSync(folder).sort()).toEqual([one, three].sort());
  });

  it('lives in $LETTERPRESS_CACHE_DIR, else $XDG_CACHE_HOME/letterpress, else ~/.cache/letterpress', () => {
    expect(cacheFolder({ LETTERPRESS_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/c' })).toBe('/x/y');
    expect(cacheFolder({ XDG_CACHE_HOME: '/c' })).toBe(path.join('/c', 'letterpress'));
    expect(cacheFolder({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache[/\\]letterpress$/);
    expect(cacheKey(['ab', 'c'])).not.toBe(cacheKey(['a', 'bc']));
  });
});
