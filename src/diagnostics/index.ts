/**
 * Diagnostics are vfile messages (`file.message(reason, {place, ruleId})`), one VFile per input
 * file, printed one per line so that editors and terminals can jump to them:
 *   letter.md:12:5 error Footnote [^x] is referenced but never defined  undefined-footnote
 * vfile-reporter groups messages under a file heading ("letter.md\n 12:5 error …"), which hides
 * the file:line:column a non-programmer needs to copy, so the line format is written here.
 */
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';

/** A place in an input file, 1-based as editors show it. */
export interface Position {
  line: number;
  column: number;
}

export type Place = Position | { start: Position; end: Position } | undefined;

export function reportError(file: VFile, reason: string, place: Place, ruleId: string): VFileMessage {
  const message = file.message(reason, { place, ruleId, source: 'letterpress' });
  message.fatal = true;
  return message;
}

export function reportWarning(file: VFile, reason: string, place: Place, ruleId: string): VFileMessage {
  const message = file.message(reason, { place, ruleId, source: 'letterpress' });
  message.fatal = false;
  return message;
}

export function hasErrors(files: readonly VFile[]): boolean {
  return files.some((file) => file.messages.some((m) => m.fatal === true));
}

/** Thrown when an input cannot be turned into a document; carries every file's messages. */
export class BuildError extends Error {
  constructor(readonly files: VFile[]) {
    super(formatDiagnostics(files));
    this.name = 'BuildError';
  }
}

export function formatDiagnostics(files: readonly VFile[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    for (const m of file.messages) {
      const severity = m.fatal === true ? 'error' : 'warning';
      if (m.fatal === true) errors++;
      else warnings++;
      const where = m.line ? `:${m.line}:${m.column ?? 1}` : '';
      lines.push(`${file.path ?? '<input>'}${where} ${severity} ${m.reason}${m.ruleId ? `  ${m.ruleId}` : ''}`);
    }
  }
  if (lines.length === 0) return '';
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = [errors ? count(errors, 'error') : '', warnings ? count(warnings, 'warning') : ''].filter(Boolean).join(', ');
  return `${lines.join('\n')}\n${errors ? '✖' : '⚠'} ${summary}`;
}

/** A file-level failure (missing file, unreadable) as a positioned message. */
export function fileFailure(path: string, reason: string, ruleId: string, place?: Place): BuildError {
  const file = new VFile({ path });
  reportError(file, reason, place, ruleId);
  return new BuildError([file]);
}
