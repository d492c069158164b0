/**
 * Watch mode: rebuild every edition when the letter, the signatory data, the template or a
 * font file changes. What stays in memory between builds is the build context's (src/context.ts:
 * open fonts, the template, the last parsed letter, the lines already set, …), so a change to the
 * data alone skips parsing and font loading and sets only the changed list entries again (every
 * page is drawn again). A failed build prints its positioned errors and leaves the previous
 * editions in place (builds write atomically).
 *
 * File watching with chokidar, on the inputs' folders rather than on the files: an editor that
 * saves by deleting and re-creating a file (or a user who does) would otherwise leave a watch on
 * a file that no longer exists, and no rebuild would ever come again. Events are filtered to the
 * input files. A build that fails keeps watching what the last good build read, plus every file
 * the failure names, so fixing the broken file rebuilds.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { build, type BuildOptions, type BuildResult } from './build.js';
import { BuildError } from '../diagnostics/index.js';

export interface WatchEvents {
  built(result: BuildResult, trigger: string[]): void;
  failed(err: unknown, trigger: string[]): void;
}

export interface WatchHandle {
  /** Resolves after the first build (successful or not) and once the watcher is ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

function inputsOf(result: BuildResult | null, letterPath: string): string[] {
  const paths = new Set<string>([path.resolve(letterPath)]);
  if (result) {
    const { inputs, document } = result.letter;
    if (inputs.signatories) paths.add(inputs.signatories);
    paths.add(inputs.template);
    const templateDir = path.dirname(inputs.template);
    for (const entry of document.template.fonts.serif) {
      if ('file' in entry) {
        paths.add(path.resolve(templateDir, entry.file));
        if (entry.bold) paths.add(path.resolve(templateDir, entry.bold));
      }
    }
  }
  return [...paths];
}

/** Input files a failure names (the broken data file, template, …), so their repair is seen. */
function filesOf(err: unknown): string[] {
  return err instanceof BuildError ? err.files.map((f) => f.path).filter((p): p is string => typeof p === 'string').map((p) => path.resolve(p)) : [];
}

/**
 * The folders to watch for a set of input files: each file's folder, and, for a folder below the
 * letter's (data/, fonts/, templates/), its parent too, so that the folder being renamed away and
 * back (or deleted and restored) is seen and watched again.
 */
function foldersFor(files: Set<string>, letterDir: string): Set<string> {
  const out = new Set<string>();
  for (const file of files) {
    const dir = path.dirname(file);
    out.add(dir);
    if (dir !== letterDir) out.add(path.dirname(dir));
  }
  return out;
}

/** How long after a build its inputs are looked at again (beyond chokidar's 50 ms throttle). */
const RECHECK_MS = 150;

/** Identity and state of each file (inode, size, modification time), as one comparable string. */
function stamp(files: Set<string>): string {
  return [...files]
    .sort()
    .map((file) => {
      try {
        const info = statSync(file);
        return `${file}\u0000${info.ino}:${info.size}:${info.mtimeMs}`;
      } catch {
        return `${file}\u0000missing`;
      }
    })
    .join('\n');
}

/** The part of a stamp that belongs to `file` (undefined when the stamp did not cover it). */
function stampOf(all: string, file: string): string | undefined {
  return all.split('\n').find((line) => line.startsWith(`${file}\u0000`));
}

export function watch(letterPath: string, options: BuildOptions, events: WatchEvents): WatchHandle {
  const letterDir = path.dirname(path.resolve(letterPath));
  const dirs = (files: Set<string>) => foldersFor(files, letterDir);
  let watcher: FSWatcher | null = null;
  let watched = new Set<string>();
  let running = false;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let lastGood: BuildResult | null = null;
  let recheck: NodeJS.Timeout | null = null;
  let closed = false;

  const follow = (next: Set<string>) => {
    if (watcher) {
      const before = dirs(watched);
      const after = dirs(next);
      const add = [...after].filter((d) => !before.has(d));
      const remove = [...before].filter((d) => !after.has(d));
      if (add.length) watcher.add(add);
      if (remove.length) watcher.unwatch(remove);
    }
    watched = next;
  };

  const rebuild = async (trigger: string[]) => {
    running = true;
    const before = stamp(watched);
    let failure: unknown = null;
    try {
      lastGood = await build(letterPath, options);
      events.built(lastGood, trigger);
    } catch (err) {
      failure = err;
      try {
        events.failed(err, trigger);
      } catch {
        // a reporter that fails must not end the watch
      }
    } finally {
      running = false;
    }
    // Follow the inputs the letter names now (its data file or template may have changed).
    const next = new Set(inputsOf(lastGood, letterPath));
    if (failure !== null) for (const p of [...watched, ...filesOf(failure)]) next.add(p);
    follow(next);
    // chokidar drops a file's second change event within 50 ms of the first: a save just after
    // the one that started this build (or during it) would go unseen. Look again a little later.
    if (recheck) clearTimeout(recheck);
    recheck = setTimeout(() => {
      recheck = null;
      if (running || timer || closed) return;
      // only files this build read (one the letter names anew was read by it)
      const changed = [...watched].filter((p) => {
        const then = stampOf(before, p);
        return then !== undefined && stamp(new Set([p])) !== then;
      });
      if (changed.length > 0) void rebuild(changed.map((p) => path.relative(process.cwd(), p) || p));
    }, RECHECK_MS);
    if (pending.length > 0) {
      const again = pending;
      pending = [];
      await rebuild(again);
    }
  };

  const schedule = (file: string) => {
    if (!watched.has(path.resolve(file))) return; // another file in an input's folder
    pending.push(path.relative(process.cwd(), file) || file);
    if (running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const trigger = pending;
      pending = [];
      void rebuild(trigger);
    }, 25);
  };

  const ready = (async () => {
    await rebuild(['start']);
    watcher = chokidar.watch([...dirs(watched)], { ignoreInitial: true, depth: 0, awaitWriteFinish: false });
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') schedule(file);
      if (event !== 'addDir' && event !== 'unlinkDir') return;
      // An input's folder came back (or went): watch it afresh, and rebuild from what is there now.
      const dir = path.resolve(file);
      const inside = [...watched].filter((p) => path.dirname(p) === dir);
      if (inside.length === 0) return;
      if (event === 'addDir' && watcher) {
        watcher.unwatch(dir);
        watcher.add(dir);
      }
      for (const input of inside) schedule(input);
    });
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
  })();

  return {
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      if (recheck) clearTimeout(recheck);
      await ready.catch(() => undefined);
      await watcher?.close();
    },
  };
}
