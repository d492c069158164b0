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

/** Run the compiled CLI (npm test compiles first). */
export function runCli(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), ...args], { cwd, encoding: 'utf8' });
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
