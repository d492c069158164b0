/**
 * Editing a signatory file in place, in its own format: YAML keeps its comments, order and
 * style (edited through the yaml Document API); JSON keeps its indentation and key order; CSV
 * keeps every other line byte for byte, its separator, quoting, line ends, BOM and encoding.
 *
 * Safety: a file that does not load is refused with its positions; a read-only file is refused;
 * the edit goes to the real file behind a symlink (the caller has checked it lies inside the
 * project); concurrent edits are serialised with a lock file (proper-lockfile), so parallel adds
 * keep every name; the edited text is loaded again and must hold exactly the intended change
 * (nothing is written that does not read back); the file keeps its mode and owner.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { lock } from 'proper-lockfile';
import { parse as parseCsv } from 'csv-parse/sync';
import { LANGUAGE_TAG } from '../util/languageTag.js';
import { parseDocument, isMap, isScalar, isSeq, YAMLMap, YAMLSeq } from 'yaml';
import { VFile } from 'vfile';
import { writeFilesAtomically } from '../io/writeAtomic.js';
import { readInputWithForm } from '../io/readInput.js';
import { encodeText } from '../io/decode.js';
import { BuildError, fileFailure, reportError, type Position } from '../diagnostics/index.js';
import { duplicateKey } from './validate.js';
import { isIsoDate } from '../model/types.js';
import { isoAdvice } from './import/dates.js';
import { formatOf, readAndCheck, type SignatoryFormat } from './index.js';
import { csvDialect, csvRecordLines, type CsvDialect } from './fromCsv.js';
import { CSV_COLUMNS, entryValues, fieldOfColumn, nameColumnLanguage, fieldsOf, FIELDS, LIST_KEY, KINDS, type FieldKey, type NewSignatory, type OptionalField, type SignatoryField, type SignatoryRecord } from './schema.js';
import { EditRefused } from './errors.js';
import { invisibleCharacter } from '../unicode/scripts.js';
import { closestNames, describeReason, NearDuplicateIndex } from './nearDuplicates.js';
import { planImport, type ImportOptions, type ImportPlan } from './import/plan.js';
import { readTable } from './import/table.js';

export { EditRefused };
export type { NewSignatory };

/** An edit refused because of the file or what it holds: a diagnostic on the file (positioned where possible). */
function refuse(file: string, reason: string, place?: Position): BuildError {
  return fileFailure(file, reason, 'signatories-edit', place);
}

/** Load the records of `text` as a build would; refuse (with every positioned problem) if it does not load. */
function loadRecords(file: string, format: SignatoryFormat, text: string): SignatoryRecord[] {
  const vfile = new VFile({ path: file, value: text });
  try {
    return readAndCheck(vfile, format, { requireSignatories: false }).records;
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    reportError(vfile, 'The signatory file has the problems above; fix them first, nothing was changed.', undefined, 'signatories-edit');
    throw err;
  }
}

/** Records named `name` in any language (the original, or one of its names per language). */
function findByName(records: SignatoryRecord[], name: string): SignatoryRecord[] {
  const key = duplicateKey(name);
  return records.filter((r) => [r.name, ...Object.values(r.names ?? {})].some((n) => duplicateKey(n) === key));
}

/** The names of a YAML/JSON entry's `name` value: a string, or a mapping of names per language. */
function namesOfValue(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (isMap(value)) return value.items.map((pair) => String(isScalar(pair.value) ? pair.value.value : ''));
  if (value && typeof value === 'object') return Object.values(value as Record<string, unknown>).map(String);
  return [];
}

/** Whether a YAML/JSON entry is called `name` in any language. */
function isNamed(item: unknown, name: string): boolean {
  const key = duplicateKey(name);
  const value: unknown = isMap(item) ? item.get('name', true) : item && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
  return namesOfValue(isScalar(value) ? value.value : value).some((n) => duplicateKey(n) === key);
}

/**
 * An entry's `name` after an edit: the original set to `original`; names per language merged in
 * (`names`, an empty value removing a language). A plain name that gains another language becomes
 * a mapping whose first key, the original's, is "und" (BCP 47: language not given) unless `names`
 * gives the original's language by repeating it.
 */
