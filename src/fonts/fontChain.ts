/**
 * Fonts for the PDF: a chain of faces searched in order for every character (the letter's own
 * face first, e.g. Source Serif 4 for English or Noto Serif KR for Korean, then fallbacks such
 * as Noto Serif KR for Hangul in a Chinese letter and Noto Serif JP for CJK Extension B). Every
 * face is a full font file (static TTF) from an npm package or from the project's fonts/ folder;
 * nothing is downloaded. Files open when a character first needs them and stay open in memory
 * across builds (watch mode, tests).
 *
 * Unicode-range subset files (fontsource's WOFF) are not used: some do not open in fontkit and a
 * subset picked for one character may lack another (the digits a note mark needs).
 */
import { existsSync, statSync } from 'node:fs';
import { openPartsSync, readBoundedSync, type FileIdentity, type FileParts, type Refusal } from '../io/readBounded.js';
import { readLocaWhenUsed } from './loca.js';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fontkit, type Font } from './fontkit.js';
import type { FontEntry, Template } from '../template/schema.js';
import { FontProblem } from './errors.js';
import { resolveContained } from '../io/paths.js';
import { isWoff, sfntFromWoff } from './woff.js';
import { buildContext } from '../context.js';
import { characterTest } from '../unicode/scripts.js';

export { FontProblem };

const require = createRequire(import.meta.url);

export interface Face {
  /** Unique key: the pdfmake family name and cache key. */
  id: string;
  /** Human name, e.g. "Noto Serif SC". */
  name: string;
  /** Absolute path of the font file. */
  file: string;
  /** The font file's bytes (read whole when first asked for: see readFont). */
  data: Buffer;
  /**
   * The same bytes with every table but the outlines (`glyf`) read: enough for a reader of other
   * tables (HarfBuzz's shaping copy), without reading 14 MB of a CJK font's outlines.
   */
  withoutOutlines: Buffer;
  /** The file as it was when read (device, inode, size, times), when it did not change meanwhile. */
  identity?: FileIdentity;
  font: Font;
  unitsPerEm: number;
  /** Ascender and descender in ems (descender negative). */
  ascent: number;
  descent: number;
  /** A real italic (or bold italic) design. */
  italic: boolean;
}

/** Which design of a family: emphasis asks for italic, strong for bold. */
export interface FaceStyle {
  bold: boolean;
  italic?: boolean;
}

const faceCache = buildContext.map<string, Face>('font faces');
/** A face is kept by its file and the name it is set under (two templates may name one file otherwise). */
const faceKey = (file: string, name: string, italic: boolean) => `${file}\u0000${name}\u0000${italic ? 'italic' : ''}`;
/** The ids of faces dropped because their file changed, given again to the file's new face. */
const replacedIds = buildContext.map<string, string>('replaced face ids');

/** Every face opened so far (and kept). */
export function openFaces(): Face[] {
  return [...faceCache.values()];
}

/** The largest font file read (a full CJK font is 10–25 MB). */
export const MAX_FONT_BYTES = 64 * 1024 * 1024;

/**
 * Open a font file once. A file fontkit cannot read is reported with its path (never a raw
 * fontkit TypeError), as is a missing file or a collection.
 */
export function openFace(file: string, name: string, italic = false): Face {
  const key = faceKey(file, name, italic);
  const cached = faceCache.get(key);
  if (cached) return cached;
  if (!existsSync(file)) throw new FontProblem(missingFontMessage(file), file);
  const { data, withoutOutlines, identity, font } = readFont(file);
  // pdfkit scales fonts to 1000 units; its ascender is hhea ascent scaled the same way.
  const face: Face = {
    // A face read again after its file changed keeps its id; a new file's id is never one in use.
    id: replacedIds.get(key) ?? `F${faceCache.size + replacedIds.size + 1}`,
    name,
    file,
    get data() {
      return data();
    },
    withoutOutlines,
    font,
    unitsPerEm: font.unitsPerEm,
    ascent: font.ascent / font.unitsPerEm,
    descent: font.descent / font.unitsPerEm,
    italic,
    ...(identity ? { identity } : {}),
  };
  replacedIds.delete(key);
  faceCache.set(key, face);
  return face;
}

