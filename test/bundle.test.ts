/**
 * The shipped command line is one bundle (dist/cli/letterpress.cjs, scripts/bundle.mjs) run by the
 * launcher (dist/cli/main.js) through a V8 code cache: its editions are the same bytes as the
 * modules', and the help pages the launcher prints without loading it are commander's own.
 * Three child processes: the bundle building the plain text of the seed letter with no code cache
 * (it writes one), then every edition from the cache, then the plain text over a damaged cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HelpPage, LaunchInfo } from '../src/cli/codeCache.js';
import { distReady, root, runCli, scratch } from './helpers.js';

const digests = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')]));

/** Run `work` as if this process wrote to terminals `columns` wide (commander wraps help to that). */
async function onTerminal(columns: number, work: () => Promise<{ stdout: string; stderr: string }>): Promise<{ stdout: string; stderr: string }> {
  const set = (tty: boolean, width: number | undefined) => {
    for (const stream of [process.stdout, process.stderr]) {
      Object.defineProperty(stream, 'isTTY', { value: tty, configurable: true });
      Object.defineProperty(stream, 'columns', { value: width, configurable: true });
    }
  };
  const was = { tty: process.stdout.isTTY, columns: process.stdout.columns };
  set(true, columns);
  try {
    const { stdout, stderr } = await work();
    return { stdout, stderr };
  } finally {
    set(was.tty, was.columns);
  }
}

describe('the bundled command line', () => {
  it('writes every edition of the seed letter byte for byte as the modules do, and keeps a code cache', async () => {
    distReady();
    const launch = JSON.parse(readFileSync(path.join(root, 'dist', 'cli', 'launch.json'), 'utf8')) as LaunchInfo;
    expect(existsSync(path.join(root, 'dist', 'cli', launch.bundle))).toBe(true);
    const cacheHome = scratch('letterpress-cache-');
    const bundled = scratch();
    // The child builds while this process builds the same letter from the modules.
    const bundle = (...args: string[]) => bundleIn(path.join(cacheHome, 'letterpress'), ...args);
    const bundleIn = (cacheDir: string, ...args: string[]) =>
      new Promise<{ status: number; stderr: string }>((resolve) =>
        execFile(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LETTERPRESS_CACHE_DIR: cacheDir, LETTERPRESS_BUNDLE: '', LETTERPRESS_CODE_CACHE: '' } }, (err, _stdout, stderr) =>
          resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
    // No code cache yet: the run writes one. The text edition is enough to load the whole bundle.
    const first = scratch();
    const child = bundle('build', 'letter.md', '-o', first, '-q', '-f', 'txt');
    // --no-cache: the cache folder is not written, not even the code cache.
    const untouched = path.join(scratch('letterpress-cache-'), 'letterpress');
    const uncached = bundleIn(untouched, 'build', 'letter.md', '-o', scratch(), '-q', '-f', 'txt', '--no-cache');
    const modules = scratch();
    const own = await runCli(['build', 'letter.md', '-o', modules, '-q']);
    const ran = await child;
    expect(await uncached).toEqual({ status: 0, stderr: '' });
    expect(existsSync(untouched) ? readdirSync(untouched) : []).toEqual([]);
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    // The run went through the bundle: it left its code cache, keyed by Node version and bundle.
    const cacheFile = path.join(cacheHome, 'letterpress', `code-${process.version}-${process.arch}-${launch.bundleHash.slice(0, 16)}.v8`);
    const codeCaches = () => readdirSync(path.dirname(cacheFile)).filter((f) => f.startsWith('code-')).map((f) => path.join(path.dirname(cacheFile), f));
    expect(codeCaches()).toEqual([cacheFile]);

    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    const expected = digests(modules);
    expect(Object.keys(expected)).toEqual(['letter.docx', 'letter.html', 'letter.manifest.json', 'letter.pdf', 'letter.txt']);
    expect(digests(first)['letter.txt']).toBe(expected['letter.txt']);

    // Every edition, run from the cache: the PDF's shaping loads HarfBuzz with import(), which a
    // script compiled from a code cache cannot do by itself on Node 20 (the launcher does it for the bundle).
    const fromCache = await bundle('build', 'letter.md', '-o', bundled, '-q');
    expect(fromCache.stderr).toBe('');
    expect(fromCache.status).toBe(0);
    expect(digests(bundled)).toEqual(expected);
    expect(codeCaches()).toEqual([cacheFile]);

    // A damaged cache (its header intact) is rejected and written again, never run: V8 would crash.
    const damaged = readFileSync(cacheFile);
    for (let i = 4096; i < damaged.length; i += 997) damaged[i] = (damaged[i] as number) ^ 0x5a;
    writeFileSync(cacheFile, damaged);
    const again = await bundle('build', 'letter.md', '-o', first, '-q', '-f', 'txt');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(readFileSync(cacheFile).equals(damaged)).toBe(false);
  });

  it('is ASCII, as the launcher reads it (Latin-1), with the non-ASCII characters of its regular expressions escaped', () => {
    distReady();
    const source = readFileSync(path.join(root, 'dist', 'cli', 'letterpress.cjs'));
    expect(source.findIndex((byte) => byte > 0x7f)).toBe(-1);
    // src/fonts/fontChain.ts: a curly quote inside a Latin word belongs to the word.
    expect(source.toString('latin1')).toContain('IN_WORD_QUOTE = /[\\u2018\\u2019');
  });

  it('prints, for every help page it answers without the program, what commander prints', async () => {
    distReady();
    const launch = JSON.parse(readFileSync(path.join(root, 'dist', 'cli', 'launch.json'), 'utf8')) as LaunchInfo;
    const keys = Object.keys(launch.help);
    // Every command and subcommand, each asked two ways at least.
    for (const key of ['--help', '-h', 'help', 'help build', 'build --help', 'signatories add --help', 'import-docx -h', 'serve --help']) expect(keys).toContain(key);
    for (const key of keys) {
      const { wide, ...page } = launch.help[key] as HelpPage;
      const live = await runCli(key.split(' '));
      expect({ key, ...page }).toEqual({ key, stdout: live.stdout, stderr: live.stderr, code: live.code });
      // Unwrapped: what commander prints on a terminal that wide.
      if (wide) expect({ key, stdout: wide.stdout, stderr: wide.stderr }).toEqual({ key, ...(await onTerminal(wide.width, () => runCli(key.split(' ')))) });
    }
    expect(Object.values(launch.help).filter((p) => p.wide).length).toBeGreaterThan(10);
    expect(launch.help['--help']?.stdout).toMatch(/^Usage: letterpress \[options\] \[command\]/);
  });
});
