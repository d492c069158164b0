/** The letters of a folder, for commands given no letter: every letter*.md, sorted. */
import { readdirSync } from 'node:fs';

export function findLetters(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /^letter.*\.(md|markdown)$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The one letter a command that takes a single letter (diff, release) works on when none is named:
 * letter.md when it is there, else the folder's only letter*.md; otherwise why none can be chosen.
 */
export function chooseLetter(folder: string): { letter: string } | { problem: string } {
  const found = findLetters(folder);
  if (found.includes('letter.md')) return { letter: 'letter.md' };
  const [only] = found;
  if (found.length === 1 && only !== undefined) return { letter: only };
  if (found.length === 0) return { problem: 'There is no letter here: no letter*.md in this folder. Name the letter, or start one with `letterpress init`.' };
  return { problem: `There are ${found.length} letters here (${found.join(', ')}) and no letter.md; name the one you mean, e.g. ${found[0]}.` };
}
