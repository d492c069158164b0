/**
 * Reading any input with a bound: the file is opened without blocking (a FIFO with no writer
 * would otherwise block the open for ever), the open descriptor is checked (`fstat`, not `stat`
 * of the path, which a swap could change) and refused unless it is a regular file (a device, a
 * FIFO or a socket reports size 0 and never ends), and at most `limit + 1` bytes are read, so a
 * file that grows while it is read, or a sparse giant, costs no more than the limit.
 */
import { constants, fstatSync, openSync, closeSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export type BoundedRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'directory' }
  | { ok: false; reason: 'special'; kind: string }
  /** `size` when the file said so before it was read. */
  | { ok: false; reason: 'too-large'; size?: number };

export const sizeText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

interface Kind {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  size: number;
}

function classify(info: Kind, limit: number): BoundedRead | null {
  if (info.isDirectory()) return { ok: false, reason: 'directory' };
  if (!info.isFile()) {
    const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file';
    return { ok: false, reason: 'special', kind };
  }
  if (info.size > limit) return { ok: false, reason: 'too-large', size: info.size };
  return null;
}

function missing(err: unknown): BoundedRead {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return { ok: false, reason: 'directory' };
  if (code === 'ENXIO') return { ok: false, reason: 'special', kind: 'a socket or a device with nothing behind it' };
  return { ok: false, reason: 'missing' };
}

const CHUNK = 64 * 1024;

/** Chunks read so far; stops once more than `limit` bytes came (never allocating much more). */
class Chunks {
  private readonly parts: Buffer[] = [];
  private total = 0;
  private current = Buffer.alloc(0);
  constructor(private readonly limit: number) {}
  next(): Buffer {
    this.current = Buffer.allocUnsafe(CHUNK);
    return this.current;
  }
  /** Record `n` bytes read into the last chunk; false when reading should stop. */
  add(n: number): boolean {
    if (n === 0) return false;
    this.parts.push(this.current.subarray(0, n));
    this.total += n;
    return this.total <= this.limit;
  }
  result(): BoundedRead {
    if (this.total > this.limit) return { ok: false, reason: 'too-large' };
    return { ok: true, bytes: new Uint8Array(Buffer.concat(this.parts, this.total)) };
  }
}

/** Read at most `limit` bytes of the regular file at `path`. */
export async function readBounded(path: string, limit: number): Promise<BoundedRead> {
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (err) {
    return missing(err);
  }
  try {
    const refused = classify(await handle.stat(), limit);
    if (refused) return refused;
    const chunks = new Chunks(limit);
    for (;;) {
      const { bytesRead } = await handle.read(chunks.next(), 0, CHUNK, null);
      if (!chunks.add(bytesRead)) break;
    }
    return chunks.result();
  } catch (err) {
    return missing(err);
  } finally {
    await handle.close();
  }
}

/** The same, synchronously (fonts are read where the font chain is built). */
export function readBoundedSync(path: string, limit: number): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    return missing(err);
  }
  try {
    const refused = classify(fstatSync(fd), limit);
    if (refused) return refused;
    const chunks = new Chunks(limit);
    while (chunks.add(readSync(fd, chunks.next(), 0, CHUNK, null)));
    return chunks.result();
  } catch (err) {
    return missing(err);
  } finally {
    closeSync(fd);
  }
}
