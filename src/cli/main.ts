#!/usr/bin/env node
/**
 * letterpress command line (commander). Diagnostics print as `file:line:column severity message`;
 * any error exits with code 1.
 */
import { readFileSync } from 'node:fs';
import type { Format } from '../render/index.js';

// Each command imports what it needs when it runs (issue 12: `--version` in ≤ 0.12 s; loading
// the Markdown, PDF and DOCX code takes several times that). Only light modules load up front.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // What commander prints for `.version()`, without loading commander (a third of the time).
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}

// A reader that stops early (`letterpress signatories list | head`) closes the pipe: stop quietly,
// as command-line tools do, instead of failing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const { Command, InvalidArgumentError } = await import('commander');
const { ALL_FORMATS, parseFormats } = await import('../render/index.js');
const { printBuild, reportFailure } = await import('./report.js');
const { EXIT_INTERNAL, reportInternal } = await import('./internal.js');

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

interface BuildFlags {
  out?: string;
  format: Format[];
  wrap?: number;
  quiet?: boolean;
  check?: boolean;
}

const program = new Command();
program
  .name('letterpress')
  .description('Turn a joint letter in Markdown and a signatory list into PDF, DOCX, plain-text and HTML editions.')
  .version(pkg.version)
  .option('--debug', 'print the stack trace of an internal error (also LETTERPRESS_DEBUG=1)')
  .showHelpAfterError();

const withBuildFlags = (cmd: InstanceType<typeof Command>, letters = false) =>
  (letters
    ? cmd.argument('[letters...]', 'the letters in Markdown, e.g. letter.md letter.en.md letter.ko.md (one edition set each)', ['letter.md'])
    : cmd.argument('[letter]', 'the letter in Markdown', 'letter.md')
  )
    .option('-o, --out <dir>', 'folder for the editions (default: out/ beside the letter)')
    .option('-f, --format <list>', `editions to build, comma-separated (${ALL_FORMATS.join(',')})`, parseFormatList, ALL_FORMATS)
    .option('-w, --wrap <columns>', 'plain text: wrap at this many columns (CJK counts 2; 0 = no wrapping)', parseWrap)
    .option('-q, --quiet', 'print only problems');

withBuildFlags(program.command('build').description('build the editions of one or more letters (language editions sharing a signatory file)'), true)
  .option('-c, --check', 'also read the PDF back and run the full preflight (as `letterpress check` does) before writing')
  .action(async (letters: string[], opts: BuildFlags) => {
    const { build } = await import('./build.js');
    // One letter after the other, each with its own editions and manifest; one that fails
    // leaves the others built and the exit code 1.
    let failed = false;
    for (const letter of letters) {
      try {
        printBuild(await build(letter, { formats: opts.format, outDir: opts.out, wrap: opts.wrap, check: opts.check === true }), opts.quiet);
      } catch (err) {
        // With several letters, say which one wrote nothing (the others may have been built).
        reportFailure(err, false, letters.length > 1 ? letter : undefined);
        failed = true;
      }
    }
    if (failed) process.exitCode = 1;
  });

withBuildFlags(program.command('watch').description('rebuild every edition whenever the letter, its data, its template or a font changes')).action(
  async (letter: string, opts: BuildFlags) => {
    const { watch } = await import('./watch.js'); // chokidar loads only here
    const handle = watch(letter, { formats: opts.format, outDir: opts.out, wrap: opts.wrap }, {
      built: (result, trigger) => {
        process.stdout.write(`\n[${new Date().toLocaleTimeString()}] ${trigger.join(', ')}\n`);
        printBuild(result, opts.quiet);
      },
      failed: (err, trigger) => {
        process.stdout.write(`\n[${new Date().toLocaleTimeString()}] ${trigger.join(', ')}\n`);
        try {
          reportFailure(err);
        } catch (internal) {
          reportInternal(internal); // a bug is reported, and watching goes on
        }
        process.exitCode = 0;
      },
    });
    void handle.ready.then(() => process.stdout.write('Watching for changes (Ctrl-C to stop)…\n'));
    process.on('SIGINT', () => void handle.close().then(() => process.exit(0)));
  },
);

