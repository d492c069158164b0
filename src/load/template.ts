/** Finding and loading a letter's template file (validated against src/template/schema.ts). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VFile } from 'vfile';
import { BuildError, type Position } from '../diagnostics/index.js';
import { readInput } from '../io/readInput.js';
import { readYaml } from '../io/yaml.js';
import { templateSchema, type Template } from '../template/schema.js';
import { resolveContained } from '../io/paths.js';
import { buildContext } from '../context.js';

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
    return 'path' in contained ? contained.path : contained;
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
  const names = readdirSync(builtinTemplatesDir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
  return {
    error: `There is no template "${ref}" (built in: ${names.join(', ')}; or a templates/${ref}.yaml beside the letter): add \`template:\` with one of those, or with a .yaml file of your own.`,
  };
}

/** A loaded template with its file's text and the positions of its fields (for warnings on it). */
export interface LoadedTemplate {
  template: Template;
  text: string;
  place(field: string[]): Position | undefined;
}

const cache = buildContext.map<string, LoadedTemplate>('templates');

export async function loadTemplateFile(templatePath: string): Promise<LoadedTemplate> {
  const text = await readInput(templatePath, 'check the `template` field of the letter.', 'template-missing');
  const cached = cache.get(templatePath);
  if (cached && cached.text === text) return cached;
  const shown = path.relative(process.cwd(), templatePath);
  const file = new VFile({ path: shown && !shown.startsWith('..') && !path.isAbsolute(shown) ? shown : templatePath, value: text });
  const read = readYaml(file, text, templateSchema, { label: 'Template', rule: 'template' });
  if (!read) throw new BuildError([file]);
  const loaded: LoadedTemplate = { template: { ...read.data, sourcePath: templatePath }, text, place: read.place };
  cache.set(templatePath, loaded);
  return loaded;
}

export async function loadTemplate(templatePath: string): Promise<Template> {
  return (await loadTemplateFile(templatePath)).template;
}

