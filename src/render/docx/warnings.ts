/**
 * The Word copy's warnings about the template (a face that may not or cannot be embedded), on
 * the template's line: its fields are listed here, so that a copy made in a worker thread,
 * which cannot call the template's `where`, is handed their places, looked up beforehand
 * (src/build/worker/protocol.ts).
 */
import { VFile } from 'vfile';
import type { LetterFrame } from '../../frame/types.js';
import { reportWarning } from '../../diagnostics/index.js';

/** Every template field a warning of the Word copy may point at (embedFonts.ts: `warn`, `warnOnFace`). */
export function warnedFields(frame: LetterFrame): string[][] {
  const docx = ['eastAsiaFont', 'latinFont', 'fonts', 'embedFonts'].map((field) => ['docx', field]);
  return [...docx, ['fonts', 'serif'], ...frame.fonts.names.map((_name, index) => ['fonts', 'serif', String(index)])];
}

/** A warning on the template file, at the field's position as the template loader kept it. */
export function templateWarning(frame: LetterFrame, field: string[], reason: string): VFile {
  const at = frame.sources.template?.where(field);
  const file = new VFile(at ? { path: at.path, value: at.text } : { path: frame.fonts.sourcePath });
  reportWarning(file, reason, at?.place, 'docx-embed-font');
  return file;
}
