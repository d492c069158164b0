import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { watch, type WatchHandle } from '../src/cli/watch.js';
import { build, type BuildResult } from '../src/build/build.js';
import { buildContext } from '../src/context.js';
import { BuildError, formatDiagnostics } from '../src/diagnostics/index.js';
import { root, scratch } from './helpers.js';

const dir = scratch('letterpress-watch-');
cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
cpSync(path.join(root, 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
const out = (ext: string) => path.join(dir, 'out', `letter.${ext}`);

type Event = { kind: 'built'; result: BuildResult } | { kind: 'failed'; err: unknown };
const events: Event[] = [];
let waiter: ((e: Event) => void) | null = null;
const next = () => new Promise<Event>((resolve) => (waiter = resolve));
const push = (e: Event) => {
  events.push(e);
  const w = waiter;
  waiter = null;
  w?.(e);
};

let handle: WatchHandle;
afterAll(async () => handle?.close());
// The idle warm-up build's scratch folder goes here (os.tmpdir() reads TMPDIR), to be seen removed.
const warmTemp = scratch('letterpress-watch-tmp-');
const tmpBefore = process.env.TMPDIR;
process.env.TMPDIR = warmTemp;
afterAll(() => {
  if (tmpBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpBefore;
});

describe('letterpress watch', () => {
  it('builds every edition at start', async () => {
    const first = next();
    handle = watch(path.join(dir, 'letter.md'), { formats: ['txt', 'pdf', 'docx', 'html'] }, {
      built: (result) => push({ kind: 'built', result }),
      failed: (err) => push({ kind: 'failed', err }),
    });
    const e = await first;
    expect(e.kind).toBe('built');
    await handle.ready;
  });

  it('builds once more while idle, into a scratch folder it removes, touching no edition and telling nobody', async () => {
    const before = { pdf: statSync(out('pdf')).mtimeMs, docx: statSync(out('docx')).mtimeMs, manifest: readFileSync(path.join(dir, 'out', 'letter.manifest.json'), 'utf8') };
    // Seen while it runs (it takes a build's time): the scratch folder is in TMPDIR.
    const seen = new Promise<boolean>((resolve) => {
      const look = setInterval(() => {
        if (readdirSync(warmTemp).some((name) => name.startsWith('letterpress-warm-'))) resolve(true);
      }, 2);
      void handle.warmedUp.then(() => (clearInterval(look), resolve(false)));
    });
    expect(await seen).toBe(true);
    await handle.warmedUp;
    expect(readdirSync(warmTemp)).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['built']);
    expect(statSync(out('pdf')).mtimeMs).toBe(before.pdf);
    expect(statSync(out('docx')).mtimeMs).toBe(before.docx);
    expect(readFileSync(path.join(dir, 'out', 'letter.manifest.json'), 'utf8')).toBe(before.manifest);
  });

  it('rebuilds all three editions when the data file changes, with the new signatory and as-of date', async () => {
    const before = { pdf: statSync(out('pdf')).mtimeMs, docx: readFileSync(out('docx')) };
    const rebuilt = next();
    const data = readFileSync(path.join(dir, 'signatories.yaml'), 'utf8')
      .replace('asOf: 2023-09-21', 'asOf: 2023-09-28')
      .replace('individuals:', '  - name: Aardvark Rights Watch\n    country: Kenya\nindividuals:');
    writeFileSync(path.join(dir, 'signatories.yaml'), data);
    const e = await rebuilt;
    expect(e.kind).toBe('built');
    if (e.kind !== 'built') return;
    // The watch process's worker thread made every edition but the PDF (the cold build the last
    // test compares with makes them all in this thread).
    expect(e.result.editions.map((r) => `${r.format}${r.inWorker ? ' in the worker' : ''}`)).toEqual(['txt in the worker', 'pdf', 'docx in the worker', 'html in the worker']);
    expect(e.result.changes).toContain('+1 organisation (Aardvark Rights Watch)');
    expect(e.result.changes).toContain('as-of 2023-09-21 → 2023-09-28');
    const text = readFileSync(out('txt'), 'utf8');
    expect(text).toContain('Aardvark Rights Watch / Kenya');
    expect(text).toContain('组织及个人联署名单（截至2023年9月28日）');
    const docx = strFromU8(unzipSync(readFileSync(out('docx')))['word/document.xml'] as Uint8Array);
    expect(docx).toContain('Aardvark Rights Watch / Kenya');
    expect(docx).toContain('截至2023年9月28日');
    expect(Buffer.compare(readFileSync(out('docx')), before.docx)).not.toBe(0);
    expect(statSync(out('pdf')).mtimeMs).toBeGreaterThan(before.pdf);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'letter.manifest.json'), 'utf8')) as { organizations: string[]; asOf: string };
    expect(manifest.asOf).toBe('2023-09-28');
    expect(manifest.organizations).toContain('Aardvark Rights Watch / Kenya');
  });

  it('on a broken edit, reports a positioned error and leaves the editions as they were', async () => {
    const before = { txt: readFileSync(out('txt')), pdf: readFileSync(out('pdf')), docx: readFileSync(out('docx')) };
    const failed = next();
    const data = readFileSync(path.join(dir, 'signatories.yaml'), 'utf8').replace('  - name: Viet Tan', '  - name: ""');
    writeFileSync(path.join(dir, 'signatories.yaml'), data);
    const e = await failed;
    expect(e.kind).toBe('failed');
    if (e.kind !== 'failed') return;
    expect(e.err).toBeInstanceOf(BuildError);
    const line = data.split('\n').findIndex((l) => l === '  - name: ""') + 1;
    expect(formatDiagnostics((e.err as BuildError).files)).toMatch(new RegExp(`signatories\\.yaml:${line}:\\d+ error Empty name`));
    expect(readFileSync(out('txt')).equals(before.txt)).toBe(true);
    expect(readFileSync(out('pdf')).equals(before.pdf)).toBe(true);
    expect(readFileSync(out('docx')).equals(before.docx)).toBe(true);
  });

  it('reports an alias bomb in the data file as a diagnostic and keeps watching', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the previous write's events settle
    const failed = next();
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd']]) bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    writeFileSync(path.join(dir, 'signatories.yaml'), `${bomb.join('\n')}\n`);
    const e = await failed;
    expect(e.kind).toBe('failed');
    if (e.kind !== 'failed') return;
    expect(formatDiagnostics((e.err as BuildError).files)).toMatch(/signatories\.yaml:2:\d+ error Signatory file expands its aliases/);
  });

  it('rebuilds after the data file is deleted and created again (as some editors save)', async () => {
    const good = readFileSync(path.join(root, 'signatories.yaml'), 'utf8');
    const gone = next();
    rmSync(path.join(dir, 'signatories.yaml'));
    const missing = await gone;
    expect(missing.kind).toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const back = next();
    writeFileSync(path.join(dir, 'signatories.yaml'), good.replace('individuals:', '  - name: Zebra Rights Watch\nindividuals:'));
    const e = await back;
    expect(e.kind).toBe('built');
    expect(readFileSync(out('txt'), 'utf8')).toContain('Zebra Rights Watch');
  });

  it('rebuilds when a templates/zh-CN.yaml appears beside a letter that names the built-in zh-CN (it is found first)', async () => {
    const house = next();
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'zh-CN.yaml'), 'extends: zh-CN\nlabels:\n  signatoriesHeading: "联署名单（截至{date}）"\n');
    const e = await house;
    expect(e.kind, e.kind === 'failed' ? formatDiagnostics((e.err as BuildError).files) : '').toBe('built');
    const text = readFileSync(out('txt'), 'utf8');
    expect(text).toContain('联署名单（截至2023年9月');
    expect(text).not.toContain('组织及个人联署名单');
  });

  it('writes after its rebuilds the same bytes as a cold build of the same inputs', async () => {
    // Everything the watch kept in memory set aside: a cold build (the subset cache on disk gives
    // the same bytes as none, which the cache's own tests check). Put back after it, so that the
    // files after this one in the worker keep their warm caches.
    const cold = scratch('letterpress-watch-cold-');
    await buildContext.cold(async () => {
      expect(buildContext.list().filter((cache) => cache.size !== null && cache.size > 0)).toEqual([]);
      const built = await build(path.join(dir, 'letter.md'), { formats: ['txt', 'pdf', 'docx', 'html'], outDir: cold });
      expect(built.editions.filter((r) => r.inWorker)).toEqual([]);
    });
    for (const ext of ['txt', 'pdf', 'docx', 'html']) expect(readFileSync(path.join(cold, `letter.${ext}`)).equals(readFileSync(out(ext))), ext).toBe(true);
  });
});
