import type { LetterDocument } from '../model/types.js';

/** The creation date of every edition: SOURCE_DATE_EPOCH if set (reproducible builds), else the letter's date. */
export function creationDate(document: LetterDocument): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date(`${document.meta.date}T00:00:00Z`);
}
