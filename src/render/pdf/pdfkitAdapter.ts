/**
 * The one place that reaches below pdfkit's public API (pdfkit 0.19.1 inside pdfmake 0.3.11,
 * both pinned exactly in package.json; test/pdfkitAdapter.test.ts checks every assumption
 * made here against the installed versions):
 *
 * - pdfkit draws text only by shaping it again (`EmbeddedFont.encode` → fontkit `layout`). We
 *   draw the glyphs the typesetter already shaped, so glyph ids go into the font's subset the
 *   way `encode` puts them there (`subset.includeGlyph`, `widths` for the /W array, `unicode`
 *   for the ToUnicode map) and the text operators are written with `addContent`.
 * - pdfkit's XMP lacks dc:language, xmp:ModifyDate, pdfuaid and escapes nothing: `_addInfo`
 *   is replaced by one that writes the whole packet (src/render/pdf/standards.ts).
 * - Structure elements take no /ID option: a Note's ID (PDF/UA-1 §7.9) is set on its dictionary.
 * - pdfkit opens a font only from bytes (`PDFFontFactory.open` → `fontkit.create`), which parses a
 *   14.8 MB CJK font a second time and subsets it from that second copy. Its `EmbeddedFont` takes
 *   a fontkit font, so each face's pdfkit font is made from the fontkit font letterpress already
 *   opened (`embedFace`; with a glyph cache of its own, `pdfFontOf`). The class is not exported: the first face of the process goes through
 *   pdfmake once (its constructor reads only the font's header tables) and its font is swapped
 *   for ours before a glyph is added; the class is kept from it.
 *
 * The document itself is pdfmake's PDFDocument: pdfkit with pdfmake's virtual file system, and a
 * local-access policy that refuses every path, so fonts come only from the buffers given here.
 */
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import type { Face } from '../../fonts/fontChain.js';
import { fontkit, type Font } from '../../fonts/fontkit.js';
import { cachedSubset, packageVersion, type SubsetCacheOptions } from '../../fonts/subsetCache.js';
import { encodeTrueTypeSubset } from '../../fonts/trueTypeSubset.js';
import { DiskCache, cacheFolder, cacheKey } from '../../io/diskCache.js';
import path from 'node:path';
import { buildContext } from '../../context.js';

const require = createRequire(import.meta.url);

/** pdfkit's EmbeddedFont, the members used here. */
interface EmbeddedFont {
  id: string;
  /** fontkit's subset (TTFSubset, or CFFSubset with `cff`); `encode` is called by pdfkit at the end. */
  subset: { includeGlyph(glyphId: number): number; glyphs: number[]; cff?: unknown; encode(): Uint8Array };
  widths: Array<number | undefined>;
  unicode: Array<number[] | undefined>;
  scale: number;
  name: string;
  font: Font;
  ref(): unknown;
  /** Writes the font into the document (called by pdfkit when the document ends). */
  embed(): void;
  document: { compress: boolean; ref?: (data?: object) => PdfStream };
}

/** pdfkit's PDFReference holding a stream: `end` writes the chunk and finalizes (deflating `buffer` when `compress`). */
interface PdfStream {
  write(chunk: Uint8Array): void;
  end(chunk?: Uint8Array): void;
  finalize(): void;
  buffer: Uint8Array[];
  compress: boolean;
}

type EmbeddedFontClass = new (doc: PdfkitDocument, font: Font, id: string) => EmbeddedFont;

/** pdfkit's font registry (`FontsMixin`), the members `font()` keeps. */
interface FontRegistry {
  _fontCount: number;
  _fontFamilies: Record<string, EmbeddedFont>;
}

/** pdfkit's EmbeddedFont class, kept from the first font pdfmake opens (see the header). */
let embeddedFontClass: EmbeddedFontClass | undefined;

const pdfFonts = buildContext.weakMap<Font, Font>('pdf fonts');
const fontStreams = buildContext.weakMap<Uint8Array, Buffer>('deflated pdf font files');

/**
 * The font pdfkit embeds and subsets: `face.font` itself (its parsed tables, shared), with a
 * glyph cache of its own. fontkit keeps each glyph object with the characters it was first
 * looked up for; the subsetter looks glyphs up by id alone (a composite glyph's components too,
 * e.g. the dotless i inside "i"), which in the shared cache would leave the layout a glyph that
 * stands for no character.
 */
