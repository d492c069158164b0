/**
 * Editing a signatory file in place, in its own format: YAML keeps its comments, order and
 * style (edited through the yaml Document API); JSON keeps its indentation and key order; CSV
 * keeps every other line byte for byte, its line ends and its BOM. Duplicates are refused with
 * the same rule the loader uses. The file is written to a temporary file, then renamed.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument, isMap, isSeq, YAMLMap, YAMLSeq } from 'yaml';
import { VFile } from 'vfile';
import { writeFilesAtomically } from '../io/writeAtomic.js';
import { BuildError, reportError } from '../diagnostics/index.js';
import { duplicateKey } from './validate.js';
import { isIsoDate } from '../model/types.js';
import { formatOf, readSignatoryData, type SignatoryFormat } from './index.js';
import { CSV_COLUMNS } from './fromCsv.js';
import type { SignatoryRecord } from './record.js';
import { EditRefused } from './errors.js';

export { EditRefused };

export interface NewSignatory {
  kind: 'organization' | 'individual';
  name: string;
  country?: string;
  title?: string;
  sortAs?: string;
  /** Signing date, YYYY-MM-DD. */
  signedOn?: string;
}


async function readData(file: string): Promise<{ text: string; format: SignatoryFormat; records: SignatoryRecord[]; vfile: VFile }> {
  const format = formatOf(file);
  if (!format) throw new EditRefused(`${file}: unknown signatory file type; use .yaml, .yml, .json or .csv.`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EditRefused(`${file}: cannot read the signatory file.`);
  }
  const vfile = new VFile({ path: file, value: text });
  const data = readSignatoryData(vfile, format);
  if (!data) throw new BuildError([vfile]);
  return { text, format, records: data.records, vfile };
}

function findByName(records: SignatoryRecord[], name: string): SignatoryRecord[] {
  const key = duplicateKey(name);
  return records.filter((r) => duplicateKey(r.name) === key);
}

// ---------- YAML and JSON ----------

function yamlAdd(text: string, entry: NewSignatory): string {
  const doc = parseDocument(text);
  const listKey = entry.kind === 'organization' ? 'organizations' : 'individuals';
  let seq = doc.get(listKey, true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    doc.set(listKey, seq);
  }
  const item = new YAMLMap();
  item.set('name', entry.name);
  if (entry.kind === 'organization' && entry.country) item.set('country', entry.country);
  if (entry.kind === 'individual' && entry.sortAs) item.set('sortAs', entry.sortAs);
  if (entry.kind === 'individual' && entry.title) item.set('title', entry.title);
  if (entry.signedOn) item.set('signedOn', entry.signedOn);
  (seq as YAMLSeq).add(item);
  bumpAsOfYaml(doc, entry.signedOn);
  return doc.toString({ lineWidth: 0 });
}

function bumpAsOfYaml(doc: ReturnType<typeof parseDocument>, date: string | undefined): void {
  if (!date) return;
  const asOf = doc.get('asOf');
  if (typeof asOf === 'string' && asOf < date) doc.set('asOf', date);
}

function yamlRemove(text: string, name: string): string {
  const doc = parseDocument(text);
  const key = duplicateKey(name);
  for (const listKey of ['organizations', 'individuals']) {
    const seq = doc.get(listKey, true);
    if (!isSeq(seq)) continue;
    const index = seq.items.findIndex((item) => isMap(item) && duplicateKey(String(item.get('name') ?? '')) === key);
    if (index >= 0) {
      seq.delete(index);
      return doc.toString({ lineWidth: 0 });
    }
  }
  return text;
}

function jsonIndent(text: string): string | number {
  const match = /\n([ \t]+)"/.exec(text);
  return match?.[1] ?? 2;
}

interface JsonData {
  asOf?: string;
  organizations?: Array<Record<string, string>>;
  individuals?: Array<Record<string, string>>;
  [key: string]: unknown;
}

function jsonAdd(text: string, entry: NewSignatory): string {
  const data = JSON.parse(text) as JsonData;
  const item: Record<string, string> = { name: entry.name };
  if (entry.kind === 'organization' && entry.country) item.country = entry.country;
  if (entry.kind === 'individual' && entry.sortAs) item.sortAs = entry.sortAs;
  if (entry.kind === 'individual' && entry.title) item.title = entry.title;
  if (entry.signedOn) item.signedOn = entry.signedOn;
  const listKey = entry.kind === 'organization' ? 'organizations' : 'individuals';
  data[listKey] = [...(data[listKey] ?? []), item];
  if (entry.signedOn && typeof data.asOf === 'string' && data.asOf < entry.signedOn) data.asOf = entry.signedOn;
  return `${JSON.stringify(data, null, jsonIndent(text))}${text.endsWith('\n') ? '\n' : ''}`;
}

