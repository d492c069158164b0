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
import { buildContext } from '../context.js';

const require = createRequire(import.meta.url);

/**
 * Demerits of a line ending at a hyphenation point, as TeX adds \hyphenpenalty squared. 30 rather
 * than TeX's 50: this breaker's badness counts the spread allowed between words (MAX_SPREAD in
 * lineBreak.ts) as stretch, so loose lines cost less than in TeX; at 50 the English example kept a
 * line with 0.51 em word spaces rather than hyphenate; at 30 none is above 0.44 em.
 */
const HYPHEN_DEMERITS = 30 * 30;
/**
 * Two hyphenated lines in a row (TeX's \doublehyphendemerits, 10000 there; lower here for the
 * same reason as above: at 3000 the English example went back to a 0.51 em line).
 */
const DOUBLE_HYPHEN_DEMERITS = 1000;

/** A third hyphenated line in a row (TeX's \consecutivehyphenlimit; Chicago 7.43 allows two). */
const LADDER_DEMERITS = 1e6;

/**
 * Extra demerits of a line that ends after `end`, the two lines before it having ended after
 * `previousEnd` and `earlierEnd`: a hyphen costs, two in a row cost more, three are refused
 * unless nothing else sets the paragraph.
 */
export function hyphenDemerits(end: { hyphen?: unknown }, previousEnd: { hyphen?: unknown } | undefined, earlierEnd: { hyphen?: unknown } | undefined): number {
  if (!end.hyphen) return 0;
  if (!previousEnd?.hyphen) return HYPHEN_DEMERITS;
  return HYPHEN_DEMERITS + DOUBLE_HYPHEN_DEMERITS + (earlierEnd?.hyphen ? LADDER_DEMERITS : 0);
}

interface Hyphenator {
  hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string;
}

const SOFT_HYPHEN = '\u00ad';
const hyphenators = buildContext.map<string, Hyphenator | null>('hyphenators');

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
