/**
 * fontkit's TrueType subset encoder (`TTFSubset.encode`, which pdfkit calls for an embedded
 * font) made cheaper without changing a byte: for each glyph it copies, its `_addGlyph` decodes the
 * whole outline (every point) only to learn whether the glyph is composite, and decodes it again
 * for its metrics (`advanceWidth` → the control box), though the bytes are copied as they are and
 * the metrics come from hmtx. Here a glyph's components are read from its record (OpenType glyf:
 * "Composite glyph description") and its metrics from hmtx, as fontkit's `_getTableMetrics`
 * gives them; the rest of `encode` (tables, checksums) is fontkit's. A CJK letter's ~1,000 glyphs
 * took ~25 ms more with the decodes. A font with variations keeps fontkit's own (its outlines are
 * re-encoded). test/trueTypeSubset.test.ts compares the bytes with fontkit's.
 */
/** The members of fontkit 2.0's TTFSubset (and its font) that its `_addGlyph` uses. */
interface TrueTypeSubset {
  font: {
    loca: { offsets: number[] };
    hmtx: unknown;
    _variationProcessor: unknown;
    _getTableStream(tag: 'glyf'): { pos: number; readBuffer(length: number): Uint8Array };
    getGlyph(id: number): { _getTableMetrics(table: unknown): { advance: number; bearing: number } };
  };
  glyf: Uint8Array[];
  loca: { offsets: number[] };
  hmtx: { metrics: Array<{ advance: number; bearing: number }> };
  offset: number;
  includeGlyph(id: number): number;
  _addGlyph(id: number): number;
  encode(): Uint8Array;
}

// Component flags (OpenType glyf table).
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;
/** numberOfContours, xMin, yMin, xMax, yMax. */
const GLYPH_HEADER = 10;

/** fontkit's `_addGlyph` without the outline decodes (see the header). */
function addGlyph(this: TrueTypeSubset, gid: number): number {
  const { font } = this;
  const glyph = font.getGlyph(gid);
  const start = font.loca.offsets[gid] ?? 0;
  const end = font.loca.offsets[gid + 1] ?? start;
  const stream = font._getTableStream('glyf');
  stream.pos += start;
  let buffer = stream.readBuffer(end - start);
  if (buffer.length >= GLYPH_HEADER && ((buffer[0] ?? 0) & 0x80) !== 0) {
    // A composite glyph (numberOfContours < 0): its components join the subset, under their new ids.
    buffer = new Uint8Array(buffer);
    const view = new DataView(buffer.buffer);
    let at = GLYPH_HEADER;
    let flags = MORE_COMPONENTS;
    while (flags & MORE_COMPONENTS) {
      flags = view.getUint16(at);
      view.setUint16(at + 2, this.includeGlyph(view.getUint16(at + 2)));
      at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      at += flags & WE_HAVE_A_SCALE ? 2 : flags & WE_HAVE_AN_X_AND_Y_SCALE ? 4 : flags & WE_HAVE_A_TWO_BY_TWO ? 8 : 0;
    }
  }
  this.glyf.push(buffer);
  this.loca.offsets.push(this.offset);
  const { advance, bearing } = glyph._getTableMetrics(font.hmtx);
  this.hmtx.metrics.push({ advance, bearing });
  this.offset += buffer.length;
  return this.glyf.length - 1;
}

/** Encode `subset` (fontkit's `createSubset()` of a TrueType font) as fontkit would, faster where it can. */
export function encodeTrueTypeSubset(subset: { encode(): Uint8Array }): Uint8Array {
  const internals = subset as unknown as TrueTypeSubset;
  if (internals.font._variationProcessor) return internals.encode();
  internals._addGlyph = addGlyph;
  try {
    return internals.encode();
  } finally {
    delete (internals as Partial<TrueTypeSubset>)._addGlyph;
  }
}