/** The TrueType and OpenType sfnt versions (1.0, 'true', 'OTTO'). */
const SFNT_VERSIONS = new Set([0x00010000, 0x74727565, 0x4f54544f]);
/** The start of a font file read first: its table directory, for up to 255 tables. */
const DIRECTORY_BYTES = 12 + 255 * 16;

/** fontkit's TrueType font, as far as reading a glyph's outline goes. */
type OutlinedFont = Font & {
  _getBaseGlyph(id: number, characters?: number[]): unknown;
  /** Where each glyph's outline starts in glyf (read by loca.ts when first used). */
  loca?: { offsets: ArrayLike<number> };
};

/** A font file read part by part is closed once read whole, or when its face is gone (watch, serve). */
const openFiles = new FinalizationRegistry<FileParts>((parts) => parts.close());

/** fontkit's glyph header (numberOfContours and the control box), read even for an empty glyph. */
const GLYPH_HEADER_BYTES = 10;

/**
 * A font file opened in fontkit and checked. A TrueType file is read but for its outlines (the
 * `glyf` table): a glyph's outline is read when fontkit first makes the glyph (it reads outlines
 * only of glyphs it made: their metrics, paths and subsets), all outlines when the file's bytes
 * are asked for (`data`: a subset made by HarfBuzz, a font embedded whole; HarfBuzz's shaping
 * needs no outlines: `withoutOutlines`). A build
 * whose set lines and font subsets all come from the disk caches needs a CJK face's character
 * map and metrics and a few hundred glyph headers, not 14.3 MB of outlines (seed letter: 29 of
 * 31 MB of font files not read, 18 ms less CPU, 25 MB less memory). Every part comes from the
 * version of the file first opened; a file changed in place since is a FontProblem: build again.
 */
function readFont(file: string): { data: () => Buffer; withoutOutlines: Buffer; identity?: FileIdentity; font: Font } {
  const opened = openPartsSync(file, MAX_FONT_BYTES);
  if (!opened.ok) throw readProblem(opened, file);
  const { parts } = opened;
  const bytes = Buffer.alloc(parts.size); // zero-filled: pages never written are never mapped
  const readPart = (from: number, to: number) => {
    if (to > from && !parts.read(bytes.subarray(from, to), from)) {
      parts.close();
      throw new FontProblem('The font file changed while letterpress was reading it; build again.', file);
    }
  };
  readPart(0, Math.min(DIRECTORY_BYTES, bytes.length));
  const outlines = outlinesOf(bytes, bytes.length);
  if (!outlines) parts.close();
  else {
    const glyfEnd = outlines.offset + outlines.length;
    readPart(Math.min(DIRECTORY_BYTES, bytes.length), outlines.offset);
    readPart(Math.max(glyfEnd, DIRECTORY_BYTES), bytes.length);
    let whole = false;
    const data = () => {
      if (!whole) {
        readPart(outlines.offset, glyfEnd);
        parts.close();
        openFiles.unregister(bytes);
      }
      whole = true;
      return bytes;
    };
    let font: OutlinedFont;
    try {
      font = checkedFont(bytes, file) as OutlinedFont;
    } catch (err) {
      parts.close(); // a file refused is not kept open (a watch process tries it at every rebuild)
      throw err;
    }
    openFiles.register(bytes, parts, bytes);
    const outlineRead = new Uint8Array(font.numGlyphs);
    const readOutline = (id: number) => {
      if (whole || outlineRead[id] !== 0) return;
      const offsets = font.loca?.offsets;
      if (offsets) {
        const from = offsets[id];
        const next = offsets[id + 1];
        if (from !== undefined && next !== undefined) {
          readPart(Math.min(outlines.offset + from, glyfEnd), Math.min(outlines.offset + Math.max(next, from + GLYPH_HEADER_BYTES), glyfEnd));
          outlineRead[id] = 1;
        }
      }
    };
    // Both ways fontkit makes a glyph: getGlyph makes an sbix or COLR font's glyphs itself (an
    // sbix glyph is a TrueType glyph with its outline in glyf), the others through _getBaseGlyph.
    const reading = <T>(make: (this: OutlinedFont, id: number, characters?: number[]) => T) =>
      function (this: OutlinedFont, id: number, characters?: number[]): T {
        const glyph = make.call(this, id, characters);
        readOutline(id);
        return glyph;
      };
    font.getGlyph = reading(font.getGlyph);
    font._getBaseGlyph = reading(font._getBaseGlyph);
    return { data, withoutOutlines: bytes, identity: parts.identity, font };
  }
  const read = readBoundedSync(file, MAX_FONT_BYTES);
  if (!read.ok) throw readProblem(read, file);
  const stored = Buffer.from(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength);
  let sfnt: Buffer;
  try {
    // Unwrapped once here, for our shaping and the PDF's subsetter alike (see woff.ts).
    sfnt = isWoff(stored) ? sfntFromWoff(stored) : stored;
  } catch {
    throw new FontProblem(NOT_A_FONT, file);
  }
  return { data: () => sfnt, withoutOutlines: sfnt, ...(read.identity ? { identity: read.identity } : {}), font: checkedFont(sfnt, file) };
}

