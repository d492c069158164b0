/**
 * Once per `vitest run`: every test file, and every letterpress process a test starts, gets one
 * private temporary folder (TMPDIR) instead of the system's. At the end the folder is removed,
 * and anything still in it is a test that did not clean up after itself: the run fails naming it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const runTmp = mkdtempSync(path.join(tmpdir(), 'letterpress-test-run-'));
  process.env.TMPDIR = runTmp; // inherited by the test workers, started after this
  return () => {
    const left = readdirSync(runTmp);
    rmSync(runTmp, { recursive: true, force: true });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0: fail the run through the exit code.
      process.stderr.write(`\nTests left ${left.length} temporary entr${left.length === 1 ? 'y' : 'ies'} behind (make them with scratch() from test/helpers.ts): ${left.join(', ')}\n`);
      process.exitCode = 1;
    }
  };
}
