/**
 * `npm run bench`: the speed and size targets of the project (README), measured on the shipped
 * command (`bin.letterpress` of package.json), whole process, median of 5 runs, printed as a table
 * with the machine's load average at the start and the end.
 *
 * - cold, every edition of the seed letter, paired (alternate runs in one loop) with pandoc +
 *   xelatex making its three editions (PDF, Word, text; the commands in src/bench/others.ts and
 *   the README's benchmark section): wall time from spawn to exit, CPU time and peak RSS (read at
 *   exit by a one-line preload, so the command itself is unchanged);
 * - cold, the PDF alone, paired with Typst compiling a Typst source of the same letter with the
 *   same fonts (src/bench/typst.ts);
 * - the same after one signatory is added, a different organisation each run whose name has
 *   characters the letter does not (what the disk cache of set lines cannot have);
 * - the first build of a new project: the subset cache folder (LETTERPRESS_CACHE_DIR) new and
 *   empty at every run; every other row runs with one warmed cache folder;
 * - the same with `--check` (the read-back preflight), for information;
 * - `letterpress --version`, paired with `node -e 0`;
 * - `letterpress watch`: time from the write of the signatory file to the "Built" line the watch
 *   prints after writing every edition; the first rebuild of a watch process and the later ones;
 * - `letterpress serve`, warm: from the write of the signatory file to the page showing the new
 *   PDF in Chromium (src/bench/serve.ts), and to the page being told of it;
 * - every edition at 1,000 and 10,000 generated signatories (10,000 against pandoc's seed build;
 *   linearity as the ratio of the two);
 * - the sizes of the PDF and DOCX of the seed letter;
 * - `npm test`, once (skip with `--no-test`).
 *
 * A tool that is not installed is reported with how to install it, never given a figure.
 * `BENCH_RUNS=3 npm run bench` takes fewer runs per row.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { signatoriesCsv } from './generate.js';
import { measureServe } from './serve.js';
import { otherToolsProject, pandoc, typst, type Tool, type ToolRun } from './others.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { letterpress: string } };
const cli = path.join(root, pkg.bin.letterpress);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const withTests = !process.argv.includes('--no-test');

const work = mkdtempSync(path.join(tmpdir(), 'letterpress-bench-'));
const loadAtStart = loadavg();
/**
 * Preload that records the process's peak RSS and CPU time (user + system) when it exits
 * (CommonJS: loads in a few µs). CPU time is printed beside wall time: on a machine shared with
 * other work, wall time includes waiting for a core.
 */
const probe = path.join(work, 'rss-probe.cjs');
writeFileSync(
  probe,
  "process.on('exit', () => { const f = process.env.LETTERPRESS_BENCH_RSS; const u = process.resourceUsage(); if (f) require('fs').writeFileSync(f, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}`); });\n",
);

interface Run {
  ms: number;
  rssMb: number;
  cpuMs: number;
}

function readProbe(file: string): { rssMb: number; cpuMs: number } {
  const [rss, cpu] = readFileSync(file, 'utf8').split(' ').map(Number);
  rmSync(file);
  return { rssMb: (rss ?? 0) / 1024, cpuMs: cpu ?? 0 };
}

