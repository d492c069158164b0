/**
 * The version of letterpress's own code, for the keys of disk caches that keep what the code
 * computed (set lines, src/render/pdf/layout/storedLines.ts): any change to the code gives another
 * version, so such a cache never hands out what older code made.
 *
 * The bundle (dist/cli/letterpress.cjs) carries its version: scripts/bundle.mjs hashes the sources
 * it is built from, with the lock file that fixes its bundled packages (`hashSources`). The modules
 * of dist/ (the library, the launcher's fallback) and of src/ (under the tests) hash their own
 * folder's code, once per process (about 1 MB: a few milliseconds), so a recompiled module is never
 * taken for the old one. Null when the code cannot be read: then nothing is cached.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by scripts/bundle.mjs (esbuild `define`) in the bundle; not defined in dist/ and src/. */
declare const LETTERPRESS_CODE_VERSION: string | undefined;

let version: string | null | undefined;

export function codeVersion(): string | null {
  if (version === undefined) {
    if (typeof LETTERPRESS_CODE_VERSION === 'string') version = `bundle ${LETTERPRESS_CODE_VERSION}`;
    else {
      try {
        const folder = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
        version = `modules ${hashSources(folder, /\.(js|ts)$/)}`;
      } catch {
        version = null;
      }
    }
  }
  return version;
}

/**
 * The SHA-256 of the files under `folder` whose names match `pattern` (declaration files left
 * out), each by its path in the folder and its contents, in a fixed order.
 */
export function hashSources(folder: string, pattern: RegExp, extra: string[] = []): string {
  const hash = createHash('sha256');
  const files = (readdirSync(folder, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((name) => pattern.test(name) && !name.endsWith('.d.ts'))
    .map((name) => name.split(path.sep).join('/'))
    .sort();
  for (const name of [...files.map((f) => path.join(folder, f)), ...extra]) {
    const data = readFileSync(name);
    hash.update(`${path.relative(folder, name).split(path.sep).join('/')}\u0000${data.length}\u0000`).update(data);
  }
  return hash.digest('hex');
}
