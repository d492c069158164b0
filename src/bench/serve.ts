/**
 * `letterpress serve`, warm: the time from a write of the signatory file to the page showing the
 * new PDF (every page drawn by pdf.js in Chromium), and to the server announcing the new build
 * (server-sent event), after a first edit has warmed the process. Part of `npm run bench`; alone:
 * `node dist/bench/serve.js [letter-folder]`.
 *
 * The page is measured in Debian's Chromium when it is installed (LETTERPRESS_CHROMIUM or
 * /usr/bin/chromium); without it only the server side is measured, and the row says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface ServeTimes {
  /** Write of the data file → the event telling the page of the new PDF (ms), warm. */
  announced: number[];
  /** Write of the data file → every page of the new PDF drawn in the page (ms), warm; null without Chromium. */
  shown: number[] | null;
  /** The same, as Playwright noticed them (later by its DevTools round trips); null without Chromium. */
  detected?: { announced: number[]; shown: number[] };
  /** Server-side build time of those rebuilds, as the page reports it. */
  buildMs: number[];
  note: string;
}

/** The little of the page's DOM the benchmark reads (this file compiles without the DOM library). */
type PageGlobals = { document: { body: { dataset: Record<string, string | undefined> } } };
interface StampElement {
  dataset: Record<string, string | undefined>;
}
type StampGlobals = {
  document: { body: StampElement; getElementById(id: string): StampElement | null };
  Date: DateConstructor;
  MutationObserver: new (callback: () => void) => { observe(target: StampElement, options: object): void };
  letterpressStamps: Record<string, number>;
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
export { median as medianOf };

/** Run `letterpress serve` on the letter in `dir` (with its signatories.yaml) and time `edits` warm data edits. */
export async function measureServe(cli: string, dir: string, edits = 5): Promise<ServeTimes> {
  const data = path.join(dir, 'signatories.yaml');
  const original = readFileSync(data, 'utf8');
  const child = spawn(process.execPath, [cli, 'serve', 'letter.md', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const started = performance.now();
    while (!/First build done/.test(out)) {
      if (performance.now() - started > 120_000) throw new Error(`serve did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /http:\/\/\S+/.exec(out)?.[0] as string;
    const executable = process.env.LETTERPRESS_CHROMIUM ?? '/usr/bin/chromium';
    const edit = (i: number) => writeFileSync(data, original.replace('individuals:', `  - name: Bench Serve Organisation ${i}\n    country: Norway\nindividuals:`));
    if (!existsSync(executable)) return { ...(await serverOnly(url, edit, edits)), shown: null, note: `no Chromium at ${executable}: page not measured` };
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: executable,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await page.goto(url);
      await page.waitForSelector('#pages[data-build="1"] canvas', { timeout: 60_000 });
      // The page's own clock says when it was told (body data-build) and when the pages in view were
      // drawn (#pages data-build): a mutation observer stamps each change with Date.now(), the
      // machine's clock the edit is timed with. Noticing the change through Playwright (a DevTools
      // round trip per wait) comes later by tens to hundreds of ms on a busy machine: those times
      // are kept as `detected`.
      await page.evaluate(() => {
        const g = globalThis as unknown as StampGlobals;
        g.letterpressStamps = {};
        new g.MutationObserver(() => {
          const now = g.Date.now();
          const told = g.document.body.dataset.build;
          const drawn = g.document.getElementById('pages')?.dataset.build;
          if (told !== undefined) g.letterpressStamps[`told ${told}`] ??= now;
          if (drawn !== undefined) g.letterpressStamps[`drawn ${drawn}`] ??= now;
        }).observe(g.document.body, { attributes: true, subtree: true, attributeFilter: ['data-build'] });
      });
      const announced: number[] = [];
      const shown: number[] = [];
      const detected = { announced: [] as number[], shown: [] as number[] };
      const buildMs: number[] = [];
      for (let i = 0; i <= edits; i++) {
        const build = i + 2;
        // The first edit warms the rebuild path (set lines, renderers); it is not counted.
        await new Promise((r) => setTimeout(r, 300));
        const t0 = performance.now();
        const epoch = Date.now();
        edit(i);
        await page.waitForFunction((b) => (globalThis as unknown as PageGlobals).document.body.dataset.build === String(b), build, { polling: 'raf', timeout: 60_000 });
        const t1 = performance.now();
        await page.waitForSelector(`#pages[data-build="${build}"]`, { timeout: 60_000, state: 'attached' });
        const t2 = performance.now();
        // The page is told of the PDF before the build has made the other editions: its time is read once it has.
        await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.body.dataset.status === 'ok', undefined, { polling: 'raf', timeout: 60_000 });
        if (i === 0) continue;
        const stamps = await page.evaluate(() => (globalThis as unknown as StampGlobals).letterpressStamps);
        const told = stamps[`told ${build}`];
        const drawn = stamps[`drawn ${build}`];
        announced.push(told === undefined ? t1 - t0 : told - epoch);
        shown.push(drawn === undefined ? t2 - t0 : drawn - epoch);
        detected.announced.push(t1 - t0);
        detected.shown.push(t2 - t0);
        buildMs.push(Number(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.body.dataset.buildMs)));
      }
      return { announced, shown, detected, buildMs, note: "Chromium, 1400×900, the pages in view drawn; times from the page's clock" };
    } finally {
      await browser.close();
    }
  } finally {
    writeFileSync(data, original);
    child.kill('SIGINT');
    await exited;
  }
}

