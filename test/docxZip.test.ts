/**
 * The Word package's zip writer (src/render/docx/zip.ts) writes fflate zipSync's bytes, with
 * entries deflated here or given deflated; deflated entries come from the disk cache only when
 * they inflate to the bytes they should hold (src/render/docx/zipCache.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEntry } from '../src/io/diskCache.js';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { crc32, deflateEntry, zipPackage, type ZipEntry } from '../src/render/docx/zip.js';
import { cachedDeflate } from '../src/render/docx/zipCache.js';
import { buildContext } from '../src/context.js';
import { scratch } from './helpers.js';

const previous = process.env.LETTERPRESS_CACHE_DIR;
afterEach(() => {
  process.env.LETTERPRESS_CACHE_DIR = previous;
});

// The package's time, and the same wall-clock time in this machine's zone (fflate reads local time).
const mtime = new Date('1980-01-01T00:00:00Z');
const localMtime = new Date(1980, 0, 1, 0, 0, 0);
// What a Word package holds: XML parts, an (empty) part, a font, a picture stored as it is.
const parts: Array<[string, Uint8Array, ZipEntry['level']]> = [
  ['[Content_Types].xml', Buffer.from('<?xml version="1.0"?><Types>' + '<Default Extension="xml"/>'.repeat(30) + '</Types>'), 6],
  ['word/document.xml', Buffer.from('<w:document>' + '<w:p><w:r><w:t>签名 signatures</w:t></w:r></w:p>'.repeat(300) + '</w:document>'), 6],
  ['word/empty.xml', new Uint8Array(0), 6],
  ['word/fonts/font1.odttf', new Uint8Array(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)), 1],
  ['word/media/image1.png', new Uint8Array([137, 80, 78, 71, 1, 2, 3]), 0],
];

describe('the Word package zip', () => {
  it("is fflate zipSync's file, byte for byte, whether an entry is deflated here or given deflated", () => {
    const zippable: Zippable = {};
    for (const [name, data, level] of parts) zippable[name] = [data, { mtime: localMtime, level }];
    const expected = zipSync(zippable);
    expect(zipPackage(parts.map(([name, data, level]) => ({ name, data, level, mtime })))).toEqual(expected);
    expect(zipPackage(parts.map(([name, data, level]) => ({ name, data: level === 0 ? data : deflateEntry(data, level), level, mtime })))).toEqual(expected);
    const back = unzipSync(expected);
    for (const [name, data] of parts) expect(Buffer.from(back[name] ?? [])).toEqual(Buffer.from(data));
  });

  it('dates its entries in UTC: the same file in every time zone, 1980-01-01T00:00Z west of Greenwich too', () => {
    const entries = [{ name: 'a.xml', data: Buffer.from('<a/>'), level: 6 as const, mtime }];
    const zipped = zipPackage(entries);
    // Local header: time at offset 10, date at 12 (MS-DOS): 00:00:00, 1980-01-01.
    expect([...zipped.subarray(10, 14)]).toEqual([0, 0, 0x21, 0]);
    const east = new Date('1980-01-01T07:59:59Z');
    expect([...zipPackage([{ ...entries[0]!, mtime: east }]).subarray(10, 14)]).toEqual([0x7d, 0x3f, 0x21, 0]);
    expect(() => zipPackage([{ ...entries[0]!, mtime: new Date('1979-12-31T23:59:59Z') }])).toThrow(/cannot be dated/);
  });

  it('computes zip CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('keeps deflated entries in the cache, and deflates again when an entry is damaged or holds other bytes', async () => {
    const cacheDir = scratch('letterpress-cache-');
    process.env.LETTERPRESS_CACHE_DIR = cacheDir;
    const data = parts[3]?.[1] as Uint8Array;
    const made = deflateEntry(data, 1);
    // As a new process finds it: nothing kept in memory, only the disk cache.
    const fromDisk = async (bytes: Uint8Array, level: ZipEntry['level'], disk = true) => {
      buildContext.clear(['deflated package parts']);
      return cachedDeflate('word/fonts/font1.odttf', bytes, level, disk);
    };
    expect(await fromDisk(data, 1)).toEqual(made);
    const folder = path.join(cacheDir, 'zip-entries');
    const [entry] = readdirSync(folder).map((name) => path.join(folder, name));
    const stored = readFileSync(entry ?? '');
    expect(await fromDisk(data, 1)).toEqual(made);
    // A whole entry (its checksum holds) that inflates to other bytes: not used, written again.
    const other = deflateEntry(new Uint8Array(5000).fill(3), 1);
    const forged = Buffer.alloc(4 + other.deflated.length);
    forged.writeUInt32BE(made.crc >>> 0);
    forged.set(other.deflated, 4);
    writeFileSync(entry ?? '', encodeEntry(path.basename(entry ?? ''), forged));
    expect(await fromDisk(data, 1)).toEqual(made);
    expect(readFileSync(entry ?? '')).toEqual(stored);
    // A small entry is deflated but not written to disk; one stored as it is, left as it is.
    const small = parts[0]?.[1] as Uint8Array;
    expect(small.length).toBeLessThan(1024);
    expect(await fromDisk(small, 6)).toMatchObject(deflateEntry(small, 6));
    expect(await fromDisk(data, 0)).toBe(data);
    expect(readdirSync(folder)).toHaveLength(1);
    // Without the disk cache: deflated, nothing written.
    process.env.LETTERPRESS_CACHE_DIR = path.join(scratch('letterpress-cache-'), 'never');
    expect(await fromDisk(data, 1, false)).toMatchObject(made);
    expect(() => readdirSync(process.env.LETTERPRESS_CACHE_DIR ?? '')).toThrow();
    // In one process, the same bytes again are taken from memory: the disk is not read.
    process.env.LETTERPRESS_CACHE_DIR = cacheDir;
    rmSync(folder, { recursive: true });
    expect(await cachedDeflate('word/fonts/font1.odttf', data, 1, true)).toMatchObject(made);
    expect(() => readdirSync(folder)).toThrow();
  });
});
