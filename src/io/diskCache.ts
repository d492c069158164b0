/**
 * A content-addressed cache on disk, in the user's cache folder, for results that are dear to
 * make and the same for the same inputs (font subsets): an entry is found by a hash of everything
 * that made it, so a stale entry is never found, only left to age out.
 *
 * Nothing in it is trusted: each entry stores the SHA-256 of its key and contents, checked on
 * every read (so an entry copied or renamed under another key is not taken for that key's: two
 * subsets of one font both open as fonts), and the caller checks what it reads (a font subset must open in fontkit); an entry that fails
 * either check is ignored and written again. Entries are written to a temporary file and renamed
 * into place, so a reader sees a whole entry or none. The folder is bounded (200 MB by default):
 * after a write, the entries read least recently (a hit touches its entry) go first. A cache
 * that cannot be read or written never fails a build; it is skipped.
 *
 * Folder: $LETTERPRESS_CACHE_DIR, else $XDG_CACHE_HOME/letterpress, else ~/.cache/letterpress
 * (XDG Base Directory Specification: a relative $XDG_CACHE_HOME is ignored).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { makeFolder } from './folders.js';
import os from 'node:os';
import path from 'node:path';

/** Entry layout: magic, SHA-256 of the key and the contents, the contents. */
const MAGIC = Buffer.from('LPC2', 'latin1');
const HEADER = MAGIC.length + 32;
const ENTRY_NAME = /^[0-9a-f]{64}$/;
const TEMP_NAME = /^[0-9a-f]{64}\.\d+-[0-9a-f]{12}\.tmp$/;
export const DEFAULT_CACHE_BYTES = 200 * 1024 * 1024;

/** The cache folder for this environment (read when called: nothing is read at load). */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LETTERPRESS_CACHE_DIR) return path.resolve(env.LETTERPRESS_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'letterpress');
}

/** The hex SHA-256 of `parts`, each length-prefixed (so no two lists of parts hash alike). */
export function cacheKey(parts: ReadonlyArray<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.byteLength));
    hash.update(length).update(bytes);
  }
  return hash.digest('hex');
}

const checksum = (key: string, data: Uint8Array) => createHash('sha256').update(key, 'latin1').update(data).digest();

/** An entry's bytes on disk under `key`: magic, checksum of key and contents, the contents. */
export function encodeEntry(key: string, data: Uint8Array): Buffer {
  return Buffer.concat([MAGIC, checksum(key, data), data]);
}

export class DiskCache {
  constructor(
    /** The folder of one kind of entry, e.g. <cache folder>/font-subsets. */
    readonly folder: string,
    /** The bound for this folder, in bytes. */
    readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  private file(key: string): string {
    if (!ENTRY_NAME.test(key)) throw new Error(`Not a cache key: ${key}`);
    return path.join(this.folder, key);
  }

  /**
   * The entry's contents if it is there, whole (its stored hash holds) and `accept`ed by the
   * caller; otherwise undefined (a damaged entry is then rewritten by the caller's `put`).
   */
  async get(key: string, accept: (data: Uint8Array) => boolean): Promise<Uint8Array | undefined> {
    const file = this.file(key);
    let stored: Buffer;
    try {
      stored = await readFile(file);
    } catch {
      return undefined;
    }
    if (stored.byteLength < HEADER || !stored.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const data = new Uint8Array(stored.buffer, stored.byteOffset + HEADER, stored.byteLength - HEADER);
    if (!checksum(key, data).equals(stored.subarray(MAGIC.length, HEADER))) return undefined;
    let accepted = false;
    try {
      accepted = accept(data);
    } catch {
      accepted = false;
    }
    if (!accepted) return undefined;
    // Read recently: evicted last.
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return data;
  }

  /** Store `data` under `key` (atomically), then keep the folder within its bound. Never throws. */
  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.file(key);
    const temp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      makeFolder(this.folder, 0o700);
      await writeFile(temp, encodeEntry(key, data), { flag: 'wx', mode: 0o600 });
      await rename(temp, file);
    } catch {
      await rm(temp, { force: true }).catch(() => undefined);
      return;
    }
    await this.evict().catch(() => undefined);
  }

  /** Remove the least recently used entries beyond the bound, and temporary files older than an hour. */
  async evict(): Promise<void> {
    const names = await readdir(this.folder);
    const entries: Array<{ file: string; size: number; used: number }> = [];
    const now = Date.now();
    for (const name of names) {
      const file = path.join(this.folder, name);
      if (TEMP_NAME.test(name)) {
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs > 3_600_000) await rm(file, { force: true }).catch(() => undefined);
      } else if (ENTRY_NAME.test(name)) {
        const info = await stat(file).catch(() => undefined);
        if (info?.isFile()) entries.push({ file, size: info.size, used: info.mtimeMs });
      }
    }
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      await rm(entry.file, { force: true }).catch(() => undefined);
      total -= entry.size;
    }
  }
}