/** Without a browser: the time to the server's event announcing the new build. */
async function serverOnly(url: string, edit: (i: number) => void, edits: number): Promise<Omit<ServeTimes, 'shown' | 'note'>> {
  const response = await fetch(url, { redirect: 'manual' });
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const origin = new URL(url).origin;
  const events = await fetch(`${origin}/api/events`, { headers: { cookie } });
  const reader = (events.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const nextBuild = async (build: number): Promise<number> => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
      for (const m of buffer.matchAll(/data: (.*)\n/g)) {
        const state = JSON.parse(m[1] as string) as { letters: Array<{ build: number; buildMs: number; status: string }> };
        const letter = state.letters[0];
        if (letter && letter.build >= build && letter.status === 'ok') {
          buffer = '';
          return letter.buildMs;
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    }
  };
  await nextBuild(1);
  const announced: number[] = [];
  const buildMs: number[] = [];
  for (let i = 0; i <= edits; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    edit(i);
    const ms = await nextBuild(i + 2);
    if (i === 0) continue;
    announced.push(performance.now() - t0);
    buildMs.push(ms);
  }
  await reader.cancel();
  return { announced, buildMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { cpSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'letterpress-bench-serve-'));
  const from = process.argv[2] ?? root;
  for (const f of ['letter.md', 'signatories.yaml']) cpSync(path.join(from, f), path.join(dir, f));
  // LETTERPRESS_BENCH_CLI: another build's CLI (a paired run against another checkout).
  const times = await measureServe(process.env.LETTERPRESS_BENCH_CLI ?? path.join(root, 'dist', 'cli', 'main.js'), dir, Number(process.env.BENCH_RUNS ?? 5));
  const fmt = (v: number[] | null) => (v ? `median ${median(v).toFixed(0)} ms (${v.map((x) => x.toFixed(0)).join(', ')})` : 'n/a');
  const detected = times.detected ? `as Playwright noticed them: announced ${fmt(times.detected.announced)}, shown ${fmt(times.detected.shown)}\n` : '';
  process.stdout.write(`serve, data edit → new PDF announced to the page: ${fmt(times.announced)}\nserve, data edit → new PDF shown: ${fmt(times.shown)}\nserver build time: ${fmt(times.buildMs)}\n${detected}(${times.note})\n`);
}
