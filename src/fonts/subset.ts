/**
 * Font subsets that stand on their own (for a word processor, not only a PDF viewer), and the
 * embedding rights a font declares.
 *
 * fontkit's `createSubset().encode()` writes only the tables a PDF needs (glyf, loca, hmtx, head,
 * hhea, maxp, cvt, prep, fpgm): no cmap, name, OS/2 or post, so a word processor cannot map a
 * character to a glyph or match the family name, and fontkit itself cannot open the result. HarfBuzz's
 * hb-subset (the subsetter behind Google Fonts, here harfbuzzjs's WebAssembly
 * build, called in src/fonts/hbSubset.ts) writes a complete font: cmap (formats 4 and 12), name, OS/2, post, and the layout
 * and vertical-metrics tables cut to the glyphs kept.
 */
import { fontkit, type Font } from './fontkit.js';
import type { Face } from './fontChain.js';
import { cachedSubset, packageVersion, type SubsetCacheOptions } from './subsetCache.js';
import { subsetWithHarfBuzz } from './hbSubset.js';

/** What OS/2 fsType allows (OpenType spec, OS/2 table, fsType). */
export interface EmbeddingRights {
  /** Embedding allowed in a document that stays editable (installable or editable embedding). */
  editable: boolean;
  /** Why not, when not. */
  refusal?: string;
  /** Bit 8: the font must be embedded whole. */
  noSubsetting: boolean;
}

export function embeddingRights(font: Font): EmbeddingRights {
  const fsType = font['OS/2']?.fsType;
  const noSubsetting = fsType?.noSubsetting === true;
  // Bit 1: restricted licence embedding; bit 2: preview & print only (the document would open
  // read-only, which defeats an editable copy); bit 9: bitmaps only (no outlines to embed).
  if (fsType?.noEmbedding) return { editable: false, refusal: 'its licence forbids embedding (OS/2 fsType: restricted licence)', noSubsetting };
  if (fsType?.viewOnly && !fsType.editable) return { editable: false, refusal: 'it allows only preview & print embedding, which opens the document read-only (OS/2 fsType)', noSubsetting };
  if (fsType?.bitmapOnly) return { editable: false, refusal: 'it allows embedding its bitmaps only (OS/2 fsType)', noSubsetting };
  return { editable: true, noSubsetting };
}

/**
 * OpenType features kept in a subset: the ones a word processor applies to CJK and Latin text
 * (composition, localized forms, kerning, ligatures, vertical forms, CJK punctuation widths).
 * Keeping every feature pulls in all alternates (aalt, ruby, pwid/hwid/fwid forms) and makes a
 * subset of this letter half as large again.
 */
const KEPT_FEATURES = ['ccmp', 'locl', 'kern', 'liga', 'mark', 'vert', 'vrt2', 'vkrn', 'chws', 'vchw', 'halt', 'vhal', 'palt', 'vpal'];

export type { SubsetCacheOptions as SubsetOptions } from './subsetCache.js';

/** What else decides a subset's bytes: the HarfBuzz build that makes it (its version). */
const subsetter = (): string => `harfbuzzjs ${packageVersion('harfbuzzjs')}`;

/** A subset read from the cache is used only if fontkit opens it and it maps every one of `mapped`. */
function isUsableSubset(data: Uint8Array, mapped: number[]): boolean {
  const font = fontkit.create(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (!('numGlyphs' in font) || font.numGlyphs < 1) return false;
  return mapped.every((cp) => font.hasGlyphForCodePoint(cp));
}

/**
 * A TrueType subset of `data` holding the glyphs of `codePoints` (those the font has), with
 * .notdef. Deterministic: the same font and characters give the same bytes. The last subset of
 * each font file is kept in memory, so a rebuild with the same characters costs nothing; subsets
 * are also kept on disk (src/fonts/subsetCache.ts), by the font file's hash, the characters, the
 * features kept and the subsetter's version, so a new process does not start HarfBuzz's
 * WebAssembly (loaded only when a subset must be made).
 */
export async function subsetTrueType(face: Pick<Face, 'file' | 'data' | 'font' | 'identity'>, codePoints: Iterable<number>, options: SubsetCacheOptions = {}): Promise<Uint8Array> {
  // A typed array sorts numerically without a comparator call per pair (a CJK letter has ~1,000 characters).
  const sorted = [...Uint32Array.from(new Set(codePoints)).sort()];
  const text = String.fromCodePoint(...sorted);
  return cachedSubset(
    {
      face,
      subsetter: `hb-subset (${subsetter()}), truetype, features ${KEPT_FEATURES.join(',')}`,
      keeps: text,
      make: () => subsetWithHarfBuzz(face.data, text, KEPT_FEATURES),
      usable: (entry) => isUsableSubset(entry, sorted.filter((cp) => face.font.hasGlyphForCodePoint(cp))),
    },
    options,
  );
}
