import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontkit, type Font } from '../src/fonts/fontkit.js';
import { readLocaWhenUsed, type LocaTable } from '../src/fonts/loca.js';
import { root } from './helpers.js';

const fonts = path.join(root, 'node_modules', '@expo-google-fonts');
const locaOf = (font: Font) => (font as unknown as { loca: LocaTable }).loca;

describe('the loca table read with a DataView (src/fonts/loca.ts)', () => {
  it.each(['noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf', 'source-serif-4/400Regular/SourceSerif4_400Regular.ttf', 'noto-serif-kr/400Regular/NotoSerifKR_400Regular.ttf'])(
    'gives fontkit’s offsets and format: %s',
    (file) => {
      const data = readFileSync(path.join(fonts, file));
      const theirs = locaOf(fontkit.create(data) as Font);
      const font = fontkit.create(data) as Font;
      readLocaWhenUsed(font);
      const ours = locaOf(font);
      expect(ours).not.toBe(theirs);
      expect(ours.version).toBe(theirs.version);
      expect(ours.offsets).toEqual([...theirs.offsets]);
      expect(ours.offsets.length).toBe(font.numGlyphs + 1);
      // Glyph boxes and advances come out the same through it.
      const glyph = font.glyphForCodePoint('中'.codePointAt(0) ?? 0);
      expect(font.getGlyph(glyph.id).cbox).toEqual((fontkit.create(data) as Font).getGlyph(glyph.id).cbox);
    },
  );
});
