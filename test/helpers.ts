import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const fixture = (...parts: string[]) => path.join(root, 'test', 'fixtures', ...parts);
export const sourceLetter = () => readFileSync(fixture('source', 'letter-2023-09-21.zh.txt'), 'utf8');

const scratchDirs: string[] = [];

/** A new empty folder in the temp folder, removed after the test file (test/setup.ts). */
export function scratch(prefix = 'letterpress-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** Remove every folder `scratch` made in this test file. */
export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Bytes as one hex string, for comparing file contents: equal strings are equal bytes, compared in
 * one step. A Buffer given to toEqual is compared byte by byte through vitest's iterable equality
 * (~10 µs a byte: seconds for a font subset).
 */
export const hex = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');

/** Count every Han character of `text`. */
export function hanCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [ch] of text.matchAll(/\p{Script=Han}/gu)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return counts;
}

/** Differences between two Han count maps, as "字: expected n, got m" lines (empty when equal). */
export function hanDifferences(expected: Map<string, number>, actual: Map<string, number>): string[] {
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  return [...keys]
    .filter((k) => (expected.get(k) ?? 0) !== (actual.get(k) ?? 0))
    .map((k) => `${k}: expected ${expected.get(k) ?? 0}, got ${actual.get(k) ?? 0}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI in this process, through its entry function, as `letterpress ARGS` in `cwd`. */
export async function runCli(args: string[], cwd = root): Promise<CliRun> {
  const { runCli: run } = await import('../src/cli/program.js');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(args, { cwd, stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) } });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/**
 * Wait until dist/ is compiled. Under `npm test` the compile runs beside the tests (test/globalSetup.ts);
 * run alone (`npx vitest run`), dist/ is taken as it is, as compiled before. Throws when tsc failed.
 */
export function distReady(): void {
  const marker = process.env.LETTERPRESS_COMPILED;
  if (!marker) return;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 300_000;
  while (!existsSync(marker)) {
    if (Date.now() > deadline) throw new Error('tsc -p tsconfig.json has not finished after 300 s');
    Atomics.wait(sleeper, 0, 0, 50);
  }
  const { ok, output } = JSON.parse(readFileSync(marker, 'utf8')) as { ok: boolean; output: string };
  if (!ok) throw new Error(`dist/ is not compiled: tsc -p tsconfig.json failed:\n${output}`);
}

/** Run the compiled CLI as its own process (npm test compiles it): for what only a process shows. */
export function runCliProcess(args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): CliRun {
  distReady();
  const result = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The source's signatory names in the source's order (the expected sort order). */
export function sourceSignatoryOrder(): { organizations: string[]; individuals: string[] } {
  const lines = sourceLetter().split('\n').map((l) => l.trim());
  const start = lines.indexOf('组织');
  const split = lines.indexOf('个人');
  const pick = (from: number, to: number) =>
    lines
      .slice(from + 1, to)
      .filter((l) => l !== '' && !/^[¹²³⁴⁵⁶⁷⁸⁹⁰]/.test(l))
      .map((l) => l.split(' / ')[0] as string);
  return { organizations: pick(start, split), individuals: pick(split, lines.length) };
}

/** Every file and link under `dir`: relative path → type, mode, owner, content hash or link target. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = path.join(rel, name);
      const st = lstatSync(path.join(dir, r));
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(path.join(dir, r))}`);
      else if (st.isDirectory()) {
        out.set(r, `dir:${(st.mode & 0o7777).toString(8)}`);
        walk(r);
      } else if (!st.isFile() || st.size > 64 * 1024 * 1024) out.set(r, `special:${st.mode.toString(8)}:${st.size}:${st.ino}`);
      else out.set(r, `file:${(st.mode & 0o777).toString(8)}:${st.uid}:${createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex')}`);
    }
  };
  walk('');
  return out;
}

export function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

/**
 * A line that starts with a character kept off line starts (NOT_AT_LINE_START), other than the dot
 * of a host name that the line before broke before (Chicago 14.18: english|.kyodonews.net).
 */
export function startsAgainstRule(text: string, previous: string | undefined, notAtStart: ReadonlySet<string>): boolean {
  if (!notAtStart.has([...text][0] ?? '')) return false;
  return !(/^\.[\p{L}\p{N}]/u.test(text) && /:\/\/[\p{L}\p{N}.-]*[\p{L}\p{N}]$/u.test(previous ?? ''));
}