function jsonRemove(text: string, name: string): string {
  const data = JSON.parse(text) as JsonData;
  const key = duplicateKey(name);
  for (const listKey of ['organizations', 'individuals'] as const) {
    const list = data[listKey];
    const index = list?.findIndex((item) => duplicateKey(item.name ?? '') === key) ?? -1;
    if (list && index >= 0) {
      list.splice(index, 1);
      return `${JSON.stringify(data, null, jsonIndent(text))}${text.endsWith('\n') ? '\n' : ''}`;
    }
  }
  return text;
}

// ---------- CSV ----------

function csvField(value: string | undefined): string {
  if (value === undefined) return '';
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvAdd(text: string, entry: NewSignatory): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const header = text.replace(/^\ufeff/, '').split(/\r?\n/)[0] ?? CSV_COLUMNS.join(',');
  const columns = header.split(',').map((c) => c.trim().toLowerCase());
  const values: Record<string, string | undefined> = {
    kind: entry.kind,
    name: entry.name,
    country: entry.country,
    title: entry.title,
    sort_as: entry.sortAs,
    signed_on: entry.signedOn,
  };
  const line = columns.map((c) => csvField(values[c])).join(',');
  const body = text.endsWith('\n') || text === '' ? text : `${text}${eol}`;
  return `${body}${line}${eol}`;
}

/** Remove the lines [first, last] (1-based) of a CSV record, leaving every other byte. */
function csvRemoveLines(text: string, first: number, count: number): string {
  const parts = text.split(/(?<=\n)/); // keep line ends with their lines
  parts.splice(first - 1, count);
  return parts.join('');
}

// ---------- commands ----------

export async function addSignatory(file: string, entry: NewSignatory): Promise<void> {
  const name = entry.name.replace(/\s+/g, ' ').trim();
  if (name === '') throw new EditRefused('The name is empty: give the organisation\'s or person\'s name.');
  if (entry.signedOn !== undefined && !isIsoDate(entry.signedOn)) throw new EditRefused(`Malformed date "${entry.signedOn}": write it as YYYY-MM-DD.`);
  const { text, format, records } = await readData(file);
  const same = findByName(records, name).filter((r) => r.kind === entry.kind);
  if (same.length > 0) {
    const where = same[0]?.fieldPlaces.name ?? same[0]?.place;
    throw new EditRefused(`${file}:${where?.line ?? 1}:${where?.column ?? 1}: "${same[0]?.name}" is already listed; nothing was changed.`);
  }
  const clean = { ...entry, name };
  const next = format === 'yaml' ? yamlAdd(text, clean) : format === 'json' ? jsonAdd(text, clean) : csvAdd(text, clean);
  await checkAndWrite(file, format, next);
}

export async function removeSignatory(file: string, name: string): Promise<SignatoryRecord> {
  const { text, format, records } = await readData(file);
  const found = findByName(records, name);
  if (found.length === 0) {
    throw new EditRefused(`${file}: no organisation or individual named "${name}"; run "letterpress signatories list" to see the names.`);
  }
  const record = found[0] as SignatoryRecord;
  let next: string;
  if (format === 'yaml') next = yamlRemove(text, record.name);
  else if (format === 'json') next = jsonRemove(text, record.name);
  else {
    const lines = (record.name.match(/\n/g)?.length ?? 0) + 1;
    next = csvRemoveLines(text, record.place.line, lines);
  }
  await checkAndWrite(file, format, next);
  return record;
}

/** The edited text must still load; only then is it written (temporary file, then rename). */
async function checkAndWrite(file: string, format: SignatoryFormat, text: string): Promise<void> {
  const vfile = new VFile({ path: file, value: text });
  const data = readSignatoryData(vfile, format);
  if (!data) {
    reportError(vfile, 'internal: the edited file would not load; nothing was written.', undefined, 'signatories-edit');
    throw new BuildError([vfile]);
  }
  await writeFilesAtomically([{ path: file, data: text }]);
}
