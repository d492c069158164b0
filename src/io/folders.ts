/** Making a folder and its missing parents. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Make `dir` and its missing parents, one level at a time, each with `mode`. Node's own
 * `mkdir(…, { recursive: true })` never returns for a path under /proc (it retries the parent for
 * ever), and a cache folder is the user's setting: a path that cannot be made must fail, not hang.
 * Throws as mkdir does (ENOENT, EACCES, ENOTDIR …).
 */
export function makeFolder(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile by another build
    }
  }
}
