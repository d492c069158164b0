/**
 * YAML and JSON signatory files. JSON is parsed strictly with JSON.parse first (so invalid JSON
 * is rejected as such), then through the YAML parser, which accepts JSON and tells where every
 * node stands, so that every message can carry a line and column.
 */
import { z } from 'zod';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import { readYaml } from '../io/yaml.js';
import type { SignatoryData, SignatoryField, SignatoryRecord } from './record.js';
import type { Position } from '../diagnostics/index.js';

const optionalText = z.string().optional();
const dateLike = z.union([z.string(), z.date()]).transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v));

const schema = z
  .object({
    asOf: dateLike.optional(),
    organizations: z
      .array(z.object({ name: z.string(), country: optionalText, signedOn: dateLike.optional() }).strict())
      .default([]),
    individuals: z
      .array(
        z
          .object({ name: z.string(), title: optionalText, sortAs: optionalText, signedOn: dateLike.optional() })
          .strict(),
      )
      .default([]),
  })
  .strict();

function jsonErrorPlace(text: string, message: string): Position {
  const match = /position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : 0;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function signatoriesFromYaml(file: VFile, format: 'yaml' | 'json'): SignatoryData | null {
  const text = String(file.value);
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      reportError(file, `Not valid JSON: ${message}`, jsonErrorPlace(text, message), 'signatories-json');
      return null;
    }
  }
  const read = readYaml(file, text, schema, {
    label: 'Signatory file',
    rule: 'signatories',
    hint: (issue) =>
      issue.code === 'unrecognized_keys'
        ? ' (allowed: asOf, organizations [name, country, signedOn], individuals [name, title, sortAs, signedOn])'
        : '',
  });
  if (!read) return null;
  const parsed = { data: read.data };
  const place = (path: PropertyKey[]): Position => read.place(path) ?? { line: 1, column: 1 };
  const records: SignatoryRecord[] = [];
  const fieldsOf = (kindKey: string, index: number, keys: SignatoryField[]) => {
    const places: SignatoryRecord['fieldPlaces'] = {};
    for (const key of keys) {
      const p = read.place([kindKey, index, key]);
      if (p) places[key] = p;
    }
    return places;
  };
  parsed.data.organizations.forEach((org, index) => {
    records.push({
      kind: 'organization',
      ...org,
      place: place(['organizations', index]),
      fieldPlaces: fieldsOf('organizations', index, ['name', 'country', 'signedOn']),
    });
  });
  parsed.data.individuals.forEach((person, index) => {
    records.push({
      kind: 'individual',
      ...person,
      place: place(['individuals', index]),
      fieldPlaces: fieldsOf('individuals', index, ['name', 'title', 'sortAs', 'signedOn']),
    });
  });
  const data: SignatoryData = { records };
  if (parsed.data.asOf !== undefined) {
    data.asOf = parsed.data.asOf;
    data.asOfPlace = place(['asOf']);
  }
  return data;
}
