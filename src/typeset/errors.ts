/**
 * A character no font of the chain can draw, with where its text came from. Not shown to users as
 * such: the build turns it into a positioned diagnostic (src/diagnostics errorAt).
 */
import type { SourceRef } from '../diagnostics/index.js';
import { codePointLabel } from '../unicode/scripts.js';

export class MissingGlyph extends Error {
  constructor(
    readonly char: string,
    readonly source?: SourceRef,
    /** 'right-to-left': the character is of a script the PDF cannot set (see RIGHT_TO_LEFT). */
    readonly reason: 'no-font' | 'right-to-left' = 'no-font',
  ) {
    super(`${reason === 'no-font' ? 'No font in the chain has' : 'The PDF cannot set the right-to-left'} character "${char}" (${codePointLabel(char)}).`);
  }
}
