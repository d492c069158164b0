/**
 * The letter's YAML front matter → LetterMeta, validated with a schema; every message points at
 * the offending line of the letter.
 */
import { z } from 'zod';
import { distance } from 'fastest-levenshtein';
import type { VFile } from 'vfile';
import type { Root, Yaml } from 'mdast';
import { reportError } from '../diagnostics/index.js';
import { locate, parseYamlLayer, validateLayers, type YamlLayer } from '../io/yaml.js';
import { isIsoDate } from '../model/types.js';
import { isoAdvice } from '../signatories/import/dates.js';
import { LANGUAGE_TAG } from '../util/languageTag.js';
import { countryDisplay, letterheadSchema, nameDisplay } from '../template/schema.js';
import type { FieldPlace, LetterMeta } from '../model/types.js';
import type { Position } from '../diagnostics/index.js';

const text = z.string().trim().min(1, 'must not be empty');
const QUOTE_POSTCODE = "write the postcode in quotes, as it is written on the envelope (postcode: '010017'): YAML reads a bare number and drops a leading 0";
/** Lines of a block: a multi-line string (one line each, blank lines dropped) or a list of lines. */
const lines = z
  .union([z.string(), z.array(z.string())], { error: 'write one line a line (address: |, then the lines indented) or a list ([line, line])' })
  .transform((v) => (typeof v === 'string' ? v.split(/\r?\n/) : v).map((line) => line.trim()).filter((line) => line !== ''));
/** An addressee (`to:`, `cc:`): its address written as the sender's is, a list or a multi-line string. */
const party = z
  .object({
    name: text,
    address: lines.default([]),
    /** Postal code, set in the postcode boxes of a Chinese envelope (digits, letters, space, hyphen). */
    postcode: z
      .union([
        z.string(),
        // `postcode: 100017` without quotes is a number to YAML; six digits are taken as written,
        // another number may have lost a leading 0 (010017 reads as 10017), so quotes are asked for.
        z.number().int().min(100000, QUOTE_POSTCODE).max(999999, QUOTE_POSTCODE).transform(String),
      ], { error: QUOTE_POSTCODE })
      .pipe(z.string().trim().regex(/^[0-9A-Za-z][0-9A-Za-z -]{0,11}$/, 'a postal code has digits, letters, spaces and hyphens only, at most 12'))
      .optional(),
  })
  .strict();
const oneLine = text.refine((v) => !/[\r\n]/.test(v), 'write it on one line');
/**
 * The sender: `from: { name, address: |, contact }` — the organisation's name, its postal address
 * (one address line a line) and one line of contact; the sign-off shows it, envelopes and labels
 * print it as the return address.
 */
const sender = z
  .object({ name: oneLine, address: lines.default([]), contact: oneLine.optional() })
  .strict();
/** One signer: a name, a title (one or more lines), a signature image and its alternative text. */
const signer = z
  .object({ name: oneLine, title: lines.default([]), image: text.optional(), alt: oneLine.optional() })
  .strict();

const isoDate = z
  .union([z.string(), z.date()])
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .superRefine((v, ctx) => {
    if (isIsoDate(v)) return;
    // A well-formed date the calendar does not have (30 February) is named as such.
    const message = /^\d{4}-\d{2}-\d{2}$/.test(v)
      ? `"${v}" is not a day of the calendar; write the date as YYYY-MM-DD, e.g. 2023-09-21`
      : `write the date as YYYY-MM-DD${isoAdvice(v)}`;
    ctx.addIssue({ code: 'custom', message });
  });

const frontMatterSchema = z
  .object({
    lang: z.string().regex(LANGUAGE_TAG, 'must be a language tag such as zh-CN or en'),
    date: isoDate,
    to: z.array(party).min(1, 'name at least one recipient'),
    cc: z.array(party).default([]),
    subject: text,
    salutation: text,
    closing: text,
    author: text.optional(),
    signatories: text.optional(),
    template: text.optional(),
    /** The template's `list` settings for this letter (countries, names). */
    list: z
      .object({ countries: countryDisplay.optional(), names: nameDisplay.optional() })
      .strict()
      .optional(),
    from: sender.optional(),
    /** One signer, or a list of them. */
    signature: z.union([signer.transform((one) => [one]), z.array(signer).min(1, 'name at least one signer, or leave out `signature:`')]).optional(),
    /** A letterhead of the letter's own, or `false` for none (the template's is left off). */
    letterhead: z.union([letterheadSchema, z.literal(false)], { error: 'give its image (letterhead: { image: letterhead.svg }), or false to leave the template\'s letterhead off' }).optional(),
  })
  .strict();

const FIELD_NAMES = Object.keys(frontMatterSchema.shape);
const FIELDS = FIELD_NAMES.join(', ');

/** The file that holds front-matter fields shared by the letters of a folder (see README "Several letters"). */
export const SHARED_FRONT_MATTER = 'letter.yaml';

/**
 * The fields that name files (`template`, `lang`, `signatories`) as written, with their places,
 * when the schema refused the front matter: so that a wrong name is reported in the same round as
 * the other problems. A field whose own line already has a problem is left out.
 */