/** One run of the command in a fresh process: wall time from spawn to exit, peak RSS. */
function runCommand(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const rssFile = path.join(work, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--require', probe, cli, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...baseEnv, ...env, LETTERPRESS_BENCH_RSS: rssFile },
  });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`letterpress ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return { ms, ...readProbe(rssFile) };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function medianRun(args: string[], cwd: string, runs = RUNS): Run & { all: number[] } {
  const list = Array.from({ length: runs }, () => runCommand(args, cwd));
  return { ms: median(list.map((r) => r.ms)), rssMb: median(list.map((r) => r.rssMb)), cpuMs: median(list.map((r) => r.cpuMs)), all: list.map((r) => r.ms) };
}

/** CJK ideographs that `text` does not have, in code point order (names no cache has seen set). */
function newCharacters(text: string): string[] {
  const used = new Set(text);
  const found: string[] = [];
  for (let cp = 0x5000; cp < 0x9000 && found.length < 3 * RUNS; cp += 7) {
    const ch = String.fromCodePoint(cp);
    if (!used.has(ch)) found.push(ch);
  }
  return found;
}

const rows: string[][] = [];
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? 'met' : 'NOT met');
function row(what: string, value: string, cpuMs: number | null, rss: number | null, compared: string, target: string, ok: boolean | null, command: string): void {
  rows.push([what, value, cpuMs === null ? '' : fmtMs(cpuMs), rss === null ? '' : `${rss.toFixed(0)} MiB`, compared, target, verdict(ok), command]);
}

/** A copy of the seed letter and its data in a temporary folder, so the repository's out/ is not touched. */
function seedProject(name: string): string {
  const dir = path.join(work, name);
  cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
  cpSync(path.join(root, 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
  return dir;
}

// The subset cache (LETTERPRESS_CACHE_DIR): every row runs with a warmed cache folder except
// the "empty cache" row, which gives each run a new empty one.
const warmCache = path.join(work, 'cache');
const baseEnv = { ...process.env, LETTERPRESS_CACHE_DIR: warmCache };
const seed = seedProject('seed');
runCommand(['build', 'letter.md', '-q'], seed); // warms the cache

// The tools compared, on the same letter and fonts (src/bench/others.ts).
const others = otherToolsProject(root, path.join(work, 'others'));
const pandocTool = pandoc();
const typstTool = typst();
const missing = (tool: Tool) => `${tool.name}: not installed (${tool.install})`;

/** Our command and another tool's, alternately in one loop (paired: the same load for both). */
function paired(args: string[], cwd: string, tool: Tool): { ours: Run; theirs: ToolRun | null } {
  const ours: Run[] = [];
  const theirs: ToolRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(runCommand(args, cwd));
    if (tool.run) theirs.push(tool.run(others));
  }
  const med = (list: Array<number | null>) => (list.every((v) => v !== null) ? median(list as number[]) : null);
  return {
    ours: { ms: median(ours.map((r) => r.ms)), cpuMs: median(ours.map((r) => r.cpuMs)), rssMb: median(ours.map((r) => r.rssMb)) },
    theirs: theirs.length ? { ms: median(theirs.map((r) => r.ms)), cpuMs: med(theirs.map((r) => r.cpuMs)), rssMb: med(theirs.map((r) => r.rssMb)) } : null,
  };
}

const ratio = (ours: number, theirs: number | null | undefined) => (theirs ? ours / theirs : null);
const fmtRatio = (r: number | null, of: string) => (r === null ? '' : `${r.toFixed(2)}× ${of}`);
/** Wall-time ratio, and the CPU-time ratio beside it (steadier on a shared machine). */
const pairRatio = (ours: { ms: number; cpuMs: number }, theirs: ToolRun | null, of: string) => {
  const cpu = theirs?.cpuMs ? ` (CPU ${(ours.cpuMs / theirs.cpuMs).toFixed(2)}×)` : '';
  return `${fmtRatio(ratio(ours.ms, theirs?.ms), of)}${cpu}`;
};

// Cold builds of the seed letter: every edition against pandoc's three; the PDF against Typst.
const allEditions = paired(['build', 'letter.md', '-q'], seed, pandocTool);
const pandocSeed = allEditions.theirs;
{
  const r = ratio(allEditions.ours.ms, pandocSeed?.ms);
  row('cold, every edition of the seed letter', fmtMs(allEditions.ours.ms), allEditions.ours.cpuMs, allEditions.ours.rssMb,
    r === null ? missing(pandocTool) : pairRatio(allEditions.ours, pandocSeed, "pandoc's three"), '≤ 0.25× pandoc, ≤ 180 MiB',
    r === null ? null : r <= 0.25 && allEditions.ours.rssMb <= 180, 'letterpress build letter.md');
  if (pandocSeed) row("pandoc + xelatex, the seed letter's three editions", fmtMs(pandocSeed.ms), pandocSeed.cpuMs, pandocSeed.rssMb, '', '', null, 'the three pandoc commands of the README (pdf, docx, txt)');
}
{
  // The same, after the data changed: each run's signatory list gains another organisation, its
  // name in characters neither the letter nor the list has (nothing kept on disk has them set).
  const data = path.join(seed, 'signatories.yaml');
  const original = readFileSync(data, 'utf8');
  const fresh = newCharacters(readFileSync(path.join(seed, 'letter.md'), 'utf8') + original);
  const runs = Array.from({ length: RUNS }, (_, i) => {
    const name = `${fresh.slice(3 * i, 3 * i + 3).join('')}人权协会 (Bench Rights ${i + 1})`;
    writeFileSync(data, original.replace('organizations:\n', `organizations:\n  - name: '${name}'\n    country: Japan\n`));
    return runCommand(['build', 'letter.md', '-q'], seed);
  });
  writeFileSync(data, original);
  const ms = median(runs.map((r) => r.ms));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  row('cold, every edition, after one signatory added (new characters)', fmtMs(ms), cpuMs, median(runs.map((r) => r.rssMb)),
    pandocSeed ? pairRatio({ ms, cpuMs }, pandocSeed, "pandoc's three (its runs above)") : missing(pandocTool), '(reported)', null, 'letterpress build letter.md, signatories.yaml with one more name each run');
}
{
  const pdfAlone = paired(['build', 'letter.md', '-q', '-f', 'pdf'], seed, typstTool);
  const r = ratio(pdfAlone.ours.ms, pdfAlone.theirs?.ms);
  row('cold, PDF alone', fmtMs(pdfAlone.ours.ms), pdfAlone.ours.cpuMs, pdfAlone.ours.rssMb,
    r === null ? missing(typstTool) : pairRatio(pdfAlone.ours, pdfAlone.theirs, 'Typst'), '≤ 2× Typst (moonshot 1×)', r === null ? null : r <= 2, 'letterpress build letter.md -f pdf');
  if (pdfAlone.theirs) row('Typst, the seed letter as PDF', fmtMs(pdfAlone.theirs.ms), pdfAlone.theirs.cpuMs, pdfAlone.theirs.rssMb, '', '', null, 'typst compile --font-path fonts letter.typ letter.pdf');
}
{
  // A new project: the subset cache folder empty at every run.
  const runs = Array.from({ length: RUNS }, () => runCommand(['build', 'letter.md', '-q'], seed, { LETTERPRESS_CACHE_DIR: mkdtempSync(path.join(work, 'empty-cache-')) }));
  const ms = median(runs.map((r) => r.ms));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  row('cold, every edition, empty cache (first build of a new project)', fmtMs(ms), cpuMs, median(runs.map((r) => r.rssMb)),
    pandocSeed ? pairRatio({ ms, cpuMs }, pandocSeed, "pandoc's three") : missing(pandocTool), '(reported)', null, 'LETTERPRESS_CACHE_DIR=(new empty folder) letterpress build letter.md');
}
try {
  const checked = medianRun(['build', 'letter.md', '-q', '--check'], seed);
  row('cold, every edition, with read-back preflight', fmtMs(checked.ms), checked.cpuMs, checked.rssMb, '', '', null, 'letterpress build letter.md --check');
} catch (err) {
  row('cold, every edition, with read-back preflight', 'n/a', null, null, '', '', null, `(${(err as Error).message.split('\n')[1] ?? 'failed'})`);
}
const pdfKb = statSync(path.join(seed, 'out', 'letter.pdf')).size / 1024;
const docxKb = statSync(path.join(seed, 'out', 'letter.docx')).size / 1024;

{
  // --version against Node starting with nothing to do, alternately.
  const ours: Run[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(runCommand(['--version'], seed));
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - started);
  }
  const ms = median(ours.map((r) => r.ms));
  const r = ms / median(bare);
  row('--version', fmtMs(ms), median(ours.map((r) => r.cpuMs)), median(ours.map((r) => r.rssMb)), fmtRatio(r, 'node -e 0'), '≤ 1.2× node -e 0', r <= 1.2, 'letterpress --version');
  row('(Node starting, nothing else)', fmtMs(median(bare)), null, null, '', '', null, 'node -e 0');
}

// Watch: a watch process per run; the first rebuild after it started, then steady rebuilds.
interface WatchTimes {
  first: number;
  steady: number[];
  rssMb: number;
}

async function watchRun(index: number, rebuilds: number): Promise<WatchTimes> {
  const dir = seedProject(`watch-${index}`);
  const data = path.join(dir, 'signatories.yaml');
  const original = readFileSync(data, 'utf8');
  const rssFile = path.join(work, `rss-watch-${index}`);
  const child = spawn(process.execPath, ['--require', probe, cli, 'watch', 'letter.md'], {
    cwd: dir,
    env: { ...baseEnv, LETTERPRESS_BENCH_RSS: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffer = '';
  let waiting: { marker: RegExp; resolve: () => void } | null = null;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    if (waiting && waiting.marker.test(buffer)) {
      buffer = '';
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const until = (marker: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch: no ${marker} after 60 s\n${buffer}${stderr}`)), 60_000);
      waiting = { marker, resolve: () => (clearTimeout(timer), resolve()) };
      if (marker.test(buffer)) {
        buffer = '';
        waiting = null;
        clearTimeout(timer);
        resolve();
      }
    });
  await until(/Watching for changes/);
  await new Promise((r) => setTimeout(r, 300)); // let the process settle, as a user's would
  const times: number[] = [];
  for (let i = 1; i <= rebuilds + 1; i++) {
    const built = until(/Built \d+ edition/);
    const started = performance.now();
    writeFileSync(data, original.replace('individuals:', `  - name: Bench Organisation ${index}-${i}\n    country: Norway\nindividuals:`));
    await built;
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 150));
  }
  child.kill('SIGINT');
  await exited;
  const { rssMb } = readProbe(rssFile);
  return { first: times[0] as number, steady: times.slice(1), rssMb };
}

