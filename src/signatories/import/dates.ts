/**
 * Signing dates as spreadsheets hold them, to YYYY-MM-DD:
 * - ISO `2023-09-26`, `2023/09/26`, `2023.9.26`, with or without a time after it;
 * - CJK `2023年9月26日`, Korean `2023. 9. 26.` and `2023년 9월 26일`;
 * - numeric `26/09/2023`, `9/26/2023`, `26.09.2023`, `26-09-23` (two-digit years are 20xx): the
 *   day-month order is read from the column (one `26/09/2023` settles it for every row), and
 *   `--date-order dmy|mdy` is asked for only when no row tells;
 * - Excel cells: a date cell (read as a Date) or a bare serial number (days since 1899-12-30,
 *   Excel's 1900 date system).
 * A Date read from a workbook is taken at UTC, as read-excel-file builds it.
 */
import { isIsoDate } from '../../model/types.js';

export type DateOrder = 'dmy' | 'mdy';

export type DateResult = { iso: string } | { ambiguous: true } | { error: string };

const pad = (n: number) => String(n).padStart(2, '0');

function iso(year: number, month: number, day: number): DateResult {
  const y = year < 100 ? 2000 + year : year;
  const text = `${String(y).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  if (!isIsoDate(text)) return { error: `there is no such day (${text})` };
  return { iso: text };
}

/** Days since 1899-12-30 → ISO date (Excel's 1900 system, its 1900-02-29 bug included in the offset). */
export function excelSerialToIso(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return null;
  const date = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000);
  return date.toISOString().slice(0, 10);
}

/** The day-month order a numeric date shows by itself: 'dmy' for 26/09, 'mdy' for 09/26, null when both could be. */
export function orderShown(text: string): DateOrder | null {
  const m = /^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\b/u.exec(text.normalize('NFKC'));
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a > 12 && b <= 12) return 'dmy';
  if (b > 12 && a <= 12) return 'mdy';
  return null;
}

export function parseDate(value: string | number | Date, order: DateOrder | null): DateResult {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { error: 'the cell holds no valid date' };
    return { iso: value.toISOString().slice(0, 10) };
  }
  if (typeof value === 'number') {
    const text = excelSerialToIso(value);
    return text ? { iso: text } : { error: `the number ${value} is not a date` };
  }
  const t = value.normalize('NFKC').trim();
  let m = /^(\d{4})\s*[-/.年년]\s*(\d{1,2})\s*[-/.月월]\s*(\d{1,2})\s*[日일.]?(?:$|[\sT])/u.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:$|[\s,T])/u.exec(t);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const year = Number(m[3]);
    const shown = orderShown(t);
    const use = shown ?? (a === b ? 'dmy' : order);
    if (!use) return { ambiguous: true };
    return use === 'dmy' ? iso(year, b, a) : iso(year, a, b);
  }
  if (/^\d+(\.\d+)?$/u.test(t)) return parseDate(Number(t), order);
  return { error: 'write it as YYYY-MM-DD (or 2023年9月26日, 2023. 9. 26., 26/09/2023)' };
}

/**
 * The YYYY-MM-DD form of a date written another way, for "write it as YYYY-MM-DD" messages:
 * "2023-09-26" for 26/09/2023 or 2023年9月26日; both readings for 03/04/2023; null when the text
 * is no date at all or no day of the calendar.
 */
export function isoSuggestion(text: string): string | null {
  const read = parseDate(text, null);
  if ('iso' in read) return read.iso === text.trim() ? null : read.iso;
  if ('ambiguous' in read) {
    const dmy = parseDate(text, 'dmy');
    const mdy = parseDate(text, 'mdy');
    if ('iso' in dmy && 'iso' in mdy) return `${dmy.iso} if the day comes first, ${mdy.iso} if the month does`;
  }
  return null;
}

/**
 * The end of a "write it as YYYY-MM-DD" message: ": 2023-09-26" when the date can be read, that
 * the day does not exist for 2023-02-30, ", e.g. 2023-09-21" otherwise.
 */
export function isoAdvice(text: string): string {
  const iso = isoSuggestion(text);
  if (iso) return `: ${iso}`;
  return /^\s*\d{4}-\d{2}-\d{2}\s*$/u.test(text) ? ' — it is, but the calendar has no such day; check the day and the month' : ', e.g. 2023-09-21';
}
