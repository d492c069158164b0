/**
 * WOFF 1.0 → the plain TrueType/OpenType file it wraps (W3C WOFF File Format 1.0, §4–5): every
 * table inflated once, at load.
 *
 * Why: fontkit reads a WOFF font's tables through a stream it inflates again on every access,
 * and it reads the `glyf` table that way for every glyph it measures or subsets — a 10,000-name
 * list set partly in the fallback fonts (fontsource ships WOFF) spent over a second inflating
 * the same tables. No npm package unwraps WOFF 1.0 without also bringing WOFF2 tooling; the
 * format is a table directory and zlib streams.
 */
import { inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'

export function isWoff(data: Uint8Array): boolean {
  return data.byteLength >= 44 && Buffer.from(data.buffer, data.byteOffset, 4).readUInt32BE(0) === WOFF_SIGNATURE;
}

export function sfntFromWoff(woff: Buffer): Buffer {
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: Array<{ tag: number; checksum: number; data: Buffer }> = [];
  for (let i = 0; i < numTables; i++) {
    const at = 44 + i * 20;
    const tag = woff.readUInt32BE(at);
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const checksum = woff.readUInt32BE(at + 16);
    const stored = woff.subarray(offset, offset + compLength);
    // §5: a table is stored uncompressed when compressing it would not make it smaller.
    const data = compLength < origLength ? inflateSync(stored) : Buffer.from(stored);
    if (data.byteLength !== origLength) throw new Error(`WOFF table ${tag.toString(16)}: ${data.byteLength} bytes, expected ${origLength}`);
    tables.push({ tag, checksum, data });
  }
  // The sfnt header's binary-search fields (OpenType spec, "Table Directory").
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const headerLength = 12 + numTables * 16;
  const padded = (n: number) => (n + 3) & ~3;
  const total = tables.reduce((sum, t) => sum + padded(t.data.byteLength), headerLength);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  tables.forEach((t, i) => {
    const record = 12 + i * 16;
    out.writeUInt32BE(t.tag, record);
    out.writeUInt32BE(t.checksum, record + 4);
    out.writeUInt32BE(offset, record + 8);
    out.writeUInt32BE(t.data.byteLength, record + 12);
    t.data.copy(out, offset);
    offset += padded(t.data.byteLength);
  });
  return out;
}
