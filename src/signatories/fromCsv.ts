/**
 * CSV signatory files, the way a sign-up form or a spreadsheet exports them: a header naming the
 * columns of schema.ts (kind,name,country,title,sort_as,signed_on, in any order, quoted or not),
 * separated by commas, semicolons (European Excel) or tabs — the separator is read from the
 * header —, CRLF or LF, fields quoted when they hold the separator or line breaks, trailing empty
 * rows (`,,,,,`) ignored. Parsed with csv-parse. Every bad row is reported in one run; after a
 * syntax error (a quote not closed) parsing resumes on the next line, so later rows are checked too.
 */
import { parse } from 'csv-parse/sync';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import { CSV_COLUMNS, fieldOfColumn, nameColumnLanguage, type SignatoryData, type SignatoryField, type SignatoryKind, type SignatoryRecord } from './schema.js';
import type { Position } from '../diagnostics/index.js';
import { kindOfValue } from './import/columns.js';

/** How a CSV file is written, so that the editor can write new rows the same way. */
export interface CsvDialect {
  delimiter: ',' | ';' | '\t';
  eol: '\n' | '\r\n';
  /** Every header field was quoted (some exporters quote every field). */
  quoteAll: boolean;
}

export const DELIMITERS = [',', ';', '\t'] as const;

/** The first non-empty line of the text (the header). */
function headerLine(text: string): string {
  return text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
}

/** Count `ch` outside double quotes. */
export function countOutsideQuotes(line: string, ch: string): number {
  let quoted = false;
  let n = 0;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) n++;
  }
  return n;
}

export function csvDialect(text: string): CsvDialect {
  const header = headerLine(text);
  const counts = DELIMITERS.map((d) => countOutsideQuotes(header, d));
  const best = counts.indexOf(Math.max(...counts));
  const delimiter = counts[best] === 0 ? ',' : (DELIMITERS[best] as CsvDialect['delimiter']);
  const fields = header.split(delimiter);
  return {
    delimiter,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    quoteAll: fields.length > 0 && fields.every((f) => /^\s*".*"\s*$/.test(f)),
  };
}

export interface CsvRow {
  record: string[];
  /** 1-based line of the record's first character. */
  line: number;
  raw: string;
  /** Offset in the chunk of text it was parsed from. */
  start: number;
}

interface CsvSyntaxError {
  message: string;
  place: Position;
}

const SYNTAX_ADVICE: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a double quote opened here is never closed; close it, or double a quote inside a quoted field ("")',
  CSV_INVALID_CLOSING_QUOTE: 'text follows a closing double quote; put the whole field in quotes and double the quotes inside it ("")',
  INVALID_OPENING_QUOTE: 'a double quote in the middle of an unquoted field; put the whole field in quotes and double the quote ("")',
};

/**
 * Parse the whole text into rows, resuming on the line after a record the parser cannot read.
 * Written around csv-parse because it stops at the first syntax error.
 */
export function parseRows(text: string, delimiter: string): { rows: CsvRow[]; errors: CsvSyntaxError[] } {
  const plain = plainRows(text, delimiter);
  if (plain) return { rows: plain.filter((r) => r.record.some((v) => v.trim() !== '')), errors: [] };
  return parseRowsWithInfo(text, delimiter);
}

/** parseRows for any text: csv-parse tells where each record stands (`info`, `raw`). Exported for a test that compares the two ways. */
export function parseRowsWithInfo(text: string, delimiter: string): { rows: CsvRow[]; errors: CsvSyntaxError[] } {
  const rows: CsvRow[] = [];
  const errors: CsvSyntaxError[] = [];
  let rest = text;
  let lineOffset = 0;
  for (let guard = 0; rest.length > 0 && guard < 100_000; guard++) {
    let failure: { code: string; raw: string } | null = null;
    const chunk: CsvRow[] = [];
    let consumed = 0;
    // Newlines before `counted` in `rest`, counted as the rows advance (counting from the start
    // for every row made a 10,000-row file take seconds).
    let counted = 0;
    let newlines = 0;
    // csv-parse's typings describe plain records; with `info` and `raw` it returns {record, info}.
    const parsed = parse(rest, {
      delimiter,
      info: true,
      raw: true,
      relax_column_count: true,
      relax_quotes: false,
      skip_records_with_error: true,
      on_skip: (err: { code?: string } | undefined, raw: string | undefined) => {
        failure ??= { code: err?.code ?? 'CSV', raw: raw ?? '' };
        return undefined;
      },
    }) as unknown as Array<{ record: string[]; info: { raw?: string } }>;
    for (const row of parsed) {
      const raw = row.info.raw ?? '';
      const at = rest.indexOf(raw, consumed);
      const start = at >= 0 ? at : consumed;
      consumed = start + raw.length;
      for (let nl = rest.indexOf('\n', counted); nl !== -1 && nl < start; nl = rest.indexOf('\n', nl + 1)) newlines++;
      counted = Math.max(counted, start);
      chunk.push({ record: row.record, line: lineOffset + newlines + 1, raw, start });
    }
    if (!failure) {
      rows.push(...chunk);
      break;
    }
    const bad = failure as { code: string; raw: string };
    // Rows before the failed record are good; rows after it may be misread and are parsed again.
    const found = rest.indexOf(bad.raw);
    const badStart = found >= 0 ? found : consumed;
    rows.push(...chunk.filter((r) => r.start < badStart));
    const before = rest.slice(0, badStart);
    const line = lineOffset + (before.match(/\n/g)?.length ?? 0) + 1;
    const firstLine = bad.raw.split(/\r?\n/)[0] ?? '';
    const quoteColumn = bad.code === 'CSV_QUOTE_NOT_CLOSED' ? firstLine.lastIndexOf('"') + 1 : 1;
    errors.push({
      message: `Not valid CSV: ${SYNTAX_ADVICE[bad.code] ?? bad.code}.`,
      place: { line, column: Math.max(1, quoteColumn) },
    });
    // Resume on the line after the failed record's first line.
    const nextLine = rest.indexOf('\n', badStart);
    if (nextLine < 0) break;
    lineOffset = line;
    rest = rest.slice(nextLine + 1);
  }
  return { rows: rows.filter((r) => r.record.some((v) => v.trim() !== '')), errors };
}

