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
 * - URLs break as a typographer breaks them (Chicago Manual 16th ed. 14.18, 7.42; 17th ed. 6.17):
 *   after the scheme's "//"; before a dot of the host name (english|.kyodonews.net: the dot that
 *   starts the next line shows that the address goes on, where a dot at a line end reads as a full
 *   stop); after / , ; ? & = # ~ - _ and . in the rest; never leaving a separator alone at a line
 *   start; never adding a hyphen. The line-start rule above does not forbid that dot: clreq
 *   §3.1.7 concerns the Chinese marks (。，、 and the full-width forms), and the ASCII ".,:;?!" are
 *   kept off line starts as sentence punctuation, which a host name's dot is not (UAX #14 leaves
 *   URLs to tailoring). Each break has a cost (`costs`): after a slash and before a host name's
 *   dot are best, other separators cost more, and between two letters of a long segment (three
 *   letters at least on each side) costs most: a last resort against a spread line.
 * - jlreq §3.1.7 / appendix A (cl-04, cl-06, cl-11): Japanese small kana, the prolonged sound
 *   mark ー, iteration marks 々〻ゝゞヽヾ and ゠〜 never start a line (the "strict" rule set, which
 *   jlreq recommends for formal text).
 * - keep-all (CSS Text 3 `word-break: keep-all`, as Korean is set): lines break at spaces (and
 *   beside full-width CJK marks), not between the syllables of a word such as 위원회(COI)는. Inside
 *   such a word CSS still allows a break before an opening bracket and after a closing one (UAX #14
 *   classes OP and CP beside Hangul): offered at a cost (`inWordBreaks`), so that a line takes them
 *   only to avoid a short line before a long word.
 */
import LineBreaker from 'linebreak';
import { IDEOGRAPHIC, UNSPACED_CJK } from '../unicode/scripts.js';

export const NOT_AT_LINE_START = new Set([
  ...'、，。．：；？！”’）》〉」』】〕〗］｝·・%‰℃!),.:;?]}',
  // jlreq cl-11 small kana, cl-04 hyphens, cl-06 iteration marks and the prolonged sound mark
  ...'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ',
  ...'ー々〻ゝゞヽヾ゠〜‐–',
]);
export const NOT_AT_LINE_END = new Set([...'“‘（《〈「『【〔〖［｛([{']);
const INSEPARABLE = new Set(['—', '…']);
/** Full-width CJK punctuation: keep-all still breaks beside it (a Korean text quoting 「…」). */
const FULL_WIDTH_MARK = /[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/u;
const URL_PATTERN = /(?:https?:\/\/|mailto:)[^\s<>（）“”，。；、]+/gu;
const URL_BREAK_AFTER = new Set([...'/.,;?&=#~-_']);
const OPENING_BRACKET = new Set([...'([{（［｛']);
const CLOSING_BRACKET = new Set([...')]}）］｝']);

/**
 * Demerits of a break, added to the line's (the total-fit breaker weighs them against how evenly
 * the lines are set). A break with no entry costs nothing.
 */
export const BREAK_COST = {
  /** In a URL after / (or the scheme's //). */
  urlSlash: 0,
  /** In a URL before a dot of the host name (Chicago: as good a break as at a slash). */
  urlHostDot: 0,
  /** In a URL after another separator. */
  urlSeparator: 3_000,
  /** Between two letters or digits of a long URL segment. */
  urlLetters: 60_000,
  /** keep-all: before an opening bracket inside a word. */
  beforeBracket: 20_000,
  /** keep-all: after a closing bracket inside a word (a particle starts the next line). */
  afterBracket: 40_000,
} as const;

/** Fewest letters a break between letters of a URL leaves on either side. */
const URL_LETTERS_KEPT = 3;

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
  options: { atomicUrls?: boolean; keepAll?: boolean; inWordBreaks?: boolean } = {},
): { allowed: Set<number>; required: Set<number>; costs: Map<number, number> } {
  const allowed = new Set<number>();
  const required = new Set<number>();
  const costs = new Map<number, number>();
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
    else if (options.keepAll && !/\s/u.test(prev) && !FULL_WIDTH_MARK.test(prev) && !FULL_WIDTH_MARK.test(ch)) {
      allowed.delete(i);
      if (!options.inWordBreaks || /\s/u.test(ch)) continue;
      if (OPENING_BRACKET.has(ch)) addCosted(allowed, costs, i, BREAK_COST.beforeBracket);
      else if (CLOSING_BRACKET.has(prev) && !NOT_AT_LINE_START.has(ch)) addCosted(allowed, costs, i, BREAK_COST.afterBracket);
    }
  }
  for (const [start, end] of urlRanges(text)) {
    for (let i = start + 1; i < end; i++) {
      allowed.delete(i);
      costs.delete(i);
    }
    if (options.atomicUrls) continue;
    const slashes = text.indexOf('//', start);
    const schemeEnd = slashes >= 0 && slashes < end ? slashes + 2 : start;
    if (schemeEnd > start && schemeEnd < end) addCosted(allowed, costs, schemeEnd, BREAK_COST.urlSlash); // after "https://"
    const hostEnd = schemeEnd > start ? hostEndOf(text, schemeEnd, end) : start;
    for (let i = Math.max(schemeEnd + 1, start + 1); i < end; i++) {
      const prev = text[i - 1] as string;
      const ch = text[i] as string;
      if (i < hostEnd) {
        // In the host name: before a dot that stands between two labels, not after it.
        if (ch === '.' && ALNUM.test(prev) && ALNUM.test(text[i + 1] ?? '')) addCosted(allowed, costs, i, BREAK_COST.urlHostDot);
        else if (prev === '-' && ch !== '.') addCosted(allowed, costs, i, BREAK_COST.urlSeparator);
        continue;
      }
      // After a separator, never leaving a lone separator at the start of a line.
      if (URL_BREAK_AFTER.has(prev) && !URL_BREAK_AFTER.has(ch)) addCosted(allowed, costs, i, prev === '/' ? BREAK_COST.urlSlash : BREAK_COST.urlSeparator);
    }
    if (options.inWordBreaks) addLetterBreaks(text, schemeEnd, end, allowed, costs);
  }
  return { allowed, required, costs };
}

const ALNUM = /[\p{L}\p{N}]/u;

/** Where the host name of a URL ends: at the first / ? # after the scheme's "//", or the URL's end. */
function hostEndOf(text: string, from: number, end: number): number {
  for (let i = from; i < end; i++) if ('/?#'.includes(text[i] as string)) return i;
  return end;
}

function addCosted(allowed: Set<number>, costs: Map<number, number>, at: number, cost: number): void {
  allowed.add(at);
  if (cost > 0) costs.set(at, cost);
  else costs.delete(at);
}

/** Breaks between the letters of each long run of letters and digits in a URL (a last resort). */
function addLetterBreaks(text: string, from: number, end: number, allowed: Set<number>, costs: Map<number, number>): void {
  let run = from;
  for (let i = from; i <= end; i++) {
    if (i < end && ALNUM.test(text[i] as string)) continue;
    for (let k = run + URL_LETTERS_KEPT; k <= i - URL_LETTERS_KEPT; k++) if (!allowed.has(k)) addCosted(allowed, costs, k, BREAK_COST.urlLetters);
    run = i + 1;
  }
}
