/**
 * Load, validate and sort a signatory file (YAML, JSON or CSV, chosen by extension).
 */
import path from 'node:path';
import { VFile } from 'vfile';
import { BuildError, reportError, hasErrors } from '../diagnostics/index.js';
import { readInput } from '../io/readInput.js';
import type { Individual, Organization, SignatoryList } from '../model/types.js';
import { signatoriesFromYaml } from './fromYaml.js';
import { signatoriesFromCsv } from './fromCsv.js';
import { isIsoDate } from '../model/types.js';
import { validateRecords } from './validate.js';
import { sortIndividuals, sortOrganizations } from './sort.js';
import type { SignatoryData } from './record.js';

export type SignatoryFormat = 'yaml' | 'json' | 'csv';

export function formatOf(filePath: string): SignatoryFormat | null {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  return null;
}

/** Parse the text of a signatory file into records (unvalidated), reporting syntax errors on `file`. */
export function readSignatoryData(file: VFile, format: SignatoryFormat): SignatoryData | null {
  return format === 'csv' ? signatoriesFromCsv(file) : signatoriesFromYaml(file, format);
}

export interface LoadedSignatories {
  list: SignatoryList;
  file: VFile;
}

/**
 * Build the sorted list from a file's text. `letterDate` is the fallback for the as-of date:
 * `asOf` if given, else the latest `signed_on`, else the letter's date.
 */
export function signatoriesFromText(filePath: string, text: string, lang: string, letterDate: string): LoadedSignatories {
  const file = new VFile({ path: filePath, value: text });
  const format = formatOf(filePath);
  if (!format) {
    reportError(file, 'Unknown signatory file type: use .yaml, .yml, .json or .csv.', undefined, 'signatories-format');
    throw new BuildError([file]);
  }
  const data = readSignatoryData(file, format);
  if (!data || hasErrors([file])) throw new BuildError([file]);
  const records = validateRecords(file, data.records);
  if (data.asOf !== undefined && !isIsoDate(data.asOf)) {
    reportError(file, `Malformed date "${data.asOf}": write asOf as YYYY-MM-DD.`, data.asOfPlace, 'signatories-date');
  }
  if (hasErrors([file])) throw new BuildError([file]);

  const organizations: Organization[] = [];
  const individuals: Individual[] = [];
  for (const r of records) {
    if (r.kind === 'organization') {
      const org: Organization = { name: r.name };
      if (r.country) org.country = r.country;
      if (r.signedOn) org.signedOn = r.signedOn;
      org.place = r.fieldPlaces.name ?? r.place;
      organizations.push(org);
    } else {
      const person: Individual = { name: r.name };
      if (r.title) person.title = r.title;
      if (r.sortAs) person.sortAs = r.sortAs;
      if (r.signedOn) person.signedOn = r.signedOn;
      person.place = r.fieldPlaces.name ?? r.place;
      individuals.push(person);
    }
  }
  const latestSigned = records
    .map((r) => r.signedOn)
    .filter((d): d is string => d !== undefined)
    .sort()
    .at(-1);
  return {
    file,
    list: {
      asOf: data.asOf ?? latestSigned ?? letterDate,
      organizations: sortOrganizations(organizations, lang),
      individuals: sortIndividuals(individuals, lang),
    },
  };
}

export async function loadSignatories(filePath: string, lang: string, letterDate: string): Promise<LoadedSignatories> {
  const text = await readInput(filePath, 'check the `signatories` field of the letter.', 'signatories-missing');
  return signatoriesFromText(filePath, text, lang, letterDate);
}
