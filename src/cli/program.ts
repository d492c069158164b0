/**
 * The letterpress command line as a function: `runCli(argv, io)` parses the arguments with
 * commander, runs one command and resolves with its exit code. It never calls `process.exit`
 * and writes only to `io.stdout` / `io.stderr`, so tests (and other programs) run the CLI in
 * their own process; `main.ts` is the launcher that wires it to the real process.
 *
 * Diagnostics print as `file:line:column severity message`. Exit codes: 0 done, 1 the input has
 * problems (or a check failed), 70 a bug in letterpress (see internal.ts), and commander's own
 * code for a usage error.
 *
 * The loaders name files relative to the working folder (`process.cwd()`), so while a run is
 * under way the process works in `io.cwd` (and returns to its own folder after); runs in one
 * process are queued one after the other, so a `watch` run holds the queue until `io.signal`
 * (or Ctrl-C) stops it. A worker thread cannot change folder: there `io.cwd` must be the
 * process's folder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command as CommandType } from 'commander';
import type { Format } from '../render/index.js';
import type { CliIo, CliOutput } from './io.js';
import { printable } from '../diagnostics/index.js';
import type { InitLanguage } from '../init/index.js';

export type { CliIo, CliOutput } from './io.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

interface BuildFlags {
  out?: string;
  format: Format[];
  wrap?: number;
  quiet?: boolean;
  check?: boolean;
  perRecipient?: boolean;
  envelopes?: boolean;
  envelopeLayout?: 'DL' | 'C5' | 'CN';
  labels?: boolean;
  /** False with --no-cache. */
  cache: boolean;
}

/** An output that writes control characters other than line breaks and tabs escaped. */
function terminalSafe(out: CliOutput): CliOutput {
  return { write: (text: string) => out.write(printable(text, true)) };
}

/** Runs queued in this process: each one works in its own folder. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Run `letterpress ARGV…` (`argv` without the node and script paths, as `process.argv.slice(2)`)
 * and resolve with the exit code.
 */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Whatever a message quotes from the inputs, no escape sequence reaches the terminal.
  const own = { ...io, cwd: path.resolve(io.cwd), stdout: terminalSafe(io.stdout), stderr: terminalSafe(io.stderr) };
  const run = queue.then(() => inFolder(own.cwd, () => runProgram([...argv], own)));
  queue = run.catch(() => undefined);
  return run;
}

async function inFolder<T>(cwd: string, work: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  if (cwd === previous) return work();
  process.chdir(cwd);
  try {
    return await work();
  } finally {
    process.chdir(previous);
  }
}

/**
 * Every command's path in the command tree ([] for the program itself, ['signatories', 'add'] …):
 * the help pages the launcher answers without loading the program (scripts/bundle.mjs).
 */
export async function commandPaths(): Promise<string[][]> {
  const paths: string[][] = [];
  const silent = { write: () => undefined };
  const walk = (cmd: CommandType, at: string[]) => {
    paths.push(at);
    for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...at, sub.name()]);
  };
  await runProgram([], { cwd: process.cwd(), stdout: silent, stderr: silent }, (program) => walk(program, []));
  return paths;
}

