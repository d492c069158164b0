/**
 * The letter's YAML front matter → LetterMeta, validated with a schema; every message points at
 * the offending line of the letter.
 */
import { parseDocument, LineCounter } from 'yaml';
import { z } from 'zod';
import type { VFile } from 'vfile';
import type { Root, Yaml } from 'mdast';
import { reportError } from '../model/diagnostics.js';
import { placeOfPath } from '../signatories/yamlPlaces.js';
import { isIsoDate } from '../signatories/validate.js';
import type { LetterMeta, Position } from '../model/types.js';

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(node.value, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      reportError(
        file,
        `Front matter is not valid YAML: ${err.message.split('\n')[0]}`,
        shift(pos ? { line: pos.line, column: pos.col } : undefined),
        'front-matter-yaml',
      );
    }
    return null;
  }
  const parsed = frontMatterSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.join('.') || 'front matter';
      const hint = issue.code === 'unrecognized_keys' ? ` (allowed fields: ${FIELDS})` : '';
      reportError(
        file,
        `Front matter \`${where}\`: ${issue.message}${hint}`,
        shift(placeOfPath(doc, lineCounter, issue.path)),
        'front-matter-schema',
      );
    }
    return null;
  }
  const meta: LetterMeta = { ...parsed.data };
  return meta;
}
