/**
 * The last line of defence: an error that is not a diagnostic is a bug in letterpress. The user
 * sees one line saying so (never a raw stack trace) and the process exits 70 (EX_SOFTWARE, from
 * sysexits.h); `--debug` or LETTERPRESS_DEBUG=1 prints the stack for the bug report.
 */
import type { CliOutput } from './io.js';

export const EXIT_INTERNAL = 70;

export function debugEnabled(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes('--debug') || ['1', 'true', 'yes'].includes(env.LETTERPRESS_DEBUG ?? '');
}

export function describeInternal(err: unknown): string {
  const what = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
  return `letterpress: internal error (this is a bug in letterpress, please report it): ${what}`;
}

/** Print an unexpected error as one line (or with its stack when `debug`). */
export function reportInternal(io: { stderr: CliOutput }, err: unknown, debug: boolean): void {
  io.stderr.write(`${describeInternal(err)}\n`);
  if (debug) io.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  else io.stderr.write('Run again with --debug (or LETTERPRESS_DEBUG=1) to see where it happened.\n');
}
