/**
 * Turn a rendering problem about a character into a positioned diagnostic: find where the
 * character stands in the inputs (letter, signatory data) and report it there.
 */
import type { VFile } from 'vfile';
import { BuildError, reportError } from '../diagnostics/index.js';

export function missingCharacterError(files: VFile[], char: string, advice: string): BuildError {
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const reason = `No font has the character "${char}" (${code}); ${advice}`;
  for (const file of files) {
    const lines = String(file.value ?? '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const at = (lines[i] as string).indexOf(char);
      if (at >= 0) {
        const column = [...(lines[i] as string).slice(0, at)].length + 1;
        reportError(file, reason, { line: i + 1, column }, 'missing-glyph');
        return new BuildError(files);
      }
    }
  }
  const first = files[0];
  if (first) reportError(first, reason, undefined, 'missing-glyph');
  return new BuildError(files);
}
