/**
 * An import plan: what importing a spreadsheet into a data file would do, row by row — added,
 * updated (an entry already listed gets a country or title it lacked; values it has are kept),
 * skipped (already listed the same way, or listed twice in the sheet) or refused (with the
 * positioned reason). The dry run prints the plan; the real run computes it again under the data
 * file's lock and writes it in one edit, so both agree. A pure function of the table, the
 * existing records and the options: the command line and a local server use it alike.
 */
import { VFile } from 'vfile';
import { reportError, reportWarning, type Position } from '../../diagnostics/index.js';
import { type NewSignatory, type OptionalField, type SignatoryField, type SignatoryKind, type SignatoryRecord, fieldsOf, nameColumnLanguage } from '../schema.js';
import { duplicateKey, latestPossibleDate } from '../validate.js';
import { describeReason, NearDuplicateIndex } from '../nearDuplicates.js';
import { aliasOf, headerKey, kindOfValue, parseMap } from './columns.js';
import { orderShown, parseDate, type DateOrder } from './dates.js';
import { invisibleCharacter, withoutInvisible } from '../../unicode/scripts.js';
import { columnLetter, type Cell, type CellValue, type Table } from './table.js';

export interface ImportOptions {
  /** Every row is of this kind (`--org` / `--person`); otherwise a kind column, or the name column's header, says. */
  kind?: SignatoryKind;
  /** `--map "Header=field,…"`. */
  map?: string;
  dateOrder?: DateOrder;
  /** Date for rows without one (the CLI gives today), when the data file can hold dates. */
  defaultSignedOn?: string;
  /** Add near-duplicates anyway. */
  force?: boolean;
}

export interface ColumnUse {
  header: string;
  /** "C" (xlsx) or the 1-based column number. */
  column: string;
  field: SignatoryField | null;
  /** A name-per-language column (name.ko, name.zh-CN): its language. */
  language?: string;
  /** Why a column is not used, when it is not. */
  note?: string;
}

/** Where a row stands in the spreadsheet: its line (or sheet row) and, for xlsx, the cell name. */
export interface RowRef {
  line: number;
  place: Position;
}

export interface PlannedAdd {
  row: RowRef;
  entry: NewSignatory;
  /** Added although it looks like an existing entry (--force). */
  forcedOver?: string;
}

export interface PlannedUpdate {
  row: RowRef;
  /** The name as the data file has it. */
  name: string;
  kind: SignatoryKind;
  /** Where the entry stands in the data file. */
  existing: Position;
  changes: Array<{ field: OptionalField; from?: string; to: string }>;
}

export interface PlannedSkip {
  row: RowRef;
  name: string;
  kind: SignatoryKind;
  /** "already listed in signatories.yaml:12" or "repeats row 4". */
  reason: string;
}

export interface PlannedRefusal {
  row?: RowRef;
  place: Position;
  name?: string;
  reason: string;
  ruleId: string;
}

export interface ImportPlan {
  source: string;
  type: Table['type'];
  sheet?: string;
  /** Rows above the header (a title, a note) that were passed over. */
  titleRows: number[];
  headerLine: number;
  columns: ColumnUse[];
  added: PlannedAdd[];
  updated: PlannedUpdate[];
  skipped: PlannedSkip[];
  refused: PlannedRefusal[];
  /** Every refusal and warning as a positioned message on the spreadsheet (printed by formatDiagnostics). */
  report: VFile;
}

const text = (value: CellValue): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  // ASCII text is its own NFC form; single spaces between words need no collapsing.
  const raw = String(value);
  const composed = ASCII.test(raw) ? raw : raw.normalize('NFC');
  return UNTIDY_SPACE.test(composed) ? composed.replace(/\s+/gu, ' ').trim() : composed;
};

const ASCII = /^[\u0000-\u007f]*$/;
/** Any white space but single spaces between words. */
const UNTIDY_SPACE = /[^\S ]|  |^ | $/u;

/**
 * `text(value) === ''`, without composing and collapsing the text: NFC maps white space to white
 * space and nothing else to it, so a text is empty after `text` when it is white space before.
 */
const empty = (value: CellValue) => (value === null || value === undefined || value instanceof Date ? text(value) === '' : String(value).trim() === '');

/** The fields of each kind (schema.ts), looked up once. */
const FIELDS_OF: Record<SignatoryKind, ReturnType<typeof fieldsOf>> = { organization: fieldsOf('organization'), individual: fieldsOf('individual') };

/** Separators a CSV may use, as named in the import dialogs of Excel and LibreOffice Calc. */
const SEPARATORS: ReadonlyArray<[string, string]> = [[';', 'Semicolon'], ['\t', 'Tab'], [',', 'Comma'], ['|', 'Other: |']];

