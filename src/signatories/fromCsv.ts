/**
 * CSV signatory files, the way a sign-up form exports them: header
 * `kind,name,country,title,sort_as,signed_on`, UTF-8 with or without BOM, CRLF or LF, quoted
 * fields with commas or line breaks. Parsed with csv-parse; positions come from its record info.
 */
import { parse } from 'csv-parse/sync';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import type { SignatoryData, SignatoryField, SignatoryRecord } from './record.js';
import type { Position } from '../diagnostics/index.js';

export const CSV_COLUMNS = ['kind', 'name', 'country', 'title', 'sort_as', 'signed_on'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
const FIELD_OF: Record<CsvColumn, SignatoryField> = {
  kind: 'kind',
  name: 'name',
  country: 'country',
  title: 'title',
  sort_as: 'sortAs',
  signed_on: 'signedOn',
};

interface CsvRow {
  record: string[];
  info: { lines: number; raw?: string };
}

/** Offsets (in characters) where each field of one raw CSV record starts; quotes respected. */
function fieldStarts(raw: string): number[] {
  const starts = [0];
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) starts.push(i + 1);
  }
  return starts;
}

/** Line and column of an offset inside a record that starts at `firstLine`. */
function positionIn(raw: string, offset: number, firstLine: number): Position {
  const before = raw.slice(0, offset).split(/\r?\n/);
  return { line: firstLine + before.length - 1, column: (before.at(-1)?.length ?? 0) + 1 };
}

export function signatoriesFromCsv(file: VFile): SignatoryData | null {
  let text = String(file.value);
  const hadBom = text.charCodeAt(0) === 0xfeff;
  if (hadBom) text = text.slice(1);
  let rows: CsvRow[];
  try {
    // With `info` and `raw`, csv-parse returns {record, info} objects; its typings only describe
    // plain records, hence the cast.
    rows = parse(text, { info: true, raw: true, skip_empty_lines: true, relax_column_count: false }) as unknown as CsvRow[];
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    reportError(
      file,
      `Not valid CSV: ${e.message.replace(/^Invalid Record Length: /, '')} (every row needs the same number of columns; put fields containing commas in double quotes)`,
      { line: e.lines ?? 1, column: 1 },
      'signatories-csv',
    );
    return null;
  }
  const [header, ...body] = rows;
  if (!header) {
    reportError(file, 'The CSV file is empty: it needs the header row kind,name,country,title,sort_as,signed_on.', { line: 1, column: 1 }, 'signatories-csv');
    return null;
  }
  const columns = header.record.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0 || !columns.includes('kind') || !columns.includes('name')) {
    reportError(
      file,
      `The header row must name the columns kind,name,country,title,sort_as,signed_on (found: ${columns.join(',')}).`,
      { line: 1, column: 1 },
      'signatories-csv-header',
    );
    return null;
  }
  const records: SignatoryRecord[] = [];
  for (const row of body) {
    const raw = (row.info.raw ?? '').replace(/\r?\n$/, '');
    const lineBreaks = raw.split(/\r?\n/).length - 1;
    const firstLine = row.info.lines - lineBreaks;
    const starts = fieldStarts(raw);
    const values: Partial<Record<SignatoryField, string>> = {};
    const fieldPlaces: SignatoryRecord['fieldPlaces'] = {};
    columns.forEach((column, index) => {
      const field = FIELD_OF[column as CsvColumn];
      const value = (row.record[index] ?? '').trim();
      fieldPlaces[field] = positionIn(raw, starts[index] ?? 0, firstLine);
      if (value !== '') values[field] = value;
    });
    const place = { line: firstLine, column: 1 };
    const kind = (values.kind ?? '').toLowerCase();
    if (kind !== 'organization' && kind !== 'individual') {
      reportError(
        file,
        `Unknown kind "${values.kind ?? ''}": write organization or individual.`,
        fieldPlaces.kind ?? place,
        'signatories-kind',
      );
      continue;
    }
    const record: SignatoryRecord = { kind, name: values.name ?? '', place, fieldPlaces };
    if (values.country !== undefined) record.country = values.country;
    if (values.title !== undefined) record.title = values.title;
    if (values.sortAs !== undefined) record.sortAs = values.sortAs;
    if (values.signedOn !== undefined) record.signedOn = values.signedOn;
    records.push(record);
  }
  return { records };
}
