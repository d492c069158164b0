#!/usr/bin/env node
/**
 * letterpress command line: the launcher. It answers `--version` and the help pages itself
 * (commander's own text, taken at compile time: dist/cli/launch.json, scripts/bundle.mjs), and
 * otherwise runs the command line — the one-file bundle through a V8 code cache (codeCache.ts)
 * when it was built, or the modules of dist/ (start.ts) as tsc compiled them.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for `.version()`, without loading commander or any command.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}

const { launchInfo, helpPage, loadBundle, tuneV8 } = await import('./codeCache.js');
const launch = launchInfo(new URL('./launch.json', import.meta.url));
const page = launch && helpPage(launch, args);
if (page) {
  process.stdout.write(page.stdout);
  process.stderr.write(page.stderr);
  process.exitCode = page.code;
} else {
  tuneV8();
  // `--no-cache` (before a `--`): the cache folder is neither read nor written, the code cache neither.
  const options = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
  const cache = !options.includes('--no-cache');
  const start = (launch && loadBundle(launch, new URL(`./${launch.bundle}`, import.meta.url), { cache })) || (await import('./start.js')).start;
  await start(args);
}
