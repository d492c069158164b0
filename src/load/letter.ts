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
import { readFrontMatter, SHARED_FRONT_MATTER, type NamedFiles } from './frontMatter.js';
import { convertTree } from '../model/fromMdast.js';
import { builtinTemplatesDir, loadTemplateChain, resolveTemplatePath } from './template.js';
import { loadLetterhead, loadSignatureImages } from './images.js';
import { parseYamlLayer, type YamlLayer } from '../io/yaml.js';
import type { Position } from '../diagnostics/index.js';
import { existsSync, realpathSync } from 'node:fs';
import { isSpreadsheetName, loadSignatories } from '../signatories/index.js';
import { listSettingsOf, type Block, type LetterDocument, type LetterMeta, type Note, type SignatoryList } from '../model/types.js';
import { yamlKind } from './yamlKind.js';
import { filesBeside, projectRoot, resolveContained, shownPath } from '../io/paths.js';
import { checkMarkdownText, checkTree, MAX_LETTER_BYTES, MAX_NESTING } from './limits.js';
import { buildContext } from '../context.js';
import { at } from '../util/checked.js';

export interface LoadedLetter {
  document: LetterDocument;
  /** Every input file with its messages (warnings only, since errors throw). */
  files: VFile[];
  /**
   * Absolute paths of the inputs, for watching and change reports: the letter, its template (and
   * the templates that one extends, in `templates`), the signatory data, the shared letter.yaml and
   * the images (letterhead, signatures); and `absent`, files not there that would change the
   * letter if they appeared (a templates/NAME.yaml for `template: NAME`, a NAME.yaml beside a
   * template that extends the built-in NAME).
   */
  inputs: { letter: string; template: string; signatories: string | null; shared: string | null; templates: string[]; images: string[]; absent: string[] };
}


/**
 * The folder's shared front matter (letter.yaml beside the letter), parsed, or null when there is
 * none. A file that is not a mapping of fields is an error on that file.
 */
export async function loadSharedFrontMatter(letterPath: string): Promise<YamlLayer | null> {
  const sharedPath = path.join(path.dirname(path.resolve(letterPath)), SHARED_FRONT_MATTER);
  if (!existsSync(sharedPath)) return null;
  const text = await readInput(sharedPath, `check ${SHARED_FRONT_MATTER} beside the letter.`, 'shared-missing', MAX_LETTER_BYTES);
  const file = new VFile({ path: shownPath(sharedPath), value: text });
  const layer = parseYamlLayer(file, text, { label: 'Shared front matter', rule: 'front-matter' });
  if (layer && (typeof layer.value !== 'object' || layer.value === null || Array.isArray(layer.value))) {
    reportError(file, `${SHARED_FRONT_MATTER} holds front-matter fields shared by the letters beside it (date: 2024-05-01, to: …), as a list of \`field: value\` lines.`, { line: 1, column: 1 }, 'front-matter-schema');
  }
  if (!layer || hasErrors([file])) throw new BuildError([file]);
  return layer;
}

/** Where a front-matter field was written: in the letter, or in the shared letter.yaml. */
export function fieldPlace(meta: Pick<LetterMeta, 'places'>, files: VFile[], field: string): { file: VFile; place: Position | undefined } {
  const written = meta.places?.[field];
  const file = (written?.file && files.find((f) => f.path === written.file)) || at(files, 0);
  return { file, place: written ? { line: written.line, column: written.column } : undefined };
}

/** Reports a problem with a front-matter field at the place it was written (in the letter or letter.yaml). */
export const reporterAtFields = (meta: Pick<LetterMeta, 'places'>, files: VFile[]) => (field: string, reason: string, ruleId: string): void => {
  const { file: where, place } = fieldPlace(meta, files, field);
  reportError(where, reason, place, ruleId);
};

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
const lastParse = buildContext.slot<{ key: string; meta: LetterMeta | null; body: Block[]; notes: Note[]; messages: VFile['messages']; named: NamedFiles | null }>('last letter');

function parseLetter(file: VFile, text: string, key: string, shared: YamlLayer | null) {
  const last = lastParse.value;
  if (last?.key === key) {
    file.messages.push(...last.messages);
    return last;
  }
  const refused = { key, meta: null, body: [], notes: [], messages: file.messages, named: null };
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
  let named: NamedFiles | null = null;
  const meta = readFrontMatter(file, tree, shared, (fields) => (named = fields));
  // Unclosed, the front matter swallows the text: what the body would report follows from it.
  if (file.messages.some((m) => m.ruleId === 'front-matter-unclosed')) return refused;
  const { body, notes } = convertTree(tree, file);
  lastParse.value = { key, meta, body, notes, messages: [...file.messages], named };
  return lastParse.value;
}

