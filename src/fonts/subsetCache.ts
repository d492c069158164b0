/**
 * Font subsets kept between builds: in memory (the last subset of each font file and kind, for
 * watch and serve) and on disk (src/io/diskCache.ts, for the next process), found by a hash of
 * everything that decides their bytes — the font file's contents, what is kept (characters or
 * glyph ids), and the subsetter with its version. An entry read from disk is used only if the
 * caller's check of it holds (it opens in fontkit and has what it should).
 *
 * The font file's contents are hashed once per version of the file, not once per process (a CJK
 * font is 15 MB): the hash is kept on disk beside the subsets, found by the file's identity —
 * path, device, inode, size, modification and change times, as the descriptor reported them
 * before and after the read — the way ccache's "direct mode" trusts a header it has seen. A
 * file changed within the last few seconds is hashed, not remembered (a file system whose clock
 * ticks in seconds could give a quick second edit the same times). Whatever the identity says,
 * the subset it leads to is still verified (its stored checksum, and it opens and maps the
 * characters it should).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildContext } from '../context.js';
import { DiskCache, cacheFolder, cacheKey } from '../io/diskCache.js';
import type { Face } from './fontChain.js';
import type { FileIdentity } from '../io/readBounded.js';

export interface SubsetCacheOptions {
  /** Read and write the subset cache on disk (default true; `--no-cache` turns it off). */
  cache?: boolean;
}

export interface SubsetRequest {
  face: Pick<Face, 'file' | 'data' | 'identity'>;
  /** Which subsetter and how: its name, version and options (part of the key). */
  subsetter: string;
  /** What the subset keeps (characters, glyph ids), as the key has it. */
  keeps: string | Uint8Array;
  /** Makes the subset when no cache has it. */
  make: () => Uint8Array | Promise<Uint8Array>;
  /** Whether an entry read from disk is the subset it should be (it may throw: then it is not). */
  usable: (data: Uint8Array) => boolean;
}

const require = createRequire(import.meta.url);

/**
 * The version of an installed package (resolved from `from`, a file path, or from here), read
 * from its manifest beside its entry point (fontkit and harfbuzzjs export no ./package.json).
 */
const versions = new Map<string, string>();
export function packageVersion(name: string, from?: string): string {
  const known = versions.get(`${name} ${from ?? ''}`);
  if (known !== undefined) return known;
  const version = findVersion(name, from);
  versions.set(`${name} ${from ?? ''}`, version);
  return version;
}

function findVersion(name: string, from?: string): string {
  const resolve = from ? createRequire(from).resolve : require.resolve;
  let folder = path.dirname(resolve(name));
  while (path.dirname(folder) !== folder) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name) return manifest.version ?? '?';
    } catch {
      // no manifest in this folder: look further up
    }
    folder = path.dirname(folder);
  }
  return '?';
}

const lastSubsets = buildContext.map<string, { key: string; subset: Uint8Array }>('font subsets');
/** By the face, not its bytes: a face's file is read whole only when its bytes are needed (fontChain.ts). */
const fontHashes = buildContext.weakMap<SubsetRequest['face'], string>('font file hashes');

/** The SHA-256 of a font file's contents, once per face per process. */
function fontHash(face: SubsetRequest['face']): string {
  let hash = fontHashes.get(face);
  if (hash === undefined) fontHashes.set(face, (hash = cacheKey([face.data])));
  return hash;
}

/** A file changed this recently is hashed every time (coarse file-system clocks). */
const SETTLED_NS = 2_000_000_000n;
const HASH_NAME = /^[0-9a-f]{64}$/;

/** Font file hashes found by the file's identity in this process (settled files only). */
const identityHashes = buildContext.map<string, string>('font file hashes by identity');

/** The font file's content hash, remembered on disk by the file's identity (see above). */
async function rememberedFontHash(face: SubsetRequest['face']): Promise<string> {
  const known = fontHashes.get(face);
  if (known !== undefined) return known;
  const hash = await rememberedFileHash(face.file, face.identity, () => face.data);
  fontHashes.set(face, hash);
  return hash;
}

/**
 * The SHA-256 of a font file's contents, remembered on disk by the file's identity (see above),
 * so that a new process does not hash 15 MB again; `contents` is read, hashed and remembered
 * when the identity is new. No identity (the file changed while it was read): always hashed.
 */
export async function rememberedFileHash(file: string, identity: FileIdentity | undefined, contents: () => Uint8Array): Promise<string> {
  if (!identity) return cacheKey([contents()]);
  const id = identity;
  const settled = BigInt(Date.now()) * 1_000_000n - (id.ctimeNs > id.mtimeNs ? id.ctimeNs : id.mtimeNs) > SETTLED_NS;
  const key = cacheKey(['font file identity', path.resolve(file), String(id.dev), String(id.ino), String(id.size), String(id.mtimeNs), String(id.ctimeNs)]);
  const known = settled ? identityHashes.get(key) : undefined;
  if (known !== undefined) return known;
  const disk = new DiskCache(path.join(cacheFolder(), 'font-hashes'));
  if (settled) {
    const stored = await disk.get(key, (entry) => HASH_NAME.test(Buffer.from(entry).toString('latin1')));
    if (stored) {
      const hash = Buffer.from(stored).toString('latin1');
      identityHashes.set(key, hash);
      return hash;
    }
  }
  const hash = cacheKey([contents()]);
  if (settled) {
    await disk.put(key, Buffer.from(hash, 'latin1'));
    identityHashes.set(key, hash);
  }
  return hash;
}

export async function cachedSubset(request: SubsetRequest, options: SubsetCacheOptions = {}): Promise<Uint8Array> {
  const { face, subsetter, keeps } = request;
  const disk = options.cache === false ? undefined : new DiskCache(path.join(cacheFolder(), 'font-subsets'));
  const key = cacheKey([subsetter, disk ? await rememberedFontHash(face) : fontHash(face), keeps]);
  const slot = `${subsetter}\n${face.file}`;
  const last = lastSubsets.get(slot);
  if (last?.key === key) return last.subset;
  let subset = await disk?.get(key, request.usable);
  if (!subset) {
    subset = await request.make();
    await disk?.put(key, subset);
  }
  lastSubsets.set(slot, { key, subset });
  return subset;
}