/**
 * The rows of a text without a double quote (nearly every export of a sign-up list), one per
 * line: csv-parse reads the records without telling where each stands (`info` and `raw` cost it
 * a third of its time), and each line is its record's raw text. Every record is checked to be its
 * line's fields; null (the general way then) when one is not, when the text has a quote or a
 * carriage return outside a CRLF, or when csv-parse skips a record.
 */
function plainRows(text: string, delimiter: string): CsvRow[] | null {
  if (text.includes('"') || /\r(?!\n)/.test(text)) return null;
  let skipped = false;
  const records = parse(text, {
    delimiter,
    relax_column_count: true,
    relax_quotes: false,
    skip_records_with_error: true,
    on_skip: () => {
      skipped = true;
      return undefined;
    },
  }) as string[][];
  if (skipped) return null;
  const rows: CsvRow[] = [];
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    const newline = text.indexOf('\n', start);
    const crlf = newline > 0 && text[newline - 1] === '\r';
    const record = records[line - 1];
    const content = text.slice(start, newline < 0 ? text.length : crlf ? newline - 1 : newline);
    if (!record || record.join(delimiter) !== content) return null;
    // As csv-parse gives `raw`: the line with its line break, but a CRLF without its LF.
    rows.push({ record, line, raw: newline < 0 ? content : text.slice(start, crlf ? newline : newline + 1), start });
    start = newline < 0 ? text.length : newline + 1;
  }
  return rows.length === records.length ? rows : null;
}

/** Offsets (in characters) where each field of one raw CSV record starts; quotes respected. */
export function fieldStarts(raw: string, delimiter: string): number[] {
  const starts = [0];
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) starts.push(i + 1);
  }
  return starts;
}

/** Line and column of an offset inside a record that starts at `firstLine`. */
export function positionIn(raw: string, offset: number, firstLine: number): Position {
  // A row on one line (nearly every row): the column counts the characters before the offset.
  if (offset >= 0 && raw.lastIndexOf('\n', offset - 1) < 0) return { line: firstLine, column: codePointCount(raw, 0, Math.min(offset, raw.length)) + 1 };
  const before = raw.slice(0, offset).split(/\r?\n/);
  return { line: firstLine + before.length - 1, column: [...(before.at(-1) ?? '')].length + 1 };
}

/** Characters (code points) of text[from, to), as `[...text.slice(from, to)].length` counts them. */
function codePointCount(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low one is one character
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < to) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** How many lines the record starting on `line` spans (a quoted field may hold line breaks). */
export function csvRecordLines(text: string, line: number): number {
  const plain = text.replace(/^\ufeff/, '');
  const row = parseRows(plain, csvDialect(plain).delimiter).rows.find((r) => r.line === line);
  return row ? row.raw.replace(/\r?\n$/, '').split('\n').length : 1;
}

/**
 * Where each field of a CSV row stands, found when asked: a message or the model asks for a few
 * of a row's fields, so the places of 10,000 rows are not all made (schema.ts: `fieldPlaces`).
 */
class CsvFieldPlaces implements Partial<Record<SignatoryField, Position>> {
  private starts: number[] | undefined;

  constructor(
    private readonly raw: string,
    private readonly line: number,
    private readonly delimiter: string,
    private readonly columns: Readonly<Partial<Record<SignatoryField, number>>>,
  ) {}

  private at(field: SignatoryField): Position | undefined {
    const index = this.columns[field];
    if (index === undefined) return undefined;
    this.starts ??= fieldStarts(this.raw, this.delimiter);
    return positionIn(this.raw, this.starts[index] ?? 0, this.line);
  }

  get kind() {
    return this.at('kind');
  }
  get name() {
    return this.at('name');
  }
  get country() {
    return this.at('country');
  }
  get title() {
    return this.at('title');
  }
  get sortAs() {
    return this.at('sortAs');
  }
  get signedOn() {
    return this.at('signedOn');
  }
}

