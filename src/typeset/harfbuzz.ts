/**
 * Shaping with HarfBuzz (harfbuzzjs, WebAssembly), returning what fontkit's `font.layout` returns
 * for the same text and features: glyph ids, the characters each glyph stands for, advances and
 * offsets in font units. One HarfBuzz blob, face and font per face, made when the face is first
 * shaped and kept with the face.
 *
 * harfbuzzjs starts its WebAssembly module when it is imported (a top-level await), so it is
 * loaded with `loadHarfBuzz()` before a synchronous `hbLayout` call; `withHarfBuzz` loads it only
 * when something is left to shape (a letter whose lines all come from the disk cache never starts it).
 *
 * The glyph → character map follows fontkit's: characters are read at HarfBuzz's character-level
 * clusters (`MONOTONE_CHARACTERS`, so a combining mark keeps its own cluster), every character of
 * a cluster goes to its first glyph and a further glyph of the same cluster (a multiple
 * substitution) gets none.
 */
import type * as HarfBuzz from 'harfbuzzjs';
import type { Face } from '../fonts/fontChain.js';
import { buildContext } from '../context.js';

type HarfBuzzModule = typeof HarfBuzz;

let hb: HarfBuzzModule | null = null;

/** Start harfbuzzjs's WebAssembly module (once per process). */
export async function loadHarfBuzz(): Promise<void> {
  hb ??= await import('harfbuzzjs');
}

/**
 * Thrown by a shaping call made inside `withHarfBuzz` before HarfBuzz is loaded: the work is
 * given up, HarfBuzz loaded, and the work done again (what was set meanwhile is kept in memos).
 */
export class HarfBuzzNeeded extends Error {
  constructor() {
    super('HarfBuzz is needed: load it and set the text again.');
  }
}

/** Set while `withHarfBuzz` runs before HarfBuzz is loaded. */
let deferred = false;

/** Whether shaping now must stop for HarfBuzz to load (see `withHarfBuzz`). */
export function harfBuzzDeferred(): boolean {
  return deferred && hb === null && !fontkitOnly;
}

/**
 * Run `work` (synchronous typesetting) shaping with HarfBuzz, loading it only if `work` shapes
 * anything: it runs first without HarfBuzz, and if a shaping call is made (HarfBuzzNeeded), once
 * more after loading it. So `work` must be safe to repeat (it keeps nothing of a run given up).
 */
export async function withHarfBuzz<T>(work: () => T): Promise<T> {
  if (hb === null && !deferred) {
    deferred = true;
    try {
      return work();
    } catch (err) {
      if (!(err instanceof HarfBuzzNeeded)) throw err;
    } finally {
      deferred = false;
    }
  }
  await loadHarfBuzz();
  return work();
}

/** Set while `withFontkitShaping` runs. */
let fontkitOnly = false;

/** HarfBuzz is loaded and in use. */
export function harfBuzzLoaded(): boolean {
  return hb !== null && !fontkitOnly;
}

/** Run `fn` with fontkit's shaping, as before HarfBuzz loaded (the comparison test records its runs so). */
export function withFontkitShaping<T>(fn: () => T): T {
  fontkitOnly = true;
  try {
    return fn();
  } finally {
    fontkitOnly = false;
  }
}

const hbFonts = buildContext.weakMap<Face, HarfBuzz.Font>('harfbuzz fonts');

function hbFontOf(module: HarfBuzzModule, face: Face): HarfBuzz.Font {
  let font = hbFonts.get(face);
  if (!font) {
    const blob = new module.Blob(shapingTables(face.withoutOutlines));
    font = new module.Font(new module.Face(blob, 0));
    hbFonts.set(face, font);
  }
  return font;
}

/**
 * Outline and bitmap tables, which shaping never reads: left out of the copy of the font that
 * HarfBuzz gets (the blob is copied into WebAssembly memory; a CJK font is mostly outlines,
 * ~14 MB of Noto Serif SC's 14.8).
 */
const OUTLINES = new Set(['glyf', 'loca', 'CFF ', 'CFF2', 'CBDT', 'CBLC', 'EBDT', 'EBLC', 'EBSC', 'sbix', 'SVG ', 'DSIG']);

/**
 * An OpenType font (sfnt) without its outline tables: the table directory rewritten for the
 * tables kept, each at a 4-byte boundary (OpenType §5, "Table directory"). Written here because
 * no library makes such a copy without parsing and re-encoding every table.
 */
export function shapingTables(data: Uint8Array): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = view.getUint16(4);
  const tables: Array<{ record: Uint8Array; offset: number; length: number }> = [];
  for (let k = 0; k < count; k++) {
    const at = 12 + 16 * k;
    const tag = String.fromCharCode(...data.subarray(at, at + 4));
    if (OUTLINES.has(tag)) continue;
    tables.push({ record: data.subarray(at, at + 16), offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  const header = 12 + 16 * tables.length;
  const size = tables.reduce((sum, t) => sum + ((t.length + 3) & ~3), header);
  const out = new Uint8Array(size);
  const outView = new DataView(out.buffer);
  out.set(data.subarray(0, 4)); // sfnt version
  const log2 = Math.floor(Math.log2(tables.length || 1));
  outView.setUint16(4, tables.length);
  outView.setUint16(6, 16 * 2 ** log2);
  outView.setUint16(8, log2);
  outView.setUint16(10, 16 * tables.length - 16 * 2 ** log2);
  let offset = header;
  tables.forEach((table, k) => {
    const at = 12 + 16 * k;
    out.set(table.record, at);
    outView.setUint32(at + 8, offset);
    out.set(data.subarray(table.offset, table.offset + table.length), offset);
    offset += (table.length + 3) & ~3;
  });
  return out;
}

/** One buffer, emptied before each run (shaping is synchronous). */
let buffer: HarfBuzz.Buffer | null = null;

/** A shaped run in fontkit's terms. */
export interface ShapedText {
  glyphs: Array<{ id: number; codePoints: number[] }>;
  positions: Array<{ xAdvance: number; xOffset: number; yOffset: number }>;
}

/** Shape `text` in `face` with HarfBuzz's default features and the given ones switched on. */
export function hbLayout(face: Face, text: string, features: string[] = []): ShapedText {
  const module = hb;
  if (!module) throw new Error('HarfBuzz is not loaded: await loadHarfBuzz() first.');
  const font = hbFontOf(module, face);
  buffer ??= new module.Buffer();
  buffer.clearContents();
  buffer.addText(text);
  buffer.guessSegmentProperties();
  buffer.setClusterLevel(module.ClusterLevel.MONOTONE_CHARACTERS);
  module.shape(font, buffer, features.map((tag) => new module.Feature(tag, 1)));
  const infos = buffer.getGlyphInfos();
  const positions = buffer.getGlyphPositions();
  // Cluster values are UTF-16 offsets into `text`; a cluster runs to the next larger value.
  const ends = [...new Set(infos.map((i) => i.cluster))].sort((a, b) => a - b);
  const endOf = new Map(ends.map((c, k) => [c, ends[k + 1] ?? text.length]));
  const seen = new Set<number>();
  const glyphs = infos.map((info) => {
    let codePoints: number[] = [];
    if (!seen.has(info.cluster)) {
      seen.add(info.cluster);
      codePoints = [...text.slice(info.cluster, endOf.get(info.cluster))].map((ch) => ch.codePointAt(0) ?? 0);
    }
    return { id: info.codepoint, codePoints };
  });
  return {
    glyphs,
    positions: positions.map((p) => ({ xAdvance: p.xAdvance, xOffset: p.xOffset, yOffset: p.yOffset })),
  };
}