function mergedName(current: unknown, original: string, names: Record<string, string> | undefined): string | Record<string, string> {
  const map: Record<string, string> =
    current && typeof current === 'object' ? { ...(current as Record<string, string>) } : {};
  const keys = Object.keys(map);
  if (keys.length === 0 && (!names || Object.keys(names).length === 0)) return original;
  if (keys.length === 0) {
    const own = Object.entries(names ?? {}).find(([, v]) => v === original)?.[0] ?? 'und';
    map[own] = original;
  } else map[keys[0] as string] = original;
  for (const [lang, value] of Object.entries(names ?? {})) {
    if (value === '') delete map[lang];
    else map[lang] = value;
  }
  const entries = Object.entries(map);
  return entries.length === 1 && entries[0]?.[0] === 'und' ? original : map;
}

// ---------- YAML and JSON ----------

/** A change to an entry already listed: its name as listed, and the fields to set. */
export interface EntryUpdate {
  kind: NewSignatory['kind'];
  name: string;
  set: Partial<Record<OptionalField, string>>;
}

/** The latest signing date among new and updated entries, to move `asOf` forward to. */
function latestDate(entries: NewSignatory[], updates: EntryUpdate[]): string | undefined {
  return [...entries.map((e) => e.signedOn), ...updates.map((u) => u.set.signedOn)].filter((d): d is string => d !== undefined).sort().at(-1);
}

function yamlApply(text: string, entries: NewSignatory[], updates: EntryUpdate[] = []): string {
  const doc = parseDocument(text);
  for (const update of updates) {
    const seq = doc.get(LIST_KEY[update.kind], true);
    if (!isSeq(seq)) continue;
    const item = seq.items.find((it) => isMap(it) && isNamed(it, update.name));
    if (isMap(item)) for (const [field, value] of Object.entries(update.set)) item.set(field, value);
  }
  for (const entry of entries) {
    const listKey = LIST_KEY[entry.kind];
    let seq = doc.get(listKey, true);
    if (!isSeq(seq)) {
      seq = new YAMLSeq();
      doc.set(listKey, seq);
    }
    const item = new YAMLMap();
    for (const [key, value] of entryValues(entry)) item.set(key, key === 'name' ? mergedName(undefined, value, entry.names) : value);
    (seq as YAMLSeq).add(item);
  }
  const latest = latestDate(entries, updates);
  const asOf = doc.get('asOf');
  if (latest && typeof asOf === 'string' && asOf < latest) doc.set('asOf', latest);
  return doc.toString({ lineWidth: 0 });
}

function yamlRemove(text: string, name: string): string {
  const doc = parseDocument(text);
  for (const kind of KINDS) {
    const seq = doc.get(LIST_KEY[kind], true);
    if (!isSeq(seq)) continue;
    const index = seq.items.findIndex((item) => isMap(item) && isNamed(item, name));
    if (index >= 0) {
      seq.delete(index);
      return doc.toString({ lineWidth: 0 });
    }
  }
  return text;
}

function yamlUpdate(text: string, name: string, entry: NewSignatory): string {
  const doc = parseDocument(text);
  const seq = doc.get(LIST_KEY[entry.kind], true);
  const item = isSeq(seq) ? seq.items.find((it) => isMap(it) && isNamed(it, name)) : undefined;
  if (!isMap(item)) return text;
  const values = new Map(entryValues(entry));
  for (const f of fieldsOf(entry.kind)) {
    const value = values.get(f.key as FieldKey);
    if (f.key === 'name' && value !== undefined) {
      // A name per language keeps its other languages.
      const current = item.get('name', true);
      const plain = isMap(current) ? (current.toJSON() as Record<string, string>) : undefined;
      const merged = mergedName(plain, value, entry.names);
      if (typeof merged === 'string' || !isMap(current)) item.set('name', merged);
      else for (const [lang, v] of Object.entries(merged)) if (current.get(lang) !== v) current.set(lang, v);
      if (isMap(current)) for (const lang of Object.keys(plain ?? {})) if (typeof merged !== 'string' && !(lang in merged)) current.delete(lang);
    } else if (value !== undefined) item.set(f.key, value);
    else item.delete(f.key);
  }
  return doc.toString({ lineWidth: 0 });
}

