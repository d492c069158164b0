/**
 * One build: letter → model → every requested edition in memory → all written atomically.
 */
import path from 'node:path';
import type { VFile } from 'vfile';
import { performance } from 'node:perf_hooks';
import { loadLetter, type LoadedLetter } from '../load/letter.js';
import { editions, type Format, type RenderOptions } from '../render/index.js';
import { buildFrame } from '../frame/index.js';
import type { LetterFrame } from '../frame/types.js';
import { writeFilesAtomically } from '../io/writeAtomic.js';
import { errorAt, reportWarning, type BuildError } from '../diagnostics/index.js';
import { describeChanges, droppedWarning, manifestOf, manifestPath, readManifest, sha256, type Manifest } from './manifest.js';
import { refuseDefaultOutOutside, refuseOutputsOverInputs } from './outputs.js';
import { MissingGlyph } from '../typeset/errors.js';
import { PreflightFailed } from '../render/errors.js';
import { codePointLabel, scriptOf } from '../unicode/scripts.js';
import { nextTurn } from '../util/nextTurn.js';
import { removeDroppedCopies, renderMailing, type MailingOptions, type MailingOutput } from './mailing.js';
import { WORKER_FORMATS, worthAWorker } from './worker/rule.js';
import type { EditionWorker, WorkerEdition } from './worker/host.js';

export interface BuildOptions extends RenderOptions, MailingOptions {
  outDir?: string;
  formats: Format[];
  /** Read the PDF back with pdfjs-dist and run the full preflight before anything is written. */
  check?: boolean;
  /** Called with each edition as soon as it is made, before the others (a preview shows the PDF early). */
  rendered?: (format: Format, data: Uint8Array) => void;
  /**
   * The Word copy made in this worker thread while the PDF is made (a watch or serve process
   * keeps one); false: none, where a one-off build would start its own (src/build/worker/rule.ts).
   */
  editionWorker?: EditionWorker | false;
}

export interface EditionResult {
  /** The edition, or a mailing output (a copy per addressee, the print file, envelopes, labels). */
  format: Format | MailingOutput;
  path: string;
  bytes: number;
  ms: number;
  /** Made in the edition worker's thread (`ms` is its time there). */
  inWorker?: true;
}

export interface BuildResult {
  letter: LoadedLetter;
  editions: EditionResult[];
  totalMs: number;
  /** What changed since the previous build, from its manifest. */
  changes: string[];
  /** Renderers' warnings about the inputs (e.g. a template font the Word copy cannot embed). */
  warnings: VFile[];
}

/** What a build calls to make the letter's frame (a test counts the calls through it). */
export interface BuildSteps {
  buildFrame: (document: LoadedLetter['document']) => LetterFrame;
}

const STEPS: BuildSteps = { buildFrame };

export function defaultOutDir(letterPath: string): string {
  return path.join(path.dirname(path.resolve(letterPath)), 'out');
}

export function editionBase(letterPath: string, outDir: string): string {
  return path.join(outDir, path.basename(letterPath).replace(/\.(md|markdown)$/i, ''));
}

export function editionPath(letterPath: string, outDir: string, format: Format): string {
  return `${editionBase(letterPath, outDir)}${editions[format].extension}`;
}

/**
 * One edition of a loaded letter, in memory. Renderers' warnings are added to `warnings`; a
 * character no font has is a BuildError at its place in the inputs.
 */
export async function renderEdition(letter: LoadedLetter, frame: LetterFrame, format: Format, options: RenderOptions, warnings: VFile[]): Promise<Uint8Array> {
  try {
    return await editions[format].render(frame, { ...options, diagnostics: warnings });
  } catch (err) {
    if (err instanceof MissingGlyph) throw glyphFailure(letter, err);
    throw err;
  }
}

