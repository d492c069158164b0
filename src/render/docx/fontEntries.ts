/**
 * The embedded fonts' zip entries, deflated once: a font subset is the same from one build to the
 * next, and deflating it is most of the time spent zipping the Word copy (fflate in JavaScript,
 * 0.2 MB of CJK subset ~50 ms on a cold start). The deflated bytes are kept in the disk cache
 * (src/io/diskCache.ts) by the hash of the obfuscated font they hold, the deflater and its level;
 * an entry read back is used only if it inflates to exactly that font with the stored CRC-32.
 * The zip is the same with and without the cache: the cached bytes are fflate's own.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { DiskCache, cacheFolder, cacheKey } from '../../io/diskCache.js';
import { packageVersion } from '../../fonts/subsetCache.js';
import { crc32, deflateEntry, type Deflated, type ZipEntry } from './zip.js';

/** Font files gain little from harder compression: the fastest level. */
export const FONT_LEVEL: ZipEntry['level'] = 1;

/** The stored entry: CRC-32 (4 bytes, big-endian), then the raw DEFLATE stream. */
function encode(entry: Deflated): Uint8Array {
  const out = new Uint8Array(4 + entry.deflated.length);
  new DataView(out.buffer).setUint32(0, entry.crc >>> 0);
  out.set(entry.deflated, 4);
  return out;
}

/** The stored entry, if it holds `font` (inflates to it, with its CRC-32). */
function decode(stored: Uint8Array, font: Uint8Array): Deflated | undefined {
  if (stored.length < 4) return undefined;
  const crc = new DataView(stored.buffer, stored.byteOffset, stored.byteLength).getUint32(0);
  const deflated = stored.subarray(4);
  const inflated = zlib.inflateRawSync(deflated, { maxOutputLength: font.length + 1 });
  if (crc !== crc32(font) || !Buffer.from(font.buffer, font.byteOffset, font.byteLength).equals(inflated)) return undefined;
  return { deflated, crc, size: font.length };
}

/** The font file `font` (as it goes into the package) deflated for its zip entry, from the cache when it has it. */
export async function deflatedFont(font: Uint8Array, cache: boolean): Promise<Deflated> {
  if (!cache) return deflateEntry(font, FONT_LEVEL);
  const disk = new DiskCache(path.join(cacheFolder(), 'deflated-fonts'));
  const key = cacheKey(['zip entry', `fflate ${packageVersion('fflate')} deflateSync`, `level ${FONT_LEVEL}`, font]);
  let found: Deflated | undefined;
  await disk.get(key, (stored) => (found = decode(stored, font)) !== undefined);
  if (found) return found;
  const made = deflateEntry(font, FONT_LEVEL);
  await disk.put(key, encode(made));
  return made;
}
