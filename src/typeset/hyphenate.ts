/**
 * Hyphenation points of Latin words, by Knuth–Liang patterns (the TeX patterns, from the `hyphen`
 * package), in the letter's language: `en`/`en-US` → US patterns, `en-GB` → British, `de` → German,
 * and so on. The line breaker (src/typeset/lineBreak.ts) treats each point as a break opportunity
 * with a penalty, as TeX does; src/typeset/shape.ts turns points into fragments.
 *
 * What is never hyphenated: words shorter than five letters, fewer than two letters before a
 * point or three after it (TeX's \lefthyphenmin=2, \righthyphenmin=3), words with a capital
 * (names of people and organisations), with digits, or that look like addresses (/ @ : .), and
 * words that already hold a hyphen (they break at it).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** TeX's \hyphenpenalty is 50, added squared to a line's demerits. */
export const HYPHEN_DEMERITS = 50 * 50;

interface Hyphenator {
  hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string;
}

const SOFT_HYPHEN = '\u00ad';
const hyphenators = new Map<string, Hyphenator | null>();

/** The pattern module for a BCP 47 tag: the full tag if `hyphen` has it, else the language alone. */
function hyphenatorFor(lang: string): Hyphenator | null {
  const tag = lang.toLowerCase();
  const known = hyphenators.get(tag);
  if (known !== undefined) return known;
  let found: Hyphenator | null = null;
  for (const candidate of [tag, tag.split('-')[0] ?? tag]) {
    if (!/^[a-z]{2,3}(-[a-z0-9]+)*$/.test(candidate)) continue;
    try {
      found = require(`hyphen/${candidate}`) as Hyphenator;
      break;
    } catch {
      // no patterns for this tag in the package: try the language alone, then give up
    }
  }
  hyphenators.set(tag, found);
  return found;
}

/** Letters a word may carry around it without losing its hyphenation (quotes, brackets, punctuation). */
const WORD = /^([^\p{L}]*)(\p{Ll}[\p{Ll}'’]*)([^\p{L}\p{N}]*)$/u;

/** UTF-16 offsets in `word` where a line may break with a hyphen; [] when it may not. */
export function hyphenationPoints(word: string, lang: string): number[] {
  const match = WORD.exec(word);
  if (!match) return [];
  const [, lead = '', core = ''] = match;
  if ([...core].length < 5) return [];
  const hyphenator = hyphenatorFor(lang);
  if (!hyphenator) return [];
  const marked = hyphenator.hyphenateSync(core, { hyphenChar: SOFT_HYPHEN, minWordLength: 5 });
  const points: number[] = [];
  let at = 0;
  for (const part of marked.split(SOFT_HYPHEN)) {
    at += part.length;
    points.push(at);
  }
  points.pop();
  return points.filter((p) => p >= 2 && core.length - p >= 3).map((p) => lead.length + p);
}