/** A character no font has (or that the PDF cannot set), as a BuildError at its place in the inputs. */
export function glyphFailure(letter: LoadedLetter, err: MissingGlyph): BuildError {
  const code = codePointLabel(err.char);
  const script = scriptOf(err.char);
  if (err.reason === 'right-to-left' || script?.rightToLeft) {
    const reason = `"${err.char}" (${code}${script ? `, ${script.name} script` : ''}) is written right to left, which the PDF edition cannot set yet (it would come out garbled): write the name in Latin letters, or build the other editions only (--format txt,docx,html).`;
    return errorAt(letter.files, err.source, err.char, reason, 'right-to-left');
  }
  const reason = script
    ? `No font has the character "${err.char}" (${code}, ${script.name} script): the template's fonts cannot set ${script.name}. ` +
      `Add a font that has ${script.name} (a TTF from npm or in fonts/, e.g. Noto Serif ${script.name}) to the \`fonts.serif\` list of the template (see fonts/README.md), or replace the character.`
    : `No font has the character "${err.char}" (${code}); add a font that has it to the \`fonts\` list of the template, or replace the character.`;
  return errorAt(letter.files, err.source, err.char, reason, 'missing-glyph');
}

/**
 * Read a made PDF back and run the full preflight (`--check`); a problem is a PreflightFailed at
 * its place in the letter. Called last, after every edition is made: pdfjs-dist's polyfills touch
 * nothing else.
 */
export async function refuseFailedPreflight(pdf: Uint8Array, frame: LetterFrame): Promise<void> {
  const { preflight } = await import('../render/pdf/preflight.js');
  const report = await preflight(pdf);
  if (report.problems.length > 0) throw new PreflightFailed(report, frame);
}

/**
 * Render the requested editions of an already loaded letter and write them all, with the
 * manifest, or none. The letter's frame is built once, here, and every edition and the manifest
 * read that one frame. Returns the editions and what changed since the previous manifest.
 */
export async function renderAndWrite(
  letter: LoadedLetter,
  letterPath: string,
  options: BuildOptions,
  steps: BuildSteps = STEPS,
): Promise<{ editions: EditionResult[]; changes: string[]; warnings: VFile[] }> {
  const outDir = options.outDir ?? defaultOutDir(letterPath);
  const frame = steps.buildFrame(letter.document);
  const worker = await editionWorkerFor(frame, options);
  try {
    return await renderAndWriteFrame(letter, letterPath, frame, outDir, options, steps, worker);
  } finally {
    // A worker started for this build alone ends with it.
    if (worker && worker !== options.editionWorker) await worker.close();
  }
}

/** The worker this build hands the Word copy to: the process's own, one of its own, or none. */
async function editionWorkerFor(frame: LetterFrame, options: BuildOptions): Promise<EditionWorker | null> {
  if (options.editionWorker === false) return null;
  if (options.editionWorker) return options.editionWorker;
  if (!worthAWorker(frame, options.formats)) return null;
  const { EditionWorker } = await import('./worker/host.js');
  return new EditionWorker({ cache: options.cache !== false });
}

async function renderAndWriteFrame(
  letter: LoadedLetter,
  letterPath: string,
  frame: LetterFrame,
  outDir: string,
  options: BuildOptions,
  steps: BuildSteps,
  worker: EditionWorker | null,
): Promise<{ editions: EditionResult[]; changes: string[]; warnings: VFile[] }> {
  const { rendered, warnings } = await makeEditions(letter, frame, options, worker, (format) => editionPath(letterPath, outDir, format));
  const pdf = rendered.find((r) => r.format === 'pdf');
  if (options.check && pdf) {
    const started = performance.now();
    await refuseFailedPreflight(pdf.data, frame);
    pdf.ms += performance.now() - started;
  }
  const base = editionBase(letterPath, outDir);
  const mailing = await renderMailing(letter, frame, base, options, steps.buildFrame, (err) => glyphFailure(letter, err));
  const manifestFile = manifestPath(base);
  if (options.outDir === undefined) refuseDefaultOutOutside(letterPath, outDir);
  refuseOutputsOverInputs(letter, [...rendered.map((r) => r.path), ...mailing.map((m) => m.path), manifestFile]);
  const previous = await readManifest(manifestFile);
  const entries: Manifest['editions'] = { ...(previous?.editions ?? {}) };
  for (const r of rendered) entries[r.format] = { file: path.basename(r.path), bytes: r.bytes, sha256: sha256(r.data) };
  // This build's copies replace the previous build's list (an addressee may have gone).
  if (options.perRecipient) for (const key of Object.keys(entries)) if (key.startsWith('copy:')) delete entries[key];
  for (const m of mailing) entries[m.key] = { file: path.basename(m.path), bytes: m.data.byteLength, sha256: sha256(m.data) };
  const manifest = manifestOf(letter, frame, entries);
  const dropped = droppedWarning(previous, manifest);
  const dataFile = letter.files.find((f) => f.path === letter.document.sources?.signatories) ?? letter.files[0];
  if (dropped && dataFile) reportWarning(dataFile, dropped, undefined, 'signatories-dropped');
  await writeFilesAtomically([
    ...rendered.map((r) => ({ path: r.path, data: r.data })),
    ...mailing.map((m) => ({ path: m.path, data: m.data })),
    { path: manifestFile, data: `${JSON.stringify(manifest, null, 2)}\n` },
  ]);
  const changes = describeChanges(previous, manifest);
  if (options.perRecipient && previous) {
    const removed = await removeDroppedCopies(base, previous.editions, mailing, sha256);
    if (removed.length > 0) changes.push(`removed the copies of addressees no longer in the letter: ${removed.join(', ')}`);
  }
  const results: EditionResult[] = [
    ...rendered.map(({ data: _data, ...rest }) => rest),
    ...mailing.map((m) => ({ format: m.output, path: m.path, bytes: m.data.byteLength, ms: m.ms })),
  ];
  return { editions: results, changes, warnings };
}