async function runProgram(argv: string[], io: CliIo, defined?: (program: CommandType) => void): Promise<number> {
  // Each command imports what it needs when it runs: loading the Markdown, PDF and DOCX code
  // takes several times what `--help` or a usage error needs.
  const [{ Command, CommanderError, InvalidArgumentError, Option }, { INIT_LANGUAGES }, { ALL_FORMATS, parseFormats }, { printBuild, printFailure, reportFailure }, { EXIT_INTERNAL, debugEnabled, reportInternal }] = await Promise.all([
    import('commander'),
    import('../init/index.js'),
    import('../render/index.js'),
    import('./report.js'),
    import('./internal.js'),
  ]);
  let exitCode = 0;
  const debug = debugEnabled(argv, io.env);

  const parseWrap = (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('give a whole number of columns (0 = no wrapping)');
    return n;
  };
  const parseEnvelopeLayout = (value: string): 'DL' | 'C5' | 'CN' => {
    const layout = value.trim().toUpperCase();
    if (layout === 'DL' || layout === 'C5' || layout === 'CN') return layout;
    throw new InvalidArgumentError('choose DL or C5 (international post) or CN (Chinese domestic envelope)');
  };
  const parseFormatList = (value: string): Format[] => {
    const parsed = parseFormats(value);
    if ('error' in parsed) throw new InvalidArgumentError(parsed.error);
    return parsed;
  };

  const program = new Command();
  // Before any subcommand exists: subcommands inherit both settings.
  program.exitOverride().configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  program
    .name('letterpress')
    .description('Turn a joint letter in Markdown and a signatory list into PDF, DOCX, plain-text and HTML editions.')
    .version(pkg.version)
    .option('--debug', 'print the stack trace of an internal error (also LETTERPRESS_DEBUG=1)')
    .showHelpAfterError();

  const withBuildFlags = (cmd: CommandType) =>
    cmd
      .argument('[letters...]', 'the letters in Markdown, e.g. letter.md letter.en.md letter.ko.md (one edition set each; default: every letter*.md of the folder)')
      .option('-o, --out <dir>', 'folder for the editions (default: out/ beside the letter)')
      .option('-f, --format <list>', `editions to build, comma-separated (${ALL_FORMATS.join(',')})`, parseFormatList, ALL_FORMATS)
      .option('-w, --wrap <columns>', 'plain text: wrap at this many columns (CJK counts 2; 0 = no wrapping)', parseWrap)
      .option('-q, --quiet', 'print only problems')
      .option('--no-cache', 'make the font subsets afresh, neither reading nor writing the cache folder (the editions are the same)');

  /** Say why no letter can be worked on (the working folder's), exit code 1. */
  const noLetter = async (problem: string): Promise<null> => {
    const { fileFailure, toDiagnostics } = await import('../diagnostics/index.js');
    exitCode = printFailure(io, toDiagnostics(fileFailure('.', problem, 'letter-missing').files), true);
    return null;
  };

  /** The letters named, or every letter*.md of the working folder; null (reported) when there is none. */
  const lettersOr = async (letters: string[]): Promise<string[] | null> => {
    if (letters.length > 0) return letters;
    const { findLetters, noLetterProblem } = await import('./letters.js');
    const found = findLetters(io.cwd);
    return found.length > 0 ? found : noLetter(noLetterProblem(io.cwd, 'letterpress build my-letter.md'));
  };

  /** The letter named, or the folder's one letter (letter.md first); null (reported) when there is none to choose. */
  const letterOr = async (named: string | undefined, example: string): Promise<string | null> => {
    if (named !== undefined) return named;
    const chosen = (await import('./letters.js')).chooseLetter(io.cwd, example);
    return 'letter' in chosen ? chosen.letter : noLetter(chosen.problem);
  };

  withBuildFlags(program.command('build').description('build the editions of one or more letters (language editions sharing a signatory file)'))
    .option('-c, --check', 'also read the PDF back and run the full preflight (as `letterpress check` does) before writing')
    .option('--per-recipient', 'also one mailing PDF per addressee (letter.to-NAME.pdf) and all copies in one print file (letter.print.pdf)')
    .option('--envelopes', "also envelopes, one per addressee (letter.envelopes.pdf), in the template's layout")
    .option('--envelope-layout <layout>', 'envelopes in this layout: DL or C5 (international, address in the window area) or CN (Chinese domestic); implies --envelopes', parseEnvelopeLayout)
    .option('--labels', 'also an A4 sheet of address labels, 3 × 8 (letter.labels.pdf)')
    .action(async (named: string[], opts: BuildFlags) => {
      const found = await lettersOr(named);
      if (!found) return;
      const [{ writeLetter }, { printWritten }, { defaultOutDir, editionBase }, { distinctLetters, refuseSharedEditions }] = await Promise.all([
        import('../api/index.js'),
        import('./report.js'),
        import('../build/build.js'),
        import('../build/outputs.js'),
      ]);
      const letters = distinctLetters(found);
      try {
        refuseSharedEditions(letters, (letter) => editionBase(letter, opts.out ?? defaultOutDir(letter)));
      } catch (err) {
        exitCode = reportFailure(io, err);
        return;
      }
      // One letter after the other, each with its own editions and manifest; one that fails
      // leaves the others built and the exit code 1.
      for (const letter of letters) {
        const started = performance.now();
        const mailing = {
          ...(opts.perRecipient ? { perRecipient: true } : {}),
          ...(opts.envelopeLayout ? { envelopes: opts.envelopeLayout } : opts.envelopes ? { envelopes: true } : {}),
          ...(opts.labels ? { labels: true } : {}),
        };
        const result = await writeLetter(letter, { formats: opts.format, outDir: opts.out, wrap: opts.wrap, check: opts.check === true, cache: opts.cache, ...mailing });
        if (result.ok) printWritten(io, result, performance.now() - started, opts.quiet);
        // With several letters, say which one wrote nothing (the others may have been built).
        else exitCode = printFailure(io, result.diagnostics, false, letters.length > 1 ? letter : undefined, result.replaced);
      }
    });

  withBuildFlags(program.command('watch').description('rebuild the editions of one or more letters whenever a letter, its data, letter.yaml, its template or a font changes')).action(
    async (named: string[], opts: BuildFlags) => {
      const letters = await lettersOr(named);
      if (!letters) return;
      const { watchLetters } = await import('./watch.js'); // chokidar loads only here
      const stamp = (trigger: string[], letter: string) =>
        io.stdout.write(`\n[${new Date().toLocaleTimeString()}] ${letters.length > 1 ? `${path.relative(io.cwd, letter) || letter}: ` : ''}${trigger.join(', ')}\n`);
      const handle = watchLetters(letters, { formats: opts.format, outDir: opts.out, wrap: opts.wrap, cache: opts.cache }, {
        built: (result, trigger) => {
          stamp(trigger, result.letter.inputs.letter);
          printBuild(io, result, opts.quiet);
        },
        failed: (err, trigger, letter) => {
          stamp(trigger, letter);
          try {
            reportFailure(io, err); // a failed rebuild is reported, and watching goes on
          } catch (internal) {
            reportInternal(io, internal, debug); // so is a bug
          }
        },
      });
      void handle.ready.then(() => io.stdout.write('Watching for changes (Ctrl-C to stop)…\n'));
      // Until Ctrl-C (or the caller's signal): then stop watching, exit 0.
      await (await import('./io.js')).untilStopped(io, ['SIGINT']);
      await handle.close();
    },
  );

  program
    .command('diff')
    .description('show what changed since the last build, or since a release that was sent (--since), without building')
    .argument('[letter]', 'the letter in Markdown (default: letter.md, or the folder\'s only letter*.md)')
    .option('-o, --out <dir>', 'folder of the editions (default: out/ beside the letter)')
    .option('--since <release>', 'compare with a release recorded by "letterpress release": its name, or a date (YYYY-MM-DD: the last release on or before it)')
    .option('--all', 'list every name (default: the first 20 of each group)')
    .action(async (named: string | undefined, opts: { out?: string; since?: string; all?: boolean }) => {
      const letter = await letterOr(named, 'letterpress diff my-letter.md');
      if (letter === null) return;
      const [{ loadLetter }, { defaultOutDir, editionBase }, { describeChanges, manifestOf, manifestPath, readManifest }, { buildFrame }, releases] = await Promise.all([
        import('../load/letter.js'),
        import('../build/build.js'),
        import('../build/manifest.js'),
        import('../frame/index.js'),
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
          io.stdout.write(lines.length === 0 ? `${head} no signatory was added, removed or changed.\n` : `${head}\n${lines.join('\n')}\n`);
          return;
        }
        const file = manifestPath(editionBase(letter, opts.out ?? defaultOutDir(letter)));
        const changes = describeChanges(await readManifest(file), manifestOf(loaded, buildFrame(loaded.document)), opts.all ? Infinity : undefined);
        io.stdout.write(changes.length === 0 ? 'No changes since the last build.\n' : `${changes.join('\n')}\n`);
      } catch (err) {
        exitCode = reportFailure(io, err, true);
      }
    });

  program
    .command('release')
    .description('record the editions just built as sent (signatories and edition hashes), in <letter>.releases.json beside the letter; commit that file')
    .argument('[name]', 'a name for this release (default: today, YYYY-MM-DD)')
    .option('-l, --letter <file>', 'the letter in Markdown (default: letter.md, or the folder\'s only letter*.md)')
    .option('-o, --out <dir>', 'folder of the editions (default: out/ beside the letter)')
    .action(async (name: string | undefined, opts: { letter?: string; out?: string }) => {
      const letter = await letterOr(opts.letter, 'letterpress release --letter my-letter.md');
      if (letter === null) return;
      const [{ loadLetter }, { defaultOutDir, editionBase }, { manifestOf, manifestPath, readManifest }, { buildFrame }, { recordRelease }] = await Promise.all([
        import('../load/letter.js'),
        import('../build/build.js'),
        import('../build/manifest.js'),
        import('../frame/index.js'),
        import('./releases.js'),
      ]);
      try {
        const loaded = await loadLetter(letter);
        const outDir = opts.out ?? defaultOutDir(letter);
        const built = await readManifest(manifestPath(editionBase(letter, outDir)));
        const releaseName = name ?? (await import('../model/types.js')).today();
        const { file, release } = await recordRelease({ letterPath: letter, name: releaseName, document: loaded.document, current: manifestOf(loaded, buildFrame(loaded.document)), built, outDir });
        io.stdout.write(
          `Recorded release "${release.name}": ${release.organizations.length} organisation(s), ${release.individuals.length} individual(s), ${Object.keys(release.editions).join(', ')} in ${file}.\n` +
            `Commit ${file} with the letter; later, "letterpress diff --since ${release.name}" lists who is new.\n`,
        );
      } catch (err) {
        exitCode = reportFailure(io, err, true);
      }
    });

  program
    .command('check')
    .description('preflight a PDF made by letterpress: fonts embedded, no broken glyph, margins, notes on their pages, tags')
    .argument('<pdf>', 'the PDF to check')
    .action(async (file: string) => {
      try {
        exitCode = await (await import('./commands/check.js')).checkCommand(io, file);
      } catch (err) {
        exitCode = reportFailure(io, err, true);
      }
    });

  program
    .command('init')
    .description('start a new letter project: letter.md (with one footnote), signatories.yaml and a .gitignore for out/')
    .argument('[folder]', 'where (made if missing)', '.')
    .addOption(new Option('--lang <lang>', 'language of the letter').choices(INIT_LANGUAGES).default('zh-CN'))
    .action(async (folder: string, opts: { lang: InitLanguage }) => {
      const { initProject } = await import('../api/index.js');
      const result = await initProject(path.resolve(io.cwd, folder), { lang: opts.lang });
      if (!result.ok) {
        exitCode = printFailure(io, result.diagnostics, true);
        return;
      }
      for (const file of result.created) io.stdout.write(`  created ${path.relative(io.cwd, file) || file}\n`);
      const into = path.relative(io.cwd, result.folder);
      io.stdout.write(`\nNext:${into ? ` cd ${into} &&` : ''} letterpress build    (editions in out/; edit letter.md and signatories.yaml, then build again)\n`);
    });

  (await import('./commands/signatories.js')).registerSignatories(program, io, (code) => (exitCode = code));
  (await import('./commands/importDocx.js')).registerImportDocx(program, io, (code) => (exitCode = code));
  (await import('./commands/serve.js')).registerServe(program, io, parseFormatList, (code) => (exitCode = code), lettersOr);

  if (defined) {
    defined(program);
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    // --help, --version and usage errors: commander has printed what to say.
    if (err instanceof CommanderError) return err.exitCode;
    reportInternal(io, err, debug);
    return EXIT_INTERNAL;
  }
}
