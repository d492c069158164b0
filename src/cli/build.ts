/**
 * One build: letter → model → every requested edition in memory → all written atomically.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadLetter, type LoadedLetter } from '../model/loadLetter.js';
import { editions, type Format, type RenderOptions } from '../render/index.js';
import { writeFilesAtomically } from './writeAtomic.js';
import { missingCharacterError } from './locate.js';
import { MissingGlyph } from '../typeset/shape.js';

export interface BuildOptions extends RenderOptions {
  outDir?: string;
  formats: Format[];
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
}

export function defaultOutDir(letterPath: string): string {
  return path.join(path.dirname(path.resolve(letterPath)), 'out');
}

export function editionPath(letterPath: string, outDir: string, format: Format): string {
  const base = path.basename(letterPath).replace(/\.(md|markdown)$/i, '');
  return path.join(outDir, `${base}${editions[format].extension}`);
}

/** Render the requested editions of an already loaded letter and write them all, or none. */
export async function renderAndWrite(letter: LoadedLetter, letterPath: string, options: BuildOptions): Promise<EditionResult[]> {
  const outDir = options.outDir ?? defaultOutDir(letterPath);
  // Every edition is made in memory first; none is written unless all succeed.
  const rendered = await Promise.all(
    options.formats.map(async (format): Promise<EditionResult & { data: Uint8Array }> => {
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
      return { format, path: editionPath(letterPath, outDir, format), bytes: data.byteLength, ms: performance.now() - started, data };
    }),
  );
  await writeFilesAtomically(rendered.map((r) => ({ path: r.path, data: r.data })));
  return rendered.map(({ data: _data, ...rest }) => rest);
}

export async function build(letterPath: string, options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const letter = await loadLetter(letterPath);
  const results = await renderAndWrite(letter, letterPath, options);
  return { letter, editions: results, totalMs: performance.now() - started };
}