const NOT_A_FONT = 'Not a font file fontkit can read (TrueType, OpenType or WOFF).';

function readProblem(read: Refusal, file: string): FontProblem {
  if (read.reason === 'special') return new FontProblem(`This is ${read.kind}, not a font file.`, file);
  if (read.reason === 'directory') return new FontProblem('This is a folder, not a font file.', file);
  if (read.reason === 'too-large') return new FontProblem(`The font file is larger than ${MAX_FONT_BYTES / 1024 / 1024} MB; no font letterpress can embed is that large.`, file);
  return new FontProblem('Cannot read the font file.', file);
}

/** A table of an sfnt file's directory: its tag, and where its bytes are (from the file's start). */
interface TableRecord {
  tag: string;
  offset: number;
  length: number;
}

/** The table directory at the start of `bytes`, if they begin as an sfnt file (TrueType/OpenType) and hold it whole. */
function tableDirectory(bytes: Uint8Array): TableRecord[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || !SFNT_VERSIONS.has(view.getUint32(0))) return undefined;
  const tables = view.getUint16(4);
  if (12 + tables * 16 > bytes.byteLength) return undefined;
  return Array.from({ length: tables }, (_, k) => {
    const record = 12 + k * 16;
    const tag = String.fromCharCode(...bytes.subarray(record, record + 4));
    return { tag, offset: view.getUint32(record + 8), length: view.getUint32(record + 12) };
  });
}

/** Where the `glyf` table of a TrueType file is (from the file's start), if it lies inside the file. */
function outlinesOf(start: Uint8Array, size: number): { offset: number; length: number } | undefined {
  const tables = tableDirectory(start);
  const glyf = tables?.find((table) => table.tag === 'glyf');
  if (!tables || !glyf) return undefined;
  return glyf.offset >= 12 + tables.length * 16 && glyf.offset + glyf.length <= size ? { offset: glyf.offset, length: glyf.length } : undefined;
}

/** The tag of a table of the sfnt file `data` that ends beyond its end (fontkit reads past it and fails deep in a build). */
function tableBeyondEnd(data: Buffer): string | undefined {
  const tables = tableDirectory(data);
  // Only a directory that is one (it lists a head table) is taken at its word; other bytes are not a font.
  if (!tables?.some((table) => table.tag === 'head')) return undefined;
  const cut = tables.find((table) => table.offset + table.length > data.length);
  return cut === undefined ? undefined : `'${cut.tag.trimEnd()}'`;
}