{
  const runs: WatchTimes[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await watchRun(i, 4));
  const first = median(runs.map((r) => r.first));
  const steady = median(runs.flatMap((r) => r.steady));
  const rss = median(runs.map((r) => r.rssMb));
  row('warm rebuild after one signatory change: the first of a watch process', fmtMs(first), null, null, '', '≤ 120 ms, every edition written', first <= 120, 'letterpress watch letter.md; edit signatories.yaml');
  row('warm rebuild after one signatory change: later ones', fmtMs(steady), null, rss, '', '≤ 120 ms, every edition written', steady <= 120, 'letterpress watch letter.md; edit signatories.yaml');
}

// The preview page: a figure, measured in Chromium when it is installed.
{
  const times = await measureServe(cli, seedProject('serve'), RUNS);
  const shown = times.shown ? median(times.shown) : null;
  row(
    'serve: data edit → new PDF shown in the page (warm)',
    shown === null ? 'n/a' : fmtMs(shown),
    null,
    null,
    '',
    '≤ 300 ms',
    shown === null ? null : shown <= 300,
    `letterpress serve; edit signatories.yaml (${times.note}${times.detected ? `; Playwright noticed it after ${fmtMs(median(times.detected.shown))}` : ''})`,
  );
  row('serve: data edit → page told of the new PDF (warm)', fmtMs(median(times.announced)), null, null, '', '', null, `server build ${fmtMs(median(times.buildMs))} of it, every edition`);
}

