/**
 * What the launcher (main.ts) needs and nothing more (Node built-ins only): the help pages taken
 * at compile time, and the one-file bundle of the command line compiled through `vm.Script` with
 * a V8 code cache, so that a start skips parsing and compiling what an earlier run compiled.
 *
 * The cache is one file per Node version, architecture and bundle (its sha256, from
 * launch.json) in letterpress's cache folder (`$LETTERPRESS_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/letterpress`, else `~/.cache/letterpress`: src/io/diskCache.ts), or, where that
 * cannot be written, in `node_modules/.cache/letterpress`
 * beside the package. It is written, atomically, after a run that had none, or a small one, or
 * one V8 rejected (other V8 flags, another Node build, a damaged file); a missing, rejected or
 * unwritable cache only costs the compile. `LETTERPRESS_CODE_CACHE=0`, and a command's `--no-cache`
 * (which promises the cache folder is neither read nor written), neither read nor write it; `LETTERPRESS_BUNDLE=0`
 * runs the modules of dist/ instead of the bundle.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFolder } from '../io/diskCache.js';
import { makeFolder } from '../io/folders.js';
import v8 from 'node:v8';
import vm from 'node:vm';

/** What one help request prints, and its exit code: commander's output, as it was at compile time. */
export interface HelpPage {
  stdout: string;
  stderr: string;
  code: number;
  /** The page unwrapped, as commander prints it on a terminal at least `width` columns wide. */
  wide?: { stdout: string; stderr: string; width: number };
}

/** dist/cli/launch.json, written by scripts/bundle.mjs. */
export interface LaunchInfo {
  bundle: string;
  bundleHash: string;
  /** By the arguments joined with spaces (`build --help`). */
  help: Record<string, HelpPage>;
}

type Start = (args: string[]) => Promise<void>;

/** launch.json, or null when only tsc compiled dist/ (then the launcher runs the modules). */
export function launchInfo(url: URL): LaunchInfo | null {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as LaunchInfo;
  } catch {
    return null;
  }
}

/**
 * The help page for these arguments as commander would print it here, or null to let commander
 * print it. commander wraps help to a terminal's width (80 columns when not a terminal): the
 * pages were taken at 80 columns and unwrapped, so a terminal of a width in between gets
 * commander's own output.
 */
export function helpPage(launch: LaunchInfo, args: readonly string[]): Omit<HelpPage, 'wide'> | null {
  if (args.some((a) => a.includes(' '))) return null;
  const key = args.join(' ');
  if (!Object.hasOwn(launch.help, key)) return null;
  const page = launch.help[key] as HelpPage;
  const widths = [page.stdout !== '' ? process.stdout : null, page.stderr !== '' ? process.stderr : null].flatMap((s) => (s ? [s.isTTY ? s.columns : 80] : []));
  if (widths.every((w) => w === 80)) return page;
  if (page.wide === undefined) return widths.every((w) => w >= 80) && widest(page) <= Math.min(...widths) ? page : null;
  if (widths.every((w) => w >= (page.wide as { width: number }).width)) return { ...page.wide, code: page.code };
  return null;
}

/** The longest line of a page (commander counts characters). */
function widest(page: { stdout: string; stderr: string }): number {
  return Math.max(...`${page.stdout}\n${page.stderr}`.split('\n').map((line) => line.length));
}

/**
 * V8 settings that measured better for every build size (docs/BENCHMARKS.md):
 * - WebAssembly (hb-subset, making the Word copy's font subsets) compiled by the baseline
 *   compiler only — the optimising recompilation it would start in the background costs more
 *   than it ever saves in a run this short (seed letter −0.44 s CPU, 10,000 signatories −0.78 s);
 * - JavaScript handed to the optimising compiler (TurboFan) only after about six times the
 *   default amount of interpreted work (interrupt budget 400,000 bytes of bytecode, V8's default
 *   67,584): a build optimised ~95 functions that ran a few times each and were compiled at a
 *   cost they never earned back; code that really is hot (10,000 names, a watch process's
 *   rebuilds) is still optimised, a little later (seed letter −0.33 s CPU, 10,000 signatories
 *   −0.3 s, watch rebuilds faster too). A settings flag read as functions warm up, so setting it
 *   here, before the bundle runs, covers all of letterpress's code.
 */
export function tuneV8(): void {
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--interrupt-budget=400000');
}

/**
 * Where the code cache may be: letterpress's cache folder first (the one the font subsets use:
 * $LETTERPRESS_CACHE_DIR, $XDG_CACHE_HOME/letterpress or ~/.cache/letterpress), then
 * node_modules/.cache beside the package.
 */
function cacheDirs(bundleFile: string): string[] {
  const dirs: string[] = [];
  try {
    dirs.push(cacheFolder());
  } catch {
    // no home folder: only the package's own
  }
  // dist/cli/letterpress.cjs → <package>/node_modules/.cache, or <node_modules>/.cache when installed.
  const pkg = path.resolve(path.dirname(bundleFile), '..', '..');
  dirs.push(path.basename(path.dirname(pkg)) === 'node_modules' ? path.join(path.dirname(pkg), '.cache', 'letterpress') : path.join(pkg, 'node_modules', '.cache', 'letterpress'));
  return dirs;
}

