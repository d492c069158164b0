/**
 * Watch mode: rebuild every edition when the letter, the signatory data, the template or a
 * font file changes. Open fonts, the template, the last parsed letter and the lines already set
 * (src/typeset/memo.ts) stay in memory between builds, so a change to the data alone skips
 * parsing and font loading and sets only the changed list entries again (every page is drawn
 * again). A failed build prints its
 * positioned errors and leaves the previous editions in place (builds write atomically).
 *
 * File watching with chokidar, on the inputs' folders rather than on the files: an editor that
 * saves by deleting and re-creating a file (or a user who does) would otherwise leave a watch on
 * a file that no longer exists, and no rebuild would ever come again. Events are filtered to the
 * input files. A build that fails keeps watching what the last good build read, plus every file
 * the failure names, so fixing the broken file rebuilds.
 */
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { build, type BuildOptions, type BuildResult } from './build.js';
import { BuildError } from '../diagnostics/index.js';

export interface WatchEvents {
  built(result: BuildResult, trigger: string[]): void;
  failed(err: unknown, trigger: string[]): void;
  /** A build begins (a preview shows that new pages are coming). */
  started?(trigger: string[]): void;
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

export function watch(letterPath: string, options: BuildOptions, events: WatchEvents): WatchHandle {
  let watcher: FSWatcher | null = null;
  let watched = new Set<string>();
  let running = false;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let lastGood: BuildResult | null = null;

  const follow = (next: Set<string>) => {
    if (watcher) {
      const dirs = (set: Set<string>) => new Set([...set].map((p) => path.dirname(p)));
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
    let failure: unknown = null;
    try {
      events.started?.(trigger);
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
    const dirs = [...new Set([...watched].map((p) => path.dirname(p)))];
    watcher = chokidar.watch(dirs, { ignoreInitial: true, depth: 0, awaitWriteFinish: false });
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') schedule(file);
    });
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
  })();

  return {
    ready,
    close: async () => {
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      await watcher?.close();
    },
  };
}
