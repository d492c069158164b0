import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildResult } from '../src/build/build.js';
import { EditionWorker } from '../src/build/worker/host.js';
import { worthAWorker, WORKER_MIN_CORES, WORKER_MIN_SIGNATORIES } from '../src/build/worker/rule.js';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import type { FrameBlock } from '../src/frame/types.js';
import { BuildError, formatDiagnostics } from '../src/diagnostics/index.js';
import { root, scratch } from './helpers.js';

const ALL = ['txt', 'pdf', 'docx', 'html'] as const;
/** Editions the worker makes, and the cheap ones (every edition, beside a PDF: test/watch.test.ts). */
const BESIDE = ['txt', 'docx', 'html'] as const;
const CHEAP = ['txt', 'html'] as const;
const dir = scratch('letterpress-worker-');
cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
cpSync(path.join(root, 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
const letter = path.join(dir, 'letter.md');

/** A letter of the seed's text on a house template extending zh-CN. */
function onTemplate(name: string, template: string): string {
  const folder = path.join(dir, name);
  mkdirSync(path.join(folder, 'templates'), { recursive: true });
  writeFileSync(path.join(folder, 'templates', 'house.yaml'), template);
  cpSync(path.join(dir, 'signatories.yaml'), path.join(folder, 'signatories.yaml'));
  writeFileSync(path.join(folder, 'letter.md'), readFileSync(letter, 'utf8').replace(/^template: .*$/m, 'template: templates/house.yaml'));
  return path.join(folder, 'letter.md');
}

const editionsOf = (result: BuildResult) => Object.fromEntries(result.editions.map((e) => [e.format, readFileSync(e.path)]));
const failureOf = async (run: Promise<unknown>) => {
  const err = await run.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BuildError);
  return formatDiagnostics((err as BuildError).files);
};

/** A worker that answers, shared by the tests below (its start is the dear part). */
const worker = new EditionWorker();
afterAll(() => worker.close());

describe('the edition worker', () => {
  it('is started by a one-off build for a long signatory list beside a PDF on a machine with cores to spare, not for the seed letter', async () => {
    const frame = buildFrame((await loadLetter(letter)).document);
    const cores = WORKER_MIN_CORES;
    expect(worthAWorker(frame, [...ALL], cores)).toBe(false);
    const entry = frame.blocks.find((b) => b.role === 'signatoryEntry') as FrameBlock;
    const long = { ...frame, blocks: [...frame.blocks, ...Array.from({ length: WORKER_MIN_SIGNATORIES }, () => entry)] };
    expect(worthAWorker(long, [...ALL], cores)).toBe(true);
    expect(worthAWorker(long, [...ALL], cores - 1)).toBe(false);
    // Nothing to make beside the PDF, or no PDF to make meanwhile: no worker.
    expect(worthAWorker(long, ['pdf'], cores)).toBe(false);
    expect(worthAWorker(long, ['docx', 'html'], cores)).toBe(false);
  });

  it('makes every edition but the PDF, byte for byte as the build thread does, with the same warnings on the template', async () => {
    // A Word font the template does not have: a warning at its line of the template.
    const house = onTemplate('warned', 'extends: zh-CN\ndocx:\n  latinFont: "Times New Roman"\n');
    const here = await build(house, { formats: [...BESIDE], outDir: path.join(dir, 'warned', 'here'), editionWorker: false });
    const there = await build(house, { formats: [...BESIDE], outDir: path.join(dir, 'warned', 'there'), editionWorker: worker });
    expect(there.editions.map((e) => `${e.format}${e.inWorker ? ' in the worker' : ''}`)).toEqual(['txt in the worker', 'docx in the worker', 'html in the worker']);
    expect(here.editions.some((e) => e.inWorker)).toBe(false);
    for (const [format, data] of Object.entries(editionsOf(here))) expect(data.equals(editionsOf(there)[format] as Buffer), format).toBe(true);
    expect(formatDiagnostics(here.warnings)).toMatch(/house\.yaml:3:\d+ warning "Times New Roman" is not among the template's fonts/);
    expect(formatDiagnostics(there.warnings)).toBe(formatDiagnostics(here.warnings));
    expect(worker.fallbacks).toBe(0);
  });

  it('reports an edition it cannot make with the same positioned error as a build without it', async () => {
    const folder = path.join(dir, 'broken');
    mkdirSync(path.join(folder, 'fonts'), { recursive: true });
    writeFileSync(path.join(folder, 'fonts', 'Broken.ttf'), 'not a font, whatever the name says');
    const serif = `fonts:\n  serif:\n    - { file: ../fonts/Broken.ttf, name: Broken }\n`;
    const broken = onTemplate('broken', `extends: zh-CN\n${serif}`);
    // No PDF, which would fail first here.
    const options = { formats: ['txt' as const, 'docx' as const], outDir: path.join(folder, 'out') };
    const without = await failureOf(build(broken, { ...options, editionWorker: false }));
    expect(without).toMatch(/Broken\.ttf error Not a font file/);
    expect(await failureOf(build(broken, { ...options, editionWorker: worker }))).toBe(without);
    expect(worker.fallbacks).toBe(1);
  });

  it('is replaced by the build thread when it dies, or does not answer in time', async () => {
    const expected = editionsOf(await build(letter, { formats: [...CHEAP], outDir: path.join(dir, 'here'), editionWorker: false }));
    const dying = new EditionWorker({ script: new URL('data:text/javascript,throw new Error("a worker that dies at start")') });
    const silent = new EditionWorker({
      script: new URL(`data:text/javascript,${encodeURIComponent("import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {});")}`),
      patienceMs: 50,
    });
    for (const [name, stand] of [['dying', dying], ['silent', silent]] as const) {
      const result = await build(letter, { formats: [...CHEAP], outDir: path.join(dir, name), editionWorker: stand });
      expect(result.editions.some((e) => e.inWorker), name).toBe(false);
      expect(stand.fallbacks, name).toBe(2);
      for (const [format, data] of Object.entries(editionsOf(result))) expect(data.equals(expected[format] as Buffer), `${name} ${format}`).toBe(true);
      await stand.close();
    }
  });
});
