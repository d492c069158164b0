/**
 * A TrueType font's loca table (where each glyph's outline starts in glyf), read with a DataView
 * the first time fontkit asks for it, in place of fontkit's decoder, which reads it value by value
 * through restructure: ~12 ms for the 65,536 glyphs of a CJK font (Node 20, cold code), on every
 * build that draws a glyph — pdfkit reads the advance of .notdef when it embeds a face, and
 * fontkit's advance of a TrueType glyph finds the glyph's box through loca. The values are
 * fontkit's (OpenType loca: short offsets are stored halved); test/loca.test.ts compares them.
 */
import type { Font } from './fontkit.js';

/** The fontkit 2.0 members used: the table directory, the decoded-table cache and the font's bytes. */
interface FontInternals {
  directory: { tables: Record<string, { offset: number; length: number } | undefined> };
  _tables: Record<string, unknown>;
  head: { indexToLocFormat: number };
  stream: { buffer: Uint8Array };
}

/** What fontkit's loca decoder gives (a versioned struct, short offsets already doubled). */
export interface LocaTable {
  version: number;
  offsets: number[];
  _processed?: boolean;
}

function readLoca(bytes: Uint8Array, offset: number, length: number, short: boolean): LocaTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
  const offsets = new Array<number>(short ? length / 2 : length / 4);
  if (short) for (let i = 0; i < offsets.length; i++) offsets[i] = view.getUint16(2 * i) * 2;
  else for (let i = 0; i < offsets.length; i++) offsets[i] = view.getUint32(4 * i);
  return short ? { version: 0, offsets, _processed: true } : { version: 1, offsets };
}

/**
 * Let fontkit find `font`'s loca table already read (read on first use). A font whose loca is not
 * plainly readable (an odd length, an unknown format, outside the file) keeps fontkit's decoder.
 */
export function readLocaWhenUsed(font: Font): void {
  const internals = font as unknown as FontInternals;
  const entry = internals.directory.tables['loca'];
  if (!entry || 'loca' in internals._tables) return;
  const bytes = internals.stream.buffer;
  const format = internals.head.indexToLocFormat;
  const size = format === 0 ? 2 : 4;
  if ((format !== 0 && format !== 1) || entry.length % size !== 0 || entry.offset + entry.length > bytes.byteLength) return;
  let table: LocaTable | undefined;
  // fontkit's table getter looks in `_tables` first (`tag in this._tables`).
  Object.defineProperty(internals._tables, 'loca', {
    configurable: true,
    enumerable: true,
    get: () => (table ??= readLoca(bytes, entry.offset, entry.length, format === 0)),
  });
}
