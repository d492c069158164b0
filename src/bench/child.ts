/**
 * One measured build, in its own process: prints {ms, maxRssMb, bytes} as JSON. Used by bench.ts
 * so that every figure is a cold start, as a user running `letterpress build` sees it.
 */
import { performance } from 'node:perf_hooks';
import { build } from '../cli/build.js';
import type { Format } from '../render/index.js';

const [letter, formats, outDir] = process.argv.slice(2) as [string, string, string];
const result = await build(letter, { formats: formats.split(',') as Format[], outDir });
process.stdout.write(
  `${JSON.stringify({
    ms: performance.now(), // since process start: what the user waits for
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: Object.fromEntries(result.editions.map((e) => [e.format, e.bytes])),
    editionMs: Object.fromEntries(result.editions.map((e) => [e.format, e.ms])),
  })}\n`,
);
