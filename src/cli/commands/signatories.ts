/**
 * `letterpress signatories add | remove | import | list`: the commands' options. The work (and the
 * loaders, zod, the Markdown parser) loads only when one runs (./signatoriesRun.ts), so `--help`
 * and the other commands do not pay for it.
 */
import type { Command } from 'commander';
import { FIELDS } from '../../model/signatoryFields.js';
import { reportFailure } from '../report.js';
import type { CliIo } from '../io.js';
import type { AddOptions, FileOptions, ImportFlags } from './signatoriesRun.js';

const run = () => import('./signatoriesRun.js');

/** The `signatories` commands, printing to `io`; `fail` receives the exit code of a refused edit. */
export function registerSignatories(program: Command, io: CliIo, fail: (code: number) => void): void {
  const group = program.command('signatories').description('add, remove, import (from a sign-up spreadsheet) or list signatories in the letter\'s data file (YAML, JSON or CSV)');
  const common = (cmd: Command) =>
    cmd.option('-l, --letter <file>', 'the letter whose data file to edit (default: letter.md, or the folder\'s only letter*.md)').option('--file <data>', 'edit this data file instead');

  const add = group
    .command('add')
    .description('add an organisation (--org) or an individual (--person)')
    .option('--org <name>', 'organisation name')
    .option('--person <name>', 'individual name')
    .option('--force', 'add it even if it looks like a name already listed')
    .option('--update', 'change the signatory already listed under this name (in any language): set the fields given, keep the others')
    .option('--name-in <lang=name>', 'the name in one language, e.g. --name-in ko=전환기정의워킹그룹 (repeat for more; an empty name removes that language)', (value: string, all: string[] = []) => [...all, value]);
  // One option per field of the schema (src/signatories/schema.ts).
  for (const f of FIELDS) if ('option' in f) add.option(f.option.flags, f.option.help);
  common(add).action(async (opts: AddOptions) => {
    try {
      await (await run()).addCommand(io, opts);
    } catch (err) {
      fail(reportFailure(io, err, true));
    }
  });

  common(group.command('remove').description('remove a signatory by name (its name in any language)').argument('<name>', 'the name, as listed in any language')).action(
    async (name: string, opts: FileOptions) => {
      try {
        await (await run()).removeCommand(io, name, opts);
      } catch (err) {
        fail(reportFailure(io, err, true));
      }
    },
  );

  common(
    group
      .command('import')
      .description('import a sign-up spreadsheet (.csv, .xlsx or .json): prints what is added, updated, skipped and refused')
      .argument('<spreadsheet>', 'the spreadsheet or form export')
      .option('-n, --dry-run', 'only print what the import would do; change nothing')
      .option('--org', 'every row is an organisation')
      .option('--person', 'every row is an individual')
      .option('--map <columns>', 'say which column is which field: "Header=name,Other header=country" (fields: name, country, title, sortAs, signedOn, kind, ignore)')
      .option('--sheet <name>', 'the sheet of an .xlsx workbook to read (default: the first)')
      .option('--date-order <order>', 'how numeric dates like 03/04/2023 are written, when no row tells: dmy or mdy')
      .option('--force', 'add rows that look like names already listed')
      .option('--all', 'list every name (default: the first 20 of each group)'),
  ).action(async (spreadsheet: string, opts: ImportFlags) => {
    try {
      const code = await (await run()).importCommand(io, spreadsheet, opts);
      if (code !== 0) fail(code);
    } catch (err) {
      fail(reportFailure(io, err, true));
    }
  });

  common(
    group
      .command('list')
      .description('print the list as the editions will show it')
      .option('--lang <code>', "sort for this language (default: the letter's; zh-CN, ko, en …)")
      .option('--check', 'also name the individuals sorted by a guessed family name (no sortAs)'),
  ).action(async (opts: FileOptions & { lang?: string; check?: boolean }) => {
    try {
      await (await run()).listCommand(io, opts);
    } catch (err) {
      fail(reportFailure(io, err, true));
    }
  });
}

