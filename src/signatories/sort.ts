import type { Individual, Organization } from '../model/types.js';

/**
 * Sorting is the program's job, never the data's. Organisations sort by name, individuals by
 * `sortAs` (the family name) or else the name, with a case- and accent-insensitive collator in
 * the letter's language; ties fall back to a case-sensitive comparison so the order is total.
 */
const collators = new Map<string, (a: string, b: string) => number>();

export function makeCollator(lang: string): (a: string, b: string) => number {
  // Made once per language: creating an ICU collator costs milliseconds (its rules load).
  let compare = collators.get(lang);
  if (!compare) {
    const loose = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
    const strict = new Intl.Collator(lang, { sensitivity: 'variant', numeric: true });
    compare = (a, b) => loose.compare(a, b) || strict.compare(a, b);
    collators.set(lang, compare);
  }
  return compare;
}

export function sortOrganizations<T extends Pick<Organization, 'name'>>(orgs: T[], lang: string): T[] {
  const compare = makeCollator(lang);
  return [...orgs].sort((a, b) => compare(a.name, b.name));
}

export function sortIndividuals<T extends Pick<Individual, 'name' | 'sortAs'>>(people: T[], lang: string): T[] {
  const compare = makeCollator(lang);
  return [...people].sort((a, b) => compare(a.sortAs ?? a.name, b.sortAs ?? b.name) || compare(a.name, b.name));
}