function pdfFontOf(face: Face): Font {
  let font = pdfFonts.get(face.font);
  if (!font) {
    font = Object.create(face.font, { _glyphs: { value: {}, writable: true } }) as Font;
    pdfFonts.set(face.font, font);
  }
  return font;
}

/**
 * pdfkit's font for `face`, made from `face.font` (never from its bytes again): registered the
 * way pdfkit's `font()` registers a font it opened (its id F<n>, under its PostScript name), so
 * the document is the same byte for byte.
 */
function embedFace(doc: PdfkitDocument, face: Face): EmbeddedFont {
  if (!embeddedFontClass) {
    const first = doc.provideFont(face.id, false, false);
    first.font = pdfFontOf(face);
    // @types/fontkit declares includeGlyph as returning a boolean; fontkit returns the subset id.
    first.subset = first.font.createSubset() as unknown as EmbeddedFont['subset'];
    embeddedFontClass = first.constructor as EmbeddedFontClass;
    return first;
  }
  const registry = doc as unknown as FontRegistry;
  const font = new embeddedFontClass(doc, pdfFontOf(face), `F${++registry._fontCount}`);
  const families = registry._fontFamilies;
  const known = families[font.name];
  if (known?.font === font.font) return known;
  if (font.name && !known) families[font.name] = font;
  else families[font.id] = font;
  return font;
}

/** A pdfkit structure element (public API), and its dictionary (for /ID). */
export interface StructElement {
  add(child: StructElement | StructContent | (() => void)): StructElement;
  end(): void;
  dictionary: { data: Record<string, unknown> };
}
export type StructContent = { readonly refs: unknown[] };

/** pdfkit's opened image (PNGImage or JPEG). */
export interface PdfkitImage {
  width: number;
  height: number;
}

/** The pdfkit document members letterpress uses: public pdfkit API unless noted. */
export interface PdfkitDocument {
  page: { width: number; height: number; fonts: Record<string, unknown> };
  addPage(options?: object): PdfkitDocument;
  addContent(data: string): PdfkitDocument;
  struct(type: string, options?: object, children?: unknown): StructElement;
  addStructure(element: StructElement): PdfkitDocument;
  markStructureContent(tag: string, options?: object): StructContent;
  markContent(tag: string, options?: object | null): PdfkitDocument;
  endMarkedContent(): PdfkitDocument;
  link(x: number, y: number, w: number, h: number, url: string, options?: object): PdfkitDocument;
  moveTo(x: number, y: number): PdfkitDocument;
  lineTo(x: number, y: number): PdfkitDocument;
  lineWidth(w: number): PdfkitDocument;
  stroke(color?: string): PdfkitDocument;
  rect(x: number, y: number, width: number, height: number): PdfkitDocument;
  circle(x: number, y: number, radius: number): PdfkitDocument;
  fill(color?: string): PdfkitDocument;
  /** A PNG or JPEG, decoded once (an image XObject reused on every page that draws it). */
  openImage(src: Buffer): PdfkitImage;
  image(src: PdfkitImage, x: number, y: number, options: { width: number; height: number }): PdfkitDocument;
  outline: { addItem(title: string, options?: object): unknown };
  info: Record<string, unknown>;
  on(event: 'data', listener: (chunk: Buffer) => void): PdfkitDocument;
  on(event: 'end' | 'error', listener: (arg?: unknown) => void): PdfkitDocument;
  end(): void;
  /** pdfmake's PDFDocument: opens a registered font family and returns pdfkit's font object. */
  provideFont(family: string, bold: boolean, italics: boolean): EmbeddedFont;
}

type PdfDocumentClass = new (
  fonts: Record<string, { normal: string }>,
  images: object,
  patterns: object,
  attachments: object,
  options: object,
  virtualfs: unknown,
  localAccessPolicy: (path: string) => boolean,
) => PdfkitDocument;

export interface OpenOptions {
  faces: Iterable<Face>;
  /** pdfkit document options (size, margins, info, lang, tagged, subset, pdfVersion …). */
  options: object;
  /** Writes the whole XMP packet; called by pdfkit when the document ends. */
  xmp?: (doc: PdfkitDocument) => string;
}

