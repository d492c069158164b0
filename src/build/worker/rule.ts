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
 * this many cores. The worker's own start (Node's start of a thread, the bundle from the code
 * cache, its own copy of the fonts, its own warm-up) costs ~0.3–0.5 s of CPU and ~110 MB, so it
 * pays only when the editions it takes are long. Measured on 2 cores, paired, wall time without →
 * with (docs/BENCHMARKS.md): 1,000 names 935 → 955 ms (no gain); 2,000 names 1.45 → 1.21 s,
 * 5,000 2.20 → 1.86 s, 10,000 2.82 → 2.40 s; with the second core kept busy by another process,
 * 2,000 names 1.33 → 1.34 s and 10,000 4.31 → 3.54 s. (Before V8's optimising compiler was held
 * back for short runs, src/cli/codeCache.ts, its background work kept the second core busy and
 * the worker did not pay on 2 cores.) A watch or serve process pays the start once: it keeps a
 * worker on any machine.
 */
export const WORKER_MIN_SIGNATORIES = 2000;
export const WORKER_MIN_CORES = 2;

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
