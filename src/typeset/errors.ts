/**
 * A character no font of the chain can draw, with where its text came from. Not shown to users as
 * such: the build turns it into a positioned diagnostic (src/diagnostics errorAt).
 */
import type { SourceRef } from '../diagnostics/index.js';

export class MissingGlyph extends Error {
  constructor(
    readonly char: string,
    readonly source?: SourceRef,
  ) {
    super(`No font in the chain has the character "${char}" (U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}).`);
  }
}
