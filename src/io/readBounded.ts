/**
 * Reading any input with a bound: the file is opened without blocking (a FIFO with no writer
 * would otherwise block the open for ever), the open descriptor is checked (`fstat`, not `stat`
 * of the path, which a swap could change) and refused unless it is a regular file (a device, a
 * FIFO or a socket reports size 0 and never ends), and at most `limit + 1` bytes are read, so a
 * file that grows while it is read, or a sparse giant, costs no more than the limit.
 */
import { constants, fstatSync, openSync, closeSync, readSync, type BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';

export type BoundedRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'missing' }
  | { ok: false; reason: 'directory' }
  | { ok: false; reason: 'special'; kind: string }
  /** `size` when the file said so before it was read. */
  | { ok: false; reason: 'too-large'; size?: number };

/** Why a file was not read. */
export type Refusal = Exclude<BoundedRead, { ok: true }>;

export const sizeText = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

interface Kind {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  size: number | bigint;
}

function classify(info: Kind, limit: number): Refusal | null {
  if (info.isDirectory()) return { ok: false, reason: 'directory' };
  if (!info.isFile()) {
    const kind = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : 'a special file';
    return { ok: false, reason: 'special', kind };
  }
  if (info.size > limit) return { ok: false, reason: 'too-large', size: Number(info.size) };
  return null;
}

function missing(err: unknown): Refusal {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return { ok: false, reason: 'directory' };
  if (code === 'ENXIO') return { ok: false, reason: 'special', kind: 'a socket or a device with nothing behind it' };
  return { ok: false, reason: 'missing' };
}

const CHUNK = 64 * 1024;

/** What the open descriptor said before it was read: which file, and which version of it. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/**
 * The bytes read so far. The first buffer has room for the size the file reported and one byte
 * more (to see that it grew), so a file read whole is read into one buffer and returned without a
 * copy; only a file that grows while it is read goes on in chunks (never allocating much more than
 * `limit`). Unpooled buffers: the result owns its memory.
 */
class Chunks {
  private readonly parts: Buffer[] = [];
  private total = 0;
  private current: Buffer;
  private filled = 0;
  constructor(
    private readonly limit: number,
    expected: number,
  ) {
    this.current = Buffer.allocUnsafeSlow(Math.min(expected, limit) + 1);
  }
  /** Where the next read goes: buffer, offset, length. */
  space(): [Buffer, number, number] {
    if (this.filled === this.current.length) {
      this.parts.push(this.current);
      this.current = Buffer.allocUnsafeSlow(CHUNK);
      this.filled = 0;
    }
    return [this.current, this.filled, this.current.length - this.filled];
  }
  /** Record `n` bytes read into the space; false when reading should stop. */
  add(n: number): boolean {
    if (n === 0) return false;
    this.filled += n;
    this.total += n;
    return this.total <= this.limit;
  }
  result(): BoundedRead {
    if (this.total > this.limit) return { ok: false, reason: 'too-large' };
    const last = this.current.subarray(0, this.filled);
    const whole = this.parts.length === 0 ? last : Buffer.concat([...this.parts, last], this.total);
    return { ok: true, bytes: new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength) };
  }
}

/** A file's identity from its `stat` (with `bigint: true`). */
export function identityOf(info: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileIdentity {
  return { dev: Number(info.dev), ino: Number(info.ino), size: Number(info.size), mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs };
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
    const info = await handle.stat();
    const refused = classify(info, limit);
    if (refused) return refused;
    const chunks = new Chunks(limit, info.size);
    for (;;) {
      const { bytesRead } = await handle.read(...chunks.space(), null);
      if (!chunks.add(bytesRead)) break;
    }
    return chunks.result();
  } catch (err) {
    return missing(err);
  } finally {
    await handle.close();
  }
}

/**
 * The same, synchronously (fonts are read where the font chain is built), with the identity the
 * descriptor had before it was read and after (`identity` only when the two agree: the file did
 * not change while it was read).
 */
export function readBoundedSync(path: string, limit: number): BoundedRead & { identity?: FileIdentity } {
  const opened = openRegularSync(path, limit);
  if (!opened.ok) return opened;
  const { fd, info: before } = opened;
  try {
    const chunks = new Chunks(limit, Number(before.size));
    while (chunks.add(readSync(fd, ...chunks.space(), null)));
    const result = chunks.result();
    if (!result.ok) return result;
    const identity = identityOf(before);
    return sameIdentity(identity, identityOf(fstatSync(fd, { bigint: true }))) ? { ...result, identity } : result;
  } catch (err) {
    return missing(err);
  } finally {
    closeSync(fd);
  }
}

/** A regular file kept open to be read part by part, each part from the version first seen. */
export interface FileParts {
  size: number;
  identity: FileIdentity;
  /** Fill `into` from `position`; false when the file is no longer that version (or shorter). */
  read(into: Uint8Array, position: number): boolean;
  close(): void;
}

/**
 * Open the regular file at `path` to read parts of it (the same refusals as readBoundedSync).
 * The descriptor stays open until `close` (a file replaced meanwhile is still read as it was; one
 * changed in place is not read at all).
 */
export function openPartsSync(path: string, limit: number): Refusal | { ok: true; parts: FileParts } {
  const opened = openRegularSync(path, limit);
  if (!opened.ok) return opened;
  const { fd, info } = opened;
  const identity = identityOf(info);
  let open = true;
  const parts: FileParts = {
    size: identity.size,
    identity,
    read(into, position) {
      if (!open) return false;
      try {
        let filled = 0;
        for (let n = -1; n !== 0 && filled < into.length; filled += n) n = readSync(fd, into, filled, into.length - filled, position + filled);
        return filled === into.length && sameIdentity(identity, identityOf(fstatSync(fd, { bigint: true })));
      } catch {
        return false;
      }
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
  return { ok: true, parts };
}

/** The regular file at `path` opened without blocking and checked by its descriptor; the caller closes `fd`. */
function openRegularSync(path: string, limit: number): Refusal | { ok: true; fd: number; info: BigIntStats } {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (err) {
    return missing(err);
  }
  try {
    const info = fstatSync(fd, { bigint: true });
    const refused = classify(info, limit);
    if (refused) closeSync(fd);
    return refused ?? { ok: true, fd, info };
  } catch (err) {
    closeSync(fd);
    return missing(err);
  }
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return (Object.keys(a) as Array<keyof FileIdentity>).every((k) => a[k] === b[k]);
}
