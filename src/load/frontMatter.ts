/**
 * The letter's YAML front matter → LetterMeta, validated with a schema; every message points at
 * the offending line of the letter.
 */
import { z } from 'zod';
import type { VFile } from 'vfile';
import type { Root, Yaml } from 'mdast';
import { reportError } from '../diagnostics/index.js';
import { readYaml } from '../io/yaml.js';
import { isIsoDate } from '../model/types.js';
import type { LetterMeta } from '../model/types.js';
import type { Position } from '../diagnostics/index.js';

const text = z.string().trim().min(1, 'must not be empty');
const party = z
  .object({ name: text, address: z.array(z.string()).default([]) })
  .strict();
const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .refine(isIsoDate, 'write the date as YYYY-MM-DD, e.g. 2023-09-21');

const frontMatterSchema = z
  .object({
    lang: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as zh-CN or en'),
    date: isoDate,
    to: z.array(party).min(1, 'name at least one recipient'),
    cc: z.array(party).default([]),
    subject: text,
    salutation: text,
    closing: text,
    author: text.optional(),
    signatories: text.optional(),
    template: text.optional(),
  })
  .strict();

const FIELDS = Object.keys(frontMatterSchema.shape).join(', ');

export function readFrontMatter(file: VFile, tree: Root): LetterMeta | null {
  const node = tree.children.find((child): child is Yaml => child.type === 'yaml');
  if (!node) {
    reportError(
      file,
      `The letter has no front matter: start it with a --- block giving ${FIELDS}.`,
      { line: 1, column: 1 },
      'front-matter-missing',
    );
    return null;
  }
  const firstLine = node.position?.start.line ?? 1; // the opening ---
  const shift = (p: Position | undefined): Position | undefined =>
    p ? { line: p.line + firstLine, column: p.column } : { line: firstLine, column: 1 };
  const read = readYaml(file, node.value, frontMatterSchema, {
    label: 'Front matter',
    rule: 'front-matter',
    shift,
    hint: (issue) => (issue.code === 'unrecognized_keys' ? ` (allowed fields: ${FIELDS})` : ''),
  });
  if (!read) return null;
  const places: Record<string, Position> = {};
  for (const field of ['date', 'subject', 'salutation', 'closing'] as const) {
    const place = read.place([field]);
    if (place) places[field] = place;
  }
  for (const field of ['to', 'cc'] as const) {
    read.data[field].forEach((_party, index) => {
      const place = read.place([field, index]);
      if (place) places[`${field}.${index}`] = place;
    });
  }
  return { ...read.data, places };
}
