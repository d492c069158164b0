/** Printing for the command line: build progress, sizes, timings, diagnostics, failures. */
import path from 'node:path';
import { BuildError, formatDiagnosticList, toDiagnostics, type Diagnostic } from '../diagnostics/index.js';
import type { WrittenLetter } from '../api/index.js';
import type { BuildResult } from '../build/build.js';
import { PartialWrite } from '../io/writeAtomic.js';
import type { CliIo } from './io.js';

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function printBuild(io: CliIo, result: BuildResult, quiet = false): void {
  printWritten(io, { ...result, diagnostics: toDiagnostics([...result.letter.files, ...result.warnings]) }, result.totalMs, quiet);
}

/** What a build wrote: its warnings, then each edition with size and time, and what changed. */
export function printWritten(io: CliIo, result: Pick<WrittenLetter, 'editions' | 'changes'> & { diagnostics: Diagnostic[] }, totalMs: number, quiet = false): void {
  const warnings = formatDiagnosticList(result.diagnostics);
  if (warnings) io.stderr.write(`${warnings}\n`);
  if (quiet) return;
  const rows = result.editions.map((e) => ({ e, file: path.relative(io.cwd, e.path) || e.path }));
  const formatWidth = Math.max(5, ...rows.map((r) => r.e.format.length));
  const fileWidth = Math.max(30, ...rows.map((r) => r.file.length));
  for (const { e, file } of rows) {
    io.stdout.write(`  ${e.format.padEnd(formatWidth)} ${file.padEnd(fileWidth)} ${formatBytes(e.bytes).padStart(10)} ${e.ms.toFixed(0).padStart(6)} ms\n`);
  }
  io.stdout.write(`Built ${result.editions.length} edition(s) in ${totalMs.toFixed(0)} ms.\n`);
  if (result.changes.length > 0) io.stdout.write(`Changes: ${result.changes.join('; ')}\n`);
}

/**
 * Print the problems of a step that failed and return exit code 1. `replaced` names the files a
 * failed commit could not put back (the rest are unchanged).
 */
export function printFailure(io: CliIo, diagnostics: Diagnostic[], written = false, letter?: string, replaced?: readonly string[]): 1 {
  io.stderr.write(`${formatDiagnosticList(diagnostics)}
`);
  if (replaced && replaced.length > 0) {
    io.stderr.write(`Only some files were replaced (${replaced.join(', ')}); rebuild once the problem above is fixed.
`);
  } else if (!written) {
    io.stderr.write(letter ? `Nothing was written for ${letter}; its previous editions are unchanged.\n` : 'Nothing was written; the previous editions are unchanged.\n');
  }
  return 1;
}

/** Print why a step failed and return exit code 1; unknown errors are re-thrown. */
export function reportFailure(io: CliIo, err: unknown, written = false, letter?: string): 1 {
  if (!(err instanceof BuildError)) throw err;
  return printFailure(io, toDiagnostics(err.files), written, letter, err instanceof PartialWrite ? err.replaced : undefined);
}
