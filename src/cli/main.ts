#!/usr/bin/env node
/**
 * letterpress command line. Parsing with commander; diagnostics printed vfile-reporter style;
 * exit code 1 on any error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BuildError, formatDiagnostics } from '../model/diagnostics.js';
import { ALL_FORMATS, parseFormats, type Format } from '../render/index.js';
import { build } from './build.js';
import { readFile } from 'node:fs/promises';
import { formatReport } from '../render/pdf/report.js';
import { PreflightFailed } from '../render/errors.js';
import { FontProblem } from '../fonts/fontChain.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function parseWrap(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('give a whole number of columns (0 = no wrapping)');
  return n;
}

function parseFormatList(value: string): Format[] {
  const parsed = parseFormats(value);
  if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
  return parsed;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Print messages of a failed step and set the exit code; other errors are re-thrown. */
export function reportFailure(err: unknown): void {
  if (err instanceof BuildError) {
    process.stderr.write(`${formatDiagnostics(err.files)}\n`);
  } else if (err instanceof PreflightFailed) {
    process.stderr.write(`The PDF failed its preflight check:\n${formatReport('PDF', err.report)}\n`);
  } else if (err instanceof FontProblem) {
    process.stderr.write(`Font problem: ${err.message}\n`);
  } else {
    throw err;
  }
  process.stderr.write('Nothing was written; the previous editions are unchanged.\n');
  process.exitCode = 1;
}

const program = new Command();
program
  .name('letterpress')
  .description('Turn a joint letter in Markdown and a signatory list into PDF, DOCX and plain-text editions.')
  .version(pkg.version)
  .showHelpAfterError();

program
  .command('build')
  .description('build the editions of a letter')
  .argument('[letter]', 'the letter in Markdown', 'letter.md')
  .option('-o, --out <dir>', 'folder for the editions (default: out/ beside the letter)')
  .option('-f, --format <list>', `editions to build, comma-separated (${ALL_FORMATS.join(',')})`, parseFormatList, ALL_FORMATS)
  .option('-w, --wrap <columns>', 'plain text: wrap at this many columns (CJK counts 2; 0 = no wrapping)', parseWrap)
  .option('-q, --quiet', 'print only problems')
  .action(async (letter: string, opts: { out?: string; format: Format[]; wrap?: number; quiet?: boolean }) => {
    try {
      const result = await build(letter, { formats: opts.format, outDir: opts.out, wrap: opts.wrap });
      const warnings = formatDiagnostics(result.letter.files);
      if (warnings) process.stderr.write(`${warnings}\n`);
      if (!opts.quiet) {
        for (const e of result.editions) {
          process.stdout.write(`  ${e.format.padEnd(5)} ${path.relative(process.cwd(), e.path).padEnd(28)} ${formatBytes(e.bytes).padStart(10)} ${e.ms.toFixed(0).padStart(6)} ms\n`);
        }
        process.stdout.write(`Built ${result.editions.length} edition(s) in ${result.totalMs.toFixed(0)} ms.\n`);
      }
    } catch (err) {
      reportFailure(err);
    }
  });

program
  .command('check')
  .description('preflight a PDF made by letterpress: fonts embedded, no missing glyph, margins, notes on their pages')
  .argument('<pdf>', 'the PDF to check')
  .action(async (file: string) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch {
      process.stderr.write(`${file}: cannot read the file\n`);
      process.exitCode = 1;
      return;
    }
    const { preflight } = await import('../render/pdf/preflight.js');
    const report = await preflight(bytes);
    process.stdout.write(`${formatReport(file, report)}\n`);
    if (report.problems.length > 0) process.exitCode = 1;
  });

await program.parseAsync(process.argv);
