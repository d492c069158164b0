/**
 * Load, validate and sort a signatory file (YAML, JSON or CSV, chosen by extension).
 */
import path from 'node:path';
import { VFile } from 'vfile';
import { BuildError, fileFailure, printable, reportError, reportWarning, hasErrors } from '../diagnostics/index.js';
import { readInput } from '../io/readInput.js';
import type { NameDisplay, SignatoryEntry, SignatoryList } from '../model/types.js';
import { FIELDS, type SignatoryKind } from '../model/signatoryFields.js';
import { signatoriesFromYaml } from './fromYaml.js';
import { signatoriesFromCsv } from './fromCsv.js';
import { isIsoDate } from '../model/types.js';
import { isoAdvice } from './import/dates.js';
import { latestPossibleDate, validateRecords } from './validate.js';
import { sortIndividuals, sortOrganizations } from './sort.js';
import type { OptionalField, SignatoryData, SignatoryRecord } from './schema.js';
import type { VFileMessage } from 'vfile-message';

/** At most this many errors are listed for one file; the rest are counted. */
export const MAX_MESSAGES = 50;

/** Keep the first MAX_MESSAGES errors of a file and say how many more there were. */
export function capMessages(file: VFile): void {
  const errors = file.messages.filter((m) => m.fatal === true);
  if (errors.length <= MAX_MESSAGES) return;
  const kept = new Set<VFileMessage>(errors.slice(0, MAX_MESSAGES));
  file.messages = file.messages.filter((m) => m.fatal !== true || kept.has(m));
  reportError(file, `… and ${errors.length - MAX_MESSAGES} more error(s) in this file, not listed.`, undefined, 'too-many-errors');
}

const optionalFieldsOf = (kind: SignatoryKind) => FIELDS.filter((f) => f.key !== 'name' && f.kinds.some((k) => k === kind));
/** The optional fields of each kind (schema.ts), in the table's order. */
const OPTIONAL_FIELDS: Record<SignatoryKind, ReturnType<typeof optionalFieldsOf>> = { organization: optionalFieldsOf('organization'), individual: optionalFieldsOf('individual') };

/** A record as a model entry: the name shown, where the name stands, the fields its kind has that it fills (schema.ts order). */
function modelEntry(record: SignatoryRecord, lang: string, display: NameDisplay): SignatoryEntry<SignatoryKind> {
  const entry: Partial<Record<OptionalField, string>> & Pick<SignatoryEntry<SignatoryKind>, 'name' | 'place'> = { name: shownName(record, lang, display), place: record.fieldPlaces.name ?? record.place };
  for (const f of OPTIONAL_FIELDS[record.kind]) {
    if (f.key === 'name') continue;
    const value = record[f.key];
    if (value !== undefined && value !== '') entry[f.key] = value;
  }
  return entry;
}

/**
 * The name a letter in `lang` shows for a record: with names per language, the one in the
 * letter's language (`local`), the original (`original`), or both, the local name followed by the
 * original in brackets, full-width in a Chinese or Japanese letter (国际特赦组织（Amnesty International）, clreq:
 * brackets in Chinese text are the full-width forms).
 */
export function shownName(record: Pick<SignatoryRecord, 'name' | 'names'>, lang: string, display: NameDisplay = 'local'): string {
  const local = record.names ? nameIn(record.names, lang) : undefined;
  if (display === 'original' || local === undefined || local === record.name) return record.name;
  if (display === 'local') return local;
  return /^(zh|ja)\b/i.test(lang) ? `${local}（${record.name}）` : `${local} (${record.name})`;
}

/**
 * The records of each section in the order the editions print them for `lang`: each letter shows
 * (and sorts by) the name in its language when the data gives one. The one place the list is sorted
 * (the model, `signatories list` and the preview page all take this order).
 */
export function editionOrder(records: readonly SignatoryRecord[], lang: string, display: NameDisplay = 'local'): { organizations: SignatoryRecord[]; individuals: SignatoryRecord[] } {
  const section = (kind: SignatoryKind) => records.filter((r) => r.kind === kind).map((record) => ({ ...modelEntry(record, lang, display), record }));
  return {
    organizations: sortOrganizations(section('organization'), lang).map((e) => e.record),
    individuals: sortIndividuals(section('individual'), lang).map((e) => e.record),
  };
}

/**
 * The name for a letter's language: the exact tag (zh-TW), any case; then a bare language key for
 * a regional letter (ko for ko-KR). Chinese never falls back across zh-CN and zh-TW (two scripts).
 * Undefined: the original name (the first given) is shown.
 */
export function nameIn(names: Record<string, string>, lang: string): string | undefined {
  const entries = Object.entries(names).filter(([, v]) => v.trim() !== '');
  const exact = entries.find(([k]) => k.toLowerCase() === lang.toLowerCase());
  if (exact) return exact[1];
  const base = lang.split('-')[0]?.toLowerCase();
  return base === 'zh' ? undefined : entries.find(([k]) => k.toLowerCase() === base)?.[1];
}

export type SignatoryFormat = 'yaml' | 'json' | 'csv';

