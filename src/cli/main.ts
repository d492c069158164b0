#!/usr/bin/env node
/**
 * letterpress command line: the launcher that wires `runCli` (program.ts) to this process —
 * its arguments, folder, output streams and exit code.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // `--version` answers in ≤ 0.12 s: what commander prints for `.version()`, without loading
  // commander (a third of the time) or any command.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}

// A reader that stops early (`letterpress signatories list | head`) closes the pipe: stop quietly,
// as command-line tools do, instead of failing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const [{ runCli }, { EXIT_INTERNAL, debugEnabled, reportInternal }] = await Promise.all([import('./program.js'), import('./internal.js')]);

// An error outside any command's own handling (a callback, a stray promise) is a bug too.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    reportInternal(process, err, debugEnabled(args));
    process.exit(EXIT_INTERNAL);
  });
}

process.exitCode = await runCli(args, { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
