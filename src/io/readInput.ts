/** Reading input files (letter, data, template) with a positioned failure instead of an exception. */
import { fileFailure } from '../diagnostics/index.js';
import { decodeInput, decodeText, type TextForm } from './decode.js';
import { readBounded, sizeText } from './readBounded.js';

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
  const read = await readBounded(path, maxBytes);
  if (!read.ok) {
    if (read.reason === 'missing') throw fileFailure(path, `Cannot read the file; ${advice}`, ruleId);
    if (read.reason === 'directory') throw fileFailure(path, `This is a folder, not a file; ${advice}`, ruleId);
    if (read.reason === 'special') throw fileFailure(path, `This is ${read.kind}, not a regular file; ${advice}`, 'input-not-a-file');
    throw fileFailure(path, `The file is ${read.size === undefined ? `larger than ${sizeText(maxBytes)}` : sizeText(read.size)}; this input is limited to ${sizeText(maxBytes)}.`, 'input-too-large');
  }
  const decoded = nfc ? decodeText(read.bytes) : decodeInput(read.bytes);
  if ('error' in decoded) throw fileFailure(path, decoded.error, decoded.ruleId, decoded.place);
  return decoded;
}

export async function readInput(path: string, advice: string, ruleId: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  return (await readInputWithForm(path, advice, ruleId, true, maxBytes)).text;
}

/** A file's text as the messages about it count lines and columns (decoded, NFC), for showing the line of a problem; undefined when it cannot be read. */
export async function readForExcerpt(path: string): Promise<string | undefined> {
  return readInput(path, '', 'excerpt').catch(() => undefined);
}