function jsonIndent(text: string): string | number {
  const match = /\n([ \t]+)"/.exec(text);
  return match?.[1] ?? 2;
}

type JsonData = Record<string, unknown> & { asOf?: unknown };

function jsonWrite(text: string, data: JsonData): string {
  return `${JSON.stringify(data, null, jsonIndent(text))}${text.endsWith('\n') ? '\n' : ''}`;
}

function jsonApply(text: string, entries: NewSignatory[], updates: EntryUpdate[] = []): string {
  const data = (text.trim() === '' ? {} : JSON.parse(text)) as JsonData;
  for (const update of updates) {
    const list = data[LIST_KEY[update.kind]];
    if (!Array.isArray(list)) continue;
    const item = list.find((it: unknown) => isNamed(it, update.name)) as Record<string, unknown> | undefined;
    if (item) Object.assign(item, update.set);
  }
  for (const entry of entries) {
    const listKey = LIST_KEY[entry.kind];
    const list = Array.isArray(data[listKey]) ? (data[listKey] as unknown[]) : [];
    data[listKey] = [...list, Object.fromEntries(entryValues(entry).map(([k, v]) => [k, k === 'name' ? mergedName(undefined, v, entry.names) : v]))];
  }
  const latest = latestDate(entries, updates);
  if (latest && typeof data.asOf === 'string' && data.asOf < latest) data.asOf = latest;
  return jsonWrite(text, data);
}

function jsonUpdate(text: string, name: string, entry: NewSignatory): string {
  const data = JSON.parse(text) as JsonData;
  const list = data[LIST_KEY[entry.kind]];
  if (!Array.isArray(list)) return text;
  const index = list.findIndex((item: unknown) => isNamed(item, name));
  if (index < 0) return text;
  const current = list[index] as Record<string, unknown>;
  const kept = Object.entries(current).filter(([k]) => !fieldsOf(entry.kind).some((f) => f.key === k));
  const values = entryValues(entry).map(([k, v]) => [k, k === 'name' ? mergedName(current.name, v, entry.names) : v]);
  list[index] = { ...Object.fromEntries(values), ...Object.fromEntries(kept) };
  return jsonWrite(text, data);
}

function jsonRemove(text: string, name: string): string {
  const data = JSON.parse(text) as JsonData;
  for (const kind of KINDS) {
    const list = data[LIST_KEY[kind]];
    if (!Array.isArray(list)) continue;
    const index = list.findIndex((item: unknown) => isNamed(item, name));
    if (index >= 0) {
      list.splice(index, 1);
      return jsonWrite(text, data);
    }
  }
  return text;
}

// ---------- CSV ----------

