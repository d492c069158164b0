/**
 * A spreadsheet as a table of cells, each with where it stands, whatever it came as:
 * - CSV in any dialect the data-file reader knows (comma, semicolon, tab; BOM; CRLF; quoted
 *   fields; UTF-8 or UTF-16) — the cell's place is its line and column;
 * - Excel `.xlsx` through read-excel-file: the first sheet or a named one, formulas as their
 *   saved values, cells formatted as dates as Date values — the place is row and column number
 *   (messages also say "C7");
 * - JSON: an array of objects (a form tool's export) or a letterpress data file
 *   ({organizations, individuals}); read with the yaml parser, which tells where every value stands.
 * Which file type it is comes from its first bytes (a ZIP file is a workbook, whatever its name).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Position } from '../../diagnostics/index.js';
import { decodeText } from '../../io/decode.js';
import { jsonErrorPlace } from '../fromYaml.js';
import { countOutsideQuotes, csvDialect, DELIMITERS, fieldStarts, parseRows, positionIn } from '../fromCsv.js';

export type CellValue = string | number | boolean | Date | null;

export interface Cell {
  value: CellValue;
  place: Position;
}

export interface Table {
  type: 'csv' | 'xlsx' | 'json';
  /** The sheet read (xlsx). */
  sheet?: string;
  /** Rows in file order, blank rows left out; each row knows its line (or sheet row). */
  rows: Array<{ line: number; cells: Cell[] }>;
}

export type TableResult = { table: Table } | { error: string; place?: Position };

/** Spreadsheets larger than this are refused before they are read (10,000 rows are about 1 MB). */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

/** "C" for column 3. */
export function columnLetter(column: number): string {
  let s = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
const isOle = (bytes: Uint8Array) => bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;

/**
 * The separator of a sheet that may have a title line above its header: the one found most often
 * (outside quotes) in the first ten non-empty lines; the data-file reader's rule (the header's)
 * when they agree.
 */
function sheetDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 10);
  const counts = DELIMITERS.map((d) => lines.reduce((n, l) => n + countOutsideQuotes(l, d), 0));
  const best = counts.indexOf(Math.max(...counts));
  return counts[best] === 0 ? csvDialect(text).delimiter : (DELIMITERS[best] as string);
}

function csvTable(text: string): TableResult {
  const clean = text.replace(/^\ufeff/, '');
  const dialect = { delimiter: sheetDelimiter(clean) };
  const { rows, errors } = parseRows(clean, dialect.delimiter);
  if (errors[0]) return { error: errors[0].message, place: errors[0].place };
  return {
    table: {
      type: 'csv',
      rows: rows.map((row) => {
        const raw = row.raw.replace(/\r?\n$/, '');
        const starts = fieldStarts(raw, dialect.delimiter);
        return { line: row.line, cells: row.record.map((value, i) => ({ value, place: positionIn(raw, starts[i] ?? 0, row.line) })) };
      }),
    },
  };
}

async function xlsxTable(bytes: Uint8Array, sheetName: string | undefined): Promise<TableResult> {
  const { default: readXlsxFile } = await import('read-excel-file/node');
  let sheets: Array<{ sheet: string; data: unknown[][] }>;
  try {
    sheets = (await readXlsxFile(Buffer.from(bytes), { trim: false })) as unknown as Array<{ sheet: string; data: unknown[][] }>;
  } catch (err) {
    return { error: `This workbook cannot be read (${(err as Error).message}); open it in Excel or LibreOffice and save it again as .xlsx, or export the sheet as CSV.` };
  }
  const names = sheets.map((s) => s.sheet);
  const chosen = sheetName === undefined ? sheets[0] : sheets.find((s) => s.sheet === sheetName) ?? sheets.find((s) => s.sheet.toLowerCase() === sheetName.toLowerCase());
  if (!chosen) {
    return { error: sheetName === undefined ? 'The workbook has no sheet.' : `The workbook has no sheet "${sheetName}"; its sheets are ${names.map((n) => `"${n}"`).join(', ')}.` };
  }
  const rows = chosen.data.map((row, r) => ({
    line: r + 1,
    cells: row.map((value, c) => ({ value: (value ?? null) as CellValue, place: { line: r + 1, column: c + 1 } })),
  }));
  return { table: { type: 'xlsx', sheet: chosen.sheet, rows } };
}

