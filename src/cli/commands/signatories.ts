/** `letterpress signatories add | remove | list`: edit the data file named by the letter. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { EditRefused } from '../../signatories/errors.js';
import type { NewSignatory } from '../../signatories/edit.js';
import { reportFailure } from '../report.js';

// Loaded when a signatories command runs, not when the command line starts.
const edits = () => import('../../signatories/edit.js');

interface FileOptions {
  letter: string;
  file?: string;
}

/** The data file: --file, or the `signatories` field of the letter. */
async function dataFile(options: FileOptions): Promise<{ file: string; lang: string; date: string }> {
  if (options.file) return { file: options.file, lang: 'und', date: new Date().toISOString().slice(0, 10) };
  let text: string;
  try {
    text = await readFile(options.letter, 'utf8');
  } catch {
    throw new EditRefused(`${options.letter}: cannot read the letter; give --letter or --file.`);
  }
  const [{ VFile }, { parseMarkdown }, { readFrontMatter }, { BuildError, reportError }] = await Promise.all([
    import('vfile'),
    import('../../parse/parseMarkdown.js'),
    import('../../load/frontMatter.js'),
    import('../../diagnostics/index.js'),
  ]);
  const vfile = new VFile({ path: options.letter, value: text });
  const meta = readFrontMatter(vfile, parseMarkdown(text));
  if (!meta) throw new BuildError([vfile]);
  if (!meta.signatories) {
    reportError(vfile, 'The letter names no signatory file: add `signatories: signatories.yaml` to its front matter.', { line: 1, column: 1 }, 'signatories-missing');
    throw new BuildError([vfile]);
  }
  return { file: path.join(path.dirname(options.letter), meta.signatories), lang: meta.lang, date: meta.date };
}

const today = () => new Date().toISOString().slice(0, 10);

export function registerSignatories(program: Command): void {
  const group = program.command('signatories').description('add, remove or list signatories in the letter\'s data file (YAML, JSON or CSV)');
  const common = (cmd: Command) =>
    cmd.option('-l, --letter <file>', 'the letter whose data file to edit', 'letter.md').option('--file <data>', 'edit this data file instead');

  common(
    group
      .command('add')
      .description('add an organisation (--org) or an individual (--person)')
      .option('--org <name>', 'organisation name')
      .option('--country <country>', 'organisation country')
      .option('--person <name>', 'individual name')
      .option('--title <title>', 'individual title or affiliation')
      .option('--sort-as <family>', 'individual family name, for sorting')
      .option('--date <yyyy-mm-dd>', 'signing date (default: today); moves the list\'s as-of date forward'),
  ).action(async (opts: FileOptions & { org?: string; country?: string; person?: string; title?: string; sortAs?: string; date?: string }) => {
    try {
      if ((opts.org === undefined) === (opts.person === undefined)) throw new EditRefused('Give either --org "NAME" or --person "NAME".');
      const { file } = await dataFile(opts);
      const entry: NewSignatory = opts.org !== undefined
        ? { kind: 'organization', name: opts.org, ...(opts.country ? { country: opts.country } : {}) }
        : { kind: 'individual', name: opts.person as string, ...(opts.title ? { title: opts.title } : {}), ...(opts.sortAs ? { sortAs: opts.sortAs } : {}) };
      entry.signedOn = opts.date ?? today();
      await (await edits()).addSignatory(file, entry);
      process.stdout.write(`Added ${entry.kind} "${entry.name.trim()}" to ${file}. Run "letterpress build" to rebuild the editions.\n`);
    } catch (err) {
      reportFailure(err, true);
    }
  });

  common(group.command('remove').description('remove a signatory by name').argument('<name>', 'the name, as listed')).action(
    async (name: string, opts: FileOptions) => {
      try {
        const { file } = await dataFile(opts);
        const removed = await (await edits()).removeSignatory(file, name);
        process.stdout.write(`Removed ${removed.kind} "${removed.name}" from ${file}. Run "letterpress build" to rebuild the editions.\n`);
      } catch (err) {
        reportFailure(err, true);
      }
    },
  );

  common(group.command('list').description('print the list as the editions will show it')).action(async (opts: FileOptions) => {
    try {
      const { file, lang, date } = await dataFile(opts);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        throw new EditRefused(`${file}: cannot read the signatory file.`);
      }
      const { signatoriesFromText } = await import('../../signatories/index.js');
      const { list } = signatoriesFromText(file, text, lang, date);
      const out = [`${file}: ${list.organizations.length} organisation(s), ${list.individuals.length} individual(s), as of ${list.asOf}`, ''];
      out.push('Organisations:', ...list.organizations.map((o) => `  ${o.name}${o.country ? ` / ${o.country}` : ''}`), '');
      out.push('Individuals:', ...list.individuals.map((p) => `  ${p.name}${p.title ? ` / ${p.title}` : ''}`));
      process.stdout.write(`${out.join('\n')}\n`);
    } catch (err) {
      reportFailure(err, true);
    }
  });
}
