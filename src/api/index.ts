/**
 * letterpress as a library: `import { buildLetter } from 'letterpress'`.
 *
 * Every function resolves with a result instead of printing or exiting: `ok: true` with what was
 * made, or `ok: false` with the problems in the inputs as data (file, line, column, message,
 * rule: the list the command line prints). Warnings come in `diagnostics` either way. Only a bug
 * in letterpress rejects the promise.
 *
 * A thin layer over the loader and the renderers the command line uses: the same inputs make the
 * same editions, byte for byte.
 */
import path from 'node:path';
import type { VFile } from 'vfile';
import { BuildError, formatDiagnosticList, toDiagnostics, type Diagnostic } from '../diagnostics/index.js';
import { loadLetter as loadLetterFile, loadLetterFromText, type LoadedLetter } from '../load/letter.js';
import { ALL_FORMATS, editions, type Format } from '../render/index.js';
import { refuseFailedPreflight, renderAndWrite, renderEdition, type EditionResult } from '../build/build.js';
import type { MailingOptions } from '../build/mailing.js';
import { buildFrame } from '../frame/index.js';
import { PartialWrite } from '../io/writeAtomic.js';
import { initProject as initProjectFiles, INIT_LANGUAGES, type InitLanguage } from '../init/index.js';

export type { Diagnostic } from '../diagnostics/index.js';
export type { LoadedLetter } from '../load/letter.js';
export type { Format } from '../render/index.js';
export type { LetterDocument, LetterMeta, SignatoryList } from '../model/types.js';
export type { Template } from '../template/schema.js';
export type { InitLanguage } from '../init/index.js';
export { ALL_FORMATS, INIT_LANGUAGES, formatDiagnosticList as formatDiagnostics };

/** A step that failed on its inputs: nothing was made (or written). */
export interface Failure {
  ok: false;
  /** Every problem (errors and warnings), in the order of the files. */
  diagnostics: Diagnostic[];
  /** Files a failed write replaced and could not put back (absent: nothing was replaced). */
  replaced?: string[];
}

export type Result<T> = ({ ok: true; diagnostics: Diagnostic[] } & T) | Failure;

/** A letter to read: its path, or its text under a path (which names its folder, for the data file and template). */
export type LetterInput = string | { path: string; text: string };

/** Input problems become a Failure; anything else is a bug and is thrown on. */
async function attempt<T>(work: () => Promise<{ ok: true; diagnostics: Diagnostic[] } & T>): Promise<Result<T>> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PartialWrite) return { ok: false, diagnostics: toDiagnostics(err.files), replaced: err.replaced };
    if (err instanceof BuildError) return { ok: false, diagnostics: toDiagnostics(err.files) };
    throw err;
  }
}

const read = (input: LetterInput): Promise<LoadedLetter> =>
  typeof input === 'string' ? loadLetterFile(input) : loadLetterFromText({ letterPath: input.path, text: input.text });

/**
 * Read a letter with its front matter (and the folder's letter.yaml), template and signatory
 * data into the document model every edition is made from.
 */
export function loadLetter(input: LetterInput): Promise<Result<{ letter: LoadedLetter }>> {
  return attempt(async () => {
    const letter = await read(input);
    return { ok: true, letter, diagnostics: toDiagnostics(letter.files) };
  });
}

export interface RenderOptions {
  /** Plain text: wrap at this many columns (0 = no wrapping); overrides the template. */
  wrap?: number;
  /**
   * Keep font subsets in the user's cache folder and reuse them (default true): $LETTERPRESS_CACHE_DIR,
   * else $XDG_CACHE_HOME/letterpress, else ~/.cache/letterpress. The editions are the same either way.
   */
  cache?: boolean;
}

/** One edition of a loaded letter, in memory. */
export function renderEditionData(letter: LoadedLetter, format: Format, options: RenderOptions = {}): Promise<Result<{ data: Uint8Array }>> {
  return attempt(async () => {
    const warnings: VFile[] = [];
    const data = await renderEdition(letter, buildFrame(letter.document), format, options, warnings);
    return { ok: true, data, diagnostics: toDiagnostics(warnings) };
  });
}

