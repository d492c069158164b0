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
    .option('-l, --letter <file>', 'the letter the Word copy was made from (default: the one its name says, letter.ko.docx → letter.ko.md; else letter.md, or the folder\'s only letter*.md)')
    .option('--write', 'apply the changes to the letter (the default prints them and writes nothing)')
    .option('--reject', 'reject the tracked changes instead of accepting them')
    .option('--keep-tracked', 'leave tracked changes out of the letter (pending in Word); import only the untracked edits')
    .option('--apply-signatories', 'apply the proposed signatory changes to the data file (through the signatory editor and its duplicate checks)')
    .action(async (docx: string, opts: Omit<ImportDocxOptions, 'letter'> & { letter?: string }) => {
      try {
        const chosen = opts.letter !== undefined ? { letter: opts.letter } : (await import('../letters.js')).chooseLetter(io.cwd, 'letterpress import-docx copy.docx --letter my-letter.md', docx);
        if ('problem' in chosen) throw (await import('../../diagnostics/index.js')).fileFailure('.', chosen.problem, 'letter-missing');
        await (await import('./importDocxRun.js')).importDocxCommand(path.normalize(docx), { ...opts, letter: chosen.letter, chosen: opts.letter === undefined }, (t) => void io.stdout.write(t), (t) => void io.stderr.write(t));
      } catch (e) {
        fail(reportFailure(io, e, true));
      }
    });
}
