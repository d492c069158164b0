/** Reading input files (letter, data, template) with a positioned failure instead of an exception. */
import { readFile, stat } from 'node:fs/promises';
import { BuildError, fileFailure } from '../diagnostics/index.js';
import { decodeInput, decodeText, type TextForm } from './decode.js';

/** Inputs larger than this are refused before they are read (a letter is a few dozen KB). */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/**
 * Read and decode an input file, or fail with a message naming it and saying what to check.
 * `nfc: false` keeps the text as stored (for editing it in place).
 */
export async function readInputWithForm(
  path: string,
  advice: string,
  ruleId: string,
  nfc = true,
  maxBytes = MAX_INPUT_BYTES,
): Promise<{ text: string } & TextForm> {
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw fileFailure(path, `This is a folder, not a file; ${advice}`, ruleId);
    if (info.size > maxBytes) {
      const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);
      throw fileFailure(path, `The file is ${size(info.size)}; this input is limited to ${size(maxBytes)}.`, 'input-too-large');
    }
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw fileFailure(path, `Cannot read the file; ${advice}`, ruleId);
  }
  const decoded = nfc ? decodeText(bytes) : decodeInput(bytes);
  if ('error' in decoded) throw fileFailure(path, decoded.error, decoded.ruleId, decoded.place);
  return decoded;
}

export async function readInput(path: string, advice: string, ruleId: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  return (await readInputWithForm(path, advice, ruleId, true, maxBytes)).text;
}
