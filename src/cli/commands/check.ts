/** `letterpress check file.pdf`: preflight a PDF; any file that is not a readable PDF is a one-line refusal. */
import path from 'node:path';
import { fileFailure } from '../../diagnostics/index.js';
import { readBounded } from '../../io/readBounded.js';
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
  const read = await readBounded(file, MAX_PDF_BYTES);
  if (!read.ok) {
    if (read.reason === 'directory') throw fileFailure(file, 'Not a file; give the path of a PDF.', 'check-input');
    if (read.reason === 'special') throw fileFailure(file, `Not a file (${read.kind}); give the path of a PDF.`, 'check-input');
    if (read.reason === 'too-large') throw fileFailure(file, `The file is ${read.size === undefined ? 'larger than that' : `${(read.size / 1024 / 1024).toFixed(0)} MB`}; check reads PDFs up to ${MAX_PDF_BYTES / 1024 / 1024} MB.`, 'check-input');
    throw fileFailure(file, 'Cannot read the file; check the path.', 'check-input');
  }
  const bytes = read.bytes;
  if (bytes.byteLength === 0) throw fileFailure(file, 'The file is empty; it is not a PDF.', 'check-input');
  if (Buffer.from(bytes.subarray(0, 1024)).toString('latin1').indexOf('%PDF-') < 0) {
    throw fileFailure(file, 'The file is not a PDF (it has no %PDF- header).', 'check-input');
  }
  const { checkPdfBounds, PdfRefused } = await import('../../render/pdf/pdfBounds.js');
  try {
    checkPdfBounds(bytes);
  } catch (err) {
    if (!(err instanceof PdfRefused)) throw err;
    throw fileFailure(file, `Cannot check the file: ${err.message}; no letter needs that, so it is not read further.`, 'check-input');
  }
  const { preflight } = await import('../../render/pdf/preflight.js');
  let report;
  try {
    report = await preflight(bytes);
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    // pdfjs-dist recurses through nested objects and reference chains it cannot resolve
    const reason =
      (err instanceof PdfRefused ? err.message : undefined) ??
      PDFJS_REASONS[name] ??
      (name === 'UnknownErrorException' ? `the PDF is malformed (${(err as Error).message.replace(/\.$/, '')})` : undefined) ??
      (err instanceof RangeError ? 'the PDF is malformed (its objects nest or refer to each other too deeply)' : undefined);
    if (!reason) throw err;
    throw fileFailure(file, `Cannot check the file: ${reason}.`, 'check-input');
  }
  io.stdout.write(`${formatReport(path.relative(io.cwd, file) || file, report)}\n`);
  return report.problems.length > 0 ? 1 : 0;
}
