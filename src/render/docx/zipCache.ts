/**
 * The Word package's zip entries, deflated once: the embedded font subsets and the XML parts the
 * template decides (styles, theme, settings, numbering, font table) are the same from one build
 * to the next, and deflating them is most of the time spent zipping the Word copy (fflate in
 * JavaScript: 0.2 MB of CJK subset ~50 ms on a cold start, the XML parts ~20 ms more; the parts
 * that hold the letter itself are deflated every time: finish.ts). The deflated bytes are kept in
 * the disk cache (src/io/diskCache.ts, folder zip-entries) by the hash of the bytes they hold, the
 * deflater and its level; an entry read back is used only if it inflates to exactly those bytes
 * with the stored CRC-32. The zip is the same with and without the cache: the cached bytes are
 * fflate's own.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { DiskCache, cacheFolder, cacheKey } from '../../io/diskCache.js';
import { packageVersion } from '../../fonts/subsetCache.js';
import { crc32, deflateEntry, type Deflated, type ZipEntry } from './zip.js';

/** Below this size an entry is deflated every time: reading it from the cache would cost more. */
const SMALLEST_CACHED = 1024;

/** The stored entry: CRC-32 (4 bytes, big-endian), then the raw DEFLATE stream. */
function encode(entry: Deflated): Uint8Array {
  const out = new Uint8Array(4 + entry.deflated.length);
  new DataView(out.buffer).setUint32(0, entry.crc >>> 0);
  out.set(entry.deflated, 4);
  return out;
}

/** The stored entry, if it holds `data` (inflates to it, with its CRC-32). */
function decode(stored: Uint8Array, data: Uint8Array): Deflated | undefined {
  if (stored.length < 4) return undefined;
  const crc = new DataView(stored.buffer, stored.byteOffset, stored.byteLength).getUint32(0);
  const deflated = stored.subarray(4);
  const inflated = zlib.inflateRawSync(deflated, { maxOutputLength: data.length + 1 });
  if (crc !== crc32(data) || !Buffer.from(data.buffer, data.byteOffset, data.byteLength).equals(inflated)) return undefined;
  return { deflated, crc, size: data.length };
}

/**
 * `data` deflated at `level` for its zip entry, as fflate's `zipSync` would; from the cache when
 * it has it (`cache` false: neither read nor written). Small entries are given back as they are,
 * for the zip writer to deflate.
 */
export async function cachedDeflate(data: Uint8Array, level: ZipEntry['level'], cache: boolean): Promise<Uint8Array | Deflated> {
  if (!cache || level === 0 || data.length < SMALLEST_CACHED) return data;
  const disk = new DiskCache(path.join(cacheFolder(), 'zip-entries'));
  const key = cacheKey(['zip entry', `fflate ${packageVersion('fflate')} deflateSync`, `level ${level}`, data]);
  let found: Deflated | undefined;
  await disk.get(key, (stored) => (found = decode(stored, data)) !== undefined);
  if (found) return found;
  const made = deflateEntry(data, level);
  await disk.put(key, encode(made));
  return made;
}