export function openDocument({ faces, options, xmp }: OpenOptions): PdfkitDocument {
  const PDFDocument = (require('pdfmake/js/PDFDocument') as { default: PdfDocumentClass }).default;
  const VirtualFs = (require('pdfmake/js/virtual-fs') as { default: { constructor: new () => { storage: Record<string, Buffer> } } }).default.constructor;
  const vfs = new VirtualFs();
  const fonts: Record<string, { normal: string }> = {};
  for (const face of faces) {
    // pdfmake's file system holds the bytes it opens a font from; only the first font of the
    // process is opened from them (embedFace), so a face's whole file is read only if asked for.
    Object.defineProperty(vfs.storage, `${face.id}.font`, { get: () => face.data, enumerable: true });
    fonts[face.id] = { normal: `${face.id}.font` };
  }
  // pdfkit opens Helvetica as every document's current font (parsing its AFM metrics, a few ms
  // per document), though letterpress never sets a standard font: no font is opened, and the
  // font count starts where Helvetica leaves it (F1), so the faces keep their ids F2… and the
  // document its bytes. An unused standard font writes nothing into the file.
  const doc = new PDFDocument(fonts, {}, {}, {}, { ...options, autoFirstPage: false, font: null }, vfs, () => false);
  (doc as unknown as FontRegistry)._fontCount = 1;
  if (xmp) {
    // Private pdfkit hook: `_addInfo` appends pdfkit's own XMP properties at `end()`.
    const internal = doc as unknown as { _addInfo(): void; appendXML(xml: string): void };
    internal._addInfo = () => internal.appendXML(xmp(doc));
  }
  documentEnds.set(doc, collectDocument(doc));
  return doc;
}

/** Set the /ID entry of a structure element (PDF/UA-1 §7.9: Note elements need one). */
export function setElementId(element: StructElement, id: string): void {
  element.dictionary.data.ID = new String(id);
}

/** One glyph as the content stream shows it. */
export interface EncodedGlyph {
  /** Four hex digits: the glyph's code in the subset (Identity-H). */
  hex: string;
  /** The glyph's own advance in the PDF's /W array, in thousandths of the font size. */
  width: number;
  /** The ToUnicode map gives this glyph exactly `codePoints`. */
  mapsToText: boolean;
}

