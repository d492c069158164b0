/**
 * Writing editions and edited data files so that a failed run never loses the previous good
 * ones, and never writes anywhere but the named files:
 *
 * 1. Every file is written in full to a new temporary file beside its target, created with
 *    O_CREAT|O_EXCL|O_NOFOLLOW under an unpredictable name (so a link planted in the folder is
 *    never opened), flushed to disk, and checked (a regular file of the expected size).
 * 2. Each existing target is kept as a hard link (or, where the file system has none, a copy)
 *    under another such name.
 * 3. Only then are the temporary files renamed over their targets, one after the other (rename
 *    replaces the folder entry; it never follows a link standing there). If one rename fails,
 *    the ones already renamed are put back from their kept copies. Only if that too fails is the
 *    error a `PartialWrite`, naming exactly the files that were replaced.
 *
 * An existing target keeps its mode, and its owner: a file that belongs to another user is
 * refused unless letterpress runs as root (renaming over it would make it ours). Temporary files
 * left by an earlier run that was killed are removed when provably its own (the name pattern,
 * owned by this user, a regular file, the process gone, older than a minute).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BuildError, fileFailure, reportError } from '../diagnostics/index.js';
import { shownPath } from './paths.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied (the file or its folder is protected: read-only, immutable, or another user\'s in a shared folder)',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder stands where the file should go',
  EEXIST: 'a file stands where a folder should go',
  ELOOP: 'a symbolic link stands where a new file was to be created',
};

/** A run that replaced some files and then failed and could not put them back. */
export class PartialWrite extends BuildError {
  constructor(files: BuildError['files'], readonly replaced: string[]) {
    super(files);
    this.name = 'PartialWrite';
  }
}


function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return `${REASONS[code] ?? (err as Error).message}${code ? ` (${code})` : ''}`;
}

/** A failed write as a diagnostic naming the file (no stack trace). */
function writeFailure(target: string, err: unknown): BuildError {
  if (err instanceof BuildError) return err;
  return fileFailure(shownPath(target), `Cannot write the file: ${reasonOf(err)}.`, 'write-failed');
}

/** `.letter.pdf.<pid>-<16 hex>.tmp` (or `.old` for a kept previous file). */
const OWN_NAME = /^\..+\.(\d+)-[0-9a-f]{16}\.(?:tmp|old)$/;
const STALE_AFTER_MS = 60_000;

function ownName(target: string, suffix: 'tmp' | 'old'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(8).toString('hex')}.${suffix}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Remove temporary files an earlier, killed run left in `dir` (only those provably its own). */
async function removeStale(dir: string): Promise<void> {
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = OWN_NAME.exec(name);
    if (!match || Number(match[1]) === process.pid) continue;
    const file = path.join(dir, name);
    const info = await lstat(file).catch(() => null);
    if (!info?.isFile() || (uid !== undefined && info.uid !== uid)) continue;
    if (Date.now() - info.mtimeMs < STALE_AFTER_MS || processAlive(Number(match[1]))) continue;
    await rm(file, { force: true }).catch(() => undefined);
  }
}

/** Temporary files written at once (libuv's thread pool has four threads). */
const PARALLEL_WRITES = 4;

interface Planned {
  target: string;
  temp: string;
  /** The kept previous file (null when the target did not exist). */
  kept: string | null;
  existed: boolean;
  renamed: boolean;
}

/** Create `temp` exclusively (never through a link), write `data`, flush, check it. */
async function writeTemp(temp: string, data: Uint8Array, mode: number, owner: { uid: number; gid: number } | null): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    await handle.writeFile(data);
    await handle.sync();
    if (owner) {
      await handle.chmod(mode);
      await handle.chown(owner.uid, owner.gid).catch(() => undefined); // only root may give a file away; the group where permitted
    }
    const info = await handle.stat();
    if (!info.isFile() || info.size !== data.byteLength) throw new Error(`the temporary file holds ${info.size} of ${data.byteLength} bytes`);
  } finally {
    await handle?.close();
  }
}

/**
 * Write every file or none (see the module comment). Throws a BuildError naming the file that
 * failed; a PartialWrite when some files were replaced and could not be put back.
 */
