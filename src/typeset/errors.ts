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
  ) {
    super(`No font in the chain has the character "${char}" (${codePointLabel(char)}).`);
  }
}