/**
 * A header row whose only cell holds the whole header ("Organisation;Country;Date"): a sheet made
 * by opening a CSV with the wrong separator, often also in the wrong character set (a UTF-8
 * byte-order mark read as Windows-1252 shows as "ï»¿"). Says so, and how to undo it; null otherwise.
 */
function squeezedHeader(cells: readonly string[]): string | null {
  const [only] = cells;
  if (cells.length !== 1 || only === undefined) return null;
  const separator = SEPARATORS.find(([sep]) => only.split(sep).filter((part) => part.trim() !== '').length >= 2);
  if (!separator) return null;
  const [sep, label] = separator;
  const shown = only.length > 80 ? `${only.slice(0, 80)}…` : only;
  const mojibake = /^ï»¿|Ã[\u0080-\u00bf]/.test(only);
  return (
    `The whole header is in one cell ("${shown}"): the sheet was made by opening a CSV file with the wrong separator (the columns are split by "${sep === '\t' ? 'tab' : sep}")` +
    (mojibake ? ' and the wrong character set ("ï»¿" or "Ã…" is UTF-8 read as Windows-1252)' : '') +
    `. Import the original .csv file instead (letterpress finds its separator and character set by itself), or open the CSV again choosing "${label}" as the separator${mojibake ? ' and "Unicode (UTF-8)" as the character set' : ''}, and save it as .xlsx.`
  );
}

/** How many header cells, in the first rows, name a field (the header is the first row with a name column). */
const HEADER_SEARCH = 10;

/**
 * Plan the import of `table` into a data file holding `existing`. `dataFile` names that file in
 * messages; `canHold(field)` says whether the file can store a field (a CSV file without that column cannot).
 */
