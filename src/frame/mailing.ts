/**
 * The mailing side of a letter, decided once for the PDF-side outputs that send it: who gets a
 * copy (each addressee of `to:` and `cc:`, in the letter's order), the short file-name slug of
 * each copy, the sender of the return address, and the envelope layout the letter's template and
 * language ask for. A copy for one addressee is the letter's frame with that addressee's block
 * addressed first and the others where the letter puts them (`copyDocument`).
 */
import type { LetterDocument, Party, Sender } from '../model/types.js';
import type { SourceRef } from '../diagnostics/index.js';

export type EnvelopeFormat = 'DL' | 'C5' | 'CN';

/** One addressee of the letter, as envelopes, labels and copies use it. */
export interface MailParty extends Party {
  /** Where the letter names it: `to` (an addressee) or `cc` (a copy). */
  field: 'to' | 'cc';
  /** Its index in that list. */
  index: number;
  /** Where the letter names it (file:line:col of its list item). */
  source?: SourceRef;
  /** The file-name part of its copy: `to-xi-jinping`, or `to-2` for a name without Latin letters. */
  slug: string;
}

/** The sender of the letter's `from:`, with where the letter names it. */
export interface MailSender extends Sender {
  source?: SourceRef;
}

export interface Mailing {
  parties: MailParty[];
  sender?: MailSender;
  /** The envelope layout: DL or C5 (window position of DIN 680 / ISO 269), or CN (GB/T 1416). */
  envelope: EnvelopeFormat;
  /** Text after the recipient's name on the Chinese envelope layout ("收" in a Chinese letter). */
  recipientSuffix: string;
}

/** A Chinese letter for the mainland's post (zh, zh-CN, zh-Hans, zh-Hans-CN) gets the domestic envelope. */
const MAINLAND = /^zh(-Hans)?(-CN)?$/i;

/** The envelope layout: the template's choice, or for `auto` the one the letter's language asks for. */
export function envelopeFormat(document: LetterDocument): EnvelopeFormat {
  const chosen = document.template.mailing?.envelope ?? 'auto';
  if (chosen !== 'auto') return chosen;
  return MAINLAND.test(document.meta.lang) ? 'CN' : 'DL';
}

/** Longest slug taken from a name (whole words). */
const SLUG_LENGTH = 20;

/**
 * A file-name-safe ASCII slug of a name: accents dropped, lower case, words joined with hyphens,
 * the last words that fit SLUG_LENGTH characters (a title comes first, the name last: "Minister
 * of Foreign Affairs Wang Yi" → affairs-wang-yi); empty when the name has no Latin
 * letters or digits (a Chinese name: the copy is then named by its number).
 */
export function slugOf(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = '';
  for (const word of words.reverse()) {
    const next = slug ? `${word}-${slug}` : word;
    if (next.length > SLUG_LENGTH) break;
    slug = next;
  }
  return slug || (words[0] ?? '').slice(0, SLUG_LENGTH);
}

/** The addressees in the letter's order (to, then cc), each with a unique slug. */
export function mailParties(document: LetterDocument, sourceOf: (field: string) => SourceRef | undefined): MailParty[] {
  const { meta } = document;
  const listed: Array<{ field: 'to' | 'cc'; index: number; party: Party }> = [
    ...meta.to.map((party, index) => ({ field: 'to' as const, index, party })),
    ...meta.cc.map((party, index) => ({ field: 'cc' as const, index, party })),
  ];
  const taken = new Set<string>();
  return listed.map(({ field, index, party }, n) => {
    const base = `to-${slugOf(party.name) || String(n + 1)}`;
    let slug = base;
    for (let k = 2; taken.has(slug); k++) slug = `${base}-${k}`;
    taken.add(slug);
    const source = sourceOf(`${field}.${index}`);
    return {
      field, index, name: party.name, address: [...party.address], ...(party.postcode ? { postcode: party.postcode } : {}), ...(source ? { source } : {}), slug,
    };
  });
}

/**
 * The letter as sent to one addressee: its block addressed first (where a window envelope shows
 * it); the letter's other addressees follow, and its copy list stays as the letter says it
 * (an addressee in copy is still named there, so the copy shows that it is one). Source places
 * move with their blocks, so a message still points at the right line.
 */
export function copyDocument(document: LetterDocument, party: Pick<MailParty, 'field' | 'index'>): LetterDocument {
  const { meta } = document;
  const places = meta.places ?? {};
  const order = (list: Party[], field: 'to' | 'cc') => list.map((p, index) => ({ p, key: `${field}.${index}` }));
  const to = order(meta.to, 'to');
  const cc = order(meta.cc, 'cc');
  const chosen = (party.field === 'to' ? to : cc)[party.index];
  if (!chosen) throw new Error(`No ${party.field} addressee ${party.index}`);
  const newTo = [chosen, ...to.filter((t) => t !== chosen)];
  const moved: Record<string, (typeof places)[string]> = {};
  for (const [key, value] of Object.entries(places)) if (!/^to\.\d+$/.test(key)) moved[key] = value;
  newTo.forEach((item, index) => {
    const at = places[item.key];
    if (at) moved[`to.${index}`] = at;
  });
  return { ...document, meta: { ...meta, to: newTo.map((t) => t.p), places: moved } };
}
