/**
 * Font files read part by part (src/fonts/fontChain.ts readFont): a TrueType face is opened
 * without its outlines, each glyph's outline read when fontkit makes the glyph, the whole file
 * when its bytes are asked for. Everything fontkit tells of such a face (metrics, control boxes,
 * outlines, subsets) is what it tells of the file read whole; a file changed in place is refused.
 * The editions built from such faces, with and without cached subsets: test/fontCache.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { scratch } from './helpers.js';
import { buildContext } from '../src/context.js';
import { FontProblem, openFace } from '../src/fonts/fontChain.js';
import { fontkit, type Font } from '../src/fonts/fontkit.js';
import { shapingTables } from '../src/typeset/harfbuzz.js';

const require = createRequire(import.meta.url);
const fontFile = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
const LATIN = fontFile('@expo-google-fonts/source-serif-4', '400Regular/SourceSerif4_400Regular.ttf');
const CJK = fontFile('@expo-google-fonts/noto-serif-sc', '400Regular/NotoSerifSC_400Regular.ttf');

/** What fontkit says of some glyphs: advance, control box, outline (composite glyphs too). */
function glyphFacts(font: Font, text: string): unknown[] {
  return [...text].map((ch) => {
    const glyph = font.glyphForCodePoint(ch.codePointAt(0) ?? 0);
    return [glyph.id, glyph.advanceWidth, glyph.cbox, glyph.path.toSVG()];
  });
}

/** An sfnt file with one more table, `tag`, put after the others (checksums left zero). */
function withTable(font: Buffer, tag: string, table: Buffer): Buffer {
  const count = font.readUInt16BE(4);
  const records = Array.from({ length: count }, (_, k) => font.subarray(12 + 16 * k, 28 + 16 * k));
  const entry = Buffer.alloc(16);
  entry.write(tag, 0, 'latin1');
  const sorted = [...records, entry].sort((a, b) => a.toString('latin1', 0, 4).localeCompare(b.toString('latin1', 0, 4)));
  // 16 bytes more of directory: every table moves by 16; the new one goes at the (padded) end.
  for (const record of records) record.writeUInt32BE(record.readUInt32BE(8) + 16, 8);
  const tablesStart = 12 + 16 * count;
  const end = Math.ceil((font.length + 16) / 4) * 4;
  entry.writeUInt32BE(end, 8);
  entry.writeUInt32BE(table.length, 12);
  const header = Buffer.from(font.subarray(0, 12));
  header.writeUInt16BE(count + 1, 4);
  const out = Buffer.concat([header, ...sorted, font.subarray(tablesStart)]);
  return Buffer.concat([out, Buffer.alloc(end - out.length), table]);
}

describe('a font file read part by part', () => {
  for (const [name, file, text] of [
    ['Source Serif 4 (no vertical metrics: glyph headers for every advance)', LATIN, 'Łódź, Győr–Sopron “i” ﬁ 0123456789 ǅ é'],
    ['Noto Serif SC', CJK, '中华人民共和国，“联署”。１２３ 龘 abc'],
  ] as const) {
    it(`tells what the whole file tells: ${name}`, () => {
      const copy = path.join(scratch('letterpress-font-parts-'), path.basename(file));
      copyFileSync(file, copy);
      const face = openFace(copy, 'test face');
      const whole = fontkit.create(readFileSync(file)) as Font;
      expect(face.unitsPerEm).toBe(whole.unitsPerEm);
      expect(glyphFacts(face.font, text)).toEqual(glyphFacts(whole, text));
      const subset = (font: Font) => {
        const s = font.createSubset();
        for (const ch of text) s.includeGlyph(font.glyphForCodePoint(ch.codePointAt(0) ?? 0).id);
        return Buffer.from(s.encode());
      };
      // A fresh face (no glyph made yet) subsets from its parts as from the whole file, and
      // gives HarfBuzz the same shaping tables.
      buildContext.clear(['font faces']);
      const fresh = openFace(copy, 'test face');
      expect(Buffer.from(shapingTables(fresh.withoutOutlines)).equals(Buffer.from(shapingTables(readFileSync(file))))).toBe(true);
      expect(subset(fresh.font)).toEqual(subset(whole));
      expect(face.data.equals(readFileSync(file))).toBe(true);
    });
  }

  it('refuses a file changed in place after it was opened', () => {
    const copy = path.join(scratch('letterpress-font-parts-'), 'changed.ttf');
    copyFileSync(LATIN, copy);
    const face = openFace(copy, 'changed face');
    const bytes = readFileSync(copy);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(copy, bytes);
    expect(() => face.data).toThrow(FontProblem);
    rmSync(copy);
  });
  it('keeps no descriptor open for a TrueType file it refuses (a watch process opens it at every rebuild)', () => {
    const broken = path.join(scratch('letterpress-font-parts-'), 'broken-cmap.ttf');
    const bytes = readFileSync(LATIN);
    // Its outlines lie inside the file (read part by part), its character map is garbage.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tables = view.getUint16(4);
    for (let k = 0; k < tables; k++) {
      if (bytes.toString('latin1', 12 + 16 * k, 16 + 16 * k) !== 'cmap') continue;
      bytes.fill(0xff, view.getUint32(12 + 16 * k + 8), view.getUint32(12 + 16 * k + 8) + view.getUint32(12 + 16 * k + 12));
    }
    writeFileSync(broken, bytes);
    const openDescriptors = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const before = openDescriptors();
    for (let i = 0; i < 2; i++) expect(() => openFace(broken, 'broken face')).toThrow(FontProblem);
    expect(openDescriptors()).toBe(before);
  });
  it("reads the outlines of an sbix font's glyphs (fontkit makes them without _getBaseGlyph)", () => {
    // Source Serif 4 with an sbix table of no strikes: fontkit's getGlyph then makes SBIXGlyphs,
    // TrueType glyphs whose outlines are still those in glyf.
    const copy = path.join(scratch('letterpress-font-parts-'), 'sbix.ttf');
    writeFileSync(copy, withTable(readFileSync(LATIN), 'sbix', Buffer.from([0, 1, 0, 1, 0, 0, 0, 0])));
    const whole = fontkit.create(readFileSync(copy)) as Font;
    expect((whole.getGlyph(whole.glyphForCodePoint(0x141).id) as { type?: string }).type).toBe('SBIX');
    const face = openFace(copy, 'sbix face');
    expect(glyphFacts(face.font, 'Łő ñ')).toEqual(glyphFacts(whole, 'Łő ñ'));
  });
  it('refuses a font file cut short, naming the table it lacks (not an internal error later)', () => {
    const bytes = readFileSync(LATIN);
    for (const length of [150_000, 30_000]) {
      // 150,000 bytes: the outlines are inside, GPOS is not; 30,000: the outlines are not either.
      const cut = path.join(scratch('letterpress-font-parts-'), `cut-${length}.ttf`);
      writeFileSync(cut, bytes.subarray(0, length));
      expect(() => openFace(cut, 'cut face')).toThrow(/cut short: its '(GPOS|glyf)' table ends beyond/);
    }
  });
});