/** The font in `data`, opened by fontkit, or a FontProblem that says why it cannot be used. */
function checkedFont(data: Buffer, file: string): Font {
  const cut = tableBeyondEnd(data);
  if (cut) throw new FontProblem(`The font file is cut short: its ${cut} table ends beyond the file's ${data.length} bytes. Copy or download the font again.`, file);
  let opened: ReturnType<typeof fontkit.create>;
  try {
    opened = fontkit.create(data);
  } catch {
    throw new FontProblem(NOT_A_FONT, file);
  }
  if (!('layout' in opened)) throw new FontProblem('This is a font collection; name one font file instead.', file);
  const font: Font = opened;
  readLocaWhenUsed(font);
  // A font whose cmap cannot be read opens, then fails on its first glyph look-up: check now.
  try {
    font.hasGlyphForCodePoint(0x20);
  } catch (err) {
    if (err instanceof FontProblem) throw err;
    throw new FontProblem(`Not a font file fontkit can read: it has no character map fontkit understands (${err instanceof Error ? err.message : String(err)}).`, file);
  }
  // Glyph sanity at font load: WOFF2 transforms the glyf table and the PDF's font subsetter
  // copies glyf bytes as stored, so every glyph of a WOFF2 font would be drawn as garbage.
  if ((font as Font & { type?: string }).type === 'WOFF2') {
    throw new FontProblem('This is a WOFF2 font, which cannot be embedded in the PDF correctly; name its TTF, OTF or WOFF file.', file);
  }
  return font;
}

/**
 * Why a font file is missing: a package font means an incomplete install; a project font is
 * most often a path written from the project folder instead of the template's own folder.
 */
function missingFontMessage(file: string): string {
  if (file.split(path.sep).includes('node_modules')) return 'Font file not found: is the font package installed? Run npm ci.';
  const folder = path.dirname(file);
  const inTemplates = path.basename(path.dirname(folder)) === 'templates' || path.basename(folder) === 'templates';
  return inTemplates
    ? "Font file not found. A template's `file:` is read from the template's own folder: from templates/, the project's fonts/ folder is \"../fonts/NAME.ttf\"."
    : "Font file not found. A template's `file:` is read from the template's own folder; check the name and the folder.";
}

function packageDir(name: string, templatePath: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new FontProblem(`Font package ${name} is not installed: run npm ci, or add it to package.json.`, templatePath);
  }
}

/** The files of one chain entry, by design; missing designs fall back as described in faceFile. */
export interface EntryFiles {
  name: string;
  regular: string;
  bold: string | null;
  italic: string | null;
  boldItalic: string | null;
  /** Characters the entry claims to have (checked by the font test). */
  covers: string;
  /** Only for Latin text (letters, digits, ASCII punctuation): curly quotes, dashes and CJK go on down the chain. */
  latinOnly: boolean;
}

/** A family that comes as whole font files: the regular face, and the other designs that have their own files. */
export interface WholeFaces {
  regular: Face;
  bold: Face | null;
  italic: Face | null;
  boldItalic: Face | null;
}

export function entryFiles(entry: FontEntry, templatePath: string): EntryFiles {
  const templateDir = path.dirname(templatePath);
  const base = 'package' in entry ? packageDir(entry.package, templatePath) : templateDir;
  // Font files stay inside their package, or inside the project: the template's folder, or the
  // project folder that holds a `templates/` folder (so templates/zh-TW.yaml may name ../fonts/…).
  const root = 'package' in entry ? base : path.basename(templateDir) === 'templates' ? path.dirname(templateDir) : templateDir;
  const inside = (ref: string): string => {
    const contained =
      'package' in entry
        ? resolveContained(root, base, ref, `Font file of package ${entry.package}`, 'its package folder')
        : resolveContained(root, base, ref, 'Font file', `the project folder (${root})`);
    if ('error' in contained) throw new FontProblem(contained.error, templatePath);
    return contained.path;
  };
  const resolve = (f: string | undefined) => (f ? inside(f) : null);
  return {
    name: entry.name,
    regular: inside('package' in entry ? entry.regular : entry.file),
    bold: resolve(entry.bold),
    italic: resolve(entry.italic),
    boldItalic: resolve(entry.boldItalic),
    covers: entry.covers ?? '',
    latinOnly: entry.use === 'latin',
  };
}

/**
 * The file for a design: bold italic falls back to bold, then italic; italic to regular (the
 * caller then sets emphasis another way); bold to regular.
 */
function faceFile(files: EntryFiles, style: FaceStyle): { file: string; italic: boolean } {
  if (style.italic && style.bold && files.boldItalic) return { file: files.boldItalic, italic: true };
  if (style.italic && !style.bold && files.italic) return { file: files.italic, italic: true };
  if (style.bold && files.bold) return { file: files.bold, italic: false };
  if (style.italic && files.italic) return { file: files.italic, italic: true };
  return { file: files.regular, italic: false };
}

