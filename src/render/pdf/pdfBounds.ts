/**
 * Bounds on a PDF before pdfjs-dist reads it, so that `letterpress check` on a crafted file ends
 * in a message rather than exhausting memory, time or the call stack: pdfjs inflates streams
 * without a limit and parses nested arrays and dictionaries recursively. One linear pass over
 * the file (and over each inflated stream): every Flate stream is inflated with a ceiling on its
 * output and on the total, and the nesting of arrays and dictionaries is counted.
 *
 * The limits are far beyond any letter: letterpress's own PDFs nest 5 deep and their largest
 * inflated stream (a CJK font subset) is a few MB.
 */
import { inflateSync, constants as zlib } from 'node:zlib';

export const MAX_STREAM_BYTES = 32 * 1024 * 1024;
export const MAX_INFLATED_TOTAL = 64 * 1024 * 1024;
export const MAX_PDF_NESTING = 64;
/** Pages read by the preflight (each is parsed and its drawing listed). */
export const MAX_PDF_PAGES = 1000;

export class PdfRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfRefused';
  }
}

const LT = 0x3c;
const GT = 0x3e;
const LB = 0x5b;
const RB = 0x5d;
const LP = 0x28;
const RP = 0x29;
const BS = 0x5c;
const PCT = 0x25;

/** Whether `bytes` at `i` holds the ASCII `word`. */
function at(bytes: Uint8Array, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** The end of a literal string starting at `i` (its opening parenthesis); strings nest. */
function skipString(bytes: Uint8Array, i: number): number {
  let depth = 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === BS) i++;
    else if (b === LP) depth++;
    else if (b === RP && --depth === 0) return i + 1;
  }
  return i;
}

const isDelimiterOrSpace = (b: number | undefined) => b === undefined || b <= 0x20 || '()<>[]{}/%'.includes(String.fromCharCode(b));

/**
 * Walk `bytes` once: count nesting, and hand each stream's data (from after `stream` to before
 * `endstream`) with the dictionary text before it to `onStream`. Throws PdfRefused past the
 * nesting limit.
 */
function walk(bytes: Uint8Array, where: string, onStream?: (dictionary: string, data: Uint8Array) => void): void {
  let depth = 0;
  let dictStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === PCT) {
      while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
    } else if (b === LP) {
      i = skipString(bytes, i) - 1;
    } else if (b === LB || (b === LT && bytes[i + 1] === LT)) {
      if (depth === 0) dictStart = i;
      if (++depth > MAX_PDF_NESTING) throw new PdfRefused(`${where} nests arrays or dictionaries more than ${MAX_PDF_NESTING} levels deep`);
      if (b === LT) i++;
    } else if (b === RB || (b === GT && bytes[i + 1] === GT)) {
      depth = Math.max(0, depth - 1);
      if (b === GT) i++;
    } else if (b === LT) {
      while (i < bytes.length && bytes[i] !== GT) i++; // a hex string
    } else if (b === 0x73 && at(bytes, i, 'stream') && isDelimiterOrSpace(bytes[i - 1]) && (bytes[i + 6] === 0x0a || bytes[i + 6] === 0x0d)) {
      let start = i + 6;
      if (bytes[start] === 0x0d) start++;
      if (bytes[start] === 0x0a) start++;
      const end = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('endstream', start, 'latin1');
      const stop = end < 0 ? bytes.length : end;
      onStream?.(Buffer.from(bytes.subarray(dictStart, i)).toString('latin1'), bytes.subarray(start, stop));
      i = stop + 'endstream'.length - 1;
      depth = 0;
    }
  }
}

/** Inflate at most `limit` bytes of `data`: 'too-large' past it; null for data that is not Flate (pdfjs cannot read it either). */
function inflateBounded(data: Uint8Array, limit: number): Buffer | 'too-large' | null {
  try {
    return inflateSync(data, { maxOutputLength: limit, finishFlush: zlib.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return 'too-large';
    return null;
  }
}

/** Refuse a PDF that is nested too deep or whose streams inflate past the limits (PdfRefused). */
export function checkPdfBounds(bytes: Uint8Array): void {
  let total = 0;
  let streams = 0;
  walk(bytes, 'the PDF', (dictionary, data) => {
    streams++;
    if (!/\/FlateDecode/.test(dictionary.slice(-4096))) return;
    const where = `stream ${streams} of the PDF`;
    const budget = MAX_INFLATED_TOTAL - total;
    const inflated = inflateBounded(data, Math.min(MAX_STREAM_BYTES, budget));
    if (inflated === 'too-large') {
      throw new PdfRefused(
        budget < MAX_STREAM_BYTES
          ? `the PDF's streams inflate to more than ${MAX_INFLATED_TOTAL / 1024 / 1024} MB in all`
          : `${where} inflates to more than ${MAX_STREAM_BYTES / 1024 / 1024} MB`,
      );
    }
    if (!inflated) return;
    total += inflated.byteLength;
    // Object streams and content streams are parsed too: the same nesting limit inside them.
    if (/\/Type\s*\/ObjStm/.test(dictionary) || !/\/Subtype|\/Length1|\/FontFile/.test(dictionary)) walk(inflated, where);
  });
}
