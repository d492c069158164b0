import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Forks, not threads: runCli switches the working folder (process.chdir), which a worker
    // thread cannot do.
    pool: 'forks',
    // Test files share their worker's modules: pdfkit, fontkit, pdfjs, docx and the CJK fonts
    // load once instead of once per file (this halves the suite's CPU time). Module-level state
    // is shared too: a test must not depend on running first, and must undo what it patches.
    isolate: false,
    // Both cores (vitest's default leaves one to its own process, which is nearly idle here).
    maxWorkers: 2,
    // Tests read PDFs back with pdfjs-dist, which loads @napi-rs/canvas; without this it scans
    // every system font file at load (~0.4 s per test file) for fonts no test uses.
    env: { DISABLE_SYSTEM_FONTS_LOAD: '1' },
    // One private temporary folder for the run, checked empty and removed at the end…
    globalSetup: ['test/globalSetup.ts'],
    // …and in every file, the folders made with scratch() removed when the file ends.
    setupFiles: ['test/setup.ts'],
    // Longest files first, so that both workers finish together (the order of a fresh clone too).
    sequence: { sequencer: LongestFirst },
  },
});
