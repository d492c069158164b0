/**
 * The order test files start in: longest first, so that the two workers finish together (with a
 * queue of files and two workers, a long file started last keeps one worker busy alone while the
 * other waits). vitest's own order needs the timings of an earlier run, which a fresh clone (CI)
 * does not have; it then starts the largest files first, and size says little about time here.
 *
 * The weights are the files' times in ms as the default reporter prints them, one worker
 * (`npx vitest run --maxWorkers=1`); with isolate: false a file that builds the same letters as an
 * earlier one is cheaper after it, so these are rounded up where a file builds its own letters. A file not listed (a new one) starts first: it may be long, and
 * nothing is lost when a short one starts early. Refresh the table when a file's time changes a lot.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const WEIGHTS: Record<string, number> = {
  'serve.browser.test.ts': 25000,
  'hostile.test.ts': 17000,
  'importDocx.test.ts': 15200,
  'badInput.test.ts': 14200,
  // Rounded up: its child processes (npm pack, npm install, the packed command) make it the
  // longest after the browser's on a loaded machine, so it starts second among those waiting for dist/.
  'package.test.ts': 18000,
  'docxFonts.test.ts': 8000,
  'languages.test.ts': 11100,
  'evenness.test.ts': 8000,
  'fontCache.test.ts': 5000,
  'namesEditions.test.ts': 3000,
  'shaping.test.ts': 2500,
  'freshEyes.test.ts': 7000,
  'letterhead.test.ts': 6600,
  'names.test.ts': 4800,
  'signatoriesImport.test.ts': 6000,
  'cli.test.ts': 5000,
  'bundle.test.ts': 4000,
  'taggedPdf.test.ts': 4000,
  'fuzz.test.ts': 3500,
  'watch.test.ts': 3300,
  'fallback.test.ts': 3200,
  'mailing.test.ts': 3000,
  'pdf.test.ts': 3000,
  'layoutCheck.test.ts': 2800,
  'signatoriesEdit.test.ts': 2800,
  'projects.test.ts': 2700,
  'serve.test.ts': 2000,
  'watchHostile.test.ts': 1800,
  'frame.test.ts': 1400,
  'templateStrings.test.ts': 1100,
  'pdfkitAdapter.test.ts': 1100,
  'model.test.ts': 1000,
  'docx.test.ts': 900,
  'docxZip.test.ts': 600,
  'signatories.test.ts': 300,
  'nearDuplicates.test.ts': 300,
  'layoutMemo.test.ts': 250,
  'derivedFacts.test.ts': 100,
  'html.test.ts': 150,
  'importCycles.test.ts': 50,
  'textEdition.test.ts': 20,
  'clreq.test.ts': 20,
  'diagnostics.test.ts': 10,
  'context.test.ts': 10,
  'pages.test.ts': 10,
};

const UNKNOWN = Number.POSITIVE_INFINITY;
/** What a file not listed counts for in covering the compile: one unknown file must not cover it alone. */
const UNKNOWN_COVER = 5000;

/** Weight of the files that start before those waiting for dist/ (both workers, the compile's time). */
const COMPILE_COVER_MS = 12_000;

/**
 * Files that wait for dist/ in their hooks (they run the compiled command). Under `npm test` the
 * compile runs beside the first files (test/globalSetup.ts), so these start after enough of the
 * others to cover it: a worker waiting for the compile would leave its core idle.
 */
const WAIT_FOR_DIST = new Set(['bundle.test.ts', 'hostile.test.ts', 'package.test.ts', 'badInput.test.ts', 'cli.test.ts', 'serve.browser.test.ts', 'serve.test.ts']);

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const name = (spec: TestSpecification) => path.basename(spec.moduleId);
    const weight = (spec: TestSpecification) => WEIGHTS[name(spec)] ?? UNKNOWN;
    const sorted = [...files].sort((a, b) => weight(b) - weight(a) || a.moduleId.localeCompare(b.moduleId));
    const later = sorted.filter((spec) => WAIT_FOR_DIST.has(name(spec)));
    const rest = sorted.filter((spec) => !WAIT_FOR_DIST.has(name(spec)));
    // Enough of the others first to keep the cores busy while the compile runs (tsgo, ~5 s of wall
    // on a fresh clone with both cores taken): the compile takes the core of a worker that waits.
    let covered = 0;
    let first = 0;
    while (first < rest.length && covered < COMPILE_COVER_MS) {
      const w = weight(rest[first++] as TestSpecification);
      covered += w === UNKNOWN ? UNKNOWN_COVER : w;
    }
    return [...rest.slice(0, first), ...later, ...rest.slice(first)];
  }
}
