/** The letters of a folder, for commands given no letter: every letter*.md, sorted. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const LETTER_NAME = /^letter.*\.(md|markdown)$/i;

export function findLetters(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && LETTER_NAME.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Why a folder has no letter: none at all, or a letter*.md that is a folder (a mistaken `mkdir`,
 * an unzipped archive), which staff would otherwise be told is not there.
 */
export function noLetterProblem(folder: string, example: string): string {
  const folders = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && LETTER_NAME.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  if (folders.length > 0) {
    return `There is no letter here: ${folders.map((name) => `"${name}"`).join(', ')} ${folders.length === 1 ? 'is a folder' : 'are folders'}, not a file. Move the letter out of it or rename the folder, or name the letter (${example}).`;
  }
  return `There is no letter here: no letter*.md in this folder. Name the letter (${example}), or start one with \`letterpress init\`.`;
}

function madeFrom(letters: string[], copy: string): string | undefined {
  const stems = letters.map((name) => ({ name, stem: name.replace(/\.(md|markdown)$/i, '') }));
  const exact = stems.find((l) => l.stem === copy);
  if (exact) return exact.name;
  const prefixed = stems.filter((l) => copy.startsWith(l.stem) && !/^[\p{L}\p{N}]/u.test(copy.slice(l.stem.length)));
  return prefixed.sort((a, b) => b.stem.length - a.stem.length)[0]?.name;
}

/**
 * The one letter a command that takes a single letter (diff, release, signatories, import-docx)
 * works on when none is named: the letter `edition` was made from when it is there, else letter.md,
 * else the folder's only letter*.md; otherwise why none can be chosen. `example`: the command
 * naming a letter, with "my-letter.md" where the letter goes.
 */
export function chooseLetter(folder: string, example: string, edition?: string): { letter: string } | { problem: string } {
  const found = findLetters(folder);
  // An edition names its letter: out/letter.ko.docx was made from letter.ko.md; so does a copy
  // saved again with a suffix (letter.ko (1).docx, letter.ko-edited.docx): the longest letter name
  // it starts with, up to a character that is not a letter or digit.
  const made = edition === undefined ? undefined : madeFrom(found, path.basename(edition).replace(/\.[^.]*$/, ''));
  if (made !== undefined) return { letter: made };
  if (found.includes('letter.md')) return { letter: 'letter.md' };
  const [only] = found;
  if (found.length === 1 && only !== undefined) return { letter: only };
  if (found.length === 0) return { problem: noLetterProblem(folder, example) };
  // The example command with one of the letters found, so that staff see how to name it.
  return { problem: `There are ${found.length} letters here (${found.join(', ')}) and no letter.md; name the one you mean, e.g. ${example.replace('my-letter.md', found[0] ?? 'my-letter.md')}.` };
}
