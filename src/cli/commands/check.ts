/** `letterpress check file.pdf`: preflight a PDF; any file that is not a readable PDF is a one-line refusal. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BuildError, fileFailure } from '../../diagnostics/index.js';
import { formatReport } from '../../render/pdf/report.js';
import type { CliIo } from '../io.js';

/** A PDF letterpress writes is a few hundred KB; anything far beyond is not one to check. */
const MAX_PDF_BYTES = 100 * 1024 * 1024;

const PDFJS_REASONS: Record<string, string> = {
  PasswordException: 'the PDF is password-protected; letterpress cannot check it',
  InvalidPDFException: 'the file is not a PDF, or is damaged',
  MissingPDFException: 'the file is missing',
  UnexpectedResponseException: 'the file could not be read',
  FormatError: 'the PDF is damaged (truncated or malformed)',
};

/** Preflight `file`; returns the exit code (0 passed, 1 problems or unreadable). */
export async function checkCommand(io: CliIo, file: string): Promise<number> {
  let bytes: Uint8Array;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw fileFailure(file, 'Not a file; give the path of a PDF.', 'check-input');
    if (info.size === 0) throw fileFailure(file, 'The file is empty; it is not a PDF.', 'check-input');
    if (info.size > MAX_PDF_BYTES) throw fileFailure(file, `The file is ${(info.size / 1024 / 1024).toFixed(0)} MB; check reads PDFs up to ${MAX_PDF_BYTES / 1024 / 1024} MB.`, 'check-input');
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw fileFailure(file, 'Cannot read the file; check the path.', 'check-input');
  }
  if (Buffer.from(bytes.subarray(0, 1024)).toString('latin1').indexOf('%PDF-') < 0) {
    throw fileFailure(file, 'The file is not a PDF (it has no %PDF- header).', 'check-input');
  }
  const { preflight } = await import('../../render/pdf/preflight.js');
  let report;
  try {
    report = await preflight(bytes);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const reason = PDFJS_REASONS[name];
    if (!reason) throw err;
    throw fileFailure(file, `Cannot check the file: ${reason}.`, 'check-input');
  }
  io.stdout.write(`${formatReport(path.relative(io.cwd, file) || file, report)}\n`);
  return report.problems.length > 0 ? 1 : 0;
}