export async function loadLetterFromText(source: LetterSource): Promise<LoadedLetter> {
  const letterPath = path.resolve(source.letterPath);
  const letterDir = path.dirname(letterPath);
  const root = projectRoot(letterPath);
  const file = new VFile({ path: shownPath(letterPath), value: source.text });
  const shared = await loadSharedFrontMatter(letterPath);
  const sharedKey = shared ? String(shared.file.value) : '';
  const { meta, body, notes, named } = parseLetter(file, source.text, `${file.path}\u0000${source.text}\u0000${sharedKey}`, shared);
  const files = shared ? [file, shared.file] : [file];
  const reportIn = (places: Pick<LetterMeta, 'places'>) => reporterAtFields(places, files);
  if (!meta || hasErrors(files)) {
    // The front matter refused: the files it names are still looked for, in the same round.
    if (!meta && named) findNamedFiles(named, reportIn(named), letterDir, root);
    throw new BuildError(files.filter((f) => f === file || f.messages.length > 0));
  }
  const reportAt = reportIn(meta);
  const failAt = (field: string, reason: string, ruleId: string): never => {
    reportAt(field, reason, ruleId);
    throw new BuildError(files);
  };

  const templateRef = meta.template ?? meta.lang;
  const { templatePath, signatoriesPath } = findNamedFiles(meta, reportAt, letterDir, root);
  if (templatePath === null || hasErrors(files)) throw new BuildError(files);
  const loadedTemplate = await loadTemplateChain(templatePath, root);
  const { template, chain } = loadedTemplate;

  let signatories: SignatoryList | null = null;
  if (signatoriesPath) {
    const loaded = await loadSignatories(shownPath(signatoriesPath), meta.lang, meta.date, listSettingsOf(meta, template).names);
    signatories = loaded.list;
    files.push(loaded.file);
  }
  const letterPlace = { dir: letterDir, root, failAt };
  const builtin = path.resolve(path.dirname(templatePath)) === path.resolve(builtinTemplatesDir);
  const letterhead = await loadLetterhead(meta, template, letterPlace, loadedTemplate.where, builtin ? realpathSync(builtinTemplatesDir) : root);
  const signatureImages = await loadSignatureImages(meta, letterPlace);
  const sources = { letter: file.path, signatories: signatoriesPath ? shownPath(signatoriesPath) : null, template: shownPath(templatePath) };
  const document: LetterDocument = { meta, body, notes, signatories, template, sources, templateFile: { where: loadedTemplate.where },
    ...(letterhead ? { letterhead } : {}), ...(signatureImages.some((i) => i) ? { signatureImages } : {}) };
  const inputs = { letter: letterPath, template: templatePath, signatories: signatoriesPath, shared: shared ? path.resolve(String(shared.file.path)) : null, templates: chain,
    images: [...(letterhead ? [letterhead.image.file] : []), ...signatureImages.flatMap((i) => (i ? [i.file] : []))],
    // `template: NAME` found the built-in NAME: a templates/NAME.yaml beside the letter would be found first.
    absent: [...(builtin && !/\.ya?ml$/i.test(templateRef) ? [path.join(letterDir, 'templates', `${templateRef}.yaml`)] : []), ...loadedTemplate.absent] };
  return { document, files, inputs };
}

/**
 * The template and the data file the front matter names, looked for together so that both
 * names, if wrong, are reported in one round (`report` at the field); null for one not found.
 * The template is reported at `template:`, or at `lang:` when the language chose it.
 */
export function findNamedFiles(
  named: { template?: string | undefined; lang?: string | undefined; signatories?: string | undefined },
  report: (field: string, reason: string, ruleId: string) => void,
  letterDir: string,
  root: string,
): { templatePath: string | null; signatoriesPath: string | null } {
  const templateRef = named.template ?? named.lang;
  const found = templateRef === undefined ? null : resolveTemplatePath(templateRef, letterDir, root);
  if (found !== null && typeof found !== 'string') report(named.template ? 'template' : 'lang', found.error, 'template-path');
  const templatePath = typeof found === 'string' ? found : null;
  let signatoriesPath: string | null = null;
  if (named.signatories) {
    const contained = resolveContained(root, letterDir, named.signatories, 'Signatory file');
    if ('error' in contained) report('signatories', contained.error, 'signatories-path');
    // A mistyped name is reported at the field, with the data files that are there.
    else if (!existsSync(contained.path) && !isSpreadsheetName(contained.path)) report('signatories', missingDataFile(named.signatories, letterDir, templatePath), 'signatories-missing');
    else signatoriesPath = contained.path;
  }
  return { templatePath, signatoriesPath };
}

/**
 * What to say when the letter's `signatories:` names no file: the data files beside the letter
 * (not the letter's template, nor another .yaml that extends one).
 */
function missingDataFile(name: string, letterDir: string, templatePath: string | null): string {
  const candidates = filesBeside(
    letterDir,
    (f) =>
      /\.(ya?ml|json|csv)$/i.test(f) &&
      !/^letter\b.*\.ya?ml$/i.test(f) &&
      !/\.manifest\.json$|\.releases\.json$/i.test(f) &&
      path.join(letterDir, f) !== templatePath &&
      !(/\.ya?ml$/i.test(f) && yamlKind(path.join(letterDir, f)) === 'template'),
  );
  const there = candidates.length ? ` Data files beside the letter: ${candidates.map((f) => `"${f}"`).join(', ')}.` : '';
  return `There is no file "${name}" beside the letter: fix the name in the \`signatories\` field, or create the file.${there}`;
}
