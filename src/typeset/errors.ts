/** A character no font of the chain can draw. */
export class MissingGlyph extends Error {
  constructor(readonly char: string) {
    super(`No font in the chain has the character "${char}" (U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}).`);
  }
}
