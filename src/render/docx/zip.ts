/**
 * The Word package zipped: the same bytes as fflate's `zipSync` run in UTC (every entry deflated by
 * fflate, local headers without data descriptors, then the central directory), with each entry's deflated
 * bytes kept in memory between builds. A rebuild after a signatory change alters a few parts
 * (document.xml, core.xml …); the embedded font subsets (a few hundred KB, most of the deflating)
 * and the parts docx writes the same every time are deflated once per process.
 *
 * Written here rather than by `zipSync` because fflate takes no entry already deflated: `zipSync`
 * deflates every entry, and its streaming `Zip` writes data descriptors (other bytes). The layout
 * follows zipSync's (APPNOTE.TXT §4.3: local file header, data; central directory headers; end of
 * central directory), which test/docxZip.test.ts compares byte for byte.
 */
import zlib from 'node:zlib';
import { deflateSync, strToU8, type DeflateOptions } from 'fflate';
import { buildContext } from '../../context.js';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** Deflate level, as fflate takes it (1–9). */
  level: NonNullable<DeflateOptions['level']>;
  /** Modification time written in the entry (DOS time, read in UTC). */
  mtime: Date;
}

interface Deflated {
  level: ZipEntry['level'];
  data: Uint8Array;
  crc: number;
  compressed: Uint8Array;
}

/** Deflated parts kept, a few per part name (several letters watched in one process). */
const KEPT_PER_NAME = 4;
const deflatedParts = buildContext.map<string, Deflated[]>('deflated package parts');

/** CRC-32 (ISO 3309, as zip uses): node:zlib's where it has one (Node 20.15 and later), else by table. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  return native ? native(data) >>> 0 : tableCrc32(data);
}

let crcTable: Uint32Array | undefined;
export function tableCrc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (crcTable[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Whether two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));

/** The entry deflated (fflate, at its level), from memory when the same bytes were deflated before. */
function deflated(entry: ZipEntry): Deflated {
  const kept = deflatedParts.get(entry.name) ?? [];
  const index = kept.findIndex((d) => d.level === entry.level && sameBytes(d.data, entry.data));
  const found = index >= 0 ? (kept[index] as Deflated) : { level: entry.level, data: entry.data, crc: crc32(entry.data), compressed: deflateSync(entry.data, { level: entry.level }) };
  if (index !== 0) deflatedParts.set(entry.name, [found, ...kept.filter((_, i) => i !== index)].slice(0, KEPT_PER_NAME));
  return found;
}

/**
 * MS-DOS date and time (APPNOTE §4.4.6), read in UTC: the same bytes in every time zone (fflate
 * reads local time, so 1980-01-01T00:00Z, the package's fixed time, was out of the format's range
 * west of Greenwich, and other bytes east of it).
 */
function dosTime(date: Date): number {
  const year = date.getUTCFullYear() - 1980;
  if (year < 0 || year > 119) throw new Error(`A zip entry cannot be dated ${date.toISOString()} (1980–2099 only).`);
  return ((year << 25) | ((date.getUTCMonth() + 1) << 21) | (date.getUTCDate() << 16) | (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1)) >>> 0;
}

/** The entries zipped in the order given. */
export function zipEntries(entries: ZipEntry[]): Uint8Array {
  const files = entries.map((entry) => {
    const name = strToU8(entry.name);
    // General purpose flag bit 11: the name is UTF-8 (fflate sets it for names beyond ASCII).
    return { name, utf8: name.length !== entry.name.length, time: dosTime(entry.mtime), ...deflated(entry), size: entry.data.length };
  });
  const localSize = files.reduce((sum, f) => sum + 30 + f.name.length + f.compressed.length, 0);
  const centralSize = files.reduce((sum, f) => sum + 46 + f.name.length, 0);
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  // The fields local and central headers share, from "version needed" to the extra field's length.
  const common = (at: number, f: (typeof files)[number]) => {
    view.setUint16(at, 20, true);
    view.setUint16(at + 2, f.utf8 ? 0x800 : 0, true);
    view.setUint16(at + 4, 8, true); // deflated
    view.setUint32(at + 6, f.time, true);
    view.setUint32(at + 10, f.crc, true);
    view.setUint32(at + 14, f.compressed.length, true);
    view.setUint32(at + 18, f.size, true);
    view.setUint16(at + 22, f.name.length, true);
    view.setUint16(at + 24, 0, true); // no extra field
  };
  let offset = 0;
  const offsets: number[] = [];
  for (const f of files) {
    offsets.push(offset);
    view.setUint32(offset, 0x04034b50, true);
    common(offset + 4, f);
    out.set(f.name, offset + 30);
    out.set(f.compressed, offset + 30 + f.name.length);
    offset += 30 + f.name.length + f.compressed.length;
  }
  files.forEach((f, i) => {
    view.setUint32(offset, 0x02014b50, true);
    view.setUint16(offset + 4, 20, true); // made by: MS-DOS, spec 2.0
    common(offset + 6, f);
    // Comment length, disk, internal and external attributes: 0.
    view.setUint32(offset + 42, offsets[i] as number, true);
    out.set(f.name, offset + 46);
    offset += 46 + f.name.length;
  });
  view.setUint32(offset, 0x06054b50, true);
  view.setUint16(offset + 8, files.length, true);
  view.setUint16(offset + 10, files.length, true);
  view.setUint32(offset + 12, centralSize, true);
  view.setUint32(offset + 16, localSize, true);
  return out;
}
