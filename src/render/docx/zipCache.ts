/**
 * The Word package's zip entries, deflated once (kept in memory for the rebuilds of one process,
 * and on disk for the next process): the embedded font subsets and the XML parts the
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
import { crc32, deflateEntry, sameBytes, type Deflated, type ZipEntry } from './zip.js';
import { buildContext } from '../../context.js';

/** Below this size an entry is not kept on disk: reading it from the cache would cost more than deflating it. */
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

/** Deflated entries kept in memory, a few per part name (several letters watched in one process). */
const KEPT_PER_NAME = 4;
const deflatedParts = buildContext.map<string, Array<Deflated & { data: Uint8Array; level: ZipEntry['level'] }>>('deflated package parts');

/**
 * The part `name` (`data`) deflated at `level` for its zip entry, as fflate's `zipSync` would:
 * from memory when this process deflated the same bytes before (a rebuild), else from the disk
 * cache when it has them (`disk` false: neither read nor written — the parts that hold the letter
 * itself, and --no-cache). Small entries the disk does not keep are deflated here.
 */
export async function cachedDeflate(name: string, data: Uint8Array, level: ZipEntry['level'], disk: boolean): Promise<Uint8Array | Deflated> {
  if (level === 0) return data;
  const kept = deflatedParts.get(name) ?? [];
  const index = kept.findIndex((d) => d.level === level && sameBytes(d.data, data));
  const found = index >= 0 ? kept[index] : { ...(await fromDisk(data, level, disk)), data, level };
  if (index !== 0 && found) deflatedParts.set(name, [found, ...kept.filter((_, i) => i !== index)].slice(0, KEPT_PER_NAME));
  return found ? { deflated: found.deflated, crc: found.crc, size: found.size } : data;
}

async function fromDisk(data: Uint8Array, level: ZipEntry['level'], disk: boolean): Promise<Deflated> {
  if (!disk || data.length < SMALLEST_CACHED) return deflateEntry(data, level);
  const cache = new DiskCache(path.join(cacheFolder(), 'zip-entries'));
  const key = cacheKey(['zip entry', `fflate ${packageVersion('fflate')} deflateSync`, `level ${level}`, data]);
  let found: Deflated | undefined;
  await cache.get(key, (stored) => (found = decode(stored, data)) !== undefined);
  if (found) return found;
  const made = deflateEntry(data, level);
  await cache.put(key, encode(made));
  return made;
}