function readCache(dirs: string[], name: string): Buffer | undefined {
  for (const dir of dirs) {
    try {
      return readFileSync(path.join(dir, name));
    } catch {
      // not there: the next folder, or none
    }
  }
  return undefined;
}

/** Write the cache into the first folder that takes it, whole (a rename), or nowhere. */
function writeCache(dirs: string[], name: string, data: Buffer): void {
  for (const dir of dirs) {
    const temp = path.join(dir, `${name}.${process.pid}.tmp`);
    try {
      // The user's own, as the font subsets beside it (src/io/diskCache.ts): V8 runs what it holds.
      makeFolder(dir, 0o700);
      writeFileSync(temp, data, { flag: 'wx', mode: 0o600 });
      renameSync(temp, path.join(dir, name));
      return;
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // no folder to leave it in
      }
    }
  }
}

/** What the bundle exports (src/cli/start.ts). */
export interface BundleExports {
  start?: Start;
  /** The edition worker's program (src/build/worker/thread.ts), for a worker started from the bundle. */
  serveEditions?: () => Promise<void>;
  /** Whether the run started an edition worker. */
  ranAWorker?: () => boolean;
}

/** The bundle, run through the code cache, and what to do with the cache after the run. */
interface CompiledBundle {
  exports: BundleExports;
  script: vm.Script;
  /** The cache is missing or was rejected: write it after the run. */
  write: boolean;
  /** The cache held little of the program: write it again if the run compiled much more. */
  partial: Buffer | null;
  dirs: string[];
  name: string;
}

/**
 * Compile and run the bundle with the code cache when there is one; null when the bundle cannot
 * run here (not built, or a Node that cannot `require()` an ES module, as the bundle does pdf.js:
 * before 20.19): then the modules of dist/ run instead. The bundle itself never calls `import()`
 * (scripts/bundle.mjs hands that to the launcher), so the script needs no dynamic-import callback.
 */
export function compileBundle(launch: LaunchInfo, url: URL, options: { cache?: boolean } = {}): CompiledBundle | null {
  if (process.features.require_module !== true || process.env['LETTERPRESS_BUNDLE'] === '0') return null;
  const file = fileURLToPath(url);
  let source: string;
  try {
    // ASCII (scripts/bundle.mjs escapes the rest), so read as Latin-1: no UTF-8 to decode.
    source = readFileSync(file, 'latin1');
  } catch {
    return null;
  }
  const useCache = options.cache !== false && process.env['LETTERPRESS_CODE_CACHE'] !== '0';
  const dirs = cacheDirs(file);
  const name = `code-${process.version}-${process.arch}-${launch.bundleHash.slice(0, 16)}.v8`;
  // A release build of V8 trusts a code cache whose header is right: a damaged payload crashes the
  // process, at every start. With checksums on, V8 writes one into the cache and rejects a cache
  // whose payload does not match it (then it is compiled and written again).
  if (useCache) v8.setFlagsFromString('--verify-snapshot-checksum');
  const cachedData = useCache ? readCache(dirs, name) : undefined;
  // CommonJS's own wrapper, on the bundle's first line (its line numbers stay as they are).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __importExternal) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const write = useCache && (cachedData === undefined || script.cachedDataRejected === true);
  // A cache written by a small run (a usage error, `init`, a list) holds little of the program:
  // under half the bundle's size, a later run that compiled more writes it again.
  const partial = !write && cachedData !== undefined && cachedData.length < source.length / 2 ? cachedData : null;
  const wrapper = script.runInThisContext() as (
    exports: object,
    require: NodeJS.Require,
    module: { exports: object },
    filename: string,
    dirname: string,
    importExternal: (specifier: string) => Promise<unknown>,
  ) => void;
  const module = { exports: {} as BundleExports };
  // The bundle's import() of an external package (scripts/bundle.mjs), from this module: a script
  // compiled from a code cache has no dynamic-import callback of its own on Node 20.
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file), (specifier) => import(specifier));
  return { exports: module.exports, script, write, partial, dirs, name };
}

/**
 * The bundle's `start`, compiled with the code cache when there is one (compileBundle); after
 * the run, the cache is written when it was missing, rejected or small.
 */
export function loadBundle(launch: LaunchInfo, url: URL, options: { cache?: boolean } = {}): Start | null {
  const compiled = compileBundle(launch, url, options);
  const start = compiled?.exports.start;
  if (!compiled || typeof start !== 'function') return null;
  const { script, write, partial, dirs, name } = compiled;
  return async (args) => {
    await start(args);
    // A run that made editions in a worker thread compiled none of their code here: a later run
    // without one would find it missing (a long list's build, then the seed letter's: +0.07 s).
    if (compiled.exports.ranAWorker?.() === true) return;
    // After the run, so the cache holds the functions this run compiled, not only the top level.
    if (write) writeCache(dirs, name, script.createCachedData());
    else if (partial) {
      const data = script.createCachedData();
      if (data.length > partial.length * 1.2) writeCache(dirs, name, data);
    }
  };
}