// Scale: generated signatory lists, every edition; 10,000 against pandoc's seed build, and
// linearity: 10,000 names should take no more than ten times what 1,000 take.
{
  const scale = new Map<number, Run>();
  for (const count of [1000, 10000]) {
    const dir = path.join(work, `scale-${count}`);
    cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
    writeFileSync(path.join(dir, 'signatories.csv'), signatoriesCsv(count));
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('signatories: signatories.yaml', 'signatories: signatories.csv'));
    const run = medianRun(['build', 'letter.md', '-q'], dir, count === 10000 ? Math.min(RUNS, 3) : RUNS);
    scale.set(count, run);
    const kb = statSync(path.join(dir, 'out', 'letter.pdf')).size / 1024;
    const r = ratio(run.ms, pandocSeed?.ms);
    const small = scale.get(1000);
    const linear = count === 10000 && small ? run.ms / small.ms : null;
    row(
      `${count.toLocaleString('en')} signatories, every edition (PDF ${kb.toFixed(0)} KB)`,
      fmtMs(run.ms),
      run.cpuMs,
      run.rssMb,
      [r === null ? missing(pandocTool) : pairRatio(run, pandocSeed, "pandoc's seed build"), linear === null ? '' : `${linear.toFixed(1)}× 1,000`].filter(Boolean).join('; '),
      count === 10000 ? "≤ 1.15× pandoc's seed build; ≤ 10× 1,000" : '',
      count === 10000 && r !== null ? r <= 1.15 && (linear ?? 0) <= 10 : null,
      'letterpress build letter.md (generated signatories.csv)',
    );
  }
}

