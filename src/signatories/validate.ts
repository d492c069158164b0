import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import { isIsoDate } from '../model/types.js';
import type { SignatoryRecord } from './record.js';

/**
 * The key two names are compared by to find duplicates: Unicode NFKC (full-width letters become
 * ASCII), case folding, and white space collapsed, so "THINK", "Think " and "ＴＨＩＮＫ" are one.
 */
export function duplicateKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Check names, dates and duplicates; report each problem where it stands. Returns the valid records. */
export function validateRecords(file: VFile, records: SignatoryRecord[]): SignatoryRecord[] {
  const seen = new Map<string, SignatoryRecord>();
  const valid: SignatoryRecord[] = [];
  for (const record of records) {
    let ok = true;
    const name = record.name.replace(/\s+/gu, ' ').trim();
    if (name === '') {
      reportError(file, `Empty name: every ${record.kind} needs a name.`, record.fieldPlaces.name ?? record.place, 'signatories-empty-name');
      ok = false;
    }
    if (record.signedOn !== undefined && !isIsoDate(record.signedOn)) {
      reportError(
        file,
        `Malformed date "${record.signedOn}": write the signing date as YYYY-MM-DD, e.g. 2023-09-21.`,
        record.fieldPlaces.signedOn ?? record.place,
        'signatories-date',
      );
      ok = false;
    }
    if (name !== '') {
      const key = `${record.kind}:${duplicateKey(name)}`;
      const first = seen.get(key);
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
        seen.set(key, record);
      }
    }
    if (ok) valid.push({ ...record, name });
  }
  return valid;
}
