import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/** Run the compiled CLI as its own process (npm test compiles first): for what only a process shows. */
export function runCliProcess(args: string[], cwd = root, env: NodeJS.ProcessEnv = {}): CliRun {
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
