/**
 * Signatory entries edited in the Word copy → proposed changes to the data file (never written
 * into the letter, and into the data only on request, through the signatory editor with its
 * duplicate checks: src/signatories/edit.ts).
 */
import type { LetterDocument } from '../../model/types.js';
import type { NewSignatory } from '../../signatories/schema.js';
import type { Entry } from './roles.js';
import { similarity } from './similarity.js';

export interface ProposedEntry {
  kind: NewSignatory['kind'];
  name: string;
  /** Country (organisation) or title (individual). */
  detail?: string;
}

export type SignatoryProposal =
  | { action: 'add'; entry: ProposedEntry; where: string }
  | { action: 'remove'; entry: ProposedEntry }
  /** A name or detail corrected in Word: the old entry is replaced (its other fields kept). */
  | { action: 'correct'; from: ProposedEntry; to: ProposedEntry; where: string };

const KIND = { organizations: 'organization', individuals: 'individual' } as const;

/** An entry's line split at the template's name separator ("Name / Country"). */
export function entryOf(entry: Entry, separator: string): ProposedEntry {
  const kind = KIND[entry.section];
  if (entry.name !== undefined) return { kind, name: entry.name, ...(entry.detail ? { detail: entry.detail } : {}) };
  const at = separator ? entry.text.lastIndexOf(separator.trim()) : -1;
  if (at <= 0) return { kind, name: entry.text.trim() };
  const name = entry.text.slice(0, at).trim();
  const detail = entry.text.slice(at + separator.trim().length).trim();
  return detail ? { kind, name, detail } : { kind, name };
}

/**
 * Compare the entries letterpress would write with those of the edited copy, per section: an
 * entry gone and one new that are alike (a corrected spelling) make one correction; the rest
 * are additions and removals. Order is not compared: the list is sorted at every build.
 * `copyAsOf`: the date the copy's list was current as of (its heading), when it can be read.
 */
export function proposeSignatoryChanges(before: Entry[], after: Entry[], document: LetterDocument, copyAsOf: string | null): { proposals: SignatoryProposal[]; signedSince: number } {
  const separator = document.template.labels.nameSeparator;
  const proposals: SignatoryProposal[] = [];
  // Entries that signed after the copy's list was current are not in it: never proposed for removal.
  // An entry the copy does show is matched whatever its date (an `asOf` written earlier than a
  // signing date must not turn a listed entry into a proposed addition).
  const since = (e: Entry) => copyAsOf !== null && e.signedOn !== undefined && e.signedOn > copyAsOf;
  const known = new Map(before.map((e) => [e.text, e]));
  let signedSince = 0;
  for (const section of ['organizations', 'individuals'] as const) {
    let gone = before.filter((e) => e.section === section).map((e) => e.text);
    const added: Entry[] = [];
    for (const entry of after.filter((e) => e.section === section)) {
      const index = gone.indexOf(entry.text);
      if (index >= 0) gone.splice(index, 1);
      else added.push(entry);
    }
    const missingSince = gone.filter((text) => { const e = known.get(text); return e !== undefined && since(e); });
    signedSince += missingSince.length;
    gone = gone.filter((text) => !missingSince.includes(text));
    const pairs: Array<{ from: string; to: Entry; score: number }> = [];
    for (const from of gone) for (const to of added) {
      const score = similarity(from, to.text);
      if (score >= 0.6) pairs.push({ from, to, score });
    }
    const paired = new Set<string | Entry>();
    for (const pair of pairs.sort((a, b) => b.score - a.score)) {
      if (paired.has(pair.from) || paired.has(pair.to)) continue;
      paired.add(pair.from).add(pair.to);
      proposals.push({ action: 'correct', from: entryOf(known.get(pair.from) ?? { section, text: pair.from, where: '' }, separator), to: entryOf(pair.to, separator), where: pair.to.where });
    }
    for (const to of added) if (!paired.has(to)) proposals.push({ action: 'add', entry: entryOf(to, separator), where: to.where });
    for (const from of gone) if (!paired.has(from)) proposals.push({ action: 'remove', entry: entryOf(known.get(from) ?? { section, text: from, where: '' }, separator) });
  }
  return { proposals, signedSince };
}
