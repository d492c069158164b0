/**
 * Bytes of an input file → text, or a positioned refusal. UTF-8 with or without BOM is read;
 * UTF-16 with a BOM (what Excel saves as "Unicode text") is read too; anything else that is not
 * valid UTF-8 is refused at its first bad byte, naming the encoding it most likely is (GB18030,
 * Big5, Shift_JIS, EUC-KR or Windows-1252), since a letter saved in a legacy encoding would
 * otherwise surface much later as `No font has "�"`. NUL bytes are refused (a binary file).
 * Text is normalised to NFC so that a decomposed accent (o + U+0301) is one character from here on.
 */
import type { Position } from '../diagnostics/index.js';
import { at } from '../util/checked.js';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Decoded text (without its BOM) and how it was stored, so that an editor can write it back alike. */
export interface TextForm {
  encoding: Encoding;
  bom: boolean;
}

export type Decoded = ({ text: string } & TextForm) | { error: string; place?: Position; ruleId: string };

/** Line and column (1-based, columns in characters) of a byte offset in valid UTF-8 bytes. */
function placeOfByte(bytes: Uint8Array, offset: number): Position {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: [...(lines.at(-1) ?? '')].length + 1 };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstBadUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = at(bytes, i);
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // overlong forms, surrogates and code points above U+10FFFF
    const c1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 >= 0xa0) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 >= 0x90)) return i;
    i += need + 1;
  }
  return -1;
}

/** The text of valid UTF-8 bytes (without a BOM), or null. */
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** How many characters of a script `bytes` decode to in `label`, or -1 if they do not decode. */
function countIn(bytes: Uint8Array, label: string, script: RegExp): number {
  try {
    return (new TextDecoder(label, { fatal: true }).decode(bytes).match(script) ?? []).length;
  } catch {
    return -1;
  }
}

/**
 * Which legacy encoding the bytes are probably in. Byte statistics cannot tell GB18030 from Big5
 * or EUC-KR for short texts, so the message names the family: Japanese when the bytes decode as
 * Shift_JIS with kana and no half-width katakana (which Chinese bytes would produce); Chinese
 * when they decode as GB18030 or Big5 into ideographs; Western (Windows-1252) otherwise.
 */
function guessEncoding(bytes: Uint8Array): string {
  // Korean: nearly every non-ASCII character decodes as EUC-KR to a Hangul syllable (Chinese
  // GB bytes decoded so give a mix of Hangul and Hanja, or sequences EUC-KR does not have).
  const hangul = countIn(bytes, 'euc-kr', /[\uac00-\ud7a3]/gu);
  const nonAscii = countIn(bytes, 'euc-kr', /[^\u0000-\u007f]/gu);
  if (hangul > 0 && hangul >= 0.9 * nonAscii) return 'EUC-KR';
  const kana = countIn(bytes, 'shift_jis', /[\p{Script=Hiragana}\u30a0-\u30ff]/gu);
  const halfwidth = countIn(bytes, 'shift_jis', /[\uff61-\uff9f]/gu);
  if (kana > 0 && halfwidth === 0) return 'Shift_JIS';
  const han = /[\p{Script=Han}]/gu;
  if (countIn(bytes, 'gb18030', han) > 0 || countIn(bytes, 'big5', han) > 0) return 'GB18030/GBK or Big5';
  return 'Windows-1252/Latin-1';
}

/**
 * 'UTF-16LE' or 'UTF-16BE' when the bytes look like UTF-16 without a BOM: text in Latin scripts
 * then has a 0 byte in every other position (odd ones for LE); UTF-8 text has none.
 */
function utf16WithoutBom(bytes: Uint8Array): string | null {
  const n = Math.min(bytes.length, 64 * 1024) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros >= 0.3 * pairs && evenZeros <= 0.02 * pairs) return 'UTF-16LE';
  if (evenZeros >= 0.3 * pairs && oddZeros <= 0.02 * pairs) return 'UTF-16BE';
  return null;
}

/**
 * Binary formats a file given by mistake is most likely in, known by their first bytes: they would
 * otherwise be reported as "not UTF-8 (Windows-1252)", the wrong diagnosis.
 */
