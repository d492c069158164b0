/**
 * The one signatory schema. Every other part derives from this table: the YAML/JSON schema
 * (zod), the CSV column names and header check, the record type the loaders produce, the model
 * entries, the editor's new entries (YAML, JSON and CSV), the `signatories add` options and the
 * messages that list the allowed fields.
 *
 * The field table itself is src/model/signatoryFields.ts, so that the model's entry types derive
 * from it. Adding a field: a row there; and, if the editions should show it, the signatory
 * section of src/frame/index.ts.
 */
import { z } from 'zod';
import type { Position } from '../diagnostics/index.js';
import { EditRefused } from './errors.js';

export { FIELDS, KINDS, type FieldSpec, type SignatoryKind } from '../model/signatoryFields.js';
import { FIELDS, KINDS, type FieldSpec, type SignatoryKind } from '../model/signatoryFields.js';

/** The YAML/JSON list that holds each kind. */
export const LIST_KEY = { organization: 'organizations', individual: 'individuals' } as const satisfies Record<SignatoryKind, string>;

type Spec = (typeof FIELDS)[number];
export type FieldKey = Spec['key'];
export type OptionalField = Exclude<FieldKey, 'name'>;
export type SignatoryField = 'kind' | FieldKey;

/** The fields a kind of signatory may have. */
export function fieldsOf(kind: SignatoryKind): readonly FieldSpec[] {
  return FIELDS.filter((f) => (f.kinds as readonly SignatoryKind[]).includes(kind));
}

/** CSV header: the kind column, then every field's column. */
export const CSV_COLUMNS: readonly string[] = ['kind', ...FIELDS.map((f) => f.column)];

/** Column name (as written in a header, in any case, `sort_as`, `sort as`, `sortAs`) → field. */
export function fieldOfColumn(header: string): SignatoryField | null {
  const norm = header.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (norm === 'kind') return 'kind';
  const spec = FIELDS.find((f) => f.column === norm || f.key.toLowerCase() === norm.replace(/_/g, ''));
  return spec ? spec.key : null;
}

/**
 * The language of a name-per-language column (`name.ko`, `name.zh-CN`, any case of `name`), or
 * null for any other column. The plain `name` column holds the original name.
 */
export function nameColumnLanguage(header: string): string | null {
  const match = /^\s*name\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** One signatory as read from any data format, with where each field stands in the file. */
export type SignatoryRecord = {
  kind: SignatoryKind;
  name: string;
  /** Where the record starts (for messages about the whole record). */
  place: Position;
  /** Where each field stands, when the format tells. */
  fieldPlaces: Partial<Record<SignatoryField, Position>>;
  /** The name per language, when the data gives several (`name` is then the first, the original). */
  names?: Record<string, string>;
} & Partial<Record<OptionalField, string>>;

export interface SignatoryData {
  asOf?: string;
  asOfPlace?: Position;
  /** The file says an empty list is intended (`allowEmpty: true`). */
  allowEmpty?: boolean;
  records: SignatoryRecord[];
}

/** A new entry for the editor: the kind, the name and any optional fields. */
export type NewSignatory = {
  kind: SignatoryKind;
  /** The original name. */
  name: string;
  /** Names per language to set (language tag → name; an empty name removes that language). */
  names?: Record<string, string>;
} & Partial<Record<OptionalField, string>>;

/**
 * A new entry of `kind` from field values by key, each checked to belong to that kind: the one
 * check of `signatories add` (options) and of the page's form (fields). `shown` names a field as
 * the user gave it (`--title`, "title"). An empty value is kept (an update clears that field).
 */
export function newSignatory(kind: string, name: string, values: Readonly<Record<string, string | undefined>>, shown: (key: string) => string = (key) => `"${key}"`): NewSignatory {
  if (!(KINDS as readonly string[]).includes(kind)) throw new EditRefused(`Choose the kind: ${KINDS.join(' or ')}.`);
  const entry: NewSignatory = { kind: kind as SignatoryKind, name };
  const allowed = new Set(fieldsOf(kind as SignatoryKind).map((f) => f.key));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!allowed.has(key)) {
      const spec = FIELDS.find((f) => f.key === key);
      throw new EditRefused(spec ? `${shown(key)} applies to ${spec.kinds.join(' and ')} entries only.` : `Unknown field ${shown(key)}: the fields are ${FIELDS.map((f) => f.key).join(', ')}.`);
    }
    (entry as Record<string, unknown>)[key] = value;
  }
  return entry;
}

/** The fields of `entry` in schema order, as key → value (absent fields left out). */
export function entryValues(entry: NewSignatory): Array<[FieldKey, string]> {
  return fieldsOf(entry.kind)
    .map((f): [FieldKey, string | undefined] => [f.key as FieldKey, (entry as Partial<Record<string, unknown>>)[f.key] as string | undefined])
    .filter((pair): pair is [FieldKey, string] => pair[1] !== undefined && pair[1] !== '');
}

// ---------- YAML / JSON ----------

const dateLike = z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v));

/** Names per language tag (en, zh-CN, ko…); the keys are checked where they stand (fromYaml.ts). */
const localNames = z.record(z.string(), z.string());

function kindSchema(kind: SignatoryKind) {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fieldsOf(kind)) {
    // A name may be given per language: { en: …, zh-CN: …, ko: … }; the first is the original.
    const type = f.type === 'date' ? dateLike : f.key === 'name' ? z.union([z.string(), localNames]) : z.string();
    shape[f.key] = f.required ? type : type.optional();
  }
  return z.object(shape).strict();
}

export const fileSchema = z
  .object({
    asOf: dateLike.optional(),
    allowEmpty: z.boolean().optional(),
    [LIST_KEY.organization]: z.array(kindSchema('organization')).default([]),
    [LIST_KEY.individual]: z.array(kindSchema('individual')).default([]),
  })
  .strict();

/** "asOf, allowEmpty, organizations [name, country, signedOn], individuals [name, title, sortAs, signedOn]" */
export const ALLOWED_KEYS = `asOf, allowEmpty, ${KINDS.map((k) => `${LIST_KEY[k]} [${fieldsOf(k).map((f) => f.key).join(', ')}]`).join(', ')}`;
