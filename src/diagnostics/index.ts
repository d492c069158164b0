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

/** A point in an input file: line and column as editors count them, and the character offset when known. */
export interface SourcePoint extends Position {
  offset?: number;
}

/** Where something came from: a file as the user named it, and the point in it when known. */
export interface SourceRef {
  path: string;
  at?: SourcePoint;
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

/**
 * Text from inputs (file names, CSV cells, names) made safe to print on a terminal: control
 * characters (C0, DEL, C1: escape sequences, carriage returns, line breaks) and the bidi
 * embedding, override and isolate controls, which could recolour, move or reorder what is shown,
 * are written as \xNN / \u{NNNN}. `keepLineBreaks` leaves \n and \t (for multi-line output).
 */
export function printable(text: string, keepLineBreaks = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    if (keepLineBreaks && (ch === '\n' || ch === '\t')) return ch;
    const code = ch.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** A diagnostic as plain data (what the library API returns; the CLI prints the same list). */
export interface Diagnostic {
  /** The input file, as the user named it (relative to the working folder when inside it). */
  file: string;
  /** 1-based, as editors count; absent for a message about the whole file. */
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
  /** Rule id, e.g. `undefined-footnote`, `front-matter-schema`. */
  rule?: string;
}

export function toDiagnostics(files: readonly VFile[]): Diagnostic[] {
  // In the order of the file (as a linter lists them), whatever order the checks ran in; a
  // message about the whole file after those with a place.
  const line = (m: VFile['messages'][number]) => m.line ?? Number.POSITIVE_INFINITY;
  const byPlace = (a: VFile['messages'][number], b: VFile['messages'][number]) => line(a) - line(b) || (a.column ?? 0) - (b.column ?? 0);
  return files.flatMap((file) =>
    [...file.messages].sort(byPlace).map((m) => ({
      file: file.path ?? '<input>',
      ...(m.line ? { line: m.line, column: m.column ?? 1 } : {}),
      severity: m.fatal === true ? ('error' as const) : ('warning' as const),
      message: m.reason,
      ...(m.ruleId ? { rule: m.ruleId } : {}),
    })),
  );
}

/** Errors listed per file (README "Errors"); the rest are counted in one line. */
export const MAX_LISTED_ERRORS = 50;
const TOO_MANY = 'too-many-errors';

/**
 * The one printed form: `file:line:column severity message  rule`, at most MAX_LISTED_ERRORS
 * errors per file (the rest counted), input text made printable, then a count.
 */
export function formatDiagnosticList(list: readonly Diagnostic[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  const listed = new Map<string, number>();
  const hidden = new Map<string, number>();
  // The count of a file's unlisted errors follows that file's lines (the list comes file by file).
  const countHidden = (file: string | undefined) => {
    const n = file === undefined ? 0 : (hidden.get(file) ?? 0);
    if (file === undefined || n === 0) return;
    hidden.delete(file);
    errors++;
    lines.push(`${printable(file)} error … and ${n} more error(s) in this file, not listed.  ${TOO_MANY}`);
  };
  let previous: string | undefined;
  for (const d of list) {
    if (d.file !== previous) countHidden(previous);
    previous = d.file;
    if (d.severity === 'error' && d.rule !== TOO_MANY) {
      const n = listed.get(d.file) ?? 0;
      if (n >= MAX_LISTED_ERRORS) {
        hidden.set(d.file, (hidden.get(d.file) ?? 0) + 1);
        continue;
      }
      listed.set(d.file, n + 1);
    }
    if (d.severity === 'error') errors++;
    else warnings++;
    const where = d.line ? `:${d.line}:${d.column ?? 1}` : '';
    lines.push(`${printable(d.file)}${where} ${d.severity} ${printable(d.message)}${d.rule ? `  ${d.rule}` : ''}`);
  }
  countHidden(previous);
  for (const file of [...hidden.keys()]) countHidden(file);
  if (lines.length === 0) return '';
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = [errors ? count(errors, 'error') : '', warnings ? count(warnings, 'warning') : ''].filter(Boolean).join(', ');
  return `${lines.join('\n')}\n${errors ? '✖' : '⚠'} ${summary}`;
}

export function formatDiagnostics(files: readonly VFile[]): string {
  return formatDiagnosticList(toDiagnostics(files));
}

/** A file-level failure (missing file, unreadable) as a positioned message. */
export function fileFailure(path: string, reason: string, ruleId: string, place?: Place): BuildError {
  const file = new VFile({ path });
  reportError(file, reason, place, ruleId);
  return new BuildError([file]);
}

/**
 * An error about `needle` (a character, a word) that stands at or after `source` in one of the
 * input `files`: reported at the needle's own line and column where the file's text holds it
 * there, else at the source point, else on the first file that holds it, else on the file alone.
 */
export function errorAt(files: VFile[], source: SourceRef | undefined, needle: string, reason: string, ruleId: string): BuildError {
  const inFile = source ? files.find((f) => f.path === source.path) : undefined;
  const report = (file: VFile, place: Place) => {
    reportError(file, reason, place, ruleId);
    return new BuildError(files.includes(file) ? files : [...files, file]);
  };
  if (source && inFile) {
    const text = String(inFile.value ?? '');
    const from = source.at ? (source.at.offset ?? offsetOf(text, source.at)) : 0;
    const index = text.indexOf(needle, from);
    return report(inFile, index >= 0 ? pointAt(text, index) : source.at);
  }
  if (source) return report(new VFile({ path: source.path }), source.at);
  for (const file of files) {
    const text = String(file.value ?? '');
    const index = text.indexOf(needle);
    if (index >= 0) return report(file, pointAt(text, index));
  }
  const first = files[0] ?? new VFile({ path: '<input>' });
  return report(first, undefined);
}

/** The line and column (in characters, as editors count) of a UTF-16 offset in `text`. */
function pointAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}

function offsetOf(text: string, point: Position): number {
  let offset = 0;
  for (let line = 1; line < point.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + [...text.slice(offset)].slice(0, point.column - 1).join('').length;
}
