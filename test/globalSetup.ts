/**
 * Once per `vitest run`: every test file, and every letterpress process a test starts, gets one
 * private temporary folder (TMPDIR) instead of the system's. At the end the folder is removed,
 * and anything still in it is a test that did not clean up after itself: the run fails naming it.
 *
 * Under `npm test` (LETTERPRESS_TEST_COMPILE=1) the TypeScript compile (`tsc -p tsconfig.json`,
 * type check and dist/, through tsgo: compiler() below) runs here, beside the test files instead of
 * before them: it takes one core for ~4 s on a fresh clone (tsc: ~16 s), and most files do not need dist/. Those that run the compiled
 * command wait for it (distReady() in test/helpers.ts); a type error fails the run, printed here.
 * The compile ends with the command line's bundle (scripts/bundle.mjs, ~1 s), as `npm run compile`
 * does; the commands the tests start keep their V8 code cache in the run's folder (XDG_CACHE_HOME),
 * never in the user's.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The file in the run's folder that says the compile ended, and how (read by distReady()). */
export const COMPILED = '.compiled.json';
/** The compile's priority beside the test workers' (nice steps), where a process may be raised. */
const COMPILE_NICE = -5;
/** The run's cache folder (the code cache of the commands the tests start). */
const CACHE = '.cache';

/**
 * The compiler of the test run: TypeScript's native port (tsgo, @typescript/native-preview), which
 * type-checks the same tsconfig and writes the same JavaScript as tsc (every .js of dist/ byte for
 * byte; the declarations differ only in quote style and the order of union members) in about a
 * fifth of tsc's CPU time (~3 s instead of ~16 s on a fresh clone). Where its native binary is
 * missing (a platform it has none for), tsc, as `npm run compile` always uses.
 */
function compiler(): { args: string[]; env: NodeJS.ProcessEnv } {
  const tsgo = path.join(root, 'node_modules', '@typescript', 'native-preview', 'bin', 'tsgo');
  const binary = path.join(root, 'node_modules', '@typescript', `native-preview-${process.platform}-${process.arch}`);
  if (!existsSync(tsgo) || !existsSync(binary)) return { args: [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')], env: process.env };
  // One thread, and Go's garbage collector only near 1 GiB (the compile peaks at ~300 MB): the
  // least CPU (~1.8 s instead of ~3.2 s with its defaults), and no more wall on a shared 2-core machine.
  return { args: [tsgo, '--singleThreaded'], env: { ...process.env, GOGC: 'off', GOMEMLIMIT: '1GiB' } };
}

export default function setup(): () => Promise<void> {
  const previous = process.env.TMPDIR;
  const runTmp = mkdtempSync(path.join(tmpdir(), 'letterpress-test-run-'));
  process.env.TMPDIR = runTmp; // inherited by the test workers, started after this
  // The caches of the run (never the user's cache folder), removed at the end: the code cache
  // under XDG_CACHE_HOME, the font subset cache in LETTERPRESS_CACHE_DIR.
  const previousXdg = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = path.join(runTmp, CACHE);
  const cacheDir = path.join(runTmp, 'cache');
  const previousCache = process.env.LETTERPRESS_CACHE_DIR;
  process.env.LETTERPRESS_CACHE_DIR = cacheDir;
  let compiled: Promise<{ ok: boolean; output: string }> | undefined;
  if (process.env.LETTERPRESS_TEST_COMPILE === '1') {
    const marker = path.join(runTmp, COMPILED);
    process.env.LETTERPRESS_COMPILED = marker; // the workers wait for this file
    compiled = new Promise((resolve) => {
      // What `npm run compile` does: the program, the preview page's browser modules, the bundle.
      const node = (args: string[], env = process.env) =>
        new Promise<{ ok: boolean; output: string }>((done) => {
          const child = execFile(process.execPath, args, { cwd: root, encoding: 'utf8', env }, (err, stdout, stderr) => done({ ok: !err, output: `${stdout}${stderr}` }));
          // The files waiting for dist/ wait on the compile: it goes ahead of the test workers on
          // the cores (5 nice steps up; its own children inherit it) where the system allows a process to
          // be raised (root, as CI runs). Elsewhere it shares the cores equally, as before.
          try {
            if (child.pid !== undefined) setPriority(child.pid, Math.max(-20, getPriority() + COMPILE_NICE));
          } catch {
            // not allowed: the compile keeps the default priority
          }
        });
      const tsc = (project: string) => {
        const { args, env } = compiler();
        return node([...args, '-p', project], env);
      };
      void (async () => {
        // The page's modules do not depend on the program's output: both compile at once.
        const [program, client] = await Promise.all([tsc('tsconfig.json'), tsc('tsconfig.client.json')]);
        const bundle = program.ok && client.ok ? await node([path.join(root, 'scripts', 'bundle.mjs')]) : { ok: true, output: '' };
        const result = { ok: program.ok && client.ok && bundle.ok, output: `${program.output}${client.output}${bundle.output}` };
        writeFileSync(`${marker}.tmp`, JSON.stringify(result));
        renameSync(`${marker}.tmp`, marker); // whole, never half written
        resolve(result);
      })();
    });
  }
  return async () => {
    const compile = await compiled;
    rmSync(path.join(runTmp, COMPILED), { force: true });
    rmSync(path.join(runTmp, CACHE), { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
    if (previousCache === undefined) delete process.env.LETTERPRESS_CACHE_DIR;
    else process.env.LETTERPRESS_CACHE_DIR = previousCache;
    const left = readdirSync(runTmp);
    rmSync(runTmp, { recursive: true, force: true });
    if (previousXdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousXdg;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (compile && !compile.ok) {
      process.stderr.write(`\nThe compile (tsc -p tsconfig.json, tsconfig.client.json, scripts/bundle.mjs) failed:\n${compile.output}\n`);
      process.exitCode = 1;
    }
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: fail the run through the exit code.
      process.stderr.write(`\nTests left ${left.length} temporary entr${left.length === 1 ? 'y' : 'ies'} behind (make them with scratch() from test/helpers.ts): ${left.join(', ')}\n`);
      process.exitCode = 1;
    }
  };
}
