/**
 * Character classes used by every edition. Kept in one place so the text wrapper, the PDF line
 * breaker and the model's soft-break rule agree.
 */

/** Han ideographs (incl. extensions), kana, bopomofo: scripts written without spaces. */
export const UNSPACED_CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3000-\u303f\u30fc\uff01-\uff60\u2014\u2026\u201c\u201d\u2018\u2019]/u;

/** A Han ideograph or kana (not punctuation): the characters that take Han–Latin spacing. */
export const IDEOGRAPHIC = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u;

/** Curly quotes, shared by Latin and CJK text (clreq §3.1.1). */
export const SHARED_QUOTES = new Set([...'“”‘’']);

/**
 * A curly quote belongs to Latin text unless it stands beside CJK text (clreq §3.1.1: CJK marks
 * only beside CJK text): "Citizens’ Alliance" takes the Latin face's proportional ’, “中国” the
 * CJK face's full-width marks.
 */
export function isLatinQuoteHere(ch: string, before = '', after = ''): boolean {
  return SHARED_QUOTES.has(ch) && ![before, after].some((c) => UNSPACED_CJK.test(c) && !SHARED_QUOTES.has(c));
}

/**
 * Letters of the scripts written right to left. The PDF typesetter lays text out left to right
 * only (no Unicode bidi algorithm, UAX #9), so it refuses them rather than draw them garbled.
 */
export const RIGHT_TO_LEFT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;

/** Latin letters, digits and other "western" alphanumerics. */
export const WESTERN_ALNUM = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}]/u;

/**
 * East Asian Wide and Fullwidth characters (UAX #11), the ones a terminal shows two columns wide.
 * Ranges cover what letters use: CJK symbols, kana, Hangul, Han, compatibility forms, full-width
 * forms. Curly quotes are ambiguous-width and counted narrow, as terminals do.
 */
export function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

/** Superscript digits for footnote marks in plain text. */
const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
export function superscriptNumber(n: number): string {
  return String(n).replace(/\d/g, (d) => SUPERSCRIPT_DIGITS[Number(d)] ?? d);
}

/**
 * Format characters that are never drawn with a glyph of their own: ZWSP, ZWNJ, ZWJ, word
 * joiner, bidi marks, embeddings and isolates, soft hyphen, BOM (General_Category Cf), and the
 * variation selectors VS1–VS256 and Mongolian FVS. The PDF sets them as nothing (a break at a
 * ZWSP is still allowed, UAX #14); the text and Word editions keep them.
 */
export const FORMAT_CHARACTER = /^[\p{Cf}\u180b-\u180d\ufe00-\ufe0f\u{e0100}-\u{e01ef}]$/u;

/**
 * A character class as a predicate that tests each distinct string once: the typesetter and the
 * Word and HTML editions ask it for every character of every name, and a list of 10,000 names
 * holds the same few thousand characters again and again. For single characters (or UTF-16
 * units), which bound the memo; `pattern` must have no `g` or `y` flag (no lastIndex state).
 */
export function characterTest(pattern: RegExp): (ch: string) => boolean {
  // A character of one UTF-16 unit (nearly every one) is looked up by its code: 0 not yet tested, 1 no, 2 yes.
  let units: Uint8Array | undefined;
  const known = new Map<string, boolean>();
  return (ch) => {
    if (ch.length === 1) {
      units ??= new Uint8Array(0x10000);
      const code = ch.charCodeAt(0);
      let state = units[code];
      if (state === 0) units[code] = state = pattern.test(ch) ? 2 : 1;
      return state === 2;
    }
    let is = known.get(ch);
    if (is === undefined) known.set(ch, (is = pattern.test(ch)));
    return is;
  };
}

/** A code point as Unicode writes it: U+4E2D, U+20BB7. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Scripts a letter's name may come in that the built-in templates have no face for (Unicode Script property values). */
const NAMED_SCRIPTS = [
  'Arabic', 'Hebrew', 'Syriac', 'Thaana', 'Nko', 'Thai', 'Lao', 'Khmer', 'Myanmar', 'Devanagari', 'Bengali', 'Gurmukhi',
  'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Tibetan', 'Mongolian', 'Georgian',
  'Armenian', 'Ethiopic', 'Cherokee', 'Canadian_Aboriginal', 'Tifinagh', 'Javanese', 'Balinese', 'Yi',
  'Latin', 'Greek', 'Cyrillic', 'Han', 'Hangul', 'Hiragana', 'Katakana',
] as const;

/** The script of a character by its Unicode Script property ("Arabic", "Devanagari"), or null (symbols, emoji). */
export function scriptOf(char: string): { name: string; rightToLeft: boolean } | null {
  for (const script of NAMED_SCRIPTS) {
    if (new RegExp(`^\\p{Script=${script}}`, 'u').test(char)) return { name: script.replace('_', ' '), rightToLeft: RIGHT_TO_LEFT.test(char) };
  }
  return null;
}

/**
 * Invisible format characters that have no business in a signatory's name and usually come with
 * a copied name (web pages, PDFs, Word): zero-width space, word joiner, a byte-order mark inside
 * the text, soft hyphen, and the bidirectional embeddings, overrides, isolates and marks, which
 * reorder what is shown (Unicode TR #36 §2.1; TR #9). Not ZWJ/ZWNJ (U+200C, U+200D), which
 * emoji sequences and several scripts need.
 */
const INVISIBLE_IN_NAMES: Readonly<Record<number, string>> = {
  0x00ad: 'soft hyphen',
  0x200b: 'zero-width space',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0xfeff: 'zero-width no-break space (byte-order mark)',
};

/** Any of them (all in the BMP), to find none without splitting a name into characters. */
const ANY_INVISIBLE_IN_NAMES = new RegExp(`[${Object.keys(INVISIBLE_IN_NAMES).map((code) => `\\u${Number(code).toString(16).padStart(4, '0')}`).join('')}]`, 'u');

/** `text` without the invisible format characters above. */
export function withoutInvisible(text: string): string {
  return [...text].filter((ch) => INVISIBLE_IN_NAMES[ch.codePointAt(0) ?? 0] === undefined).join('');
}

/** The first invisible format character of `text`, described with what stands before it, or null. */
export function invisibleCharacter(text: string): string | null {
  if (!ANY_INVISIBLE_IN_NAMES.test(text)) return null;
  const chars = [...text];
  const index = chars.findIndex((ch) => INVISIBLE_IN_NAMES[ch.codePointAt(0) ?? 0] !== undefined);
  if (index < 0) return null;
  const ch = chars[index] as string;
  const before = chars.slice(0, index).join('');
  const where = before === '' ? 'at the start' : `after "${before}"`;
  return `an invisible ${INVISIBLE_IN_NAMES[ch.codePointAt(0) ?? 0]} (${codePointLabel(ch)}) ${where}`;
}
