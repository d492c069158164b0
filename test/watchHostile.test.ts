/**
 * Watch mode against a moving and hostile file system: the data folder renamed away and back
 * (edits after it must still rebuild), and a data file replaced by a FIFO (refused at once, the
 * watch goes on and sees the repair). Text edition only, so each rebuild takes milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../src/build/build.js';
import { watch, type WatchHandle } from '../src/cli/watch.js';
import { BuildError, formatDiagnostics } from '../src/diagnostics/index.js';
import { fixture } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'letterpress-watch-hostile-'));
cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
mkdirSync(path.join(dir, 'data'));
renameSync(path.join(dir, 'people.csv'), path.join(dir, 'data', 'people.csv'));
writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('signatories: people.csv', 'signatories: data/people.csv'));
const data = path.join(dir, 'data', 'people.csv');
const good = readFileSync(data, 'utf8');

type Event = { kind: 'built'; result: BuildResult } | { kind: 'failed'; message: string };
let waiting: Array<(e: Event) => void> = [];
const seen: Event[] = [];
const push = (e: Event) => {
  seen.push(e);
  const ws = waiting;
  waiting = [];
  for (const w of ws) w(e);
};
/** The next event that satisfies `test`, or a failure after `ms`. */
function until(test: (e: Event) => boolean, what: string, ms = 8000): Promise<Event> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms: ${what} (events: ${seen.map((e) => e.kind).join(', ')})`)), ms);
    const listen = (e: Event) => {
      if (test(e)) {
        clearTimeout(timer);
        resolve(e);
      } else waiting.push(listen);
    };
    waiting.push(listen);
  });
}
const text = () => readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8');

let handle: WatchHandle;
afterAll(async () => {
  await handle?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch on a moving file system', () => {
  it('starts', async () => {
    const first = until(() => true, 'the first build');
    handle = watch(path.join(dir, 'letter.md'), { formats: ['txt'] }, {
      built: (result) => push({ kind: 'built', result }),
      failed: (err) => push({ kind: 'failed', message: err instanceof BuildError ? formatDiagnostics(err.files) : String(err) }),
    });
    expect((await first).kind).toBe('built');
    await handle.ready;
    await new Promise((r) => setTimeout(r, 400)); // past the re-check after a build
    expect(seen.map((e) => e.kind)).toEqual(['built']);
  });

  it('rebuilds on an edit after the data folder was renamed away and back', async () => {
    renameSync(path.join(dir, 'data'), path.join(dir, 'data-away'));
    await new Promise((r) => setTimeout(r, 300));
    renameSync(path.join(dir, 'data-away'), path.join(dir, 'data'));
    await new Promise((r) => setTimeout(r, 300));
    const rebuilt = until((e) => e.kind === 'built' && text().includes('After Rename Org'), 'a rebuild with the edit');
    writeFileSync(data, `${good}organization,After Rename Org,Chile,,,2024-03-05\n`);
    await rebuilt;
  }, 15_000);

  it('refuses a FIFO in place of the data file at once and goes on watching', async () => {
    const refused = until((e) => e.kind === 'failed' && /named pipe \(FIFO\)/.test(e.message), 'a refusal of the FIFO');
    rmSync(data);
    execFileSync('mkfifo', [data]);
    await refused;
    // At once: the repair may come within the watcher's throttle of the FIFO's own event.
    const repaired = until((e) => e.kind === 'built' && text().includes('Repaired Org'), 'a rebuild after the repair');
    rmSync(data);
    writeFileSync(data, `${good}organization,Repaired Org,Chile,,,2024-03-05\n`);
    await repaired;
  }, 15_000);
});
