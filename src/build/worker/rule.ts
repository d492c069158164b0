/**
 * When a build hands editions to a worker thread (host.ts), decided without loading it: every
 * edition but the PDF (the Word copy above all), made while the build's own thread makes the PDF.
 */
import { availableParallelism } from 'node:os';
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
 * A one-off build starts a worker for a list at least this long, on a machine with at least
 * this many cores. Measured per thread at 10,000 names on 2 cores (docs/BENCHMARKS.md): the worker
 * takes 0.65–0.9 s off the build's thread (3.5 → 2.9 s), but costs 1.3–1.45 s itself — its start
 * (Node's start of a thread, the bundle from the code cache, its own copy of the fonts, its own JIT
 * warm-up) is ~0.5 s of it — and 155 MB; and V8's background compiler and collector already keep
 * a second core busy for ~2.8 s of a ~4.5 s build. On 2 cores the whole work then bounds the time
 * (6.25 → 7.15 s of CPU), so the worker did not measure faster there, at 1,000 names or at 10,000;
 * a third core has room for it. A watch or serve process pays the start once, and its warm
 * rebuilds leave V8's background threads idle: it keeps a worker on any machine.
 */
export const WORKER_MIN_SIGNATORIES = 5000;
export const WORKER_MIN_CORES = 3;

/** Whether a one-off build of this frame starts a worker (on a machine with `cores` cores). */
export function worthAWorker(frame: LetterFrame, formats: readonly Format[], cores = availableParallelism()): boolean {
  if (!overlaps(formats)) return false;
  if (setting() === '1') return true;
  if (cores < WORKER_MIN_CORES) return false;
  let entries = 0;
  for (const block of frame.blocks) if (block.role === 'signatoryEntry') entries++;
  return entries >= WORKER_MIN_SIGNATORIES;
}

/**
 * Whether this process started a worker: then its own thread compiled no code for the editions the
 * worker made, and the V8 code cache it would write would lack them (src/cli/codeCache.ts).
 */
export const workerStarted = { value: false };
