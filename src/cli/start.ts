/**
 * The command line after the launcher (main.ts): wires `runCli` (program.ts) to this process —
 * its arguments, folder, output streams and exit code. The shipped bundle
 * (dist/cli/letterpress.cjs, scripts/bundle.mjs) is this module and everything it loads.
 */
import { runCli } from './program.js';
import { EXIT_INTERNAL, debugEnabled, reportInternal } from './internal.js';
import { workerStarted } from '../build/worker/rule.js';

/** Run `letterpress ARGS…` in this process; sets `process.exitCode` when the command ends. */
export async function start(args: string[]): Promise<void> {
  // A reader that stops early (`letterpress signatories list | head`) closes the pipe: stop quietly,
  // as command-line tools do, instead of failing on the next write.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  // An error outside any command's own handling (a callback, a stray promise) is a bug too.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (err: unknown) => {
      reportInternal(process, err, debugEnabled(args));
      process.exit(EXIT_INTERNAL);
    });
  }
  process.exitCode = await runCli(args, { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
}

/** The edition worker's program, for a worker started from the bundle (src/cli/worker.ts). */
export async function serveEditions(): Promise<void> {
  (await import('../build/worker/thread.js')).serveEditions();
}

/** Whether this run started an edition worker (its code cache would lack the editions the worker made). */
export function ranAWorker(): boolean {
  return workerStarted.value;
}
