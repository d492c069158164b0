/**
 * Where a line may break. Unicode line breaking (UAX #14) comes from the `linebreak` package, the
 * same breaker pdfmake uses; on top of it, the clreq rules it does not know:
 *
 * - clreq §3.1.7 (prohibition rules, "basic" level): no line starts with 、，。．：；？！”’）》〉」』】〕〗］｝
 *   or the interpunct ·, and none ends with “‘（《〈「『【〔〖［｛.
 * - UAX #14 forbids any break next to a curly quote (class QU) because it cannot tell an opening
 *   from a closing one; in Chinese text they are full-width, so a break *before* “ and *after* ”
 *   is allowed (clreq §3.1.7 still forbids one after “ and before ”).
 * - ——, …… (two ems each) are never split (clreq §3.1.7).
 * - A number stays with the unit that follows it (2020年, 8日, 50多名): no break between a digit
 *   and a following ideograph (clreq §3.2: never break a number and its unit).
 * - URLs break only after / . ? & = - (never inside the scheme's "://"), not wherever UAX #14
 *   would allow.
 */
import LineBreaker from 'linebreak';
import { IDEOGRAPHIC, UNSPACED_CJK } from '../unicode/scripts.js';

export const NOT_AT_LINE_START = new Set([...'、，。．：；？！”’）》〉」』】〕〗］｝·・%‰℃!),.:;?]}']);
export const NOT_AT_LINE_END = new Set([...'“‘（《〈「『【〔〖［｛([{']);
const INSEPARABLE = new Set(['—', '…']);
const URL_PATTERN = /(?:https?:\/\/|mailto:)[^\s<>（）“”，。；、]+/gu;
const URL_BREAK_AFTER = new Set([...'/.?&=-_#']);

/** Ranges [start, end) of URLs in `text`. */
export function urlRanges(text: string): Array<[number, number]> {
  return [...text.matchAll(URL_PATTERN)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length]);
}

/**
 * Break opportunities as UTF-16 offsets: a break at `i` means a line may end before text[i].
 * `required` offsets are hard breaks (newlines). `atomic` ranges (e.g. URLs in plain text) get no
 * inner break at all; other URLs get the URL rule above.
 */
export function breakOpportunities(
  text: string,
  options: { atomicUrls?: boolean } = {},
): { allowed: Set<number>; required: Set<number> } {
  const allowed = new Set<number>();
  const required = new Set<number>();
  const breaker = new LineBreaker(text);
  for (let bk = breaker.nextBreak(); bk; bk = breaker.nextBreak()) {
    if (bk.position >= text.length) continue;
    (bk.required ? required : allowed).add(bk.position);
  }
  // Curly quotes in CJK context: allow a break before an opening and after a closing quote.
  for (let i = 1; i < text.length; i++) {
    const prev = text[i - 1] as string;
    const ch = text[i] as string;
    if ((ch === '“' || ch === '‘') && UNSPACED_CJK.test(prev)) allowed.add(i);
    if ((prev === '”' || prev === '’') && UNSPACED_CJK.test(ch)) allowed.add(i);
    // A break between two CJK characters where UAX #14 left none around a quote.
    if (UNSPACED_CJK.test(prev) && UNSPACED_CJK.test(ch) && !NOT_AT_LINE_START.has(ch) && !NOT_AT_LINE_END.has(prev)) allowed.add(i);
  }
  for (const i of [...allowed]) {
    const prev = text[i - 1] ?? '';
    const ch = text[i] ?? '';
    if (NOT_AT_LINE_START.has(ch) || NOT_AT_LINE_END.has(prev) || (INSEPARABLE.has(ch) && prev === ch)) allowed.delete(i);
    else if (/\p{Nd}/u.test(prev) && IDEOGRAPHIC.test(ch)) allowed.delete(i);
  }
  for (const [start, end] of urlRanges(text)) {
    for (let i = start + 1; i < end; i++) allowed.delete(i);
    if (options.atomicUrls) continue;
    const schemeEnd = text.indexOf('//', start) >= 0 && text.indexOf('//', start) < end ? text.indexOf('//', start) + 2 : start;
    if (schemeEnd > start && schemeEnd < end) allowed.add(schemeEnd); // after "https://"
    for (let i = Math.max(schemeEnd + 1, start + 1); i < end; i++) {
      const prev = text[i - 1] as string;
      const ch = text[i] as string;
      // Break after a separator, or before a dot (as Chicago Manual 7.42 suggests), never
      // leaving a lone separator at the start of a line.
      if (URL_BREAK_AFTER.has(prev) && !URL_BREAK_AFTER.has(ch)) allowed.add(i);
    }
  }
  return { allowed, required };
}
