import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests read PDFs back with pdfjs-dist, which loads @napi-rs/canvas; without this it scans
    // every system font file at load (~0.4 s per test file) for fonts no test uses.
    env: { DISABLE_SYSTEM_FONTS_LOAD: '1' },
    // One private temporary folder for the run, checked empty and removed at the end…
    globalSetup: ['test/globalSetup.ts'],
    // …and in every file, the folders made with scratch() removed when the file ends.
    setupFiles: ['test/setup.ts'],
  },
});
