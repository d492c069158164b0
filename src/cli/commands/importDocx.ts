/** `letterpress import-docx`: the command's options; the work loads only when it runs (./importDocxRun.ts). */
import path from 'node:path';
import type { Command } from 'commander';
import { reportFailure } from '../report.js';
import type { CliIo } from '../io.js';
import type { ImportDocxOptions } from './importDocxRun.js';

/** The `import-docx` command, printing to `io`; `fail` receives the exit code of a refusal. */
export function registerImportDocx(program: Command, io: CliIo, fail: (code: number) => void): void {
  program
    .command('import-docx')
    .description('bring the edits of a Word copy (tracked changes, comments, notes, signatories) back into the letter; prints a review, writes with --write')
    .argument('<docx>', 'the Word copy letterpress wrote, as partners sent it back')
    .option('-l, --letter <file>', 'the letter the Word copy was made from', 'letter.md')
    .option('--write', 'apply the changes to the letter (the default prints them and writes nothing)')
    .option('--reject', 'reject the tracked changes instead of accepting them')
    .option('--keep-tracked', 'leave tracked changes out of the letter (pending in Word); import only the untracked edits')
    .option('--apply-signatories', 'apply the proposed signatory changes to the data file (through the signatory editor and its duplicate checks)')
    .action(async (docx: string, opts: ImportDocxOptions) => {
      try {
        await (await import('./importDocxRun.js')).importDocxCommand(path.normalize(docx), opts, (t) => void io.stdout.write(t), (t) => void io.stderr.write(t));
      } catch (e) {
        fail(reportFailure(io, e, true));
      }
    });
}