function jsonTable(text: string): TableResult {
  try {
    JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    return { error: `Not valid JSON: ${message.replace(/\.$/, '')}; fix it at this place, or export the answers from the form tool again.`, place: jsonErrorPlace(text, message) };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const at = (node: Node | null | undefined): Position => {
    const p = counter.linePos(node?.range?.[0] ?? 0);
    return { line: p.line, column: p.col };
  };
  const scalar = (node: unknown): CellValue => (isScalar(node) ? (node.value as CellValue) : null);
  const header: string[] = [];
  const objects: Array<{ node: Node; values: Map<string, Cell> }> = [];
  const collect = (seq: unknown, kind?: string) => {
    if (!isSeq(seq)) return false;
    for (const item of seq.items) {
      if (!isMap(item)) return false;
      const values = new Map<string, Cell>();
      if (kind) values.set('kind', { value: kind, place: at(item as Node) });
      for (const pair of item.items) {
        const key = String(scalar(pair.key) ?? '');
        if (!header.includes(key)) header.push(key);
        values.set(key, { value: scalar(pair.value), place: at((pair.value ?? pair.key) as Node) });
      }
      objects.push({ node: item as Node, values });
    }
    return true;
  };
  const root = doc.contents;
  let ok = true;
  if (isMap(root) && (root.has('organizations') || root.has('individuals'))) {
    header.push('kind');
    for (const [kind, key] of [['organization', 'organizations'], ['individual', 'individuals']] as const) {
      const list = root.get(key, true);
      if (list !== undefined && !collect(list, kind)) ok = false;
    }
  } else if (isMap(root)) {
    // A form tool's export that wraps the list in an object ({"responses": […]}, {"items": […]}):
    // the one property holding a list of objects is the list.
    const lists = root.items.filter((pair) => isSeq(pair.value) && pair.value.items.length > 0 && pair.value.items.every((item) => isMap(item)));
    ok = lists.length === 1 && collect(lists[0]?.value);
  } else ok = collect(root);
  if (!ok) return { error: 'This JSON is neither a list of objects (one per signatory) nor a letterpress data file ({"organizations": […], "individuals": […]}).', place: { line: 1, column: 1 } };
  const first = objects[0] ? at(objects[0].node) : { line: 1, column: 1 };
  const rows = [
    { line: 0, cells: header.map((h) => ({ value: h, place: first })) },
    ...objects.map((o) => ({ line: at(o.node).line, cells: header.map((h) => o.values.get(h) ?? { value: null, place: at(o.node) }) })),
  ];
  return { table: { type: 'json', rows } };
}

/** Read a spreadsheet file (or bytes already read, e.g. uploaded to the local page) into a table. */
export async function readTable(source: { path: string; bytes?: Uint8Array }, options: { sheet?: string } = {}): Promise<TableResult> {
  let bytes = source.bytes;
  if (!bytes) {
    try {
      const info = await stat(source.path);
      if (!info.isFile()) return { error: 'This is not a file; give the spreadsheet (.csv, .xlsx or .json) to import.' };
      if (info.size > MAX_IMPORT_BYTES) return { error: `The file is ${(info.size / 1024 / 1024).toFixed(1)} MB; an import is limited to ${MAX_IMPORT_BYTES / 1024 / 1024} MB.` };
      bytes = await readFile(source.path);
    } catch {
      return { error: 'Cannot read the file (does it exist?).' };
    }
  }
  const ext = path.extname(source.path).toLowerCase();
  if (isZip(bytes)) {
    // An OpenDocument file names its type in its first, stored entry "mimetype" (ODF 1.2 part 3, §3.3).
    const odf = /^PK[\s\S]{28}mimetypeapplication\/vnd\.oasis\.opendocument\.([a-z-]+)/.exec(Buffer.from(bytes.subarray(0, 120)).toString('latin1'));
    if (odf?.[1] === 'spreadsheet' || ext === '.ods') {
      return { error: 'This is an OpenDocument spreadsheet (.ods, LibreOffice Calc); save it as .xlsx (File ▸ Save As ▸ Excel 2007-365) or as CSV, or run: soffice --headless --convert-to xlsx FILE.ods, then import that.' };
    }
    if (odf) return { error: `This is an OpenDocument ${odf[1]} file, not a spreadsheet; give the sign-up sheet (.csv, .xlsx or .json).` };
    if (ext === '.numbers') return { error: 'This is not an Excel workbook; save it as .xlsx (Excel 2007+) or export the sheet as CSV, then import that.' };
    return xlsxTable(bytes, options.sheet);
  }
  if (isOle(bytes) || ext === '.xls') return { error: 'This is an old Excel workbook (.xls); save it as .xlsx (Excel 2007+) or export the sheet as CSV, then import that.' };
  if (ext === '.xlsx') return { error: 'The file is named .xlsx but is not a workbook (an .xlsx file is a ZIP archive); if it is CSV text, rename it to .csv.' };
  const decoded = decodeText(bytes);
  if ('error' in decoded) return { error: decoded.error, ...(decoded.place ? { place: decoded.place } : {}) };
  if (options.sheet !== undefined) return { error: '--sheet applies to .xlsx workbooks only.' };
  if (ext === '.json') return jsonTable(decoded.text);
  return csvTable(decoded.text);
}
