/** Printing for the command line: build progress, sizes, timings, diagnostics, failures. */
import path from 'node:path';
import { BuildError, formatDiagnostics } from '../diagnostics/index.js';
import type { BuildResult } from './build.js';
import { PartialWrite } from '../io/writeAtomic.js';

export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function printBuild(result: BuildResult, quiet = false): void {
  const warnings = formatDiagnostics([...result.letter.files, ...result.warnings]);
  if (warnings) process.stderr.write(`${warnings}\n`);
  if (quiet) return;
  for (const e of result.editions) {
    const file = path.relative(process.cwd(), e.path) || e.path;
    process.stdout.write(`  ${e.format.padEnd(5)} ${file.padEnd(30)} ${formatBytes(e.bytes).padStart(10)} ${e.ms.toFixed(0).padStart(6)} ms\n`);
  }
  process.stdout.write(`Built ${result.editions.length} edition(s) in ${result.totalMs.toFixed(0)} ms.\n`);
  if (result.changes.length > 0) process.stdout.write(`Changes: ${result.changes.join('; ')}\n`);
}

/** Print why a step failed and set exit code 1; unknown errors are re-thrown. */
export function reportFailure(err: unknown, written = false, letter?: string): void {
  if (!(err instanceof BuildError)) throw err;
  process.stderr.write(`${formatDiagnostics(err.files)}\n`);
  if (err instanceof PartialWrite) {
    process.stderr.write(`Only some files were replaced (${err.replaced.join(', ')}); rebuild once the problem above is fixed.\n`);
  } else if (!written) {
    process.stderr.write(letter ? `Nothing was written for ${letter}; its previous editions are unchanged.\n` : 'Nothing was written; the previous editions are unchanged.\n');
  }
  process.exitCode = 1;
}
