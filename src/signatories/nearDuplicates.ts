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
 *    MAX_DISTANCE between keys (a typo: "Amnesty Internatonal"). Candidates are found through
 *    a positional pigeonhole index (if two strings are within k edits, one of k + 1 pieces of one
 *    appears in the other within k places of where it was), then checked with
 *    fastest-levenshtein, so 10,000 names are not 50 million comparisons.
 */
import { distance } from 'fastest-levenshtein';
import { remove as confusableSkeleton } from 'confusables';

/**
 * The key two names are compared by to find duplicates: Unicode NFKC (full-width letters become
 * ASCII), case folding, and white space collapsed, so "THINK", "Think " and "ＴＨＩＮＫ" are one.
 */
export function duplicateKey(name: string): string {
  // The last key asked for is asked again at once (a name's duplicate check, then its look-alike key).
  if (name === lastFolded.name) return lastFolded.key;
  const key = foldedKey(name);
  lastFolded = { name, key };
  return key;
}

let lastFolded = { name: '', key: '' };

function foldedKey(name: string): string {
  // ASCII text is its own NFKC form; white space already single spaces between words needs no collapsing.
  const folded = (ASCII.test(name) ? name : name.normalize('NFKC')).toLowerCase();
  return UNTIDY_SPACE.test(folded) ? folded.replace(/\s+/gu, ' ').trim() : folded;
}

/** Any white space but single spaces between words. */
const UNTIDY_SPACE = /[^\S ]|  |^ | $/u;

/**
 * The key names are compared by to find look-alikes: each confusable character (Cyrillic "А",
 * Greek "Ο", …) replaced by the Latin letter it imitates (Unicode confusables data, UTS #39, via
 * the `confusables` package), then the duplicate key.
 */
export function lookAlikeKey(name: string): string {
  return duplicateKey(confusableSkeleton(duplicateKey(name)));
}

/** Keys at least this long are also compared by edit distance. */
export const LONG_NAME = 20;
/** At most this many edits between two long keys make them near-duplicates. */
export const MAX_DISTANCE = 2;
/**
 * A piece shared by more names than this ("rights network", "for human rights") tells nothing:
 * its names are not compared through it (a typo in a name whose other pieces are all that
 * common may then go unseen; in a coalition's list of a few hundred names, no piece is).
 */
const MAX_POSTINGS = 64;


const QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`'\u201c\u201d\u201e\u201f\u2033"\u00ab\u00bb\u300c\u300d\u300e\u300f]/gu;

/** The normalised comparison key of a name (see the module comment). */
export function nearKey(name: string): string {
  // ASCII text is its own NFKC, NFD and NFC form and has no marks: those steps are left out for it.
  const ascii = ASCII.test(name);
  let s = (ascii ? name : name.normalize('NFKC')).toLowerCase().replace(QUOTES, '');
  // A trailing abbreviation in parentheses: one word, at most 15 characters ("(HRW)", "(KontraS)").
  if (s.endsWith(')') || s.endsWith(']') || /\s$/u.test(s)) s = s.replace(/\s*[([]\s*[^\s()[\]]{1,15}\s*[)\]]\s*$/u, '');
  if (!ascii) s = s.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
  s = s.replace(ascii ? ASCII_PUNCTUATION_OR_SPACE : PUNCTUATION_OR_SPACE, ' ').trim();
  return s.replace(/^the /u, '');
}

const ASCII = /^[\u0000-\u007f]*$/;
const PUNCTUATION_OR_SPACE = /[\p{P}\p{S}\s]+/gu;
/** PUNCTUATION_OR_SPACE within ASCII: every ASCII character that is not a letter, a digit or a control (test/nearDuplicates.test.ts checks). */
const ASCII_PUNCTUATION_OR_SPACE = /[\t-\r !-/:-@[-`{-~]+/g;

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

/**
 * The numbers of a key: names that differ in their numbers ("Region 12", "Region 13") are
 * different, however close.
 */
function numbersOf(key: string): string {
  return (key.match(/\d+/g) ?? []).join(' ');
}

/** A name's keys: normalised, look-alike, and the numbers of the normalised key when it is long. */
interface Keys {
  key: string;
  look: string;
  numbers: string;
}

interface Keyed<T> {
  item: T;
  key: string;
}

/**
 * The long names holding one piece at one place: how many, and those names by their numbers
 * (only names with the same numbers are compared, and a list of numbered names has many).
 */
interface Postings<T> {
  count: number;
  /** The numbers of the first name, and the names with them: most pieces have names of one set of numbers only. */
  numbers: string;
  first: Array<Keyed<T>>;
  /** Names with other numbers, by their numbers. */
  others?: Map<string, Array<Keyed<T>>>;
}

/** The pieces of each key length, made once. */
const PIECES: Array<ReadonlyArray<readonly [number, number]>> = [];

