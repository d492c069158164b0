/**
 * `node dist/bench/floor.js` (after `npm run compile`): the floor of a cold build of every
 * edition of the seed letter on this stack (Node, V8, pdfkit, fontkit, HarfBuzz, docx, fflate) —
 * what a build would cost with nothing left to load, compile or warm, and where that time goes.
 *
 * 1. Whole processes, median of RUNS (wall, CPU, peak RSS): `node -e 0` (a bare Node start); the
 *    launcher with the bundle compiled from its code cache and nothing built (`build --no-such-option`:
 *    start-up and module loading); the real cold build (every cache on disk warm).
 * 2. In this process, the build's steps one by one (load and parse the letter, the frame, the PDF
 *    laid out and drawn, the Word copy, HTML, text; writing excluded): once cold (first use of the
 *    code: lazy compilation, JIT warm-up), then RUNS times warm with every in-memory memo emptied
 *    but the open fonts and HarfBuzz's copies of them, so each run does the whole work again.
 * The floor is a bare Node start plus the warm build: the least a new process could take if
 * module loading and warm-up were free (a perfect start-up snapshot) — what no tuning of loading
 * can go below without doing less work per build.
 *
 * BENCH_RUNS (default 5) runs per figure; LETTERPRESS_CACHE_DIR is a temporary folder, warmed first.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const work = mkdtempSync(path.join(tmpdir(), 'letterpress-floor-'));
const project = path.join(work, 'seed');
for (const name of ['letter.md', 'signatories.yaml']) cpSync(path.join(root, name), path.join(project, name), { dereference: true });
process.env['LETTERPRESS_CACHE_DIR'] = path.join(work, 'cache');
const loadAtStart = loadavg();

interface Figure {
  ms: number;
  cpuMs: number;
  rssMb?: number;
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const medianOf = (figures: Figure[]): Figure => ({
  ms: median(figures.map((f) => f.ms)),
  cpuMs: median(figures.map((f) => f.cpuMs)),
  ...(figures[0]?.rssMb !== undefined ? { rssMb: median(figures.map((f) => f.rssMb ?? 0)) } : {}),
});

// ── 1. Whole processes ─────────────────────────────────────────────────────────────────────────

/** Records the child's CPU time and peak RSS at exit (CommonJS: loads in microseconds). */
const probe = path.join(work, 'probe.cjs');
writeFileSync(probe, "process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(process.env.FLOOR_PROBE, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}`); });\n");

