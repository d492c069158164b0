/**
 * Loads the preflight (and pdfjs-dist with it) only when a PDF is checked. A worker thread was
 * tried, to overlap loading pdfjs with the layout: it saved about 0.3 s of 2.9 s but raised the
 * peak memory of a build from about 225 MB to 260 MB, past the 250 MB target, so the check runs
 * here.
 */
import type { PreflightReport } from './report.js';

export async function runPreflight(bytes: Uint8Array): Promise<PreflightReport> {
  return (await import('./preflight.js')).preflight(bytes);
}
