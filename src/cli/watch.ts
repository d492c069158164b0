/**
 * Watch mode: rebuild every edition when the letter, the signatory data, the template or a
 * font file changes. Open fonts, the template, the last parsed letter and the lines already set
 * (src/typeset/memo.ts) stay in memory between builds, so a change to the data alone skips
 * parsing and font loading and sets only the changed list entries again (every page is drawn
 * again). A failed build prints its
 * positioned errors and leaves the previous editions in place (builds write atomically).
 * File watching with chokidar.
 */
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { build, type BuildOptions, type BuildResult } from './build.js';

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

export function watch(letterPath: string, options: BuildOptions, events: WatchEvents): WatchHandle {
  let watcher: FSWatcher | null = null;
  let watched = new Set<string>();
  let running = false;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let lastGood: BuildResult | null = null;

  const rebuild = async (trigger: string[]) => {
    running = true;
    try {
      lastGood = await build(letterPath, options);
      events.built(lastGood, trigger);
    } catch (err) {
      events.failed(err, trigger);
    } finally {
      running = false;
    }
    // Follow the inputs the letter names now (its data file or template may have changed).
    const next = new Set(inputsOf(lastGood, letterPath));
    if (watcher) {
      const add = [...next].filter((p) => !watched.has(p));
      const remove = [...watched].filter((p) => !next.has(p) && p !== path.resolve(letterPath));
      if (add.length) watcher.add(add);
      if (remove.length) watcher.unwatch(remove);
    }
    watched = next;
    if (pending.length > 0) {
      const again = pending;
      pending = [];
      await rebuild(again);
    }
  };

  const schedule = (file: string) => {
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
    watched = new Set(inputsOf(lastGood, letterPath));
    watcher = chokidar.watch([...watched], { ignoreInitial: true, atomic: true, awaitWriteFinish: false });
    watcher.on('all', (_event, file) => schedule(file));
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
