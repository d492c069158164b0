import type { VFile } from 'vfile';
import { reportError, reportWarning } from '../diagnostics/index.js';
import { isIsoDate } from '../model/types.js';
import { isoAdvice } from './import/dates.js';
import { FIELDS, type SignatoryKind, type SignatoryRecord } from './schema.js';
import { codePointLabel, invisibleCharacter } from '../unicode/scripts.js';
import { describeReason, duplicateKey, NearDuplicateIndex } from './nearDuplicates.js';

export { duplicateKey, lookAlikeKey } from './nearDuplicates.js';

/** The latest date a signature can bear: tomorrow in UTC (today somewhere on Earth). */
export function latestPossibleDate(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}

/** Longer than any organisation's full name (the longest real ones are about 150 characters): most likely a paste gone wrong. */
const LONGEST_NAME = 200;

/** The fields each kind does not have (a value there is reported, not printed). */
const foreignFields = (kind: SignatoryKind) => FIELDS.filter((field) => !(field.kinds as readonly string[]).includes(kind));
const FOREIGN_FIELDS: Record<SignatoryKind, ReturnType<typeof foreignFields>> = { organization: foreignFields('organization'), individual: foreignFields('individual') };

/** White space a name must lose: any but single spaces between words. */
const UNTIDY_SPACE = /[^\S ]|  |^ | $/u;

/** Check names, dates and duplicates; report each problem where it stands. Returns the valid records. */
export function validateRecords(file: VFile, records: SignatoryRecord[]): SignatoryRecord[] {
  const seen = { organization: new Map<string, SignatoryRecord>(), individual: new Map<string, SignatoryRecord>() };
  const nearIndexes = { organization: new NearDuplicateIndex<SignatoryRecord>((r) => r.name), individual: new NearDuplicateIndex<SignatoryRecord>((r) => r.name) };
  const valid: SignatoryRecord[] = [];
  // Per date written, whether it is a calendar date (a long list has a few hundred dates at most);
  // tomorrow's date is taken once for the whole list.
  const isoDates = new Map<string, boolean>();
  const isIso = (date: string): boolean => {
    let is = isoDates.get(date);
    if (is === undefined) isoDates.set(date, (is = isIsoDate(date)));
    return is;
  };
  let latest: string | undefined;
  for (const record of records) {
    let ok = true;
    const name = UNTIDY_SPACE.test(record.name) ? record.name.replace(/\s+/gu, ' ').trim() : record.name;
    if (name === '') {
      reportError(file, `Empty name: every ${record.kind} needs a name.`, record.fieldPlaces.name ?? record.place, 'signatories-empty-name');
      ok = false;
    }
    if (record.signedOn !== undefined && !isIso(record.signedOn)) {
      reportError(
        file,
        `Malformed date "${record.signedOn}": write the signing date as YYYY-MM-DD${isoAdvice(record.signedOn)}.`,
        record.fieldPlaces.signedOn ?? record.place,
        'signatories-date',
      );
      ok = false;
    }
    if (record.signedOn !== undefined && isIso(record.signedOn) && record.signedOn > (latest ??= latestPossibleDate())) {
      reportError(
        file,
        `The signing date ${record.signedOn} is in the future; check the year (the heading would say "as of" that date).`,
        record.fieldPlaces.signedOn ?? record.place,
        'signatories-future-date',
      );
      ok = false;
    }
    for (const field of FOREIGN_FIELDS[record.kind]) {
      if ((record as Record<string, unknown>)[field.key] === undefined) continue;
      reportWarning(
        file,
        `An ${record.kind} has no ${field.column}: the value "${String((record as Record<string, unknown>)[field.key])}" is not printed (it is for ${field.kinds.join(' and ')} entries); check the row's kind, or leave the field empty.`,
        record.fieldPlaces[field.key] ?? record.place,
        'signatories-field-unused',
      );
    }
    // A name of at most LONGEST_NAME UTF-16 units has at most that many characters.
    const length = name.length > LONGEST_NAME ? [...name].length : 0;
    if (length > LONGEST_NAME) {
      reportWarning(
        file,
        `This name is ${length} characters long, beginning "${[...name].slice(0, 40).join('')}…": is it one name, or a paragraph or several rows pasted into one cell? Shorten it if it is not a name.`,
        record.fieldPlaces.name ?? record.place,
        'signatories-long-name',
      );
    }
    const invisible = name === '' ? null : invisibleCharacter(name);
    if (invisible) {
      // Kept (a warning): the name prints, but not as it looks here, and may not match its twin.
      reportWarning(
        file,
        `The name "${name}" contains ${invisible}, which no reader sees but which changes how the name prints, sorts and compares; delete it (it usually comes with a name copied from a web page or a PDF).`,
        record.fieldPlaces.name ?? record.place,
        'signatories-invisible',
      );
    }
    // The record as it is kept, its name tidied (the caller's records are made for this check and not kept).
    const kept = name === record.name ? record : { ...record, name };
    if (name !== '') {
      const key = duplicateKey(name);
      const first = seen[record.kind].get(key);
      if (first) {
        const firstPlace = first.fieldPlaces.name ?? first.place;
        reportError(
          file,
          `Duplicate ${record.kind} "${name}": already listed as "${first.name}" on line ${firstPlace.line}; remove one of the two.`,
          record.fieldPlaces.name ?? record.place,
          'signatories-duplicate',
        );
        ok = false;
      } else {
        seen[record.kind].set(key, record);
        const nearIndex = nearIndexes[record.kind];
        const near = nearIndex.findAndAdd(kept);
        if (near) {
          const twin = near.item;
          const why = near.reason === 'look-alike' ? `spelled with different characters (${differingCharacters(name, twin.name)})` : describeReason(near.reason);
          reportWarning(
            file,
            `"${name}" looks like "${twin.name}" (line ${(twin.fieldPlaces.name ?? twin.place).line}): ${why}; if they are one ${record.kind}, remove one, or they print twice.`,
            record.fieldPlaces.name ?? record.place,
            near.reason === 'look-alike' ? 'signatories-look-alike' : 'signatories-near-duplicate',
          );
        }
      }
    }
    if (ok) valid.push(kept);
  }
  return valid;
}

/** The characters of `a` not in `b`, with their code points: "А U+0410". */
export function differingCharacters(a: string, b: string): string {
  const other = new Set(b);
  return [...new Set(a)]
    .filter((ch) => !other.has(ch) && ch.trim() !== '')
    .map((ch) => `${ch} ${codePointLabel(ch)}`)
    .join(', ');
}
