/**
 * A signatory command refused for its arguments (both --org and --person, an option that does not
 * apply, an empty name): a diagnostic on the command line, like every other problem. Refusals about
 * the data file itself are diagnostics on that file, with its line and column.
 */
import { VFile } from 'vfile';
import { BuildError, reportError } from '../diagnostics/index.js';

export class EditRefused extends BuildError {
  constructor(reason: string) {
    const file = new VFile({ path: 'command line' });
    reportError(file, reason, undefined, 'signatories-arguments');
    super([file]);
  }
}
