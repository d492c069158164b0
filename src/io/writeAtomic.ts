/**
 * Writing editions so that a failed build never loses the previous good ones: every file is
 * first written in full to a temporary file beside its target; only when all are written are
 * they renamed into place (rename is atomic on one file system). On any failure the temporary
 * files are removed and the targets are untouched.
 */
import { chmod, chown, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileFailure } from '../diagnostics/index.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder stands where the file should go',
  EEXIST: 'a file stands where a folder should go',
};

/** A failed write as a diagnostic naming the file (no stack trace). */
function writeFailure(target: string, err: unknown) {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return fileFailure(path.relative(process.cwd(), target) || target, `Cannot write the file: ${REASONS[code] ?? (err as Error).message}${code ? ` (${code})` : ''}.`, 'write-failed');
}

/**
 * Write every file or none. An existing target keeps its mode (and, where permitted, its owner):
 * the temporary file takes them before it replaces the target.
 */
export async function writeFilesAtomically(files: Array<{ path: string; data: Uint8Array | string }>): Promise<void> {
  const temps: Array<{ temp: string; target: string }> = [];
  let current = files[0]?.path ?? '';
  try {
    for (const file of files) {
      current = file.path;
      await mkdir(path.dirname(file.path), { recursive: true });
      const temp = path.join(path.dirname(file.path), `.${path.basename(file.path)}.${process.pid}.tmp`);
      temps.push({ temp, target: file.path });
      await writeFile(temp, file.data);
      const before = await stat(file.path).catch(() => null);
      if (before?.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
      if (before) {
        await chmod(temp, before.mode & 0o7777);
        await chown(temp, before.uid, before.gid).catch(() => undefined); // only root may give files away
      }
    }
    for (const { temp, target } of temps) {
      current = target;
      await rename(temp, target);
    }
  } catch (err) {
    await Promise.all(temps.map(({ temp }) => rm(temp, { force: true }).catch(() => undefined)));
    throw writeFailure(current, err);
  }
}
