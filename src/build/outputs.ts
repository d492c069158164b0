/**
 * Where a build may write: never over one of its own inputs (a data file named
 * `letter.manifest.json` with `--out .`, a template called `letter.html`), and never the same
 * edition names for two letters of one run (the second would silently replace the first).
 */
import path from 'node:path';
import { VFile } from 'vfile';
import { BuildError, fileFailure, reportError } from '../diagnostics/index.js';
import { isInside, realpathLoose, shownPath } from '../io/paths.js';
import type { LoadedLetter } from '../load/letter.js';
import { fieldPlace } from '../load/letter.js';


/** Refuse (before anything is written) an output that is one of the letter's inputs. */
export function refuseOutputsOverInputs(letter: LoadedLetter, outputs: string[]): void {
  const { template } = letter.document;
  const templateDir = path.dirname(template.sourcePath);
  const inputs: Array<{ file: string; what: string; field?: string }> = [
    { file: letter.inputs.letter, what: 'the letter' },
    ...(letter.inputs.signatories ? [{ file: letter.inputs.signatories, what: 'the signatory file', field: 'signatories' }] : []),
    { file: letter.inputs.template, what: 'the template', field: 'template' },
    ...template.fonts.serif.flatMap((font) => ('file' in font && typeof font.file === 'string' ? [{ file: path.resolve(templateDir, font.file), what: 'a font file' }] : [])),
  ];
  const real = new Map(inputs.map((input) => [realpathLoose(input.file), input]));
  for (const output of outputs) {
    const input = real.get(realpathLoose(output));
    if (!input) continue;
    const reason = `This build would write ${shownPath(output)} over ${input.what} ${shownPath(input.file)}; nothing was written. Choose another --out folder, or rename the file.`;
    if (input.field) {
      const { file, place } = fieldPlace(letter.document.meta, letter.files, input.field);
      reportError(file, reason, place, 'output-over-input');
      throw new BuildError([file]);
    }
    throw fileFailure(shownPath(input.file), reason, 'output-over-input');
  }
}

/**
 * The default output folder (`out/` beside the letter) must lie inside the project after
 * following links: a planted `out` link (from an archive or a shared folder) would otherwise send
 * the editions elsewhere. A folder given with --out is the user's own choice.
 */
export function refuseDefaultOutOutside(letterPath: string, outDir: string): void {
  const root = realpathLoose(path.dirname(path.resolve(letterPath)));
  const real = realpathLoose(outDir);
  if (isInside(root, real)) return;
  throw fileFailure(
    shownPath(outDir),
    `The output folder is a link to ${real}, outside the letter's folder; nothing was written. Remove the link, or name the folder with --out if that is where the editions should go.`,
    'output-outside',
  );
}

/** The letters of one run, each once (the same file named twice is built once). */
export function distinctLetters(letters: string[]): string[] {
  const seen = new Set<string>();
  return letters.filter((letter) => {
    const real = realpathLoose(letter);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/**
 * Refuse a run whose letters would write editions of the same names (`a/letter.md b/letter.md
 * --out o`): the letter that would be overwritten, and the one that would overwrite it.
 */
export function refuseSharedEditions(letters: string[], baseOf: (letter: string) => string): void {
  const seen = new Map<string, string>();
  for (const letter of letters) {
    const base = realpathLoose(baseOf(letter));
    const first = seen.get(base);
    if (first !== undefined) {
      const file = new VFile({ path: letter });
      reportError(
        file,
        `This letter's editions would have the same names as those of ${first} (${shownPath(base)}.*), and one would replace the other; nothing was written. Build them into different --out folders, or rename one letter.`,
        undefined,
        'editions-collide',
      );
      throw new BuildError([file]);
    }
    seen.set(base, letter);
  }
}