export function planImport(
  source: string,
  table: Table,
  existing: readonly SignatoryRecord[],
  dataFile: string,
  options: ImportOptions,
  canHold: (field: OptionalField | `name.${string}`) => boolean = () => true,
): ImportPlan {
  const report = new VFile({ path: source });
  const plan: ImportPlan = { source, type: table.type, titleRows: [], headerLine: 0, columns: [], added: [], updated: [], skipped: [], refused: [], report };
  if (table.sheet !== undefined) plan.sheet = table.sheet;
  const refuse = (reason: string, place: Position, ruleId: string, row?: RowRef, name?: string) => {
    plan.refused.push({ place, reason, ruleId, ...(row ? { row } : {}), ...(name !== undefined ? { name } : {}) });
    reportError(report, reason, place, ruleId);
  };
  const cellName = (place: Position) => (table.type === 'xlsx' ? ` (${columnLetter(place.column)}${place.line})` : '');

  const mapped = parseMap(options.map);
  if ('error' in mapped) {
    refuse(mapped.error, { line: 1, column: 1 }, 'import-map');
    return plan;
  }
  const fieldOf = (header: string) => {
    const given = mapped.map.get(headerKey(header));
    if (given) return { field: given === 'ignore' ? null : given, rank: 10, kind: undefined };
    const alias = aliasOf(header);
    return alias ? { field: alias.field, rank: alias.rank, kind: alias.kind } : null;
  };

  // The header: the first row (of the first few) in which a column names the name field.
  const rows = table.rows.filter((r) => r.cells.some((c) => !empty(c.value)));
  const headerIndex = rows.slice(0, HEADER_SEARCH).findIndex((r) => r.cells.some((c) => fieldOf(text(c.value))?.field === 'name'));
  if (headerIndex < 0) {
    const first = rows[0];
    const squeezed = first && squeezedHeader(first.cells.map((c) => text(c.value)).filter((v) => v !== ''));
    refuse(
      squeezed
        ? squeezed
        : first
        ? `No column for the names: the header row should have a column such as Organisation, Name, 组织, 단체 or 団体 (found ${first.cells.filter((c) => !empty(c.value)).map((c) => `"${text(c.value)}"`).join(', ')}); or say which column it is with --map "Your header=name".`
        : 'The spreadsheet is empty.',
      first?.cells[0]?.place ?? { line: 1, column: 1 },
      'import-header',
    );
    return plan;
  }
  plan.titleRows = rows.slice(0, headerIndex).map((r) => r.line);
  const header = rows[headerIndex] as (typeof rows)[number];
  plan.headerLine = header.line;

  // Columns: the best-ranked column for each field; every other column is listed as not used.
  const best = new Map<SignatoryField, { index: number; rank: number; kind: SignatoryKind | undefined }>();
  const found = header.cells.map((c) => fieldOf(text(c.value)));
  found.forEach((f, index) => {
    if (!f?.field) return;
    const prev = best.get(f.field);
    if (!prev || f.rank > prev.rank) best.set(f.field, { index, rank: f.rank, kind: f.kind });
  });
  // Names per language: name.ko, name.zh-CN … (as in a CSV data file), for new entries.
  const languageCols: Array<{ index: number; language: string }> = [];
  header.cells.forEach((cell, index) => {
    const h = text(cell.value);
    if (h === '') return;
    const f = found[index];
    const column = table.type === 'xlsx' ? columnLetter(cell.place.column) : String(index + 1);
    const language = f?.field ? null : nameColumnLanguage(h);
    if (language !== null) {
      if (canHold(`name.${language}`)) {
        languageCols.push({ index, language });
        plan.columns.push({ header: h, column, field: 'name', language });
      } else plan.columns.push({ header: h, column, field: null, note: `the data file has no name.${language} column` });
      return;
    }
    if (f?.field && best.get(f.field)?.index === index) plan.columns.push({ header: h, column, field: f.field });
    else plan.columns.push({ header: h, column, field: null, note: f?.field ? `another column is the ${f.field}` : 'not a field of the data file' });
  });
  const col = (field: SignatoryField) => best.get(field)?.index;
  const nameCol = col('name') as number;
  const kindCol = col('kind');
  const dateCol = col('signedOn');
  const kindOfFile = options.kind ?? (kindCol === undefined ? best.get('name')?.kind : undefined);
  if (kindOfFile === undefined && kindCol === undefined) {
    refuse(
      `The spreadsheet does not say whether its rows are organisations or individuals: its name column is "${text(header.cells[nameCol]?.value ?? null)}". Give --org or --person for the whole file, or add a Type column (organisation / individual).`,
      header.cells[nameCol]?.place ?? { line: header.line, column: 1 },
      'import-kind',
    );
    return plan;
  }

  // The day-month order of numeric dates: given, or shown by the column itself.
  let order: DateOrder | null = options.dateOrder ?? null;
  const dataRows = rows.slice(headerIndex + 1);
  if (!order && dateCol !== undefined) {
    const shown = new Set<DateOrder>();
    for (const r of dataRows) {
      const v = r.cells[dateCol]?.value;
      const o = typeof v === 'string' ? orderShown(v) : null;
      if (o) shown.add(o);
    }
    if (shown.size === 1) order = [...shown][0] as DateOrder;
    if (shown.size > 1) {
      refuse('The date column has both day-first (26/09/2023) and month-first (09/26/2023) dates; say which with --date-order dmy or --date-order mdy.', header.cells[dateCol]?.place ?? { line: header.line, column: 1 }, 'import-date-order');
      return plan;
    }
  }

  const lookup = { organization: new Map<string, SignatoryRecord>(), individual: new Map<string, SignatoryRecord>() };
  const near = { organization: new NearDuplicateIndex<{ name: string; where: string }>((x) => x.name), individual: new NearDuplicateIndex<{ name: string; where: string }>((x) => x.name) };
  for (const r of existing) {
    lookup[r.kind].set(duplicateKey(r.name), r);
    const p = r.fieldPlaces.name ?? r.place;
    near[r.kind].add({ name: r.name, where: `${dataFile}:${p.line}:${p.column}` });
  }
  const seenInSheet = { organization: new Map<string, RowRef>(), individual: new Map<string, RowRef>() };
  const where = (place: Position) => `${source}:${place.line}:${place.column}`;
  // Tomorrow's date is taken once; each date text of the column is read once.
  let latest: string | undefined;
  const datesRead = new Map<string, ReturnType<typeof parseDate>>();
  const readDate = (value: CellValue, shown: string): ReturnType<typeof parseDate> => {
    if (value instanceof Date || typeof value === 'number') return parseDate(value, order);
    let parsed = datesRead.get(shown);
    if (!parsed) datesRead.set(shown, (parsed = parseDate(shown, order)));
    return parsed;
  };

  for (const r of dataRows) {
    const cellAt = (index: number | undefined): Cell | undefined => (index === undefined ? undefined : r.cells[index]);
    const nameCell = cellAt(nameCol);
    const rowRef: RowRef = { line: r.line, place: nameCell?.place ?? { line: r.line, column: 1 } };
    let name = text(nameCell?.value ?? null);
    let kind = options.kind;
    if (!kind && kindCol !== undefined && !empty(cellAt(kindCol)?.value ?? null)) {
      const said = text(cellAt(kindCol)?.value ?? null);
      const k = kindOfValue(said);
      if (!k) {
        refuse(`Unknown type "${said}"${cellName(cellAt(kindCol)?.place ?? rowRef.place)}: write organisation or individual.`, cellAt(kindCol)?.place ?? rowRef.place, 'import-kind', rowRef, name);
        continue;
      }
      kind = k;
    }
    kind ??= kindOfFile ?? best.get('name')?.kind;
    if (!kind) {
      refuse(`This row does not say whether it is an organisation or an individual${cellName(rowRef.place)}: fill in its type, or give --org or --person.`, rowRef.place, 'import-kind', rowRef, name);
      continue;
    }
    if (name === '') {
      refuse(`This row has no name${cellName(rowRef.place)}: fill it in, or delete the row.`, rowRef.place, 'import-empty-name', rowRef);
      continue;
    }
    // A spreadsheet hides these characters from whoever would delete them: they are removed, and said so.
    const invisible = invisibleCharacter(name);
    if (invisible) {
      name = withoutInvisible(name).replace(/\s+/gu, ' ').trim();
      reportWarning(report, `The name "${name}"${cellName(rowRef.place)} contained ${invisible}; it is imported without it (and without any other such character).`, rowRef.place, 'import-invisible');
    }
    const entry: NewSignatory = { kind, name };
    let bad = false;
    for (const f of FIELDS_OF[kind]) {
      if (f.key === 'name') continue;
      const cell = cellAt(col(f.key as SignatoryField));
      if (!cell || empty(cell.value)) continue;
      let value = text(cell.value);
      if (f.type === 'date') {
        const parsed = readDate(cell.value, value);
        if ('ambiguous' in parsed) {
          refuse(`The date "${value}"${cellName(cell.place)} could be day-first or month-first, and no other date in the column tells; say which with --date-order dmy or --date-order mdy.`, cell.place, 'import-date-order', rowRef, name);
          bad = true;
          continue;
        }
        if ('error' in parsed) {
          refuse(`Cannot read the date "${value}"${cellName(cell.place)}: ${parsed.error}.`, cell.place, 'import-date', rowRef, name);
          bad = true;
          continue;
        }
        // Refused here, as the data file would refuse it: the dry run must not promise an import that fails.
        if (parsed.iso > (latest ??= latestPossibleDate())) {
          refuse(`The date "${value}"${cellName(cell.place)} is in the future (${parsed.iso}); check the year, or the day and month order (--date-order).`, cell.place, 'import-date', rowRef, name);
          bad = true;
          continue;
        }
        value = parsed.iso;
      }
      if (!canHold(f.key as OptionalField)) continue;
      (entry as Record<string, unknown>)[f.key] = value;
    }
    if (bad) continue;
    for (const { index, language } of languageCols) {
      const value = text(cellAt(index)?.value ?? null);
      if (value !== '') entry.names = { ...entry.names, [language]: value };
    }
    if (entry.signedOn === undefined && options.defaultSignedOn !== undefined && canHold('signedOn')) entry.signedOn = options.defaultSignedOn;

    const key = duplicateKey(name);
    const listed = lookup[kind].get(key);
    if (listed) {
      const p = listed.fieldPlaces.name ?? listed.place;
      // An entry already listed only gains fields it lacks: the data file is the curated record, so a
      // value it has stands (a different one in the sheet is named, to be changed by hand if wanted).
      // Its signing date stands too (without one, it signed as of the list's date).
      const changes: PlannedUpdate['changes'] = [];
      const differ: string[] = [];
      for (const f of FIELDS_OF[kind]) {
        if (f.key === 'name' || f.key === 'signedOn') continue;
        const to = (entry as Partial<Record<string, unknown>>)[f.key] as string | undefined;
        const from = (listed as Record<string, unknown>)[f.key] as string | undefined;
        if (to === undefined || to === from) continue;
        if (from === undefined) changes.push({ field: f.key as OptionalField, to });
        else differ.push(`${f.key} "${to}" (the data file has "${from}", kept)`);
      }
      const also = differ.length > 0 ? `; the sheet gives ${differ.join(', ')}` : '';
      if (changes.length > 0) plan.updated.push({ row: rowRef, name: listed.name, kind, existing: p, changes });
      else plan.skipped.push({ row: rowRef, name, kind, reason: `already listed as "${listed.name}" in ${dataFile}:${p.line}${also}` });
      continue;
    }
    const twice = seenInSheet[kind].get(key);
    if (twice) {
      plan.skipped.push({ row: rowRef, name, kind, reason: `repeats ${table.type === 'xlsx' ? 'row' : 'line'} ${twice.line} of the spreadsheet` });
      continue;
    }
    const match = near[kind].find(name);
    if (match) {
      const message = `"${name}" looks like "${match.item.name}" (${match.item.where}): ${describeReason(match.reason)}.`;
      if (!options.force) {
        refuse(`${message} If it is the same ${kind === 'organization' ? 'organisation' : 'individual'}, leave the row out or correct the name; if it is another one, import with --force.`, rowRef.place, 'import-near-duplicate', rowRef, name);
        continue;
      }
      reportWarning(report, `${message} Added anyway (--force).`, rowRef.place, 'import-near-duplicate');
    }
    seenInSheet[kind].set(key, rowRef);
    near[kind].add({ name, where: where(rowRef.place) });
    plan.added.push({ row: rowRef, entry, ...(match ? { forcedOver: match.item.name } : {}) });
  }
  return plan;
}
