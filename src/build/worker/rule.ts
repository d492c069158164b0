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
 * A one-off build starts a worker for a list at least this long. The worker's start — Node's own
 * start of a thread, the bundle from the code cache, its own copy of the fonts, its own JIT
 * warm-up — costs about 0.5 s of CPU, on the core that V8's background compiler and collector
 * already keep half busy; measured per thread on 2 cores (docs/BENCHMARKS.md): at 1,000 names it
 * takes 0.2 s off the build's thread and adds 0.5 s and 100 MB, at 3,000 it breaks even, at 10,000
 * it takes 0.9 s off the build's thread (the PDF then decides the time).
 */
export const WORKER_MIN_SIGNATORIES = 5000;

/** Whether a one-off build of this frame starts a worker. */
export function worthAWorker(frame: LetterFrame, formats: readonly Format[]): boolean {
  if (!overlaps(formats)) return false;
  if (setting() === '1') return true;
  let entries = 0;
  for (const block of frame.blocks) if (block.role === 'signatoryEntry') entries++;
  return entries >= WORKER_MIN_SIGNATORIES;
}
