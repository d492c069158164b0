/**
 * Bytes of an input file → text, or a positioned refusal. UTF-8 with or without BOM is read;
 * UTF-16 with a BOM (what Excel saves as "Unicode text") is read too; anything else that is not
 * valid UTF-8 is refused at its first bad byte, naming the encoding it most likely is (GB18030,
 * Big5, Shift_JIS, EUC-KR or Windows-1252), since a letter saved in a legacy encoding would
 * otherwise surface much later as `No font has "�"`. NUL bytes are refused (a binary file).
 * Text is normalised to NFC so that a decomposed accent (o + U+0301) is one character from here on.
 */
import type { Position } from '../diagnostics/index.js';

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
    const b = bytes[i] as number;
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
  const kana = countIn(bytes, 'shift_jis', /[\p{Script=Hiragana}\u30a0-\u30ff]/gu);
  const halfwidth = countIn(bytes, 'shift_jis', /[\uff61-\uff9f]/gu);
  if (kana > 0 && halfwidth === 0) return 'Shift_JIS';
  const han = /[\p{Script=Han}]/gu;
  if (countIn(bytes, 'gb18030', han) > 0 || countIn(bytes, 'big5', han) > 0) return 'GB18030/GBK or Big5';
  return 'Windows-1252/Latin-1';
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
  } else {
    const bad = firstBadUtf8(bytes);
    if (bad >= 0) {
      return {
        error: `The file is not UTF-8 (it looks like ${guessEncoding(bytes)}): save it as UTF-8.`,
        place: placeOfByte(bytes, bad),
        ruleId: 'encoding',
      };
    }
    text = new TextDecoder('utf-8').decode(bytes); // drops the BOM
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
  return 'text' in decoded ? { ...decoded, text: decoded.text.normalize('NFC') } : decoded;
}