/** The PDF for mailing (tagged, fonts embedded), in memory. */
export const renderPdf = (letter: LoadedLetter, options: RenderOptions = {}) => renderEditionData(letter, 'pdf', options);
/** The editable Word copy (.docx), in memory. */
export const renderDocx = (letter: LoadedLetter, options: RenderOptions = {}) => renderEditionData(letter, 'docx', options);
/** The plain-text edition (UTF-8). */
export const renderText = (letter: LoadedLetter, options: RenderOptions = {}) => renderEditionData(letter, 'txt', options);
/** The HTML page (UTF-8). */
export const renderHtml = (letter: LoadedLetter) => renderEditionData(letter, 'html');

export interface BuildLetterOptions extends RenderOptions {
  /** Editions to make (default: all: txt, pdf, docx, html). */
  formats?: readonly Format[];
  /** Read the PDF back and run the full preflight (as `letterpress check`). */
  check?: boolean;
}

/** Every requested edition of a letter, in memory, by format; nothing is written. */
export interface BuiltLetter {
  letter: LoadedLetter;
  editions: Partial<Record<Format, Uint8Array>>;
}

/**
 * Load a letter and make its editions in memory (`editions.pdf`, `editions.docx`, …). Nothing is
 * written: save the buffers where you like, or use `writeLetter`.
 */
export function buildLetter(input: LetterInput, options: BuildLetterOptions = {}): Promise<Result<BuiltLetter>> {
  return attempt(async () => {
    const letter = await read(input);
    const warnings: VFile[] = [];
    const made: Partial<Record<Format, Uint8Array>> = {};
    // One frame for every edition, as the command line's build makes it.
    const frame = buildFrame(letter.document);
    for (const format of options.formats ?? ALL_FORMATS) made[format] = await renderEdition(letter, frame, format, options, warnings);
    if (options.check && made.pdf) await refuseFailedPreflight(made.pdf, frame);
    return { ok: true, letter, editions: made, diagnostics: toDiagnostics([...letter.files, ...warnings]) };
  });
}

export interface WriteLetterOptions extends BuildLetterOptions, MailingOptions {
  /** Folder for the editions (default: out/ beside the letter). */
  outDir?: string;
}

export interface WrittenLetter {
  letter: LoadedLetter;
  /** The files written, with sizes and render times. */
  editions: EditionResult[];
  /** What changed since the previous build (signatories added, date, …), from its manifest. */
  changes: string[];
}

/**
 * Build a letter and write its editions (and the manifest) to `outDir` as the command line does:
 * all of them or none, so a failed build never replaces good editions.
 */
export function writeLetter(letterPath: string, options: WriteLetterOptions = {}): Promise<Result<WrittenLetter>> {
  return attempt(async () => {
    const letter = await loadLetterFile(letterPath);
    const written = await renderAndWrite(letter, letterPath, { ...options, formats: [...(options.formats ?? ALL_FORMATS)] });
    return {
      ok: true,
      letter,
      editions: written.editions,
      changes: written.changes,
      diagnostics: toDiagnostics([...letter.files, ...written.warnings]),
    };
  });
}

/** The file name extension of each edition (`.pdf`, `.docx`, `.txt`, `.html`). */
export function extensionOf(format: Format): string {
  return editions[format].extension;
}

export interface InitOptions {
  /** Language of the sample letter (default zh-CN). */
  lang?: InitLanguage;
}

/**
 * Start a letter project in `folder` (made if missing): letter.md, signatories.yaml and a
 * .gitignore for out/. Refuses, writing nothing, if any of those files exists.
 */
export function initProject(folder: string, options: InitOptions = {}): Promise<Result<{ folder: string; created: string[] }>> {
  return attempt(async () => {
    const created = await initProjectFiles(path.resolve(folder), options.lang ?? 'zh-CN');
    return { ok: true, folder: path.resolve(folder), created, diagnostics: [] };
  });
}
