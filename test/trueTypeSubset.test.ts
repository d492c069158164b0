import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontkit, type Font } from '../src/fonts/fontkit.js';
import { encodeTrueTypeSubset } from '../src/fonts/trueTypeSubset.js';
import { root } from './helpers.js';

const fonts = path.join(root, 'node_modules', '@expo-google-fonts');
const open = (file: string) => fontkit.create(readFileSync(path.join(fonts, file))) as Font;

/** fontkit's subset of the glyphs of `text` (in the order shaped) and of a few ids, encoded both ways. */
function bothWays(font: Font, text: string, ids: number[]): { ours: Uint8Array; fontkits: Uint8Array; asked: number; glyphs: number } {
  const glyphIds = [...font.layout(text).glyphs.map((g) => g.id), ...ids];
  const make = () => {
    const subset = font.createSubset();
    for (const id of glyphIds) subset.includeGlyph(id);
    return subset;
  };
  const ours = encodeTrueTypeSubset(make());
  const theirs = make();
  const fontkits = theirs.encode();
  // .notdef is always in a subset.
  return { ours, fontkits, asked: new Set([0, ...glyphIds]).size, glyphs: (theirs as unknown as { glyphs: number[] }).glyphs.length };
}

describe('the PDF font subset encoded without outline decodes (src/fonts/trueTypeSubset.ts)', () => {
  it('gives fontkit’s bytes for a Latin face with composite glyphs (their components added)', () => {
    const font = open('source-serif-4/400Regular/SourceSerif4_400Regular.ttf');
    const { ours, fontkits, asked, glyphs } = bothWays(font, 'ŀ Ŀ é Ê ǅ ṩ Ω Action des Chrétiens — “fi”', [3, 200, 900]);
    // Composite glyphs pulled components in beyond the glyphs asked for.
    expect(glyphs).toBeGreaterThan(asked);
    expect(Buffer.from(ours).equals(fontkits)).toBe(true);
  });

  it('gives fontkit’s bytes for a CJK face, glyphs past the last full hmtx metric included', () => {
    const font = open('noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf');
    const { ours, fontkits } = bothWays(font, '我等特此致函针对恢复强迫遣返在中华人民共和国被捕的朝鲜人，（）“”。', [1, font.numGlyphs - 1, 12345]);
    expect(Buffer.from(ours).equals(fontkits)).toBe(true);
  });
});