export function formatOf(filePath: string): SignatoryFormat | null {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  return null;
}

/** Parse the text of a signatory file into records (unvalidated), reporting syntax errors on `file`. */
export function readSignatoryData(file: VFile, format: SignatoryFormat): SignatoryData | null {
  return format === 'csv' ? signatoriesFromCsv(file) : signatoriesFromYaml(file, format);
}

/**
 * Read and check a signatory file the way a build does: syntax, rows, names, dates, duplicates,
 * `asOf` (and, for a build, that it lists somebody). Every problem is reported on `file`, at most
 * MAX_MESSAGES of them; throws a BuildError if any is an error. The editor uses the same check
 * before and after an edit, so it never accepts or writes a file the build would refuse.
 */
export function readAndCheck(file: VFile, format: SignatoryFormat, options: { requireSignatories: boolean }): { records: SignatoryRecord[]; asOf?: string } {
  const data = readSignatoryData(file, format);
  if (!data) {
    capMessages(file);
    throw new BuildError([file]);
  }
  // Row errors (unknown kind, bad CSV row) and validation errors are reported together.
  const records = validateRecords(file, data.records);
  if (data.asOf !== undefined && isIsoDate(data.asOf) && data.asOf > latestPossibleDate()) {
    reportError(file, `The date asOf ${data.asOf} is in the future; check the year.`, data.asOfPlace, 'signatories-future-date');
  }
  if (data.asOf !== undefined && !isIsoDate(data.asOf)) {
    reportError(file, `Malformed date "${data.asOf}": write asOf as YYYY-MM-DD${isoAdvice(data.asOf)}.`, data.asOfPlace, 'signatories-date');
  }
  // A pinned asOf older than a signature: the heading would say "as of" a day before somebody it lists signed.
  if (data.asOf !== undefined && isIsoDate(data.asOf)) {
    for (const record of data.records) {
      if (record.signedOn !== undefined && isIsoDate(record.signedOn) && record.signedOn > data.asOf) {
        reportWarning(
          file,
          `${printable(record.name)} signed on ${record.signedOn}, after asOf ${data.asOf}: the list's heading would date the list before this signature. Move asOf to ${record.signedOn}, or delete the asOf line so the date follows the latest signedOn.`,
          record.fieldPlaces.signedOn ?? record.place,
          'signatories-stale-as-of',
        );
      }
    }
  }
  if (options.requireSignatories && data.records.length === 0 && !hasErrors([file]) && data.allowEmpty !== true) {
    reportError(
      file,
      'The signatory file lists no signatories: the letter would be signed by nobody. Add names, or write `allowEmpty: true` (YAML/JSON) if that is intended.',
      undefined,
      'signatories-empty',
    );
  }
  capMessages(file);
  if (hasErrors([file])) throw new BuildError([file]);
  return data.asOf !== undefined ? { records, asOf: data.asOf } : { records };
}

export interface LoadedSignatories {
  list: SignatoryList;
  file: VFile;
}

/**
 * Build the sorted list from a file's text. `letterDate` is the fallback for the as-of date:
 * `asOf` if given, else the latest `signed_on`, else the letter's date.
 */
export function signatoriesFromText(filePath: string, text: string, lang: string, letterDate: string, display: NameDisplay = 'local'): LoadedSignatories {
  const file = new VFile({ path: filePath, value: text });
  const format = formatOf(filePath);
  if (!format) {
    reportError(file, 'Unknown signatory file type: use .yaml, .yml, .json or .csv.', undefined, 'signatories-format');
    throw new BuildError([file]);
  }
  const { records, asOf } = readAndCheck(file, format, { requireSignatories: true });
  // The model entries sorted as editionOrder sorts the records (the same names, the same stable sort).
  const section = (kind: SignatoryKind) => records.filter((r) => r.kind === kind).map((record) => modelEntry(record, lang, display));
  const latestSigned = records
    .map((r) => r.signedOn)
    .filter((d): d is string => d !== undefined)
    .sort()
    .at(-1);
  return {
    file,
    list: {
      asOf: asOf ?? latestSigned ?? letterDate,
      organizations: sortOrganizations(section('organization'), lang),
      individuals: sortIndividuals(section('individual'), lang),
    },
  };
}

/** Spreadsheet files a letter may not name as its data file: they are imported into one. */
const SPREADSHEET = /\.(xlsx|xlsm|xls|ods|numbers)$/i;
export const isSpreadsheetName = (file: string): boolean => SPREADSHEET.test(file);

export async function loadSignatories(filePath: string, lang: string, letterDate: string, display: NameDisplay = 'local'): Promise<LoadedSignatories> {
  if (SPREADSHEET.test(filePath)) {
    throw fileFailure(
      filePath,
      `A spreadsheet is not a data file: import it with \`letterpress signatories import ${filePath}\` into a signatories.yaml (or .csv) and name that file in the letter's \`signatories\` field.`,
      'signatories-format',
      { line: 1, column: 1 },
    );
  }
  const text = await readInput(filePath, 'check the `signatories` field of the letter.', 'signatories-missing');
  return signatoriesFromText(filePath, text, lang, letterDate, display);
}