function spawnFigure(args: string[], expectCode = 0): Figure {
  const out = path.join(work, `probe-${Math.random().toString(36).slice(2)}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--require', probe, ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, FLOOR_PROBE: out } });
  const ms = performance.now() - started;
  if (run.status !== expectCode) throw new Error(`node ${args.join(' ')} exited ${run.status}:\n${run.stdout}${run.stderr}`);
  const [rss, cpu] = readFileSync(out, 'utf8').split(' ').map(Number);
  rmSync(out);
  return { ms, cpuMs: cpu ?? 0, rssMb: (rss ?? 0) / 1024 };
}

// Warm the disk caches (font subsets, deflated fonts, code cache) and the file system.
spawnFigure([cli, 'build', 'letter.md', '-q']);
spawnFigure([cli, 'build', 'letter.md', '-q']);
// The set lines kept on disk are keyed by the code's version, which differs between the bundle
// and the modules of dist/ that this process imports below: warmed for those too.
process.env['LETTERPRESS_BUNDLE'] = '0';
spawnFigure([cli, 'build', 'letter.md', '-q']);
delete process.env['LETTERPRESS_BUNDLE'];
const processes: Array<[string, Figure]> = [];
{
  const bare: Figure[] = [];
  const loaded: Figure[] = [];
  const built: Figure[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(spawnFigure(['-e', '0']));
    loaded.push(spawnFigure([cli, 'build', '--no-such-option'], 1));
    built.push(spawnFigure([cli, 'build', 'letter.md', '-q']));
  }
  processes.push(['node -e 0 (a bare Node start)', medianOf(bare)]);
  processes.push(['start-up and module loading (bundle from its code cache, nothing built)', medianOf(loaded)]);
  processes.push(['cold build, every edition (caches on disk warm)', medianOf(built)]);
}

// ── 2. In this process: the steps of a build ───────────────────────────────────────────────────

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, Figure]> {
  const cpu = cpuNow();
  const started = performance.now();
  const value = await fn();
  return [value, { ms: performance.now() - started, cpuMs: cpuNow() - cpu }];
}

const [modules, loading] = await timed(async () => {
  const dist = (p: string) => import(path.join(root, 'dist', p));
  return {
    letter: (await dist('load/letter.js')) as typeof import('../load/letter.js'),
    frame: (await dist('frame/index.js')) as typeof import('../frame/index.js'),
    pdf: (await dist('render/pdf/index.js')) as typeof import('../render/pdf/index.js'),
    docx: (await dist('render/docx/index.js')) as typeof import('../render/docx/index.js'),
    html: (await dist('render/html/index.js')) as typeof import('../render/html/index.js'),
    text: (await dist('render/text/index.js')) as typeof import('../render/text/index.js'),
    context: (await dist('context.js')) as typeof import('../context.js'),
  };
});

const STEPS = ['load and parse the letter and signatories', 'frame', 'PDF: HarfBuzz, shaping and layout', 'PDF: drawing', 'Word copy', 'HTML', 'text'] as const;
type Step = (typeof STEPS)[number];

async function oneBuild(): Promise<Map<Step, Figure>> {
  const figures = new Map<Step, Figure>();
  const step = async <T>(name: Step, fn: () => Promise<T> | T): Promise<T> => {
    const [value, figure] = await timed(fn);
    figures.set(name, figure);
    return value;
  };
  const letter = await step('load and parse the letter and signatories', () => modules.letter.loadLetter(path.join(project, 'letter.md')));
  const frame = await step('frame', () => modules.frame.buildFrame(letter.document));
  const laidOut = await step('PDF: HarfBuzz, shaping and layout', async () => {
    return modules.pdf.layOutLetter(frame);
  });
  await step('PDF: drawing', () => modules.pdf.drawLetterPdf(frame, laidOut));
  await step('Word copy', () => modules.docx.renderDocx(frame, []));
  await step('HTML', () => modules.html.renderHtml(frame));
  await step('text', () => modules.text.renderText(frame));
  return figures;
}

const first = await oneBuild();
const warm: Array<Map<Step, Figure>> = [];
const kept = ['font faces', 'font chains', 'harfbuzz fonts', 'pdf fonts'];
for (let i = 0; i < RUNS + 2; i++) {
  // Everything a rebuild would reuse is emptied, but the open fonts (their parse is start-up work).
  modules.context.buildContext.clear(modules.context.buildContext.list().map((c) => c.name).filter((name) => !kept.includes(name)));
  const run = await oneBuild();
  if (i >= 2) warm.push(run); // two more warm-up runs: the optimising compiler has caught up
}

// ── Report ─────────────────────────────────────────────────────────────────────────────────────

const fmt = (f: Figure) => `${f.ms.toFixed(0).padStart(6)} ms wall ${f.cpuMs.toFixed(0).padStart(6)} ms CPU${f.rssMb !== undefined ? ` ${f.rssMb.toFixed(0).padStart(4)} MiB` : ''}`;
const sum = (figures: Figure[]): Figure => ({ ms: figures.reduce((s, f) => s + f.ms, 0), cpuMs: figures.reduce((s, f) => s + f.cpuMs, 0) });
console.log(`letterpress floor: node ${process.version}, ${cpus().length} cores, ${RUNS} runs per figure (medians)`);
console.log('\nWhole processes:');
for (const [name, figure] of processes) console.log(`  ${fmt(figure)}  ${name}`);
console.log(`\nIn one process (writing excluded), the modules of dist/ imported: ${fmt(loading)}`);
console.log(`  ${'first build'.padStart(30)} ${'warm build'.padStart(30)}`);
const warmSteps = new Map<Step, Figure>(STEPS.map((name) => [name, medianOf(warm.map((run) => run.get(name) as Figure))]));
for (const name of STEPS) console.log(`  ${fmt(first.get(name) as Figure)} ${fmt(warmSteps.get(name) as Figure)}  ${name}`);
const firstTotal = sum([...first.values()]);
const warmTotal = sum([...warmSteps.values()]);
console.log(`  ${fmt(firstTotal)} ${fmt(warmTotal)}  all steps`);
const bare = (processes[0] as [string, Figure])[1];
const cold = (processes[2] as [string, Figure])[1];
console.log(
  `\nFloor (a bare Node start + the warm build): ${(bare.ms + warmTotal.ms).toFixed(0)} ms wall, ${(bare.cpuMs + warmTotal.cpuMs).toFixed(0)} ms CPU` +
    ` — the cold build is ${cold.ms.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU; the difference is start-up, module loading, compilation and warm-up.`,
);
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`Load average at the start ${load(loadAtStart)}, at the end ${load(loadavg())} (figures on a busy machine are high).`);
rmSync(work, { recursive: true, force: true });