// Import: a 10,000-row sign-up sheet (semicolons, a contact column, day-first dates) into the seed list.
{
  const dir = seedProject('import-10000');
  const rows = signatoriesCsv(11_765) // 85 % organisations: 10,000 rows
    .split('\n')
    .slice(1)
    .filter((l) => l.startsWith('organization,'))
    .map((l, i) => `${l.split(',')[1]};Country ${i % 40};contact${i}@example.org;${(i % 28) + 1}/10/2023`);
  writeFileSync(path.join(dir, 'signups.csv'), `Organisation;Country;Contact email;Date signed\n${rows.join('\n')}\n`);
  const dry = medianRun(['signatories', 'import', 'signups.csv', '--dry-run'], dir);
  const real = runCommand(['signatories', 'import', 'signups.csv'], dir);
  row(`signatories import --dry-run, ${rows.length.toLocaleString('en')} rows`, fmtMs(dry.ms), dry.cpuMs, dry.rssMb, '', '≤ 3 s', dry.ms <= 3000, 'letterpress signatories import signups.csv --dry-run');
  row(`signatories import, ${rows.length.toLocaleString('en')} rows (one edit)`, fmtMs(real.ms), real.cpuMs, real.rssMb, '', '≤ 5 s', real.ms <= 5000, 'letterpress signatories import signups.csv');
}

row('PDF of the seed letter', `${pdfKb.toFixed(1)} KB`, null, null, '', '≤ 160 KB', pdfKb <= 160, 'out/letter.pdf');
row('DOCX of the seed letter', `${docxKb.toFixed(1)} KB`, null, null, '', '', null, 'out/letter.docx');

if (withTests) {
  // One run: the whole suite is too long to repeat five times.
  const started = performance.now();
  const r = spawnSync('npm', ['test', '--silent'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  row('npm test (one run)', fmtMs(ms), null, null, '', '< 60 s', r.status === 0 && ms < 60_000, 'npm test');
  if (r.status !== 0) process.stderr.write(`npm test failed:\n${r.stdout.slice(-4000)}${r.stderr.slice(-2000)}\n`);
}

rmSync(work, { recursive: true, force: true });

const header = ['measure', 'wall', 'CPU', 'peak RSS', 'paired ratio', 'target', '', 'command'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
process.stdout.write(`${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.map(line).join('\n')}\n`);
const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' ');
process.stdout.write(
  `\nWhole process, median of ${RUNS} runs (10,000 signatories: at most 3; npm test: one run); paired rows alternate the two commands in one loop. ` +
    `node ${process.version}, ${cpus().length} cores; load average (1, 5, 15 min) at the start ${load(loadAtStart)}, at the end ${load(loadavg())}; ` +
    `${[pandocTool, typstTool].map((t) => t.version ?? missing(t)).join('; ')}; ${new Date().toISOString().slice(0, 16)}Z\n`,
);
