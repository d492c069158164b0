/** Where a run of the command line reads and writes: the real process (main.ts) or a caller's own. */

/** A stream the CLI prints to (process.stdout, a PassThrough, a collector in a test). */
export interface CliOutput {
  write(text: string): unknown;
}

export interface CliIo {
  /** The working folder: relative paths in the arguments are read from here. */
  cwd: string;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Environment (LETTERPRESS_DEBUG); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Stops `watch`, which otherwise runs until Ctrl-C (SIGINT). */
  signal?: AbortSignal;
}

/** Resolves when one of `signals` reaches the process or the caller's `io.signal` aborts (watch, serve). */
export function untilStopped(io: CliIo, signals: readonly NodeJS.Signals[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      for (const s of signals) process.off(s, stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    for (const s of signals) process.on(s, stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
}