/** Every design a chain entry may be asked for. */
const DESIGNS: readonly FaceStyle[] = [
  { bold: false, italic: false },
  { bold: true, italic: false },
  { bold: false, italic: true },
  { bold: true, italic: true },
];

/**
 * What a `use: latin` face sets: Latin, Greek and Cyrillic letters (with their combining marks:
 * Vietnamese may come decomposed), digits, ASCII and Latin-1 punctuation. Curly quotes and dashes
 * are shared with CJK text, where they must be the CJK face's full-width forms (clreq §3.1.1), so
 * alone they are left to the faces after it; inside a Latin word they belong to the word (faceForWord).
 */
const LATIN_TEXT = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{M}\p{Nd}\u0020-\u007e\u00a0-\u00bf]/u;

/**
 * Punctuation shared with CJK text that belongs to the word when it stands inside a Latin word:
 * curly quotes ("Citizens’", „Wolność”: the Latin face's proportional glyphs; clreq §3.1.1 asks
 * for full-width marks beside CJK text only), low-9 quotes and the hyphens and en dash ("Győr–Sopron").
 */
const IN_WORD_QUOTE = /[‘’‚“”„‐‑‒–‹›]/u;

/** Characters that need no glyph of their own (drawn as space or not drawn at all). */
const INVISIBLE = /[\u0009\u000a\u000d\u200b-\u200d\u2060\ufe0e\ufe0f]/u;
const isInvisible = characterTest(INVISIBLE);
/** What a `use: latin` face takes in a word: LATIN_TEXT and IN_WORD_QUOTE. */
const isLatinWordCharacter = characterTest(new RegExp(`${LATIN_TEXT.source}|${IN_WORD_QUOTE.source}`, 'u'));

export class FontChain {
  private readonly entries: EntryFiles[];
  private readonly memo = new Map<string, Map<number, Face | null>>();
  private readonly wordMemo = new Map<string, Map<string, Face | null>>();

  private readonly templatePath: string;

  constructor(spec: FontSpec | Template) {
    const { sourcePath, serif } = 'fonts' in spec ? fontSpecOf(spec) : spec;
    this.templatePath = sourcePath;
    this.entries = serif.map((entry) => entryFiles(entry, sourcePath));
  }

  private open(entry: EntryFiles, style: FaceStyle): Face {
    const { file, italic } = faceFile(entry, style);
    return openFace(file, entry.name, italic);
  }

  /** The first face in the chain that has a glyph for the code point, or null. */
  faceFor(codePoint: number, style: FaceStyle = { bold: false }): Face | null {
    const key = style.bold ? (style.italic ? 'bi' : 'b') : style.italic ? 'i' : '';
    let memo = this.memo.get(key);
    if (!memo) this.memo.set(key, (memo = new Map()));
    const known = memo.get(codePoint);
    if (known !== undefined) return known;
    let found: Face | null = null;
    for (const entry of this.entries) {
      if (entry.latinOnly && !LATIN_TEXT.test(String.fromCodePoint(codePoint))) continue;
      const face = this.open(entry, style);
      if (face.font.hasGlyphForCodePoint(codePoint)) {
        found = face;
        break;
      }
    }
    memo.set(codePoint, found);
    return found;
  }