function csvField(value: string | undefined, dialect: CsvDialect): string {
  if (value === undefined) return dialect.quoteAll ? '""' : '';
  const needs = dialect.quoteAll || value.includes(dialect.delimiter) || /["\r\n]/.test(value) || value !== value.trim();
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

class CsvColumnMissing extends Error {}

/** The header's column names (the schema's columns for a file without a header yet). */
function csvHeader(text: string, dialect: CsvDialect): { header: string[]; written: boolean } {
  const headerText = text.split(/\r?\n/).find((l) => l.trim() !== '');
  if (!headerText) return { header: [...CSV_COLUMNS], written: false };
  return { header: (parseCsv(headerText, { delimiter: dialect.delimiter, relax_column_count: true }) as string[][])[0] ?? [], written: true };
}

/** One CSV line for an entry, in the header's column order. */
function csvLine(header: string[], written: boolean, entry: NewSignatory, dialect: CsvDialect): string {
  const values: Record<string, string> = { kind: entry.kind, ...Object.fromEntries(entryValues(entry)) };
  const present = new Set(header.map((column) => fieldOfColumn(column)));
  const languages = new Set(header.map((column) => nameColumnLanguage(column)?.toLowerCase()));
  const missing = [
    ...entryValues(entry).filter(([key]) => !present.has(key)).map(([key]) => FIELDS.find((f) => f.key === key)?.column ?? key),
    ...Object.entries(entry.names ?? {}).filter(([lang, v]) => v !== '' && !languages.has(lang.toLowerCase())).map(([lang]) => `name.${lang}`),
  ];
  if ((written || Object.keys(entry.names ?? {}).length > 0) && missing.length > 0) {
    const names = missing.map((column) => `"${column}"`).join(', ');
    throw new CsvColumnMissing(`The file has no ${names} column for this value; add the column to the header row (and the rows), or leave the value out`);
  }
  const cell = (column: string): string | undefined => {
    const lang = nameColumnLanguage(column);
    if (lang === null) return values[fieldOfColumn(column) ?? ''];
    const given = Object.entries(entry.names ?? {}).find(([l]) => l.toLowerCase() === lang.toLowerCase())?.[1];
    return given === '' ? undefined : given;
  };
  return header.map((column) => csvField(cell(column), dialect)).join(dialect.delimiter);
}

/**
 * Add entries at the end and rewrite the lines of updated records (every other byte kept).
 * `records` are the file's records, to find the lines of those updated.
 */
function csvApply(text: string, entries: NewSignatory[], updates: EntryUpdate[] = [], records: SignatoryRecord[] = []): string {
  const dialect = csvDialect(text);
  const { header, written } = csvHeader(text, dialect);
  let body = text;
  if (updates.length > 0) {
    const parts = body.split(/(?<=\n)/);
    // From the last line up, so earlier line numbers stay right.
    const targets = updates
      .map((u) => ({ u, r: findByName(records, u.name).find((r) => r.kind === u.kind) }))
      .filter((t): t is { u: EntryUpdate; r: SignatoryRecord } => t.r !== undefined)
      .sort((a, b) => b.r.place.line - a.r.place.line);
    for (const { u, r } of targets) {
      const { place: _p, fieldPlaces: _f, ...fields } = r;
      const next = { ...(fields as NewSignatory), ...u.set };
      const count = csvRecordLines(text, r.place.line);
      const last = parts[r.place.line - 2 + count] ?? '';
      const eol = /\r?\n$/.exec(last)?.[0] ?? '';
      parts.splice(r.place.line - 1, count, `${csvLine(header, written, next, dialect)}${eol}`);
    }
    body = parts.join('');
  }
  const lines = entries.map((entry) => `${csvLine(header, written, entry, dialect)}${dialect.eol}`).join('');
  const head = written ? '' : `${CSV_COLUMNS.join(dialect.delimiter)}${dialect.eol}`;
  body = body.endsWith('\n') || body === '' ? body : `${body}${dialect.eol}`;
  return `${head}${body}${lines}`;
}

/** Remove the lines [first, first + count) (1-based) of a CSV record, leaving every other byte. */
function csvRemoveLines(text: string, first: number, count: number): string {
  const parts = text.split(/(?<=\n)/); // keep line ends with their lines
  parts.splice(first - 1, count);
  return parts.join('');
}

/** Replace the lines [first, first + count) (1-based) of a CSV record by `line`, leaving every other byte. */
function csvReplaceLines(text: string, first: number, count: number, line: string): string {
  const parts = text.split(/(?<=\n)/); // keep line ends with their lines
  const last = parts[first - 1 + count - 1] ?? '';
  // The file's last record may have no line end: the replacement then has none either.
  const replacement = line !== '' && !last.endsWith('\n') ? line.replace(/\r?\n$/, '') : line;
  parts.splice(first - 1, count, ...(replacement === '' ? [] : [replacement]));
  return parts.join('');
}

/** The text with the entries added and the updates made, in the file's format; a CSV file without a column for a value is refused. */
function applyChanges(file: string, format: SignatoryFormat, text: string, entries: NewSignatory[], updates: EntryUpdate[] = [], records: SignatoryRecord[] = []): string {
  try {
    return format === 'yaml' ? yamlApply(text, entries, updates) : format === 'json' ? jsonApply(text, entries, updates) : csvApply(text, entries, updates, records);
  } catch (err) {
    if (err instanceof CsvColumnMissing) throw refuse(file, `${err.message}; nothing was changed.`, { line: 1, column: 1 });
    throw err;
  }
}

/** Whether a data file can hold a field: YAML and JSON always; a CSV file when its header has the column (or it has no header yet). */
function canHold(format: SignatoryFormat, text: string): (field: string) => boolean {
  if (format !== 'csv') return () => true;
  const { header, written } = csvHeader(text, csvDialect(text));
  const fields = new Set(header.map((column) => fieldOfColumn(column)));
  // A name per language needs its name.LANG column, even in a file without a header yet.
  const languages = new Set(header.map((column) => nameColumnLanguage(column)?.toLowerCase()));
  return (field) => (field.startsWith('name.') ? languages.has(field.slice(5).toLowerCase()) : !written || fields.has(field as SignatoryField));
}

// ---------- commands ----------

/**
 * The version of a signatory file's text (as stored, before NFC): an editor that read the file
 * sends it with an edit, and the edit is refused if the file no longer has it.
 */
export function signatoryVersion(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** How an edit is guarded and reported beyond the lock and the read-back check. */
export interface EditOptions {
  /** Refuse unless the file's text still has this version (see signatoryVersion). */
  expectVersion?: string;
  /** Called with the version of the text written. */
  onWritten?: (version: string) => void;
}

interface Loaded {
  /** The real file (behind any symlink). */
  file: string;
  format: SignatoryFormat;
  text: string;
  form: Parameters<typeof encodeText>[1];
  records: SignatoryRecord[];
}

/** Lock the file, read and check it, run `edit`, write its result; always unlock. */
async function withFile<T>(
  given: string,
  edit: (loaded: Loaded) => { text: string; check: (after: SignatoryRecord[]) => string | null; result: T },
  guard: EditOptions = {},
): Promise<T> {
  const format = formatOf(given);
  if (!format) throw refuse(given, 'Unknown signatory file type: use .yaml, .yml, .json or .csv.');
  let file: string;
  try {
    file = realpathSync(given);
  } catch {
    throw refuse(given, 'Cannot read the signatory file (does it exist?).');
  }
  const info = await stat(file);
  if (!info.isFile()) {
    const what = info.isDirectory() ? 'This is a folder' : info.isFIFO() ? 'This is a named pipe' : info.isSocket() ? 'This is a socket' : 'This is not a regular file';
    throw refuse(given, `${what}, not a data file; nothing was changed. Check the \`signatories\` field of the letter (or --file), or move the folder away.`);
  }
  if ((info.mode & 0o222) === 0) {
    throw refuse(given, `The file is read-only (mode ${(info.mode & 0o777).toString(8)}); nothing was changed. Make it writable first if the change is intended.`);
  }
  let release: () => Promise<void>;
  try {
    release = await lock(file, { retries: { retries: 100, minTimeout: 10, maxTimeout: 200, factor: 1.5 }, stale: 10_000, realpath: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(
      given,
      code === 'ELOCKED'
        ? `Another letterpress is editing this file and did not finish (${(err as Error).message}); try again.`
        : `Cannot lock the file for editing: its folder is not writable (${code ?? (err as Error).message}); nothing was changed.`,
    );
  }
  try {
    const read = await readInputWithForm(file, 'check the signatory file.', 'signatories-missing', false);
    const { text: _text, ...form } = read;
    if (guard.expectVersion !== undefined && guard.expectVersion !== signatoryVersion(read.text)) {
      throw fileFailure(
        given,
        'The signatory file changed on disk after this list was loaded (another page, editor or person saved it); nothing was changed. Reload the list and make the change again.',
        'signatories-stale',
      );
    }
    const records = loadRecords(given, format, read.text);
    const { text, check, result } = edit({ file, format, text: read.text, form, records });
    // The edited text must load, and hold exactly the intended change.
    let after: SignatoryRecord[];
    try {
      after = loadRecords(given, format, text);
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      // The file itself loaded: a problem now is in the edit, not in what the user wrote.
      throw refuse(given, 'The edited file would not read back cleanly, so nothing was changed; this is a bug in letterpress, please report it with the file.');
    }
    const problem = check(after);
    if (problem) throw refuse(given, `${problem[0]?.toUpperCase()}${problem.slice(1)}; nothing was written.`);
    await writeFilesAtomically([{ path: file, data: encodeText(text, form) }]);
    guard.onWritten?.(signatoryVersion(text));
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

function sameEntry(record: SignatoryRecord | undefined, entry: NewSignatory): boolean {
  if (!record || record.kind !== entry.kind) return false;
  const namesHold = Object.entries(entry.names ?? {}).every(([lang, value]) => (record.names?.[lang] ?? '') === value || (lang === 'und' && value === record.name));
  return namesHold && entryValues(entry).every(([key, value]) => (record as Record<string, unknown>)[key] === value);
}

/** The entry as it will be written (names and values NFC, trimmed), or a refusal of an empty name or a malformed date. */
function cleanEntry(entry: NewSignatory): NewSignatory {
  const name = entry.name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (name === '') throw new EditRefused('The name is empty: give the organisation\'s or person\'s name.');
  if (entry.signedOn !== undefined && entry.signedOn !== '' && !isIsoDate(entry.signedOn)) throw new EditRefused(`Malformed date "${entry.signedOn}": write it as YYYY-MM-DD${isoAdvice(entry.signedOn)}.`);
  const invisible = invisibleCharacter(name);
  if (invisible) throw new EditRefused(`The name contains ${invisible}; type the name again, or delete that character (it usually comes with a name copied from a web page or a PDF).`);
  for (const value of [name, ...entryValues(entry).map(([, v]) => v)]) {
    const control = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/.exec(value);
    if (control) {
      throw new EditRefused(`A value contains a control character (U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}), which no edition can show; type it again without it.`);
    }
  }
  const clean: NewSignatory = { kind: entry.kind, name };
  for (const [key, value] of entryValues(entry)) if (key !== 'name') (clean as Record<string, unknown>)[key] = value.normalize('NFC').trim();
  if (entry.names && Object.keys(entry.names).length > 0) {
    clean.names = {};
    for (const [lang, value] of Object.entries(entry.names)) {
      if (!LANGUAGE_TAG.test(lang)) throw new EditRefused(`"${lang}" is not a language tag: give a name per language as LANG=NAME, e.g. ko=전환기정의워킹그룹 or zh-CN=转型正义工作组.`);
      clean.names[lang] = value.normalize('NFC').replace(/\s+/g, ' ').trim();
    }
  }
  return clean;
}

/**
 * `force`: add or change even if the name looks like one already listed; `forceAdvice`: how the
 * user does that, said in the refusal (the command line's `--force` by default).
 */
export interface NearDuplicateOptions {
  force?: boolean;
  forceAdvice?: string;
}

/**
 * Add `entry`. `defaultSignedOn` (today, from the CLI) is used when the entry has no date and the
 * file can hold one (a CSV without a signed_on column cannot).
 */
export async function addSignatory(file: string, entry: NewSignatory, options: { defaultSignedOn?: string } & NearDuplicateOptions & EditOptions = {}): Promise<void> {
  const clean = cleanEntry(entry);
  const name = clean.name;
  await withFile(file, ({ text, format, records }) => {
    const same = findByName(records, name).filter((r) => r.kind === entry.kind);
    if (same.length > 0) {
      const where = same[0]?.fieldPlaces.name ?? same[0]?.place;
      throw refuse(file, `"${same[0]?.name}" is already listed; nothing was changed.`, where);
    }
    if (!options.force) refuseNearDuplicate(file, records, clean, options.forceAdvice ?? 'add it with --force');
    if (clean.signedOn === undefined && options.defaultSignedOn !== undefined && canHold(format, text)('signedOn')) clean.signedOn = options.defaultSignedOn;
    return {
      text: applyChanges(file, format, text, [clean]),
      result: undefined,
      check: (after) =>
        after.length === records.length + 1 && sameEntry(findByName(after, name).find((r) => r.kind === clean.kind), clean)
          ? null
          : `the new ${clean.kind} cannot be written so that it reads back unchanged`,
    };
  }, options);
}

/** Refuse `entry` if its name looks like another entry's of its kind (not `except`, the entry being changed). */
function refuseNearDuplicate(file: string, records: SignatoryRecord[], entry: NewSignatory, advice: string, except?: SignatoryRecord): void {
  const index = new NearDuplicateIndex<SignatoryRecord>((r) => r.name);
  for (const r of records) if (r.kind === entry.kind && r !== except) index.add(r);
  const near = index.find(entry.name);
  if (near) {
    const p = near.item.fieldPlaces.name ?? near.item.place;
    throw fileFailure(
      file,
      `"${entry.name}" looks like "${near.item.name}", listed here: ${describeReason(near.reason)}. Nothing was changed; if it is another ${entry.kind === 'organization' ? 'organisation' : 'individual'}, ${advice}.`,
      'signatories-near-duplicate',
      p,
    );
  }
}

/**
 * Replace the signatory named `name` (of `entry.kind`) by `entry`: the fields it gives are set,
 * the others removed; the entry keeps its place in the file (YAML comments around it stay).
 */
export async function updateSignatory(file: string, name: string, entry: NewSignatory, options: NearDuplicateOptions & EditOptions = {}): Promise<void> {
  const clean = cleanEntry(entry);
  await withFile(file, ({ text, format, records }) => {
    const found = findByName(records, name.normalize('NFC')).find((r) => r.kind === clean.kind);
    if (!found) throw refuse(file, `No ${clean.kind} is named "${name}"; reload the list to see the names.`);
    const clash = findByName(records, clean.name).find((r) => r.kind === clean.kind && r !== found);
    if (clash) throw refuse(file, `"${clash.name}" is already listed; nothing was changed.`, clash.fieldPlaces.name ?? clash.place);
    if (!options.force && duplicateKey(found.name) !== duplicateKey(clean.name)) refuseNearDuplicate(file, records, clean, options.forceAdvice ?? 'save it with --force', found);
    let next: string;
    if (format === 'yaml') next = yamlUpdate(text, found.name, clean);
    else if (format === 'json') next = jsonUpdate(text, found.name, clean);
    else {
      try {
        const dialect = csvDialect(text);
        const { header, written } = csvHeader(text, dialect);
        // The row keeps the names per language it has, unless the edit sets them.
        const row = { ...clean, names: { ...found.names, ...clean.names } };
        next = csvReplaceLines(text, found.place.line, csvRecordLines(text, found.place.line), `${csvLine(header, written, row, dialect)}${dialect.eol}`);
      } catch (err) {
        if (err instanceof CsvColumnMissing) throw refuse(file, `${err.message}; nothing was changed.`, { line: 1, column: 1 });
        throw err;
      }
    }
    return {
      text: next,
      result: undefined,
      check: (after) =>
        after.length === records.length &&
        sameEntry(findByName(after, clean.name).find((r) => r.kind === clean.kind), clean) &&
        (duplicateKey(found.name) === duplicateKey(clean.name) || !findByName(after, found.name).some((r) => r.kind === clean.kind))
          ? null
          : `"${found.name}" cannot be changed so that it reads back as given`,
    };
  }, options);
}

/**
 * Change some fields of the signatory of `kind` named `name` in any language, keeping the others
 * (`signatories add --update`): `set` fields, `names` per language (an empty name removes one).
 * Returns the record as it was.
 */
export async function amendSignatory(
  file: string,
  name: string,
  kind: NewSignatory['kind'],
  change: { set: Partial<Record<OptionalField, string>>; names?: Record<string, string> },
  options: { force?: boolean } & EditOptions = {},
): Promise<SignatoryRecord> {
  const format = formatOf(file);
  if (!format) throw refuse(file, 'Unknown signatory file type: use .yaml, .yml, .json or .csv.');
  const { text } = await readInputWithForm(file, 'check the signatory file.', 'signatories-missing', false);
  const found = findByName(loadRecords(file, format, text), name.normalize('NFC')).find((r) => r.kind === kind);
  if (!found) throw refuse(file, `No ${kind} is named "${name}" in any language; run "letterpress signatories list" to see the names. Nothing was changed.`);
  const { place: _place, fieldPlaces: _places, names: _names, ...fields } = found;
  const entry: NewSignatory = { ...(fields as NewSignatory), ...change.set, kind, name: found.name, ...(change.names ? { names: change.names } : {}) };
  await updateSignatory(file, name, entry, { expectVersion: signatoryVersion(text), ...options });
  return found;
}

export async function removeSignatory(file: string, name: string, options: EditOptions = {}): Promise<SignatoryRecord> {
  return withFile(file, ({ text, format, records }) => {
    const found = findByName(records, name.normalize('NFC'));
    if (found.length === 0) {
      const close = closestNames(name, records.map((r) => r.name));
      const hint = close.length > 0 ? `did you mean ${close.map((n) => `"${n}"`).join(' or ')}?` : 'run "letterpress signatories list" to see the names.';
      throw refuse(file, `No organisation or individual is named "${name}"; ${hint} Nothing was changed.`);
    }
    const record = found[0] as SignatoryRecord;
    let next: string;
    if (format === 'yaml') next = yamlRemove(text, record.name);
    else if (format === 'json') next = jsonRemove(text, record.name);
    else next = csvRemoveLines(text, record.place.line, csvRecordLines(text, record.place.line));
    return {
      text: next,
      result: record,
      check: (after) => (after.length === records.length - 1 && findByName(after, record.name).length === found.length - 1 ? null : `"${record.name}" cannot be removed cleanly`),
    };
  }, options);
}

/**
 * Import a spreadsheet (CSV, .xlsx or JSON) into the data file `file`: the plan of what is added,
 * updated, skipped and refused (import/plan.ts). With `dryRun`, nothing is written. Otherwise the
 * plan is made again on the locked file and written in one edit — unless anything is refused,
 * then nothing is written and the plan (with its positioned refusals) is returned all the same.
 * `source.bytes` lets a caller (the local page) give an uploaded file's bytes; `source.path` then
 * names it in messages.
 */
export async function importSignatories(
  file: string,
  source: { path: string; bytes?: Uint8Array },
  options: ImportOptions & { sheet?: string; dryRun?: boolean } & EditOptions,
): Promise<{ plan: ImportPlan; written: boolean }> {
  const read = await readTable(source, options.sheet !== undefined ? { sheet: options.sheet } : {});
  if ('error' in read) throw fileFailure(source.path, `${read.error} Nothing was changed.`, 'import-file', read.place);
  const planFor = (loaded: Loaded) => planImport(source.path, read.table, loaded.records, file, options, canHold(loaded.format, loaded.text));
  if (options.dryRun) {
    const format = formatOf(file);
    if (!format) throw refuse(file, 'Unknown signatory file type: use .yaml, .yml, .json or .csv.');
    const text = await readInputWithForm(file, 'check the signatory file.', 'signatories-missing', false);
    return { plan: planFor({ file, format, text: text.text, form: text, records: loadRecords(file, format, text.text) }), written: false };
  }
  let result: { plan: ImportPlan; written: boolean } | null = null;
  try {
    await withFile(file, (loaded) => {
      const plan = planFor(loaded);
      result = { plan, written: false };
      if (plan.refused.length > 0 || (plan.added.length === 0 && plan.updated.length === 0)) throw new NothingToWrite();
      const updates: EntryUpdate[] = plan.updated.map((u) => ({ kind: u.kind, name: u.name, set: Object.fromEntries(u.changes.map((c) => [c.field, c.to])) }));
      const entries = plan.added.map((a) => a.entry);
      return {
        text: applyChanges(file, loaded.format, loaded.text, entries, updates, loaded.records),
        result: undefined,
        check: (after) => {
          if (after.length !== loaded.records.length + entries.length) return `the import would not add exactly ${entries.length} entries`;
          const byKey = new Map(after.map((r) => [`${r.kind}:${duplicateKey(r.name)}`, r]));
          const find = (kind: string, name: string) => byKey.get(`${kind}:${duplicateKey(name)}`);
          const missing = entries.find((e) => !sameEntry(find(e.kind, e.name), e));
          if (missing) return `"${missing.name}" cannot be written so that it reads back unchanged`;
          const wrong = updates.find((u) => {
            const r = find(u.kind, u.name) as Record<string, unknown> | undefined;
            return !r || Object.entries(u.set).some(([k, v]) => r[k] !== v);
          });
          return wrong ? `"${wrong.name}" cannot be updated so that it reads back unchanged` : null;
        },
      };
    }, options);
  } catch (err) {
    if (!(err instanceof NothingToWrite)) throw err;
    return result as unknown as { plan: ImportPlan; written: boolean };
  }
  const done = result as unknown as { plan: ImportPlan; written: boolean };
  return { plan: done.plan, written: true };
}

/** Thrown inside the locked edit when the plan writes nothing (refusals, or nothing new). */
class NothingToWrite extends Error {}