/** The names of a piece's postings that have these numbers. */
function withNumbers<T>(postings: Postings<T>, numbers: string): Array<Keyed<T>> | undefined {
  return postings.numbers === numbers ? postings.first : postings.others?.get(numbers);
}

/** k + 1 = 3 pieces of a key of `length` characters: [start, length] of each. */
function pieces(length: number): ReadonlyArray<readonly [number, number]> {
  return (PIECES[length] ??= cutPieces(length));
}

function cutPieces(length: number): Array<[number, number]> {
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
  /** (length, piece number) → piece text → long names holding that piece there. */
  private readonly byPiece = new Map<number, Map<string, Postings<T>>>();
  /** How many long names have each set of numbers: a name whose numbers no long name has can have no typo twin. */
  private readonly numbered = new Map<string, number>();

  private slot(length: number, piece: number): Map<string, Postings<T>> | undefined {
    return this.byPiece.get(length * (MAX_DISTANCE + 1) + piece);
  }

  constructor(private readonly nameOf: (item: T) => string) {}

  /** The keys last found (an import finds a name, then adds it): not computed twice. */
  private last: { name: string; keys: Keys } | null = null;

  add(item: T): void {
    const name = this.nameOf(item);
    this.insert(item, this.last?.name === name ? this.last.keys : this.keysOf(name));
  }

  /** The first entry `name` duplicates, and why; null when none. */
  find(name: string): NearMatch<T> | null {
    const keys = this.keysOf(name);
    this.last = { name, keys };
    return this.lookup(keys);
  }

  /** `find` for the item's name, then `add` the item (the keys are computed once). */
  findAndAdd(item: T): NearMatch<T> | null {
    const keys = this.keysOf(this.nameOf(item));
    const match = this.lookup(keys);
    this.insert(item, keys);
    return match;
  }

  private keysOf(name: string): Keys {
    const key = nearKey(name);
    // lookAlikeKey(name), with its look-alikes' key taken for granted when it is the name's own: an ASCII
    // name without look-alikes differs from its duplicate key only in case and white space, which
    // nearKey folds away (test/nearDuplicates.test.ts compares the two ways).
    const folded = duplicateKey(name);
    const skeleton = confusableSkeleton(folded);
    const look = skeleton === folded && ASCII.test(name) ? key : nearKey(duplicateKey(skeleton));
    // The numbers matter to long keys only (the typo test).
    return { key, look, numbers: key.length < LONG_NAME ? '' : numbersOf(key) };
  }

  private insert(item: T, { key, look, numbers }: Keys): void {
    if (!this.byKey.has(key)) this.byKey.set(key, item);
    if (!this.byLook.has(look)) this.byLook.set(look, item);
    if (key.length < LONG_NAME) return;
    const keyed = { item, key };
    this.numbered.set(numbers, (this.numbered.get(numbers) ?? 0) + 1);
    const cut = pieces(key.length);
    for (let i = 0; i < cut.length; i++) {
      const [start, size] = cut[i] as readonly [number, number];
      const id = key.length * (MAX_DISTANCE + 1) + i;
      let slot = this.byPiece.get(id);
      if (!slot) this.byPiece.set(id, (slot = new Map()));
      const piece = key.slice(start, start + size);
      let postings = slot.get(piece);
      if (!postings) slot.set(piece, { count: 1, numbers, first: [keyed] });
      else {
        postings.count++;
        const same = withNumbers(postings, numbers);
        if (same) same.push(keyed);
        else (postings.others ??= new Map()).set(numbers, [keyed]);
      }
    }
  }

  private lookup({ key, look, numbers }: Keys): NearMatch<T> | null {
    const same = this.byKey.get(key);
    if (same !== undefined) return { item: same, reason: 'same-key' };
    const alike = this.byLook.get(look);
    if (alike !== undefined) return { item: alike, reason: 'look-alike' };
    if (key.length < LONG_NAME) return null;
    // Only names with the same numbers are compared (every numbered name of a long list has its own).
    if (!this.numbered.has(numbers)) return null;
    let tried: Set<Keyed<T>> | null = null;
    for (let length = key.length - MAX_DISTANCE; length <= key.length + MAX_DISTANCE; length++) {
      if (length < LONG_NAME) continue;
      const cut = pieces(length);
      for (let i = 0; i < cut.length; i++) {
        const [start, size] = cut[i] as readonly [number, number];
        const slot = this.slot(length, i);
        if (!slot) continue;
        for (let shift = -MAX_DISTANCE; shift <= MAX_DISTANCE; shift++) {
          if (start + shift < 0 || start + shift + size > key.length) continue;
          const postings = slot.get(key.slice(start + shift, start + shift + size));
          if (!postings || postings.count > MAX_POSTINGS) continue;
          for (const c of withNumbers(postings, numbers) ?? []) {
            tried ??= new Set();
            if (tried.has(c)) continue;
            tried.add(c);
            if (distance(c.key, key) <= MAX_DISTANCE) return { item: c.item, reason: 'typo' };
          }
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