  /**
   * The face for a whole word (a run of non-CJK characters between spaces), so that a word is
   * drawn in one design ("Łódź" all in the Latin face, not Ł from one font and ódź from another):
   * the first face of the chain that has every character of it. A `use: latin` face takes the
   * word's curly quotes too. Null when no one face has them all; the caller then goes character by
   * character (and reports a character no face has).
   */
  faceForWord(word: string, style: FaceStyle = { bold: false }): Face | null {
    const key = style.bold ? (style.italic ? 'wbi' : 'wb') : style.italic ? 'wi' : 'w';
    let memo = this.wordMemo.get(key);
    if (!memo) this.wordMemo.set(key, (memo = new Map()));
    const known = memo.get(word);
    if (known !== undefined) return known;
    const chars = [...word].filter((ch) => !isInvisible(ch));
    let found: Face | null = null;
    for (const entry of this.entries) {
      if (entry.latinOnly && !chars.every(isLatinWordCharacter)) continue;
      const face = this.open(entry, style);
      if (chars.every((ch) => face.font.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0))) {
        found = face;
        break;
      }
    }
    memo.set(word, found);
    return found;
  }

  /**
   * The face for a role, chosen by the glyphs the role needs, whatever comes first in the chain:
   * note marks need the digits, word spaces a space, page labels their whole text. The first
   * face that has every character of `needs`.
   */
  faceWith(needs: string, style: FaceStyle = { bold: false }): Face {
    const codePoints = [...needs].filter((ch) => !INVISIBLE.test(ch)).map((ch) => ch.codePointAt(0) ?? 0);
    for (const entry of this.entries) {
      if (entry.latinOnly && !codePoints.every((cp) => LATIN_TEXT.test(String.fromCodePoint(cp)))) continue;
      const face = this.open(entry, style);
      if (codePoints.every((cp) => face.font.hasGlyphForCodePoint(cp))) return face;
    }
    throw new FontProblem(`No font of the chain (${this.names().join(', ')}) has all of "${needs}"; add one that does to the template's fonts.`, this.templatePath);
  }

  /** The font files of the family called `name` in the chain, or undefined if the chain has no such family. */
  wholeFaces(name: string): WholeFaces | undefined {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) return undefined;
    const open = (file: string | null, italic = false) => (file ? openFace(file, entry.name, italic) : null);
    return { regular: openFace(entry.regular, entry.name), bold: open(entry.bold), italic: open(entry.italic, true), boldItalic: open(entry.boldItalic, true) };
  }

  /** The chain's entries in order: what it is, for a cache key (src/render/pdf/layout/storedLines.ts). */
  entryFiles(): readonly EntryFiles[] {
    return this.entries;
  }

  /** Where a face stands in the chain: its entry and a style that opens it (undefined: not this chain's). */
  placeOf(face: Face): { entry: number; style: FaceStyle } | undefined {
    for (const [entry, files] of this.entries.entries()) {
      if (files.name !== face.name) continue;
      for (const style of DESIGNS) {
        const { file, italic } = faceFile(files, style);
        if (file === face.file && italic === face.italic) return { entry, style };
      }
    }
    return undefined;
  }

  /** The face of an entry in a style, as the chain opens it (undefined: no such entry). */
  faceAt(entry: number, style: FaceStyle): Face | undefined {
    const files = this.entries[entry];
    return files ? this.open(files, style) : undefined;
  }

  static isInvisible(ch: string): boolean {
    return INVISIBLE.test(ch);
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }
}

/** A template's font list and the file it is relative to. */
export interface FontSpec {
  sourcePath: string;
  serif: FontEntry[];
}

export function fontSpecOf(template: Template): FontSpec {
  return { sourcePath: template.sourcePath, serif: template.fonts.serif };
}

const chains = buildContext.map<string, FontChain>('font chains');

/** Whether the file of a kept face is no longer the one read (replaced, or edited in place: watch, serve). */
function changedOnDisk(face: Face): boolean {
  const id = face.identity;
  if (!id) return true; // it changed while it was read
  try {
    const now = statSync(face.file, { bigint: true });
    return Number(now.dev) !== id.dev || Number(now.ino) !== id.ino || Number(now.size) !== id.size || now.mtimeNs !== id.mtimeNs || now.ctimeNs !== id.ctimeNs;
  } catch {
    return true;
  }
}

/**
 * One font chain per template file and font list, kept across builds (fonts stay open in memory).
 * A font file changed since it was opened is opened again, in every chain.
 */
export function fontChainFor(spec: FontSpec): FontChain {
  const stale = [...faceCache.values()].filter(changedOnDisk);
  if (stale.length > 0) {
    for (const face of stale) {
      const key = faceKey(face.file, face.name, face.italic);
      faceCache.delete(key);
      replacedIds.set(key, face.id);
    }
    chains.clear();
  }
  const key = JSON.stringify([spec.sourcePath, spec.serif]);
  let chain = chains.get(key);
  if (!chain) {
    chain = new FontChain(spec);
    chains.set(key, chain);
  }
  return chain;
}