export function signatoriesFromCsv(file: VFile): SignatoryData | null {
  const text = String(file.value).replace(/^\ufeff/, '');
  const dialect = csvDialect(text);
  const { rows, errors } = parseRows(text, dialect.delimiter);
  const header = rows[0];
  if (!header || (errors[0] && errors[0].place.line <= header.line)) {
    for (const e of errors) reportError(file, e.message, e.place, 'signatories-csv');
    if (!header) reportError(file, `The CSV file has no rows: it needs the header row ${CSV_COLUMNS.join(',')}.`, { line: 1, column: 1 }, 'signatories-csv');
    return null;
  }
  const starts = fieldStarts(header.raw, dialect.delimiter);
  const fields = header.record.map((h) => fieldOfColumn(h));
  // Names per language: name.ko, name.zh-CN … beside the original name's column.
  const languages = header.record.map((h) => nameColumnLanguage(h));
  let headerOk = true;
  header.record.forEach((h, i) => {
    if (fields[i] !== null || languages[i] !== null) return;
    headerOk = false;
    reportError(
      file,
      `Unknown column "${h.trim()}" in the header: the columns are ${CSV_COLUMNS.join(',')}, and name.LANG for a name per language (name.ko, name.zh-CN). A sign-up sheet with other columns is imported into the data file with \`letterpress signatories import\`.`,
      positionIn(header.raw, starts[i] ?? 0, header.line),
      'signatories-csv-header',
    );
  });
  // A column named twice (two "name" columns from a merged export): which one counts would be a
  // guess, so neither does.
  fields.forEach((field, i) => {
    const first = field === null ? -1 : fields.indexOf(field);
    if (first < 0 || first === i) return;
    headerOk = false;
    reportError(
      file,
      `The column "${header.record[i]?.trim()}" is in the header twice (columns ${first + 1} and ${i + 1}, both "${field}"); remove or rename one.`,
      positionIn(header.raw, starts[i] ?? 0, header.line),
      'signatories-csv-header',
    );
  });
  for (const needed of ['kind', 'name'] as const) {
    if (!fields.includes(needed)) {
      headerOk = false;
      reportError(file, `The header row has no "${needed}" column: the columns are ${CSV_COLUMNS.join(',')}.`, { line: header.line, column: 1 }, 'signatories-csv-header');
    }
  }
  for (const e of errors) reportError(file, e.message, e.place, 'signatories-csv');
  if (!headerOk) return null;

  const columns: Partial<Record<SignatoryField, number>> = {};
  fields.forEach((field, index) => {
    if (field !== null) columns[field] = index;
  });
  const records: SignatoryRecord[] = [];
  // What each kind column value says, read once per value (a long list repeats a few).
  const kinds = new Map<string, SignatoryKind | null>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as CsvRow;
    const raw = row.raw.endsWith('\n') ? row.raw.slice(0, row.raw.endsWith('\r\n') ? -2 : -1) : row.raw;
    const place = { line: row.line, column: 1 };
    if (row.record.length !== fields.length) {
      const others = DELIMITERS.filter((d) => d !== dialect.delimiter && countOutsideQuotes(raw, d) >= fields.length - 1);
      const hint = others.length > 0
        ? ` — this row seems separated by ${others[0] === '\t' ? 'tabs' : `"${others[0]}"`}, the header by ${dialect.delimiter === '\t' ? 'tabs' : `"${dialect.delimiter}"`}; use one separator`
        : '; put fields containing the separator in double quotes';
      reportError(file, `This row has ${row.record.length} field(s), the header has ${fields.length}${hint}.`, place, 'signatories-csv');
      continue;
    }
    // The record's fields in the header's order (kind aside), as they are kept.
    const values: Partial<Record<SignatoryField, string>> = {};
    const fieldPlaces = new CsvFieldPlaces(raw, row.line, dialect.delimiter, columns);
    let names: Record<string, string> | undefined;
    let kindValue: string | undefined;
    for (let index = 0; index < fields.length; index++) {
      const language = languages[index];
      const field = fields[index];
      if (language) {
        const value = (row.record[index] ?? '').trim();
        if (value !== '') (names ??= {})[language] = value;
        continue;
      }
      if (field === null || field === undefined) continue;
      const value = (row.record[index] ?? '').trim();
      if (value === '') continue;
      if (field === 'kind') kindValue = value;
      else values[field] = value;
    }
    // "organisation", "person", 组织, 개인 … are read as the two kinds (as an import reads them).
    const said = kindValue ?? '';
    let kind = kinds.get(said);
    if (kind === undefined) kinds.set(said, (kind = kindOfValue(said)));
    if (kind === null) {
      reportError(file, `Unknown kind "${said}": write organization or individual.`, fieldPlaces.kind ?? place, 'signatories-kind');
      continue;
    }
    const record = values as SignatoryRecord;
    record.kind = kind;
    record.name = values.name ?? '';
    if (names) record.names = names;
    record.place = place;
    record.fieldPlaces = fieldPlaces;
    records.push(record);
  }
  return { records };
}