export async function writeFilesAtomically(files: Array<{ path: string; data: Uint8Array | string }>): Promise<void> {
  const uid = process.getuid?.();
  const plan: Planned[] = [];
  let current = files[0]?.path ?? '';
  const cleanUp = () => Promise.all(plan.flatMap((p) => [p.temp, ...(p.kept ? [p.kept] : [])]).map((f) => rm(f, { force: true }).catch(() => undefined)));
  try {
    // Each folder made and cleared of stale temporary files once, before its first file.
    const folders = new Map<string, Promise<void>>();
    const folderOf = (dir: string) => {
      let ready = folders.get(dir);
      if (!ready) {
        ready = (async () => {
          await mkdir(dir, { recursive: true });
          await removeStale(dir);
        })();
        folders.set(dir, ready);
      }
      return ready;
    };
    const slots: Array<Planned | undefined> = [];
    const prepare = async (file: (typeof files)[number], index: number) => {
      await folderOf(path.dirname(file.path));
      const before = await lstat(file.path).catch(() => null);
      if (before?.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
      if (before && !before.isSymbolicLink() && uid !== undefined && uid !== 0 && before.uid !== uid) {
        throw fileFailure(
          shownPath(file.path),
          `The file belongs to another user (uid ${before.uid}); replacing it would make it yours, so nothing was changed. Ask its owner to remove it or to make the change, or write to another folder.`,
          'not-owner',
        );
      }
      const keep = before && !before.isSymbolicLink() ? before : null;
      const data = typeof file.data === 'string' ? Buffer.from(file.data) : file.data;
      const entry: Planned = { target: file.path, temp: ownName(file.path, 'tmp'), kept: null, existed: before !== null, renamed: false };
      slots[index] = entry;
      await writeTemp(entry.temp, data, keep ? keep.mode & 0o7777 : 0o666, keep ? { uid: keep.uid, gid: keep.gid } : null);
    };
    // The temporary files are written (and flushed) a few at a time, side by side: each flush
    // waits on the disk, not on the others. The failure reported is the first in the files'
    // order, as when they were written one after the other.
    const outcomes: Array<PromiseSettledResult<void>> = [];
    let next = 0;
    const writer = async () => {
      for (let index = next++; index < files.length; index = next++) {
        const file = files[index] as (typeof files)[number];
        outcomes[index] = await prepare(file, index).then(
          (): PromiseSettledResult<void> => ({ status: 'fulfilled', value: undefined }),
          (reason: unknown): PromiseSettledResult<void> => ({ status: 'rejected', reason }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, files.length) }, writer));
    for (const entry of slots) if (entry) plan.push(entry);
    const failed = outcomes.findIndex((o) => o.status === 'rejected');
    if (failed >= 0) {
      current = files[failed]?.path ?? current;
      throw (outcomes[failed] as PromiseRejectedResult).reason;
    }
    // Keep every existing target before replacing any.
    for (const entry of plan) {
      if (!entry.existed) continue;
      current = entry.target;
      const kept = ownName(entry.target, 'old');
      try {
        await link(entry.target, kept);
      } catch {
        await copyFile(entry.target, kept, constants.COPYFILE_EXCL);
      }
      entry.kept = kept;
    }
  } catch (err) {
    await cleanUp();
    throw writeFailure(current, err);
  }
  for (const entry of plan) {
    try {
      await rename(entry.temp, entry.target);
      entry.renamed = true;
    } catch (err) {
      const failure = writeFailure(entry.target, err);
      const notRestored: string[] = [];
      for (const done of plan.filter((p) => p.renamed)) {
        try {
          if (done.kept) await rename(done.kept, done.target);
          else await rm(done.target, { force: true });
        } catch {
          notRestored.push(done.target);
        }
      }
      await cleanUp();
      if (notRestored.length === 0) throw failure;
      const [vfile] = failure.files;
      if (vfile) {
        reportError(vfile, `These files were already replaced and could not be put back: ${notRestored.map(shownPath).join(', ')}; the other editions are unchanged.`, undefined, 'write-partial');
      }
      throw new PartialWrite(failure.files, notRestored.map(shownPath));
    }
  }
  await cleanUp();
}
