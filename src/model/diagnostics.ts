/**
 * Diagnostics are vfile messages, one VFile per input file, printed with vfile-reporter:
 *   letter.md:12:5 error Footnote [^x] is referenced but never defined  undefined-footnote letterpress
 */
import { VFile } from 'vfile';
import { reporter } from 'vfile-reporter';
import type { VFileMessage } from 'vfile-message';
import type { Position } from './types.js';

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

export function formatDiagnostics(files: readonly VFile[], options: { quiet?: boolean } = {}): string {
  const withMessages = files.filter((f) => f.messages.length > 0);
  if (withMessages.length === 0) return '';
  return reporter([...withMessages], { quiet: options.quiet ?? false });
}

/** Throw a BuildError if any file carries an error. */
export function throwIfErrors(files: VFile[]): void {
  if (hasErrors(files)) throw new BuildError(files);
}

/** A file-level failure (missing file, unreadable) as a positioned message. */
export function fileFailure(path: string, reason: string, ruleId: string, place?: Place): BuildError {
  const file = new VFile({ path });
  reportError(file, reason, place, ruleId);
  return new BuildError([file]);
}
