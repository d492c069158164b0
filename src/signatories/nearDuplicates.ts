/**
 * Near-duplicate names: the same organisation typed twice in slightly different ways, which would
 * print twice in every edition. Three tests, each cheap:
 *
 * 1. A normalised key (`nearKey`): NFKC (full-width letters, digits and brackets become ASCII),
 *    case folding, curly and straight quotes and apostrophes as one, accents dropped, every
 *    punctuation mark and run of white space as one space, a leading "The" and a trailing
 *    abbreviation in parentheses ("(HRW)", "（HRW）") left out. "Citizens’ Alliance (NKHR)",
 *    "Citizens' Alliance (NKHR)" and "citizens alliance" have one key.
 * 2. The look-alike key: confusable characters (Cyrillic "А" for Latin "A", UTS #39 data via the
 *    `confusables` package) mapped to what they imitate, then the normalised key.
 * 3. For long names (a key of LONG_NAME characters or more), an edit distance of at most
 *    MAX_DISTANCE between keys (a typo: "Amnesty Internatonal"). Candidates are found with a
 *    positional pigeonhole index (if two strings are within k edits, one of k + 1 pieces of one
 *    appears in the other within k places of where it was), then checked with fastest-levenshtein,
 *    so 10,000 names are compared in well under a second instead of 50 million comparisons.
 */
import { distance } from 'fastest-levenshtein';
import { lookAlikeKey } from './validate.js';

/** Keys at least this long are also compared by edit distance. */
export const LONG_NAME = 20;
/** At most this many edits between two long keys make them near-duplicates. */
export const MAX_DISTANCE = 2;

const QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`'\u201c\u201d\u201e\u201f\u2033"\u00ab\u00bb\u300c\u300d\u300e\u300f]/gu;

/** The normalised comparison key of a name (see the module comment). */
export function nearKey(name: string): string {
  let s = name.normalize('NFKC').toLowerCase().replace(QUOTES, '');
  // A trailing abbreviation in parentheses: one word, at most 15 characters ("(HRW)", "(KontraS)").
  s = s.replace(/\s*[([]\s*[^\s()[\]]{1,15}\s*[)\]]\s*$/u, '');
  s = s.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
  s = s.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim();
  return s.replace(/^the /u, '');
}

/** Why two names are taken for one. */
export type NearReason = 'same-key' | 'look-alike' | 'typo';

export interface NearMatch<T> {
  item: T;
  reason: NearReason;
}

export function describeReason(reason: NearReason): string {
  return reason === 'same-key'
    ? 'the same name apart from case, quotes, brackets, accents, punctuation or a short form in parentheses'
    : reason === 'look-alike'
      ? 'the same name written with look-alike characters from another alphabet'
      : `nearly the same long name (at most ${MAX_DISTANCE} letters differ)`;
}

interface Keyed<T> {
  item: T;
  key: string;
}

/** k + 1 = 3 pieces of a key of `length` characters: [start, length] of each. */
function pieces(length: number): Array<[number, number]> {
  const base = Math.floor(length / (MAX_DISTANCE + 1));
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i <= MAX_DISTANCE; i++) {
    const size = i === MAX_DISTANCE ? length - start : base;
    out.push([start, size]);
    start += size;
  }
  return out;
}

/**
 * An index of names to ask "which of these is a near-duplicate of this name?" as names are added
 * one by one (an import checks each row against the file and the rows before it).
 */
export class NearDuplicateIndex<T> {
  private readonly byKey = new Map<string, T>();
  private readonly byLook = new Map<string, T>();
  /** "length|piece number|piece text" → long names holding that piece there. */
  private readonly byPiece = new Map<string, Array<Keyed<T>>>();

  constructor(private readonly nameOf: (item: T) => string) {}

  add(item: T): void {
    const name = this.nameOf(item);
    const key = nearKey(name);
    if (!this.byKey.has(key)) this.byKey.set(key, item);
    const look = nearKey(lookAlikeKey(name));
    if (!this.byLook.has(look)) this.byLook.set(look, item);
    if (key.length < LONG_NAME) return;
    pieces(key.length).forEach(([start, size], i) => {
      const slot = `${key.length}|${i}|${key.slice(start, start + size)}`;
      const list = this.byPiece.get(slot);
      if (list) list.push({ item, key });
      else this.byPiece.set(slot, [{ item, key }]);
    });
  }

  /** The first entry `name` duplicates, and why; null when none. */
  find(name: string): NearMatch<T> | null {
    const key = nearKey(name);
    const same = this.byKey.get(key);
    if (same !== undefined) return { item: same, reason: 'same-key' };
    const look = this.byLook.get(nearKey(lookAlikeKey(name)));
    if (look !== undefined) return { item: look, reason: 'look-alike' };
    if (key.length < LONG_NAME) return null;
    for (let length = key.length - MAX_DISTANCE; length <= key.length + MAX_DISTANCE; length++) {
      if (length < LONG_NAME) continue;
      for (const [i, [start, size]] of pieces(length).entries()) {
        for (let shift = -MAX_DISTANCE; shift <= MAX_DISTANCE; shift++) {
          if (start + shift < 0) continue;
          const candidates = this.byPiece.get(`${length}|${i}|${key.slice(start + shift, start + shift + size)}`);
          for (const c of candidates ?? []) if (distance(c.key, key) <= MAX_DISTANCE) return { item: c.item, reason: 'typo' };
        }
      }
    }
    return null;
  }
}

/**
 * The names closest to `name`, best first, for "did you mean …?": names with the same normalised
 * key, names that contain it or are contained in it, then the smallest edit distances (at most a
 * third of the name's length).
 */
export function closestNames(name: string, names: readonly string[], limit = 3): string[] {
  const key = nearKey(name);
  if (key === '') return [];
  const scored = names.map((candidate) => {
    const other = nearKey(candidate);
    const score = other === key ? 0 : other.includes(key) || key.includes(other) ? 1 : 2 + distance(other, key) / Math.max(key.length, other.length);
    return { candidate, score, d: distance(other, key) };
  });
  return scored
    .filter((s) => s.score < 2 || s.d <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.score - b.score || a.d - b.d)
    .slice(0, limit)
    .map((s) => s.candidate);
}
