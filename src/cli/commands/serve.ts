/** `letterpress serve [letters...]`: the preview and editing page (src/cli/serve/). */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ALL_FORMATS, type Format } from '../../render/index.js';
import { untilStopped, type CliIo } from '../io.js';

interface ServeFlags {
  port: number;
  host?: string;
  open?: boolean;
  out?: string;
  format: Format[];
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('give a port number from 1 to 65535 (0: any free port)');
  return n;
}

export const DEFAULT_PORT = 4747;

/**
 * The `serve` command, printing to `io`; it runs until Ctrl-C or the caller's signal. `fail` receives an exit code;
 * `lettersOr` gives the letters named or the folder's letter*.md (null when it reported that there is none).
 */
export function registerServe(
  program: Command,
  io: CliIo,
  parseFormatList: (value: string) => Format[],
  fail: (code: number) => void,
  lettersOr: (named: string[]) => Promise<string[] | null>,
): void {
  program
    .command('serve')
    .description('open a local page with the pages as they will print, the problems, the signatory list (add, edit, remove) and the downloads; rebuilt on every change')
    .argument('[letters...]', 'the letters in Markdown, one tab each (default: every letter*.md of the folder)')
    .option('-p, --port <port>', `port to listen on (default ${DEFAULT_PORT}; 0: any free port)`, parsePort, DEFAULT_PORT)
    .option('--host <address>', 'listen on this address instead of 127.0.0.1 (other computers could then reach the page; the token still guards it)')
    .option('--open', 'open the page in the default browser')
    .option('-o, --out <dir>', 'folder for the editions (default: out/ beside the letter)')
    .option('-f, --format <list>', `editions to build, comma-separated (${ALL_FORMATS.join(',')})`, parseFormatList, ALL_FORMATS)
    .action(async (named: string[], opts: ServeFlags) => {
      const letters = await lettersOr(named);
      if (!letters) return;
      const { startServer } = await import('../serve/server.js');
      if (opts.host && !['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
        io.stderr.write(
          `Warning: listening on ${opts.host}, not only on this computer (127.0.0.1). Anyone who can reach that address and has the printed link can edit the signatory list.\n`,
        );
      }
      let running;
      try {
        running = await startServer({ letters, port: opts.port, host: opts.host, outDir: opts.out, formats: opts.format, log: io.stderr });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw err;
        io.stderr.write(
          code === 'EADDRINUSE'
            ? `Port ${opts.port} is in use (another letterpress serve?): give another one with --port, or --port 0 for any free port.\n`
            : `Cannot listen on ${opts.host}: this computer has no such address.\n`,
        );
        fail(1);
        return;
      }
      io.stdout.write(`letterpress is serving ${letters.join(', ')} at\n\n  ${running.url}\n\nOpen that address (it holds this session's key). Ctrl-C to stop.\n`);
      void running.ready.then(() => io.stdout.write('First build done; the page updates on every change.\n'));
      if (opts.open) {
        const { default: open } = await import('open');
        await open(running.url).catch(() => io.stderr.write('Could not open a browser; open the address above.\n'));
      }
      // Until Ctrl-C, SIGTERM or the caller's signal: then stop serving, exit 0.
      await untilStopped(io, ['SIGINT', 'SIGTERM']);
      await running.close();
    });
}
