/**
 * The Word package zipped in one pass, with entries that may come already deflated (from the disk
 * cache: src/render/docx/zipCache.ts).
 *
 * The layout is fflate's `zipSync`, byte for byte (test/docxZip.test.ts compares the two): local
 * headers and data in the order given, then the central directory and its end record; version
 * 20, no flags, no extra fields, no comments. One difference: the DOS time of each entry's
 * `mtime` is read in UTC, where fflate reads the machine's local time — so the same inputs give
 * the same file in every time zone, and a package dated 1980-01-01T00:00Z (the earliest DOS
 * time) can be made west of Greenwich, where fflate refuses it as 1979.
 * The deflating is fflate's own (`deflateSync` at the entry's level). Written here because
 * `zipSync` cannot take an entry already compressed, and fflate's streaming `Zip`, which can,
 * writes data descriptors after each entry: another file for the same parts.
 */
import { deflateSync } from 'fflate';
import zlib from 'node:zlib';

/** An entry's data as a raw DEFLATE stream, with the CRC-32 and length of what it inflates to. */
export interface Deflated {
  deflated: Uint8Array;
  crc: number;
  size: number;
}

export interface ZipEntry {
  name: string;
  /** The bytes to store, deflated here at `level` (0: stored), or already deflated. */
  data: Uint8Array | Deflated;
  level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  mtime: Date;
}

/** CRC-32 (ISO 3309, as zip uses): Node's own where it has one (20.15 and newer). */
export const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (data) => (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data) : tableCrc32;

let table: Int32Array | undefined;
/** CRC-32 by table, for Node before 20.15 (exported for the test that compares it with zlib's). */
export function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));

/** An entry deflated as `zipSync` would deflate it at `level`. */
export function deflateEntry(data: Uint8Array, level: ZipEntry['level']): Deflated {
  return { deflated: deflateSync(data, { level }), crc: crc32(data), size: data.length };
}

/** MS-DOS date and time (zip's), in UTC. */
function dosTime(date: Date): number {
  const year = date.getUTCFullYear() - 1980;
  if (year < 0 || year > 119) throw new Error(`A zip entry cannot be dated ${date.toISOString()}`);
  return ((year << 25) | ((date.getUTCMonth() + 1) << 21) | (date.getUTCDate() << 16) | (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1)) >>> 0;
}

/** The zip file of `entries`, in their order. */
export function zipPackage(entries: readonly ZipEntry[]): Uint8Array {
  const files = entries.map((entry) => {
    const name = Buffer.from(entry.name, 'utf8');
    // General purpose flag bit 11: the name is UTF-8 (fflate sets it for a name beyond ASCII).
    const flags = name.length !== entry.name.length ? 0x800 : 0;
    const raw = entry.data instanceof Uint8Array;
    const compression = raw && entry.level === 0 ? 0 : 8;
    const stored: Deflated = !raw ? (entry.data as Deflated) : compression === 0 ? { deflated: entry.data as Uint8Array, crc: crc32(entry.data as Uint8Array), size: (entry.data as Uint8Array).length } : deflateEntry(entry.data as Uint8Array, entry.level);
    return { name, flags, compression, stored, time: dosTime(entry.mtime), offset: 0 };
  });
  const localSize = files.reduce((sum, f) => sum + 30 + f.name.length + f.stored.deflated.length, 0);
  const centralSize = files.reduce((sum, f) => sum + 46 + f.name.length, 0);
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  // The fields local and central headers share: version needed, flags, method, time, CRC, sizes, name length.
  const common = (at: number, f: (typeof files)[number]) => {
    view.setUint16(at, 20, true);
    view.setUint16(at + 2, f.flags, true);
    view.setUint16(at + 4, f.compression, true);
    view.setUint32(at + 6, f.time, true);
    view.setUint32(at + 10, f.stored.crc >>> 0, true);
    view.setUint32(at + 14, f.stored.deflated.length, true);
    view.setUint32(at + 18, f.stored.size, true);
    view.setUint16(at + 22, f.name.length, true);
    view.setUint16(at + 24, 0, true);
  };
  let at = 0;
  for (const f of files) {
    f.offset = at;
    view.setUint32(at, 0x04034b50, true);
    common(at + 4, f);
    out.set(f.name, at + 30);
    out.set(f.stored.deflated, at + 30 + f.name.length);
    at += 30 + f.name.length + f.stored.deflated.length;
  }
  for (const f of files) {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true); // made by: version 2.0, MS-DOS
    common(at + 6, f);
    // comment length, disk, internal and external attributes: 0
    view.setUint32(at + 42, f.offset, true);
    out.set(f.name, at + 46);
    at += 46 + f.name.length;
  }
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, centralSize, true);
  view.setUint32(at + 16, localSize, true);
  return out;
}
