/**
 * Letter file → LetterDocument: parse the Markdown, read the front matter, convert the body and
 * notes, load the template and the signatory list. Every problem is collected as a positioned
 * message; if any is an error, a BuildError carrying all of them is thrown.
 */
import path from 'node:path';
import { VFile } from 'vfile';
import { BuildError, hasErrors, reportError } from '../diagnostics/index.js';
import { readInput } from '../io/readInput.js';
import { parseMarkdown } from '../parse/parseMarkdown.js';
import { readFrontMatter } from './frontMatter.js';
import { convertTree } from '../model/fromMdast.js';
import { loadTemplateFile, resolveTemplatePath } from './template.js';
import { loadSignatories } from '../signatories/index.js';
import type { Block, LetterDocument, LetterMeta, Note, SignatoryList } from '../model/types.js';
import { projectRoot, resolveContained } from '../io/paths.js';
import { checkMarkdownText, checkTree, MAX_LETTER_BYTES, MAX_NESTING } from './limits.js';
import { buildContext } from '../context.js';

export interface LoadedLetter {
  document: LetterDocument;
  /** Every input file with its messages (warnings only, since errors throw). */
  files: VFile[];
  /** Absolute paths of the inputs, for watching and change reports. */
  inputs: { letter: string; template: string; signatories: string | null };
}

export function placeOfField(file: VFile, field: string): { line: number; column: number } | undefined {
  const lines = String(file.value).split('\n');
  const index = lines.findIndex((line) => line.startsWith(`${field}:`));
  return index >= 0 ? { line: index + 1, column: 1 } : undefined;
}

export interface LetterSource {
  letterPath: string;
  text: string;
}

export async function loadLetter(letterPath: string): Promise<LoadedLetter> {
  const text = await readInput(letterPath, 'check the path of the letter given to letterpress.', 'letter-missing', MAX_LETTER_BYTES);
  return loadLetterFromText({ letterPath, text });
}

/**
 * The last parsed letter, by its text: rebuilding after a change to the signatory data alone
 * (watch mode) skips parsing and conversion.
 */
const lastParse = buildContext.slot<{ key: string; meta: LetterMeta | null; body: Block[]; notes: Note[]; messages: VFile['messages'] }>('last letter');

function parseLetter(file: VFile, text: string, key: string) {
  const last = lastParse.value;
  if (last?.key === key) {
    file.messages.push(...last.messages);
    return last;
  }
  const refused = { key, meta: null, body: [], notes: [], messages: file.messages };
  if (!checkMarkdownText(file, text)) return refused;
  let tree: ReturnType<typeof parseMarkdown>;
  try {
    tree = parseMarkdown(text);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    reportError(file, `The letter is nested too deeply to be read (more than ${MAX_NESTING} levels of quotes, lists or emphasis).`, undefined, 'letter-too-deep');
    return refused;
  }
  if (!checkTree(file, tree)) return refused;
  const meta = readFrontMatter(file, tree);
  const { body, notes } = convertTree(tree, file);
  lastParse.value = { key, meta, body, notes, messages: [...file.messages] };
  return lastParse.value;
}

export async function loadLetterFromText(source: LetterSource): Promise<LoadedLetter> {
  const letterPath = path.resolve(source.letterPath);
  const letterDir = path.dirname(letterPath);
  const root = projectRoot(letterPath);
  const file = new VFile({ path: path.relative(process.cwd(), letterPath) || letterPath, value: source.text });
  const { meta, body, notes } = parseLetter(file, source.text, `${file.path}\u0000${source.text}`);
  if (!meta || hasErrors([file])) throw new BuildError([file]);

  const templateRef = meta.template ?? meta.lang;
  const templatePath = resolveTemplatePath(templateRef, letterDir, root);
  if (typeof templatePath !== 'string') {
    // Reported at `template:`, or at `lang:` when the template was chosen by the language.
    reportError(file, templatePath.error, placeOfField(file, meta.template ? 'template' : 'lang'), 'template-path');
    throw new BuildError([file]);
  }
  const templateFile = await loadTemplateFile(templatePath);
  const { template } = templateFile;

  const files = [file];
  let signatories: SignatoryList | null = null;
  let signatoriesPath: string | null = null;
  if (meta.signatories) {
    const contained = resolveContained(root, letterDir, meta.signatories, 'Signatory file');
    if ('error' in contained) {
      reportError(file, contained.error, placeOfField(file, 'signatories'), 'signatories-path');
      throw new BuildError([file]);
    }
    signatoriesPath = contained.path;
    const relPath = path.relative(process.cwd(), signatoriesPath) || signatoriesPath;
    const loaded = await loadSignatories(relPath, meta.lang, meta.date);
    signatories = loaded.list;
    files.push(loaded.file);
  }
  const sources = { letter: file.path, signatories: files[1]?.path ?? null, template: path.relative(process.cwd(), templatePath) || templatePath };
  const document: LetterDocument = { meta: meta as LetterMeta, body, notes, signatories, template, sources, templateFile: { text: templateFile.text, place: templateFile.place } };
  return { document, files, inputs: { letter: letterPath, template: templatePath, signatories: signatoriesPath } };
}
