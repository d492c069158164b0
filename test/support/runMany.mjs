/**
 * Several letterpress commands in this one process, each through the compiled command line's
 * entry (dist/cli/program.js) in its own folder: hostile.test.ts starts it as another user
 * (`runuser`), one process for all its other-user cases instead of one each. Argument: a JSON
 * list of { args, cwd }; output: a JSON list of { code, stdout, stderr }, in the same order.
 */
import { runCli } from '../../dist/cli/program.js';

const results = [];
for (const { args, cwd } of JSON.parse(process.argv[2] ?? '[]')) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: { write: (t) => (stdout += t) }, stderr: { write: (t) => (stderr += t) } });
  results.push({ code, stdout, stderr });
}
process.stdout.write(JSON.stringify(results));
