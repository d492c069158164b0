/**
 * A font the template names cannot be used (missing file, outside the project, a collection, not
 * a font): a diagnostic on the font file (or the template) like every other problem.
 */
import { VFile } from 'vfile';
import { BuildError, reportError } from '../diagnostics/index.js';
import { shownPath } from '../io/paths.js';

export class FontProblem extends BuildError {
  constructor(reason: string, file: string) {
    const vfile = new VFile({ path: shownPath(file) });
    reportError(vfile, reason, undefined, 'font');
    super([vfile]);
  }
}
