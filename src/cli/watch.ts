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
 *
 * The Word copy is made in a worker thread kept for the whole watch (src/build/worker/host.ts),
 * warm as this thread is, while this thread makes the PDF.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { build, type BuildOptions, type BuildResult } from '../build/build.js';
import { buildFrame } from '../frame/index.js';
import { BuildError } from '../diagnostics/index.js';
import { SHARED_FRONT_MATTER } from '../load/frontMatter.js';
import { shownPath } from '../io/paths.js';
import { overlaps } from '../build/worker/rule.js';
import type { EditionWorker } from '../build/worker/host.js';

export interface WatchEvents {
  built(result: BuildResult, trigger: string[]): void;
  /** A build that failed (`letterPath`: the letter, absolute). */
  failed(err: unknown, trigger: string[], letterPath: string): void;
  /** A build begins (a preview shows that new pages are coming). */
  started?(trigger: string[]): void;
}

export interface WatchHandle {
  /** Resolves after the first build (successful or not) and once the watcher is ready. */
  ready: Promise<void>;
  /** Resolves once the idle warm-up build after `ready` has ended (finished, or abandoned for a change that is then rebuilt). */
  warmedUp: Promise<void>;
  close(): Promise<void>;
}

function inputsOf(result: BuildResult | null, letterPath: string): string[] {
  // letter.yaml beside the letter is watched even before it exists: adding it changes the letter.
  const paths = new Set<string>([path.resolve(letterPath), path.join(path.dirname(path.resolve(letterPath)), SHARED_FRONT_MATTER)]);
  if (result) {
    const { inputs, document } = result.letter;
    if (inputs.signatories) paths.add(inputs.signatories);
    for (const template of inputs.templates) paths.add(template);
    for (const image of inputs.images) paths.add(image);
    // A file that would take a template name's place if it appeared (an en.yaml beside a house
    // style that extends en): followed like letter.yaml, before it exists.
    for (const file of inputs.absent) paths.add(file);
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

/**
 * How often the inputs' stamps are compared with those their last build read. File-system events
 * are best effort: chokidar drops a file's second change within 50 ms of the first, and an atomic
 * save (a rename over the file) can go unreported; a stat of the few input files catches both.
 */
const POLL_MS = 250;
/** Events this close together make one rebuild. */
const COALESCE_MS = 10;

/** Identity and state of a file (inode, size, modification time), as one comparable string. */
function stamp(file: string): string {
  try {
    const info = statSync(file);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

export function watch(letterPath: string, options: BuildOptions, events: WatchEvents): WatchHandle {
  return watchLetters([letterPath], options, events);
}

/** What is known of one watched letter: the files it read, and its last good build. */
interface Watched {
  letterPath: string;
  inputs: Set<string>;
  /** Each input's stamp just before the letter's last build. */
  stamps: Map<string, string>;
  lastGood: BuildResult | null;
  pending: string[];
}

/**
 * Watch several letters at once (language editions sharing a data file, a letter.yaml, a
 * template): one watcher on all their folders; a change rebuilds every letter that read the
 * changed file, one letter after the other, in the order given. `events` receive the letter's
 * result (the letter is `result.letter.inputs.letter`) or its failure with `letterPath`.
 */
export function watchLetters(letterPaths: readonly string[], options: BuildOptions, events: WatchEvents): WatchHandle {
  let watcher: FSWatcher | null = null;
  // Started before the first build, so its modules load while this thread reads the letter.
  let worker: EditionWorker | null = null;
  const started = options.editionWorker === undefined && overlaps(options.formats) ? import('../build/worker/host.js') : null;
  const withWorker = async (): Promise<BuildOptions> => {
    if (!started) return options;
    if (!worker) {
      worker = new (await started).EditionWorker({ cache: options.cache !== false });
      worker.start();
    }
    return { ...options, editionWorker: worker };
  };
  const letters: Watched[] = [...new Set(letterPaths.map((p) => path.resolve(p)))].map((letterPath) => ({
    letterPath,
    inputs: new Set(inputsOf(null, letterPath)),
    stamps: new Map<string, string>(),
    lastGood: null,
    pending: [],
  }));
  let watchedDirs = new Set<string>();
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let closed = false;
  let inFlight: Promise<void> = Promise.resolve();

  const follow = () => {
    const next = new Set(letters.flatMap((l) => [...foldersFor(l.inputs, path.dirname(l.letterPath))]));
    if (watcher) {
      const add = [...next].filter((d) => !watchedDirs.has(d));
      const remove = [...watchedDirs].filter((d) => !next.has(d));
      if (add.length) watcher.add(add);
      if (remove.length) watcher.unwatch(remove);
    }
    watchedDirs = next;
  };

  const rebuildOne = async (letter: Watched, trigger: string[]) => {
    letter.stamps = new Map([...letter.inputs].map((p) => [p, stamp(p)]));
    let failure: unknown = null;
    try {
      events.started?.(trigger);
      letter.lastGood = await build(letter.letterPath, await withWorker());
      events.built(letter.lastGood, trigger);
    } catch (err) {
      failure = err;
      try {
        events.failed(err, trigger, letter.letterPath);
      } catch {
        // a reporter that fails must not end the watch
      }
    }
    // Follow the inputs the letter names now (its data file or template may have changed).
    const next = new Set(inputsOf(letter.lastGood, letter.letterPath));
    if (failure !== null) for (const p of [...letter.inputs, ...filesOf(failure)]) next.add(p);
    letter.inputs = next;
    // An input the letter names anew was read by this build: compared from now on.
    for (const p of next) if (!letter.stamps.has(p)) letter.stamps.set(p, stamp(p));
  };

  const run = async () => {
    running = true;
    try {
      for (;;) {
        const due = letters.find((l) => l.pending.length > 0);
        if (!due) break;
        const trigger = due.pending;
        due.pending = [];
        await rebuildOne(due, trigger);
      }
    } finally {
      running = false;
    }
    follow();
  };

  /**
   * Once the first builds are written and the watcher is ready, each letter is built once more,
   * from the same inputs, into a scratch folder that is then removed: nobody waits for it, and
   * the code the next rebuild runs (this thread's and the worker's) has been run twice, so the
   * JavaScript engine has compiled more of it by the first change. A change seen meanwhile ends
   * it early (before the frame, or once the PDF is made) and is rebuilt next; the editions are
   * never touched.
   */
  const warmUp = async () => {
    running = true;
    let scratch: string | null = null;
    const changeWaiting = () => closed || letters.some((l) => l.pending.length > 0);
    const abandonIfChanged = () => {
      if (changeWaiting()) throw new Error('a change came: the warm-up build is abandoned');
    };
    try {
      for (const letter of letters) {
        if (changeWaiting() || !letter.lastGood) break;
        scratch ??= mkdtempSync(path.join(tmpdir(), 'letterpress-warm-'));
        const options = { ...(await withWorker()), outDir: scratch, rendered: abandonIfChanged };
        const steps = { buildFrame: (document: Parameters<typeof buildFrame>[0]) => (abandonIfChanged(), buildFrame(document)) };
        await build(letter.letterPath, options, steps).catch(() => undefined);
      }
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      running = false;
    }
    if (changeWaiting() && !closed) await run();
  };

  /** Rebuild a letter whose inputs differ from what its last build read (an event that never came). */
  const compareStamps = () => {
    if (running || timer || closed) return;
    for (const letter of letters) {
      for (const [file, then] of letter.stamps) if (stamp(file) !== then) schedule(file);
    }
  };

  const schedule = (file: string) => {
    const absolute = path.resolve(file);
    const affected = letters.filter((l) => l.inputs.has(absolute));
    if (affected.length === 0) return; // another file in an input's folder
    const shown = shownPath(file);
    for (const letter of affected) if (!letter.pending.includes(shown)) letter.pending.push(shown);
    if (running) return; // the running loop picks the new work up
    if (timer) clearTimeout(timer);
    // One save is a burst of events (truncate and write, or a temporary file renamed) within a
    // millisecond or two: they make one rebuild. A write that goes on longer is seen again
    // (a later event, or the stamps compared every POLL_MS) and rebuilt once more.
    timer = setTimeout(() => {
      timer = null;
      inFlight = run();
    }, COALESCE_MS);
  };

  const ready = (async () => {
    for (const letter of letters) letter.pending.push('start');
    await run();
    watcher = chokidar.watch([...watchedDirs], { ignoreInitial: true, depth: 0, awaitWriteFinish: false });
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') schedule(file);
      if (event !== 'addDir' && event !== 'unlinkDir') return;
      // An input's folder came back (or went): watch it afresh, and rebuild from what is there now.
      const dir = path.resolve(file);
      const inside = [...new Set(letters.flatMap((l) => [...l.inputs]))].filter((p) => path.dirname(p) === dir);
      if (inside.length === 0) return;
      if (event === 'addDir' && watcher) {
        watcher.unwatch(dir);
        watcher.add(dir);
      }
      for (const input of inside) schedule(input);
    });
    await new Promise<void>((resolve) => watcher?.once('ready', () => resolve()));
    if (!closed) poll = setInterval(compareStamps, POLL_MS);
    if (!closed) inFlight = warmUp();
  })();
  const warmedUp = ready.then(() => inFlight).catch(() => undefined);

  return {
    ready,
    warmedUp,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      if (poll) clearInterval(poll);
      await watcher?.close();
      // A rebuild under way finishes (and writes its editions) before close resolves.
      await inFlight;
      await (worker as EditionWorker | null)?.close();
    },
  };
}