/** Whether `data` is a TrueType subset of at least `glyphs` glyphs, whole enough for fontkit to read. */
function isTrueTypeSubset(data: Uint8Array, glyphs: number): boolean {
  const font = fontkit.create(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (!('numGlyphs' in font) || font.numGlyphs < glyphs) return false;
  const loca = (font as Font & { loca?: { offsets: number[] } }).loca;
  return loca !== undefined && loca.offsets.length === font.numGlyphs + 1;
}

/** A face's pdfkit font, with the glyph encoder that fills its subset, widths and ToUnicode map. */
export class GlyphFont {
  readonly resourceName: string;
  private readonly embedded: EmbeddedFont;
  /**
   * Per subset glyph, once it is drawn: the characters its ToUnicode entry gives (set once) and
   * the encoding for a glyph that maps to its text and for one that does not (a long list draws
   * the same glyphs hundreds of thousands of times).
   */
  private readonly encoded: Array<{ unicode: number[]; mapping: EncodedGlyph; other: EncodedGlyph } | undefined> = [];

  constructor(
    private readonly doc: PdfkitDocument,
    private readonly face: Face,
  ) {
    this.embedded = embedFace(doc, face);
    this.resourceName = this.embedded.id;
  }

  /** Make the font a resource of the current page (as pdfkit's own text drawing does). */
  useOnPage(): void {
    const fonts = this.doc.page.fonts;
    if (fonts[this.embedded.id] == null) fonts[this.embedded.id] = this.embedded.ref();
  }

  /**
   * Once every glyph is drawn: the font's subset from the subset cache (src/fonts/subsetCache.ts),
   * or made now by fontkit's encoder (as pdfkit would at the end, without its outline decodes:
   * src/fonts/trueTypeSubset.ts) and kept; pdfkit then embeds
   * those bytes. The glyphs, in their order (the ids the content streams use), decide the
   * bytes. CFF subsets are left to pdfkit.
   */
  async settleSubset(options: SubsetCacheOptions): Promise<void> {
    const subset = this.embedded.subset;
    if (subset.cff != null) return;
    const glyphs = Uint32Array.from(subset.glyphs);
    const bytes = await cachedSubset(
      {
        face: this.face,
        subsetter: `fontkit ${packageVersion('fontkit')} TrueType subset`,
        keeps: new Uint8Array(glyphs.buffer),
        make: () => encodeTrueTypeSubset(subset),
        usable: (data) => isTrueTypeSubset(data, glyphs.length),
      },
      options,
    );
    subset.encode = () => bytes;
    if (this.embedded.document.compress) this.deflateOnce(bytes, await deflatedFontFile(bytes, options));
  }

  /**
   * pdfkit deflates the font file when it embeds the font (`EmbeddedFont.embed` writes the
   * subset's bytes into a stream that `PDFReference.finalize` deflates with node:zlib). The same
   * subset gives the same stream, so it is deflated once (a rebuild with the same glyphs deflates
   * nothing, nor does a new process: deflatedFontFile): while the font embeds, the stream that
   * receives `bytes` is written as pdfkit writes it (its /Length, /Filter /FlateDecode) with the
   * kept deflated bytes.
   */
  private deflateOnce(bytes: Uint8Array, deflated: Buffer): void {
    const embedded = this.embedded;
    const doc = embedded.document;
    const embed = embedded.embed;
    embedded.embed = () => {
      doc.ref = (data?: object) => {
        const stream = Object.getPrototypeOf(doc).ref.call(doc, data) as PdfStream;
        const end = stream.end;
        stream.end = (chunk?: Uint8Array) => {
          if (chunk !== bytes) return end.call(stream, chunk);
          stream.write(chunk);
          writeDeflated(stream, deflated);
        };
        return stream;
      };
      try {
        embed.call(embedded);
      } finally {
        delete (doc as { ref?: unknown }).ref;
      }
    };
  }

  /**
   * Put glyph `glyphId` into the subset; the ToUnicode map gets the characters it first stands
   * for (as pdfkit's `encode` does). A glyph drawn later for other characters does not match
   * its map: the caller then gives the text as /ActualText.
   */
  encode(glyphId: number, codePoints: number[]): EncodedGlyph {
    const font = this.embedded;
    const gid = font.subset.includeGlyph(glyphId);
    let known = this.encoded[gid];
    if (!known) {
      let width = font.widths[gid];
      if (width == null) {
        width = font.font.getGlyph(glyphId).advanceWidth * font.scale;
        font.widths[gid] = width;
      }
      // Every subset glyph gets an entry (pdfkit's ToUnicode writer reads them in order).
      if (font.unicode[gid] == null) font.unicode[gid] = codePoints;
      const hex = gid.toString(16).padStart(4, '0');
      known = { unicode: font.unicode[gid] ?? [], mapping: { hex, width, mapsToText: true }, other: { hex, width, mapsToText: false } };
      this.encoded[gid] = known;
    }
    const { unicode } = known;
    const mapsToText = unicode.length === codePoints.length && unicode.every((cp, i) => cp === codePoints[i]);
    return mapsToText ? known.mapping : known.other;
  }
}

/**
 * A font subset's file deflated as pdfkit deflates a stream (`zlib.deflateSync`): kept in memory
 * for the rebuilds of one process, and on disk for the next (src/io/diskCache.ts, folder
 * pdf-font-files) by the hash of the bytes and the zlib version; an entry read back is used only
 * if it inflates to exactly those bytes. `cache: false`: neither read nor written on disk.
 */
async function deflatedFontFile(bytes: Uint8Array, options: SubsetCacheOptions): Promise<Buffer> {
  const kept = fontStreams.get(bytes);
  if (kept) return kept;
  const disk = options.cache === false ? undefined : new DiskCache(path.join(cacheFolder(), 'pdf-font-files'));
  const key = cacheKey(['pdf font file', `zlib ${process.versions.zlib} deflateSync`, bytes]);
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stored = await disk?.get(key, (data) => whole.equals(zlib.inflateSync(data, { maxOutputLength: bytes.length + 1 })));
  let deflated: Buffer;
  if (stored) deflated = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  else {
    deflated = zlib.deflateSync(bytes);
    await disk?.put(key, deflated);
  }
  fontStreams.set(bytes, deflated);
  return deflated;
}

/** Finish a stream whose bytes are written (its /Length and /Filter set by pdfkit) with `deflated`, the same bytes deflated. */
function writeDeflated(stream: PdfStream, deflated: Uint8Array): void {
  stream.buffer = [deflated];
  stream.compress = false;
  stream.finalize();
}

/** The content streams of earlier documents' pages, by page number: their bytes and the bytes deflated. */
const pageContents = buildContext.map<number, { raw: Buffer; deflated: Buffer }>('deflated page contents');

/**
 * The current page's content stream deflated when the page ends, as pdfkit deflates it (node:zlib,
 * its default level), but once per process for the same bytes: a rebuild after a signatory change
 * draws the pages before the list as before, and their streams are taken as deflated then. Kept
 * per page number (the last document's), compared byte for byte.
 */
export function keepPageContent(doc: PdfkitDocument, pageNumber: number): void {
  const stream = (doc.page as unknown as { content: PdfStream }).content;
  const flushText = collectText(stream);
  const finalize = stream.finalize;
  stream.finalize = () => {
    flushText();
    if (stream.compress && stream.buffer.length > 0) {
      const raw = Buffer.concat(stream.buffer);
      let kept = pageContents.get(pageNumber);
      if (!kept?.raw.equals(raw)) pageContents.set(pageNumber, (kept = { raw, deflated: zlib.deflateSync(raw) }));
      stream.finalize = finalize;
      return writeDeflated(stream, kept.deflated);
    }
    return finalize.call(stream);
  };
}

/**
 * A page's content stream takes its operators as text, kept as strings and made into bytes once,
 * when the stream is finalized: pdfkit's `write` makes a Buffer of every operator it is given
 * (`Buffer.from(chunk + '\n', 'binary')`), tens of thousands of small Buffers for a long list
 * (with collectDocument: 10,000 names −0.1 s CPU). The bytes are the same: latin1, one byte per character.
 * The returned function writes what is kept; it must run before the stream is finalized.
 */
function collectText(stream: PdfStream): () => void {
  const write = stream.write;
  const parts: Array<string | Uint8Array> = [];
  stream.write = (chunk: Uint8Array | string) => {
    // As pdfkit's `write` takes a chunk: bytes as they are, anything else as its text and a newline.
    if (chunk instanceof Uint8Array) parts.push(chunk);
    else parts.push(String(chunk), '\n');
  };
  return () => {
    if (parts.length === 0) return;
    write.call(stream, joinParts(parts));
    parts.length = 0;
  };
}

/** pdfkit's document writer (PDFDocument is a Readable stream of the file's bytes), the members used here. */
interface DocumentWriter {
  _write(data: string | Buffer): void;
  _offset: number;
  _finalize(): void;
  read(): Buffer | null;
}

/**
 * The document's bytes are collected as pdfkit writes them (`_write`, called for every line of
 * every object), not pushed chunk by chunk through its Readable stream: 10,000 names write some
 * 80,000 small chunks. Strings are kept as strings (latin1, one byte per character, as
 * pdfkit's `Buffer.from(data + '\n', 'binary')`) and made into bytes once. Set up when the
 * document opens, before its first page is written; what it wrote before (its header) is read
 * from the stream.
 */
function collectDocument(doc: PdfkitDocument): () => Promise<Uint8Array> {
  const writer = doc as unknown as DocumentWriter;
  const head = writer.read();
  const parts: Array<string | Buffer> = head ? [head] : [];
  writer._write = (data: string | Buffer) => {
    if (Buffer.isBuffer(data)) {
      parts.push(data);
      writer._offset += data.length;
    } else {
      const line = `${String(data)}\n`;
      parts.push(line);
      writer._offset += line.length;
    }
  };
  return () =>
    new Promise((resolve, reject) => {
      const finalize = writer._finalize;
      writer._finalize = () => {
        finalize.call(writer);
        resolve(new Uint8Array(joinParts(parts)));
      };
      doc.on('error', (err) => reject(err as Error));
      doc.end();
    });
}

/** Strings (latin1) and bytes, one after another, as one Buffer. */
function joinParts(parts: Array<string | Uint8Array>): Buffer {
  const buffers: Uint8Array[] = [];
  let text: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') text.push(part);
    else {
      if (text.length > 0) buffers.push(Buffer.from(text.join(''), 'latin1'));
      text = [];
      buffers.push(part);
    }
  }
  if (text.length > 0) buffers.push(Buffer.from(text.join(''), 'latin1'));
  return Buffer.concat(buffers);
}

const documentEnds = new WeakMap<PdfkitDocument, () => Promise<Uint8Array>>();

/** End the document and collect its bytes. */
export function documentBytes(doc: PdfkitDocument): Promise<Uint8Array> {
  const end = documentEnds.get(doc);
  if (!end) throw new Error('documentBytes: the document was not opened by openDocument');
  return end();
}
