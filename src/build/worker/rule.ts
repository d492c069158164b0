/**
 * When a build hands editions to a worker thread (host.ts), decided without loading it: every
 * edition but the PDF (the Word copy above all), made while the build's own thread makes the PDF.
 */
import type { Format } from '../../render/index.js';
import type { LetterFrame } from '../../frame/types.js';

/** The editions a worker takes: all but the PDF (pdfkit's pages, the dearest, stay in the build's thread). */
export const WORKER_FORMATS: readonly Format[] = ['txt', 'docx', 'html'];

/**
 * `LETTERPRESS_WORKER=0`: no worker, ever; `=1`: one wherever it has something to make beside
 * the PDF, for a list of any length (to compare, or to test the worker on a small letter).
 */
function setting(): '0' | '1' | undefined {
  const value = process.env['LETTERPRESS_WORKER'];
  return value === '0' || value === '1' ? value : undefined;
}

/** Whether there is something for a worker to make while the build's thread makes the PDF. */
export function overlaps(formats: readonly Format[]): boolean {
  return setting() !== '0' && formats.includes('pdf') && formats.some((f) => WORKER_FORMATS.includes(f));
}

/**
 * A one-off build starts a worker for a list at least this long: below it, the worker's start
 * (its modules, its own copy of the fonts) costs more than the Word copy it takes off the build's
 * thread, and raises the build's peak memory (docs/BENCHMARKS.md).
 */
export const WORKER_MIN_SIGNATORIES = 1000;

/** Whether a one-off build of this frame starts a worker. */
export function worthAWorker(frame: LetterFrame, formats: readonly Format[]): boolean {
  if (!overlaps(formats)) return false;
  if (setting() === '1') return true;
  let entries = 0;
  for (const block of frame.blocks) if (block.role === 'signatoryEntry') entries++;
  return entries >= WORKER_MIN_SIGNATORIES;
}
