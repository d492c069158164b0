/**
 * `npm run bench`: build times and peak memory, printed as a table.
 * - cold builds of the repository's letter: each edition alone and all three (child processes,
 *   median of 3 runs, wall time from process start);
 * - a watch-mode rebuild after a change to the signatory data (in process, warm);
 * - all three editions at 100 / 1,000 / 10,000 generated signatories (Latin, Chinese, Korean).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { signatoriesCsv } from './generate.js';
import { watch } from '../cli/watch.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const child = path.join(root, 'dist', 'bench', 'child.js');

interface Run {
  ms: number;
  maxRssMb: number;
  bytes: Record<string, number>;
}

function runChild(letter: string, formats: string, outDir: string): Run {
  const started = performance.now();
  const r = spawnSync(process.execPath, [child, letter, formats, outDir], { encoding: 'utf8', cwd: path.dirname(letter) });
  if (r.status !== 0) throw new Error(`bench build failed: ${r.stderr}`);
  const run = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Run;
  return { ...run, ms: performance.now() - started };
}

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor(sorted.length / 2)] as Run;
}

const rows: string[][] = [];
const row = (what: string, ms: number, rss: number | null, extra: string, target: string, ok: boolean | null) =>
  rows.push([what, `${ms.toFixed(0)} ms`, rss === null ? '' : `${rss.toFixed(0)} MB`, extra, target, ok === null ? '' : ok ? 'met' : 'NOT met']);

const work = mkdtempSync(path.join(tmpdir(), 'letterpress-bench-'));
const letter = path.join(work, 'letter.md');
cpSync(path.join(root, 'letter.md'), letter);
cpSync(path.join(root, 'signatories.yaml'), path.join(work, 'signatories.yaml'));
const out = path.join(work, 'out');

for (const formats of ['txt', 'pdf', 'docx']) {
  const m = median([1, 2, 3].map(() => runChild(letter, formats, out)));
  row(`cold build, ${formats} only`, m.ms, m.maxRssMb, formats === 'pdf' ? `PDF ${((m.bytes.pdf ?? 0) / 1024).toFixed(1)} KB` : '', '', null);
}
const all = median([1, 2, 3].map(() => runChild(letter, 'txt,pdf,docx', out)));
row('cold build, all three editions', all.ms, all.maxRssMb, '', '< 500 ms, < 250 MB', all.ms < 500 && all.maxRssMb < 250);
const pdfKb = (all.bytes.pdf ?? 0) / 1024;
rows.push(['PDF size', '', '', `${pdfKb.toFixed(1)} KB`, '< 150 KB', pdfKb < 150 ? 'met' : 'NOT met']);

// Watch mode: change the data file, wait for the rebuild of all three editions.
{
  const times: number[] = [];
  let resolveBuilt: (() => void) | null = null;
  const handle = watch(letter, { formats: ['txt', 'pdf', 'docx'], outDir: out }, {
    built: () => resolveBuilt?.(),
    failed: (err) => {
      throw err;
    },
  });
  await handle.ready;
  const data = path.join(work, 'signatories.yaml');
  const original = readFileSync(data, 'utf8');
  for (let i = 1; i <= 3; i++) {
    const built = new Promise<void>((resolve) => (resolveBuilt = resolve));
    const started = performance.now();
    writeFileSync(data, original.replace('individuals:', `  - name: Bench Organisation ${i}\n    country: Norway\nindividuals:`));
    await built;
    times.push(performance.now() - started);
  }
  await handle.close();
  const sorted = times.sort((a, b) => a - b);
  row('watch: rebuild after a data change (3 editions)', sorted[1] as number, process.resourceUsage().maxRSS / 1024, 'from file write to editions written', '< 150 ms', (sorted[1] as number) < 150);
}

for (const count of [100, 1000, 10000]) {
  const dir = mkdtempSync(path.join(tmpdir(), `letterpress-scale-${count}-`));
  writeFileSync(path.join(dir, 'signatories.csv'), signatoriesCsv(count));
  writeFileSync(path.join(dir, 'letter.md'), readFileSync(letter, 'utf8').replace('signatories: signatories.yaml', 'signatories: signatories.csv'));
  const run = runChild(path.join(dir, 'letter.md'), 'txt,pdf,docx', path.join(dir, 'out'));
  row(`${count.toLocaleString('en')} signatories, all three editions`, run.ms, run.maxRssMb, `PDF ${((run.bytes.pdf ?? 0) / 1024).toFixed(0)} KB`, count === 10000 ? '< 3 s' : '', count === 10000 ? run.ms < 3000 : null);
}

const header = ['measure', 'time', 'peak RSS', 'notes', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
process.stdout.write(`${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}\n`);
process.stdout.write(`\nnode ${process.version}, ${(await import('node:os')).cpus().length} cores; ${new Date().toISOString().slice(0, 10)}\n`);