const BINARY_KINDS: Array<[string, number[]]> = [
  ['a PDF document', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['an old-style Office file (.xls or .doc)', [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
];

export function binaryKind(bytes: Uint8Array): string | null {
  for (const [kind, magic] of BINARY_KINDS) if (magic.every((b, i) => bytes[i] === b)) return kind;
  return null;
}

export function decodeInput(bytes: Uint8Array): Decoded {
  // A ZIP archive (.xlsx, .docx, .ods): would otherwise be "not UTF-8 (Windows-1252)", the wrong diagnosis.
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return {
      error: 'This is a ZIP archive (an Excel .xlsx workbook, a Word .docx or an .ods file), not a text file. A spreadsheet of signatories is imported with `letterpress signatories import FILE`; other inputs must be saved as UTF-8 text.',
      place: { line: 1, column: 1 },
      ruleId: 'not-text',
    };
  }
  const kind = binaryKind(bytes);
  if (kind) {
    return { error: `This is ${kind}, not a text file: is it the right file? Inputs are UTF-8 text.`, place: { line: 1, column: 1 }, ruleId: 'not-text' };
  }
  let text: string;
  let form: TextForm = { encoding: 'utf-8', bom: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const label = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    form = { encoding: label, bom: true };
    try {
      text = new TextDecoder(label, { fatal: true }).decode(bytes.subarray(2));
    } catch {
      return { error: `The file starts like UTF-16 (${label.toUpperCase()}) but is not valid UTF-16: save it as UTF-8.`, ruleId: 'encoding' };
    }
  } else if (utf16WithoutBom(bytes)) {
    const label = utf16WithoutBom(bytes) as string;
    return { error: `The file looks like ${label} without a byte-order mark (every other byte is 0): save it as UTF-8.`, ruleId: 'encoding' };
  } else {
    // The fatal decoder refuses exactly what firstBadUtf8 finds (WHATWG's UTF-8 is Unicode's well-formed
    // UTF-8), natively; the loop runs only to place a bad byte.
    const decoded = decodeUtf8(bytes); // drops the BOM
    if (decoded !== null) text = decoded;
    else {
      const bad = firstBadUtf8(bytes);
      if (bad >= 0) {
        return {
          error: `The file is not UTF-8 (it looks like ${guessEncoding(bytes)}): save it as UTF-8.`,
          place: placeOfByte(bytes, bad),
          ruleId: 'encoding',
        };
      }
      text = new TextDecoder('utf-8').decode(bytes);
    }
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const lines = text.slice(0, nul).split('\n');
    return {
      error: 'The file contains a NUL byte: it is not a text file (or was saved as UTF-16 without a BOM); save it as UTF-8 text.',
      place: { line: lines.length, column: [...(lines.at(-1) ?? '')].length + 1 },
      ruleId: 'encoding',
    };
  }
  // Other control characters (C0 but whitespace, DEL, C1) print as nothing, or as a box, or
  // break an edition's XML: they are typing or export accidents (or an attack on a terminal).
  const control = /[\u0001-\u0008\u000e-\u001f\u007f-\u009f]/.exec(text);
  if (control) {
    const lines = text.slice(0, control.index).split('\n');
    const code = `U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      error: `The file contains a control character (${code}), which no edition can show: delete it (in most editors it is invisible; it stands at this column).`,
      place: { line: lines.length, column: [...(lines.at(-1) ?? '')].length + 1 },
      ruleId: 'encoding',
    };
  }
  return { text, ...form };
}

/** Text → bytes in the form it was read in. */
export function encodeText(text: string, form: TextForm): Uint8Array {
  if (form.encoding === 'utf-8') return Buffer.from(`${form.bom ? '\ufeff' : ''}${text}`, 'utf8');
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  return form.encoding === 'utf-16le' ? le : le.swap16();
}

/** Decode as above, then normalise to NFC (the form every later stage compares and shapes). */
export function decodeText(bytes: Uint8Array): Decoded {
  const decoded = decodeInput(bytes);
  // A lone CR (classic Mac, or mixed into a file edited on several systems) ends a line, as in
  // editors, YAML and CommonMark; written as LF so that every later stage sees one kind.
  return 'text' in decoded ? { ...decoded, text: decoded.text.replace(/\r(?!\n)/g, '\n').normalize('NFC') } : decoded;
}
