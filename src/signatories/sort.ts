import type { Individual, Organization } from '../model/types.js';
import { buildContext } from '../context.js';

/**
 * Sorting is the program's job, never the data's. Organisations sort by name, individuals by
 * family name, with a case- and accent-insensitive collator in the letter's language (ICU: pinyin
 * for zh-CN, stroke order for zh-TW, Hangul order for ko …); ties fall back to a case-sensitive
 * comparison so the order is total. `signatories list` and every edition use these functions.
 *
 * An individual's family name is `sortAs` when given. Otherwise, for a name in Latin script, the
 * family name is guessed to be its last word ("Zoe Adams" sorts under Adams; "Park, Ji-woo" under Park), as in English,
 * French or Spanish lists; names in other scripts (Chinese, Korean, Japanese, where the family
 * name comes first and the whole name sorts correctly) sort by the whole name. `familyGuessed`
 * tells which entries used the guess, so that `signatories list --check` can name them.
 */
const collators = buildContext.map<string, (a: string, b: string) => number>('collators');

export function makeCollator(lang: string): (a: string, b: string) => number {
  // Made once per language: creating an ICU collator costs milliseconds (its rules load).
  let compare = collators.get(lang);
  if (!compare) {
    // `compare` is a bound function (ECMA-402): taken once, not through its getter at every comparison.
    const loose = new Intl.Collator(lang, { sensitivity: 'base', numeric: true }).compare;
    const strict = new Intl.Collator(lang, { sensitivity: 'variant', numeric: true }).compare;
    compare = (a, b) => loose(a, b) || strict(a, b);
    collators.set(lang, compare);
  }
  return compare;
}

/** A name whose letters are all Latin (spaces, hyphens, apostrophes and dots aside). */
function isLatinName(name: string): boolean {
  return /\p{L}/u.test(name) && !/[^\p{Script=Latin}\p{M}\s\p{P}]/u.test(name);
}

/** What follows a name after a comma without being a given name ("John Smith, Jr."). */
const SUFFIX = /^(jr|sr|i{1,3}|iv|phd|md|esq)\.?$/iu;

/**
 * The family name guessed for a Latin-script name with more than one word, else null: what
 * comes before the comma of a name written family name first, as sign-up sheets often give it
 * ("Park, Ji-woo" sorts under Park), else its last word.
 */
export function guessedFamily(individual: Pick<Individual, 'name' | 'sortAs'>): string | null {
  if (individual.sortAs !== undefined && individual.sortAs.trim() !== '') return null;
  if (!isLatinName(individual.name)) return null;
  const parts = individual.name.split(',').map((part) => part.trim());
  const base = parts.length === 2 && parts[0] && parts[1] && SUFFIX.test(parts[1]) ? parts[0] : individual.name;
  if (base === individual.name && parts.length === 2 && parts[0] && parts[1]) return parts[0];
  const words = base.trim().split(/\s+/u);
  return words.length > 1 ? (words.at(-1) as string) : null;
}

/** What an individual sorts by: `sortAs`, the guessed family name, or the whole name. */
export function familyOf(individual: Pick<Individual, 'name' | 'sortAs'>): string {
  return individual.sortAs ?? guessedFamily(individual) ?? individual.name;
}

export function sortOrganizations<T extends Pick<Organization, 'name'>>(orgs: T[], lang: string): T[] {
  const compare = makeCollator(lang);
  return [...orgs].sort((a, b) => compare(a.name, b.name));
}

export function sortIndividuals<T extends Pick<Individual, 'name' | 'sortAs'>>(people: T[], lang: string): T[] {
  const compare = makeCollator(lang);
  // Each family name found once, not at every comparison.
  return people
    .map((person) => ({ person, family: familyOf(person) }))
    .sort((a, b) => compare(a.family, b.family) || compare(a.person.name, b.person.name))
    .map((keyed) => keyed.person);
}
