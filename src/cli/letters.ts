/** The letters of a folder, for `build` and `watch` without arguments: every letter*.md, sorted. */
import { readdirSync } from 'node:fs';

export function findLetters(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /^letter.*\.(md|markdown)$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}
