/**
 * The signatory fields: one table that the data schema (src/signatories/schema.ts: zod, CSV
 * columns, editor options) and the model's entry types (Organization, Individual) derive from.
 */

export const KINDS = ['organization', 'individual'] as const;
export type SignatoryKind = (typeof KINDS)[number];

export interface FieldSpec {
  /** Key in YAML/JSON, in the record and in the model. */
  key: string;
  /** Column name in a CSV file. */
  column: string;
  kinds: readonly SignatoryKind[];
  type: 'text' | 'date';
  required?: boolean;
  /** The `signatories add` option; `attr` is the property commander gives it. */
  option?: { flags: string; attr: string; help: string };
}

export const FIELDS = [
  { key: 'name', column: 'name', kinds: KINDS, type: 'text', required: true },
  { key: 'country', column: 'country', kinds: ['organization'], type: 'text', option: { flags: '--country <country>', attr: 'country', help: 'organisation country' } },
  { key: 'title', column: 'title', kinds: ['individual'], type: 'text', option: { flags: '--title <title>', attr: 'title', help: 'individual title or affiliation' } },
  { key: 'sortAs', column: 'sort_as', kinds: ['individual'], type: 'text', option: { flags: '--sort-as <family>', attr: 'sortAs', help: 'individual family name, for sorting' } },
  {
    key: 'signedOn', column: 'signed_on', kinds: KINDS, type: 'date',
    option: { flags: '--date <yyyy-mm-dd>', attr: 'date', help: "signing date (default: today); moves the list's as-of date forward" },
  },
] as const satisfies readonly FieldSpec[];

type Spec = (typeof FIELDS)[number];

/** The keys of the fields a kind of signatory has. */
export type FieldKeyOf<K extends SignatoryKind> = Spec extends infer S ? (S extends { key: infer Key; kinds: readonly (infer Kinds)[] } ? (K extends Kinds ? Key : never) : never) : never;
