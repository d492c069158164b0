/**
 * A font the template names cannot be used (missing file, unreadable, outside the project, a
 * collection, lacking glyphs it claims). `file` is the font file (or the template) it concerns,
 * printed first as in every other diagnostic.
 */
export class FontProblem extends Error {
  constructor(
    message: string,
    readonly file: string | null = null,
    readonly rule = 'font',
  ) {
    super(message);
    this.name = 'FontProblem';
  }
}