export interface NamedFiles {
  template?: string;
  lang?: string;
  signatories?: string;
  places: Record<string, FieldPlace>;
}

/**
 * The front matter of a letter, merged over the fields of its folder's shared file when there is
 * one (`shared`, a parsed letter.yaml): a field the letter gives replaces the shared one whole.
 * Every message points at the line that wrote the value, in the letter or in letter.yaml.
 * `refused` receives the fields that name files when the schema refuses the rest.
 */
export function readFrontMatter(file: VFile, tree: Root, shared?: YamlLayer | null, refused?: (named: NamedFiles) => void): LetterMeta | null {
  const node = tree.children.find((child): child is Yaml => child.type === 'yaml');
  if (!node && /^\uFEFF?---[ \t]*\r?\n/u.test(String(file.value))) {
    reportError(
      file,
      'The front matter opened by --- on this line is never closed: add a line with only --- after its last field (before the text of the letter).',
      { line: 1, column: 1 },
      'front-matter-unclosed',
    );
    return null;
  }
  if (!node && !shared) {
    reportError(
      file,
      `The letter has no front matter: start it with a --- block giving ${FIELDS}.`,
      { line: 1, column: 1 },
      'front-matter-missing',
    );
    return null;
  }
  const firstLine = node?.position?.start.line ?? 0; // the opening ---
  const shift = (p: Position | undefined): Position | undefined =>
    p ? { line: p.line + firstLine, column: p.column } : { line: Math.max(firstLine, 1), column: 1 };
  const options = {
    label: 'Front matter',
    rule: 'front-matter',
    shift,
    hint: (issue: z.core.$ZodIssue, key?: string) => {
      if (issue.code !== 'unrecognized_keys') return '';
      // A typo of a field (`subjet`, `Closing`) is named with the field it most likely means.
      const close = issue.path.length === 0 && key !== undefined ? FIELD_NAMES.find((f) => distance(f, key.toLowerCase()) <= (key.length > 4 ? 2 : 1)) : undefined;
      if (close) return `; did you mean \`${close}\`? (allowed fields: ${FIELDS})`;
      const [field] = issue.path;
      if (field === 'from') return ' (a sender has name, address and contact)';
      if (field === 'signature') return ' (a signer has name, title, image and alt)';
      if (field === 'to' || field === 'cc') return ' (an addressee has name, address and postcode)';
      return ` (allowed fields: ${FIELDS})`;
    },
  };
  const own = parseYamlLayer(file, node?.value ?? '', options);
  if (!own) return null;
  const isFields = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
  // Without a mapping of its own (or of the shared file), the schema says what is wrong.
  const layers = shared && isFields(own.value) && isFields(shared.value) ? [shared, own] : [own];
  const merged = layers.length === 2 ? { ...(shared?.value as object), ...(own.value as object) } : own.value;
  const read = validateLayers(layers, merged, frontMatterSchema, { ...options, jitless: true });
  if (!read) {
    if (refused && isFields(merged)) {
      const named: NamedFiles = { places: {} };
      for (const field of ['template', 'lang', 'signatories'] as const) {
        const value = (merged as Record<string, unknown>)[field];
        const { file: where, place } = locate(layers, [field]);
        if (typeof value !== 'string' || !place || where.messages.some((m) => m.line === place.line)) continue;
        named[field] = value.trim();
        named.places[field] = { line: place.line, column: 1, ...(where === file ? {} : { file: where.path }) };
      }
      refused(named);
    }
    return null;
  }
  const places: Record<string, FieldPlace> = {};
  const placeOf = (path: PropertyKey[]): FieldPlace | undefined => {
    const { file: where, place } = read.where(path);
    if (!place) return undefined;
    return where === file ? place : { ...place, file: where.path };
  };
  for (const field of ['date', 'subject', 'salutation', 'closing'] as const) {
    const place = placeOf([field]);
    if (place) places[field] = place;
  }
  for (const field of ['from', 'letterhead'] as const) {
    const place = read.data[field] === undefined ? undefined : placeOf([field]);
    if (place) places[field] = place;
  }
  const image = read.data.letterhead ? placeOf(['letterhead', 'image']) : undefined;
  if (image) places['letterhead.image'] = image;
  read.data.signature?.forEach((one, index) => {
    // A single signer is written as a mapping, a list as a sequence.
    const written = Array.isArray(merged && (merged as Record<string, unknown>).signature) ? ['signature', index] : ['signature'];
    const place = placeOf(written);
    if (place) places[`signature.${index}`] = place;
    const at = one.image ? placeOf([...written, 'image']) : undefined;
    if (at) places[`signature.${index}.image`] = at;
  });
  // A path or a name that cannot be used is reported at its field's line, from the line's start.
  for (const field of ['lang', 'signatories', 'template'] as const) {
    const place = read.data[field] === undefined ? undefined : placeOf([field]);
    if (place) places[field] = { ...place, column: 1 };
  }
  for (const field of ['to', 'cc'] as const) {
    read.data[field].forEach((_party, index) => {
      const place = placeOf([field, index]);
      if (place) places[`${field}.${index}`] = place;
    });
  }
  return { ...read.data, places };
}
