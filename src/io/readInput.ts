/** Reading input files (letter, data, template) with a positioned failure instead of an exception. */
import { readFile } from 'node:fs/promises';
import { fileFailure } from '../diagnostics/index.js';

/** Read an input file, or fail with a message naming it and saying what to check. */
export async function readInput(path: string, advice: string, ruleId: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw fileFailure(path, `Cannot read the file; ${advice}`, ruleId);
  }
}
