/**
 * One build: letter → model → every requested edition in memory → all written atomically.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadLetter, type LoadedLetter } from '../model/loadLetter.js';
import { editions, type Format, type RenderOptions } from '../render/index.js';
import { writeFilesAtomically } from './writeAtomic.js';
import { missingCharacterError } from './locate.js';
import { describeChanges, manifestOf, manifestPath, readManifest, sha256, type Manifest } from './manifest.js';
import { MissingGlyph } from '../typeset/errors.js';
import { PreflightFailed } from '../render/errors.js';

export interface BuildOptions extends RenderOptions {
  outDir?: string;
  formats: Format[];
  /** Read the PDF back with pdfjs-dist and run the full preflight before anything is written. */
  check?: boolean;
}

export interface EditionResult {
  format: Format;
  path: string;
  bytes: number;
  ms: number;
}

export interface BuildResult {
  letter: LoadedLetter;
  editions: EditionResult[];
  totalMs: number;
  /** What changed since the previous build, from its manifest. */
  changes: string[];
}

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
 * Render the requested editions of an already loaded letter and write them all, with the
 * manifest, or none. Returns the editions and what changed since the previous manifest.
 */
export async function renderAndWrite(
  letter: LoadedLetter,
  letterPath: string,
  options: BuildOptions,
): Promise<{ editions: EditionResult[]; changes: string[] }> {
  const outDir = options.outDir ?? defaultOutDir(letterPath);
  // Every edition is made in memory first (one after the other, so the timings are each its
  // own); none is written unless all succeed.
  const rendered: Array<EditionResult & { data: Uint8Array }> = [];
  for (const format of options.formats) {
    const started = performance.now();
    let data: Uint8Array;
    try {
      data = await editions[format].render(letter.document, options);
    } catch (err) {
      if (err instanceof MissingGlyph) {
        throw missingCharacterError(
          letter.files,
          err.char,
          'add a font that has it to the `fonts` list of the template, or replace the character.',
        );
      }
      throw err;
    }
    rendered.push({ format, path: editionPath(letterPath, outDir, format), bytes: data.byteLength, ms: performance.now() - started, data });
  }
  const pdf = rendered.find((r) => r.format === 'pdf');
  if (options.check && pdf) {
    // Last, after every edition is made: pdfjs-dist's polyfills touch nothing else.
    const started = performance.now();
    const { preflight } = await import('../render/pdf/preflight.js');
    const report = await preflight(pdf.data);
    if (report.problems.length > 0) throw new PreflightFailed(report);
    pdf.ms += performance.now() - started;
  }
  const manifestFile = manifestPath(editionBase(letterPath, outDir));
  const previous = await readManifest(manifestFile);
  const entries: Manifest['editions'] = { ...(previous?.editions ?? {}) };
  for (const r of rendered) entries[r.format] = { file: path.basename(r.path), bytes: r.bytes, sha256: sha256(r.data) };
  const manifest = manifestOf(letter, entries);
  await writeFilesAtomically([
    ...rendered.map((r) => ({ path: r.path, data: r.data })),
    { path: manifestFile, data: `${JSON.stringify(manifest, null, 2)}\n` },
  ]);
  return { editions: rendered.map(({ data: _data, ...rest }) => rest), changes: describeChanges(previous, manifest) };
}

export async function build(letterPath: string, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const letter = await loadLetter(letterPath);
  const { editions: results, changes } = await renderAndWrite(letter, letterPath, options);
  return { letter, editions: results, totalMs: performance.now() - started, changes };
}
