/** Finding and loading a letter's template file (validated against src/template/schema.ts). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VFile } from 'vfile';
import { BuildError, reportError, type Position } from '../diagnostics/index.js';
import { readInput } from '../io/readInput.js';
import { locate, parseYamlLayer, validateLayers, type YamlLayer } from '../io/yaml.js';
import { templateSchema, type Template } from '../template/schema.js';
import { filesBeside, resolveContained, shownIfInside } from '../io/paths.js';
import { yamlKind } from './yamlKind.js';
import { buildContext } from '../context.js';
import { at } from '../util/checked.js';

/** The templates shipped with letterpress. */
export const builtinTemplatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Resolve a template reference from a letter: a name (`zh-CN`), looked up in the letter's own
 * templates/ folder and then among the built-in templates, or a path to a YAML file relative to
 * the letter. Both must stay inside the project (`root`, the letter's folder), symlinks followed.
 */
export function resolveTemplatePath(ref: string, letterDir: string, root: string = letterDir): string | { error: string } {
  if (/\.ya?ml$/i.test(ref)) {
    const contained = resolveContained(root, letterDir, ref, 'Template');
    if (!('path' in contained)) return contained;
    if (!existsSync(contained.path)) return { error: missingTemplateFile(ref, letterDir) };
    return contained.path;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(ref)) {
    return { error: `Template "${ref}" is neither a template name (such as zh-CN, found in templates/) nor a .yaml file beside the letter.` };
  }
  const local = path.join(letterDir, 'templates', `${ref}.yaml`);
  if (existsSync(local)) {
    const contained = resolveContained(root, letterDir, path.join('templates', `${ref}.yaml`), 'Template');
    return 'path' in contained ? contained.path : contained;
  }
  const builtin = path.join(builtinTemplatesDir, `${ref}.yaml`);
  if (existsSync(builtin)) return builtin;
  const names = builtinTemplateNames();
  // `zh-tw`, `EN`: the built-in name written in another case.
  const sameButCase = names.find((n) => n.toLowerCase() === ref.toLowerCase());
  if (sameButCase) return { error: `There is no template "${ref}": write "${sameButCase}" (the built-in names are case-sensitive).` };
  return {
    error: `There is no template "${ref}" (built in: ${names.join(', ')}; or a templates/${ref}.yaml beside the letter): add \`template:\` with one of those, or with a .yaml file of your own.`,
  };
}

/** The names of the templates letterpress ships, each a language (en, zh-CN …). */
export const builtinTemplateNames = (): string[] => readdirSync(builtinTemplatesDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();

/** What to say when the letter's `template:` names a .yaml file that is not there: the ones that are (not the signatory data). */
function missingTemplateFile(ref: string, letterDir: string): string {
  const there = filesBeside(letterDir, (f) => /\.ya?ml$/i.test(f) && !/^letter\.ya?ml$/i.test(f) && yamlKind(path.join(letterDir, f)) !== 'data');
  const candidates = there.length ? ` YAML files beside the letter: ${there.map((f) => `"${f}"`).join(', ')}.` : '';
  return `There is no template file "${ref}" beside the letter: fix the name in the \`template\` field, or write a built-in template's name (${builtinTemplateNames().join(', ')}).${candidates}`;
}

/** A template that `extends` another may chain this many files (a loop is refused earlier). */
const MAX_EXTENDS = 8;

/** Objects merge key by key; a list or a value replaces the base's (a font list is given whole). */
function deepMerge(base: unknown, over: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * Where `extends:` of the template at `from` points: a .yaml path beside it, or a name found
 * beside it (another file than itself) or among the built-in templates. `extends: zh-CN` in a
 * project's templates/zh-CN.yaml therefore means the built-in zh-CN.
 */
function resolveBase(ref: string, from: string, root: string): string | { error: string } {
  const dir = path.dirname(from);
  if (/\.ya?ml$/i.test(ref)) {
    const contained = resolveContained(root, dir, ref, 'Template');
    return 'path' in contained ? contained.path : contained;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(ref)) return { error: `\`extends: ${ref}\` is neither a template name (such as zh-CN) nor a .yaml file.` };
  const beside = path.join(dir, `${ref}.yaml`);
  if (existsSync(beside) && path.resolve(beside) !== path.resolve(from)) {
    const contained = resolveContained(root, dir, `${ref}.yaml`, 'Template');
    return 'path' in contained ? contained.path : contained;
  }
  const builtin = path.join(builtinTemplatesDir, `${ref}.yaml`);
  if (existsSync(builtin)) return builtin;
  const names = builtinTemplateNames();
  return { error: `There is no template "${ref}" to extend (built in: ${names.join(', ')}; or a ${ref}.yaml beside this template).` };
}

/** A loaded template and the files it was merged from (the template itself first, then what it extends). */
export interface LoadedTemplate {
  template: Template;
  chain: string[];
  /**
   * Files that are not there but would change the chain if they appeared: for an `extends: NAME`
   * that found the built-in NAME, NAME.yaml beside the template that says it (found first).
   */
  absent: string[];
  /** For a field: the file that wrote its value (as messages name it), its text and the field's place. */
  where(field: string[]): { path: string; text: string; place: Position | undefined };
}

const cache = buildContext.map<string, LoadedTemplate & { texts: string[]; refs: string[]; root: string }>('templates');

/**
 * Load a template and, when it says `extends: NAME`, the template it extends (recursively); the
 * values it gives replace those of its base, object by object, so a project's template holds only
 * what differs from a built-in one. Problems are reported in the file and at the line that wrote
 * the value. `root`: the project folder a path in `extends:` must stay inside.
 */
export async function loadTemplateChain(templatePath: string, root: string = path.dirname(templatePath)): Promise<LoadedTemplate> {
  const readTemplate = (file: string, index: number) =>
    readInput(file, index === 0 ? 'check the `template` field of the letter.' : 'check the `extends` field of the template.', 'template-missing');
  const baseRoot = (file: string) => (isBuiltin(file) ? builtinTemplatesDir : root);
  // The chain read last time (under the same project folder), every file the same text and every
  // `extends:` still finding the same file (an en.yaml put beside a template that extends the
  // built-in en is found first): nothing to parse again.
  const last = cache.get(templatePath);
  if (last?.root === root) {
    const now = await Promise.all(last.chain.map(readTemplate));
    const sameFiles = last.refs.every((ref, i) => resolveBase(ref, at(last.chain, i), baseRoot(at(last.chain, i))) === last.chain[i + 1]);
    if (sameFiles && now.every((text, i) => text === last.texts[i])) return last;
  }
  const layers: YamlLayer[] = [];
  const texts: string[] = [];
  const chain: string[] = [];
  const refs: string[] = [];
  let current = templatePath;
  for (;;) {
    const text = await readTemplate(current, chain.length);
    chain.push(current);
    texts.push(text);
    const file = new VFile({ path: shownIfInside(current), value: text });
    const layer = parseYamlLayer(file, text, { label: 'Template', rule: 'template' });
    if (!layer) throw new BuildError([file]);
    if (chain.length > 1) rebaseFontFiles(layer.value, path.dirname(current), path.dirname(templatePath));
    layers.unshift(layer); // the base goes first, so that what extends it overrides it
    const value = layer.value as Record<string, unknown>;
    const ref = typeof value === 'object' && value !== null ? value.extends : undefined;
    if (ref === undefined) break;
    const at = locate([layer], ['extends']).place;
    const fail = (reason: string): never => {
      reportError(file, reason, at, 'template-extends');
      throw new BuildError([file]);
    };
    if (typeof ref !== 'string' || ref.trim() === '') fail('`extends:` names a template: a built-in name such as zh-CN, or a .yaml file beside this one.');
    const base = resolveBase(String(ref).trim(), current, baseRoot(current));
    refs.push(String(ref).trim());
    if (typeof base !== 'string') return fail(base.error);
    if (chain.includes(base)) fail(`\`extends: ${String(ref)}\` goes round in a circle (${[...chain, base].map(shownIfInside).join(' → ')}); one of them must not extend the other.`);
    if (chain.length >= MAX_EXTENDS) fail(`Templates extend each other more than ${MAX_EXTENDS} deep; extend a built-in template directly.`);
    current = base;
  }
  let merged: unknown = {};
  for (const layer of layers) {
    const { extends: _extends, ...own } = layer.value as Record<string, unknown>;
    merged = deepMerge(merged, own);
  }
  const read = validateLayers(layers, merged, templateSchema, { label: 'Template', rule: 'template', jitless: true });
  if (!read) throw new BuildError(layers.map((l) => l.file).filter((f) => f.messages.length > 0));
  const template: Template = { ...read.data, sourcePath: templatePath };
  const where = (field: string[]) => {
    const at = read.where(field);
    return { path: String(at.file.path), text: String(at.file.value), place: at.place };
  };
  const absent = refs.flatMap((ref, i) => {
    const from = at(chain, i);
    const beside = path.join(path.dirname(from), `${ref}.yaml`);
    return /\.ya?ml$/i.test(ref) || isBuiltin(from) || at(chain, i + 1) === beside ? [] : [beside];
  });
  const loaded = { template, chain, absent, where, texts, refs, root };
  cache.set(templatePath, loaded);
  return loaded;
}

/**
 * A `file:` font is read from the folder of the template that names it. Merged into the template
 * that extends it (whose folder the font chain reads from), a base template's font files are
 * rewritten relative to that folder, so a house template elsewhere in the project keeps its fonts.
 */
function rebaseFontFiles(value: unknown, from: string, to: string): void {
  const serif = (value as { fonts?: { serif?: unknown } } | null)?.fonts?.serif;
  if (from === to || !Array.isArray(serif)) return;
  for (const entry of serif as unknown[]) {
    if (typeof entry !== 'object' || entry === null || !('file' in entry)) continue;
    const files = entry as Record<string, unknown>;
    for (const key of ['file', 'bold', 'italic', 'boldItalic']) {
      const ref = files[key];
      if (typeof ref === 'string' && ref !== '' && !path.isAbsolute(ref)) files[key] = path.relative(to, path.resolve(from, ref)).split(path.sep).join('/');
    }
  }
}

function isBuiltin(p: string): boolean {
  return path.dirname(path.resolve(p)) === path.resolve(builtinTemplatesDir);
}

export async function loadTemplate(templatePath: string, root?: string): Promise<Template> {
  return (await loadTemplateChain(templatePath, root)).template;
}
