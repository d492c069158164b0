/** Printing for the command line: build progress, sizes, timings, diagnostics, failures. */
import path from 'node:path';
import { BuildError, formatDiagnostics } from '../diagnostics/index.js';
import type { BuildResult } from './build.js';
import type { CliIo } from './io.js';

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function printBuild(io: CliIo, result: BuildResult, quiet = false): void {
  const warnings = formatDiagnostics([...result.letter.files, ...result.warnings]);
  if (warnings) io.stderr.write(`${warnings}\n`);
  if (quiet) return;
  for (const e of result.editions) {
    const file = path.relative(io.cwd, e.path) || e.path;
    io.stdout.write(`  ${e.format.padEnd(5)} ${file.padEnd(30)} ${formatBytes(e.bytes).padStart(10)} ${e.ms.toFixed(0).padStart(6)} ms\n`);
  }
  io.stdout.write(`Built ${result.editions.length} edition(s) in ${result.totalMs.toFixed(0)} ms.\n`);
  if (result.changes.length > 0) io.stdout.write(`Changes: ${result.changes.join('; ')}\n`);
}

/** Print why a step failed and return exit code 1; unknown errors are re-thrown. */
export function reportFailure(io: CliIo, err: unknown, written = false, letter?: string): 1 {
  if (!(err instanceof BuildError)) throw err;
  io.stderr.write(`${formatDiagnostics(err.files)}\n`);
  if (!written) {
    io.stderr.write(letter ? `Nothing was written for ${letter}; its previous editions are unchanged.\n` : 'Nothing was written; the previous editions are unchanged.\n');
  }
  return 1;
}