program
  .command('diff')
  .description('show what changed since the last build, or since a release that was sent (--since), without building')
  .argument('[letter]', 'the letter in Markdown', 'letter.md')
  .option('-o, --out <dir>', 'folder of the editions (default: out/ beside the letter)')
  .option('--since <release>', 'compare with a release recorded by "letterpress release": its name, or a date (YYYY-MM-DD: the last release on or before it)')
  .option('--all', 'list every name (default: the first 20 of each group)')
  .action(async (letter: string, opts: { out?: string; since?: string; all?: boolean }) => {
    const [{ loadLetter }, { defaultOutDir, editionBase }, { describeChanges, manifestOf, manifestPath, readManifest }, releases] = await Promise.all([
      import('../load/letter.js'),
      import('./build.js'),
      import('./manifest.js'),
      import('./releases.js'),
    ]);
    try {
      const loaded = await loadLetter(letter);
      if (opts.since !== undefined) {
        const file = releases.releasesPath(letter);
        const all = await releases.readReleases(file);
        const release = releases.findRelease(all, opts.since);
        if (!release) {
          const known = all.map((r) => `"${r.name}" (${r.recordedAt.slice(0, 10)})`).join(', ');
          const { fileFailure } = await import('../diagnostics/index.js');
          throw fileFailure(file, all.length === 0 ? 'No release is recorded yet: run "letterpress release NAME" after mailing the editions.' : `No release named "${opts.since}" or recorded on or before that date; the releases are ${known}.`, 'releases');
        }
        const lines = releases.formatSetChanges(releases.compareSets(release, releases.signatorySet(loaded.document)), opts.all ? Infinity : 20);
        const head = `Since release "${release.name}" (recorded ${release.recordedAt.slice(0, 10)}, as of ${release.asOf ?? '—'}):`;
        process.stdout.write(lines.length === 0 ? `${head} no signatory was added, removed or changed.\n` : `${head}\n${lines.join('\n')}\n`);
        return;
      }
      const file = manifestPath(editionBase(letter, opts.out ?? defaultOutDir(letter)));
      const changes = describeChanges(await readManifest(file), manifestOf(loaded), opts.all ? Infinity : undefined);
      process.stdout.write(changes.length === 0 ? 'No changes since the last build.\n' : `${changes.join('\n')}\n`);
    } catch (err) {
      reportFailure(err, true);
    }
  });

program
  .command('release')
  .description('record the editions just built as sent (signatories and edition hashes), in <letter>.releases.json beside the letter; commit that file')
  .argument('[name]', 'a name for this release (default: today, YYYY-MM-DD)')
  .option('-l, --letter <file>', 'the letter in Markdown', 'letter.md')
  .option('-o, --out <dir>', 'folder of the editions (default: out/ beside the letter)')
  .action(async (name: string | undefined, opts: { letter: string; out?: string }) => {
    const [{ loadLetter }, { defaultOutDir, editionBase }, { manifestOf, manifestPath, readManifest }, { recordRelease }] = await Promise.all([
      import('../load/letter.js'),
      import('./build.js'),
      import('./manifest.js'),
      import('./releases.js'),
    ]);
    try {
      const loaded = await loadLetter(opts.letter);
      const outDir = opts.out ?? defaultOutDir(opts.letter);
      const built = await readManifest(manifestPath(editionBase(opts.letter, outDir)));
      const releaseName = name ?? new Date().toISOString().slice(0, 10);
      const { file, release } = await recordRelease({ letterPath: opts.letter, name: releaseName, document: loaded.document, current: manifestOf(loaded), built, outDir });
      process.stdout.write(
        `Recorded release "${release.name}": ${release.organizations.length} organisation(s), ${release.individuals.length} individual(s), ${Object.keys(release.editions).join(', ')} in ${file}.\n` +
          `Commit ${file} with the letter; later, "letterpress diff --since ${release.name}" lists who is new.\n`,
      );
    } catch (err) {
      reportFailure(err, true);
    }
  });

program
  .command('check')
  .description('preflight a PDF made by letterpress: fonts embedded, no broken glyph, margins, notes on their pages, tags')
  .argument('<pdf>', 'the PDF to check')
  .action(async (file: string) => {
    try {
      process.exitCode = await (await import('./commands/check.js')).checkCommand(file);
    } catch (err) {
      reportFailure(err, true);
    }
  });

(await import('./commands/signatories.js')).registerSignatories(program);
(await import('./commands/serve.js')).registerServe(program, parseFormatList);

// An error outside any command's own handling (a callback, a stray promise) is a bug too.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    reportInternal(err);
    process.exit(EXIT_INTERNAL);
  });
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  reportInternal(err);
  process.exitCode = EXIT_INTERNAL;
}
