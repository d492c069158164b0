import subsetFont from 'subset-font';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { subsetWithHarfBuzz } from '../src/fonts/hbSubset.js';
import { root } from './helpers.js';

const fonts = path.join(root, 'node_modules', '@expo-google-fonts');
const FEATURES = ['ccmp', 'locl', 'kern', 'liga', 'mark', 'vert', 'vrt2', 'vkrn', 'chws', 'vchw', 'halt', 'vhal', 'palt', 'vpal'];

describe('hb-subset called directly (src/fonts/hbSubset.ts)', () => {
  // The Word copy's subsets must stay what subset-font made: the same HarfBuzz, the same calls.
  it.each([
    ['noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf', '我等特此致函，（朝鲜）“难民”。Bench fi ffl 2023'],
    ['source-serif-4/400Regular/SourceSerif4_400Regular.ttf', 'Action des Chrétiens — office “fi” ŁłąźĐđ'],
  ])('gives the bytes subset-font gives: %s', async (file, text) => {
    const font = readFileSync(path.join(fonts, file));
    const ours = await subsetWithHarfBuzz(font, text, FEATURES);
    const theirs = await subsetFont(font, text, { targetFormat: 'truetype', keepFeatures: FEATURES });
    expect(ours.byteLength).toBeGreaterThan(1000);
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    // A second subset from the same instance (its memory grown by the first) is the same again.
    expect(Buffer.from(await subsetWithHarfBuzz(font, text, FEATURES)).equals(theirs)).toBe(true);
  });

  it('says what failed for a file that is not a font', async () => {
    await expect(subsetWithHarfBuzz(new Uint8Array(64), 'abc', FEATURES)).rejects.toThrow(/hb-subset|hb_subset/);
  });
});