type MadeEdition = EditionResult & { data: Uint8Array };

/**
 * Every requested edition, in memory (none is written unless all succeed), in the order asked
 * for, each with its own time and the renderers' warnings in that order. With a worker, it is
 * handed its editions first and this thread makes the PDF meanwhile; an edition the worker could
 * not make is made here, as without a worker, so its error is the same, and an edition asked for
 * before one that fails here is made (and fails) first, as it would without a worker.
 */
async function makeEditions(
  letter: LoadedLetter,
  frame: LetterFrame,
  options: BuildOptions,
  worker: EditionWorker | null,
  pathOf: (format: Format) => string,
): Promise<{ rendered: MadeEdition[]; warnings: VFile[] }> {
  const { formats } = options;
  const handed = worker ? worker.request(frame, formats.filter((f) => WORKER_FORMATS.includes(f)), options) : new Map<Format, Promise<WorkerEdition | null>>();
  const made = new Map<Format, { edition: MadeEdition; warnings: VFile[] }>();
  const here = async (format: Format) => {
    const started = performance.now();
    const warnings: VFile[] = [];
    const data = await renderEdition(letter, frame, format, options, warnings);
    made.set(format, { edition: { format, path: pathOf(format), bytes: data.byteLength, ms: performance.now() - started, data }, warnings });
    return data;
  };
  const fromWorker = async (format: Format, reply: Promise<WorkerEdition | null>) => {
    const edition = await (worker as EditionWorker).wait(reply);
    if (!edition) return here(format);
    made.set(format, { edition: { format, path: pathOf(format), bytes: edition.data.byteLength, ms: edition.ms, inWorker: true, data: edition.data }, warnings: edition.warnings });
    return edition.data;
  };
  const told = async (format: Format, data: Uint8Array) => {
    if (!options.rendered) return;
    options.rendered(format, data);
    // Whoever was told (a preview announcing the PDF) acts on it before the next edition is made.
    await nextTurn();
  };
  for (const [index, format] of formats.entries()) {
    if (handed.has(format)) continue;
    try {
      await told(format, await here(format));
    } catch (err) {
      for (const earlier of formats.slice(0, index)) {
        const reply = handed.get(earlier);
        if (reply) await fromWorker(earlier, reply);
      }
      throw err;
    }
  }
  for (const [format, reply] of handed) await told(format, await fromWorker(format, reply));
  const inOrder = formats.flatMap((f) => made.get(f) ?? []);
  return { rendered: inOrder.map((m) => m.edition), warnings: inOrder.flatMap((m) => m.warnings) };
}

export async function build(letterPath: string, options: BuildOptions, steps: BuildSteps = STEPS): Promise<BuildResult> {
  const started = performance.now();
  const letter = await loadLetter(letterPath);
  const { editions: results, changes, warnings } = await renderAndWrite(letter, letterPath, options, steps);
  return { letter, editions: results, totalMs: performance.now() - started, changes, warnings };
}
