/**
 * YAML and JSON signatory files. JSON is parsed strictly with JSON.parse first (so invalid JSON
 * is rejected as such), then through the YAML parser, which accepts JSON and tells where every
 * node stands, so that every message can carry a line and column. The shape comes from schema.ts.
 */
import { distance } from 'fastest-levenshtein';
import type { VFile } from 'vfile';
import { printable, reportError } from '../diagnostics/index.js';
import { readYaml } from '../io/yaml.js';
import { ALLOWED_KEYS, fieldsOf, fileSchema, KINDS, LIST_KEY, type SignatoryData, type SignatoryRecord } from './schema.js';
import type { Position } from '../diagnostics/index.js';
import { LANGUAGE_TAG } from '../util/languageTag.js';

/**
 * The key a mistyped one most likely means (`contry`, `titel`, British `organisations`, `Country`):
 * among the keys allowed where it stands, the one within two edits (one for short keys).
 */
function closestKey(where: readonly PropertyKey[], key: string): string | undefined {
  const [list] = where;
  const kind = where.length === 2 ? KINDS.find((k) => LIST_KEY[k] === list) : undefined;
  const allowed = where.length === 0 ? ['asOf', 'allowEmpty', ...KINDS.map((k) => LIST_KEY[k])] : kind ? fieldsOf(kind).map((f) => f.key) : [];
  const typed = key.toLowerCase();
  const limit = typed.length > 4 ? 2 : 1;
  return allowed
    .map((k) => ({ k, d: distance(k.toLowerCase(), typed) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d)[0]?.k;
}

/** Where JSON.parse stopped: the offset its message names, else the end of the text ("Unexpected end of JSON input"). */
export function jsonErrorPlace(text: string, message: string): Position {
  const match = /position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : /end of JSON/.test(message) ? text.length : 0;
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
  const read = readYaml(file, text, fileSchema, {
    label: 'Signatory file',
    rule: 'signatories',
    hint: (issue, key) => {
      if (issue.code === 'unrecognized_keys') {
        const close = key === undefined ? undefined : closestKey(issue.path, key);
        return close ? `; did you mean \`${close}\`? (allowed: ${ALLOWED_KEYS})` : ` (allowed: ${ALLOWED_KEYS})`;
      }
      // `- 王丹`: an entry written as a bare name instead of `- name: 王丹`.
      const [list, index] = issue.path;
      const entry = issue.path.length === 2 && (list === 'organizations' || list === 'individuals') && typeof index === 'number';
      return entry && issue.code === 'invalid_type' ? '; write each entry as `- name: …` (with `country:` or `title:` below it)' : '';
    },
  });
  if (!read) return null;
  const place = (path: PropertyKey[]): Position => read.place(path) ?? { line: 1, column: 1 };
  const records: SignatoryRecord[] = [];
  for (const kind of KINDS) {
    const listKey = LIST_KEY[kind];
    const list = read.data[listKey] as Array<Record<string, string | Record<string, string> | undefined>>;
    list.forEach((entry, index) => {
      const fieldPlaces: SignatoryRecord['fieldPlaces'] = {};
      for (const f of fieldsOf(kind)) {
        const p = read.place([listKey, index, f.key]);
        if (p) (fieldPlaces as Record<string, Position>)[f.key] = p;
      }
      const { name, ...rest } = entry;
      // Only `name` may be a mapping (the schema says so); the other fields are strings.
      const fields = Object.fromEntries(Object.entries(rest).filter((pair): pair is [string, string] => typeof pair[1] === 'string'));
      const names = typeof name === 'object' ? name : undefined;
      for (const key of Object.keys(names ?? {})) {
        if (!LANGUAGE_TAG.test(key)) {
          reportError(file, `"${printable(key)}" is not a language tag: write a name per language as name: { en: …, zh-CN: …, ko: … } (the first is the original name).`, read.place([listKey, index, 'name', key]) ?? place([listKey, index]), 'signatories-name-language');
        }
      }
      if (names && Object.keys(names).length === 0) reportError(file, 'A name per language needs at least one name: name: { en: … }.', place([listKey, index]), 'signatories-empty-name');
      const original = typeof name === 'string' ? name : names ? (Object.values(names)[0] ?? '') : '';
      records.push({ ...fields, kind, name: original, ...(names ? { names } : {}), place: place([listKey, index]), fieldPlaces });
    });
  }
  const data: SignatoryData = { records };
  if (read.data.allowEmpty === true) data.allowEmpty = true;
  if (read.data.asOf !== undefined) {
    data.asOf = read.data.asOf;
    data.asOfPlace = place(['asOf']);
  }
  return data;
}
