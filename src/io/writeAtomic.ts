/**
 * Writing editions so that a failed build never loses the previous good ones: every file is
 * first written in full to a temporary file beside its target; only when all are written are
 * they renamed into place (rename is atomic on one file system). On any failure the temporary
 * files are removed and the targets are untouched.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFilesAtomically(files: Array<{ path: string; data: Uint8Array | string }>): Promise<void> {
  const temps: Array<{ temp: string; target: string }> = [];
  try {
    for (const file of files) {
      await mkdir(path.dirname(file.path), { recursive: true });
      const temp = path.join(path.dirname(file.path), `.${path.basename(file.path)}.${process.pid}.tmp`);
      temps.push({ temp, target: file.path });
      await writeFile(temp, file.data);
    }
    for (const { temp, target } of temps) await rename(temp, target);
  } catch (err) {
    await Promise.all(temps.map(({ temp }) => rm(temp, { force: true }).catch(() => undefined)));
    throw err;
  }
}
