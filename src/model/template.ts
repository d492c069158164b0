/**
 * Templates hold the per-language house style: labels, date format, page geometry, type sizes
 * and the font chain. Users change them without touching code.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { VFile } from 'vfile';
import { BuildError, readInput } from './diagnostics.js';
import { readYaml } from './yamlInput.js';

const fontEntry = z.union([
  z
    .object({
      package: z.string().min(1),
      regular: z.string().min(1),
      bold: z.string().min(1).optional(),
      name: z.string().min(1),
    })
    .strict(),
  z.object({ fontsource: z.string().min(1), name: z.string().min(1) }).strict(),
  z
    .object({ file: z.string().min(1), bold: z.string().min(1).optional(), name: z.string().min(1) })
    .strict(),
]);

export const templateSchema = z
  .object({
    lang: z.string().min(2),
    labels: z
      .object({
        cc: z.string(),
        subject: z.string(),
        labelSeparator: z.string(),
        signatoriesHeading: z.string().includes('{date}'),
        organizations: z.string(),
        individuals: z.string(),
        nameSeparator: z.string(),
        page: z.string(),
      })
      .strict(),
    date: z
      .object({ format: z.string().min(1), monthNames: z.array(z.string()).length(12).optional() })
      .strict(),
    text: z
      .object({
        noteMarks: z.enum(['superscript', 'brackets']),
        wrap: z.number().int().min(0),
        notesRule: z.string(),
      })
      .strict(),
    page: z
      .object({
        size: z.literal('A4'),
        margins: z
          .object({ top: z.number().positive(), right: z.number().positive(), bottom: z.number().positive(), left: z.number().positive() })
          .strict(),
      })
      .strict(),
    type: z
      .object({
        bodySize: z.number().min(6).max(30),
        lineHeight: z.number().min(1).max(3),
        noteSize: z.number().min(5).max(20),
        noteLineHeight: z.number().min(1).max(3),
        listSize: z.number().min(5).max(20),
        listLineHeight: z.number().min(1).max(3),
        paragraphSpacing: z.number().min(0).max(3),
        firstLineIndent: z.number().min(0).max(4),
        punctuationCompression: z.boolean(),
        hanLatinSpace: z.number().min(0).max(0.5),
      })
      .strict(),
    fonts: z.object({ serif: z.array(fontEntry).min(1) }).strict(),
    docx: z
      .object({ eastAsiaFont: z.string(), latinFont: z.string(), fallbackEastAsiaFont: z.string() })
      .strict(),
    /**
     * `standard`: identify the mailing PDF as PDF/A-2a and PDF/UA-1 (XMP, output intent); the
     * PDF is tagged either way. `subjectRole`: the subject line's structure role.
     */
    pdf: z
      .object({ standard: z.boolean().default(true), subjectRole: z.enum(['H1', 'P']).default('H1') })
      .strict()
      .default({ standard: true, subjectRole: 'H1' }),
  })
  .strict();

export type Template = z.infer<typeof templateSchema> & {
  /** Absolute path of the template file (fonts named by `file` are relative to it). */
  sourcePath: string;
};
export type FontEntry = z.infer<typeof fontEntry>;

/** The templates shipped with letterpress. */
export const builtinTemplatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Resolve a template reference from a letter: a name (`zh-CN`), looked up in the letter's own
 * templates/ folder and then among the built-in templates, or a path to a YAML file relative to
 * the letter, which must stay inside the letter's folder.
 */
export function resolveTemplatePath(ref: string, letterDir: string): string | { error: string } {
  if (/\.ya?ml$/i.test(ref)) {
    const resolved = path.resolve(letterDir, ref);
    const rel = path.relative(letterDir, resolved);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      return { error: `Template path "${ref}" leads outside the letter's folder; keep templates beside the letter.` };
    }
    return resolved;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(ref)) {
    return { error: `Template "${ref}" is neither a template name (such as zh-CN, found in templates/) nor a .yaml file beside the letter.` };
  }
  const local = path.join(letterDir, 'templates', `${ref}.yaml`);
  if (existsSync(local)) return local;
  return path.join(builtinTemplatesDir, `${ref}.yaml`);
}

const cache = new Map<string, { text: string; template: Template }>();

export async function loadTemplate(templatePath: string): Promise<Template> {
  const text = await readInput(templatePath, 'check the `template` field of the letter.', 'template-missing');
  const cached = cache.get(templatePath);
  if (cached && cached.text === text) return cached.template;
  const file = new VFile({ path: templatePath, value: text });
  const read = readYaml(file, text, templateSchema, { label: 'Template', rule: 'template' });
  if (!read) throw new BuildError([file]);
  const template: Template = { ...read.data, sourcePath: templatePath };
  cache.set(templatePath, { text, template });
  return template;
}

/** Format an ISO date (YYYY-MM-DD) with the template's pattern. */
export function formatDate(iso: string, template: Template): string {
  const [year, month, day] = iso.split('-').map((part) => Number(part)) as [number, number, number];
  const monthName = template.date.monthNames?.[month - 1] ?? String(month);
  return template.date.format
    .replaceAll('{year}', String(year))
    .replaceAll('{month}', String(month))
    .replaceAll('{day}', String(day))
    .replaceAll('{monthName}', monthName);
}

export function fillLabel(pattern: string, values: Record<string, string | number>): string {
  return pattern.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
