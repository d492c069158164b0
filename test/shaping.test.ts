/**
 * HarfBuzz (harfbuzzjs) against fontkit: every text run the PDF layout shapes — the seed letter,
 * every example letter (en, ko, ja, zh-TW) and the names corpus in every built-in template — is
 * shaped by both, and the glyph ids, the characters each glyph stands for, the advances and the
 * offsets must be the same. The runs are recorded as the layout asks fontkit for them (fontkit's
 * shaping chosen and its `layout` wrapped for the duration of the layouts, then restored).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { layoutPdf } from '../src/render/pdf/index.js';
import { buildContext } from '../src/context.js';
import { hbLayout, loadHarfBuzz, withFontkitShaping, type ShapedText } from '../src/typeset/harfbuzz.js';
import { openFaces, type Face } from '../src/fonts/fontChain.js';
import { fontkit, type Font } from '../src/fonts/fontkit.js';
import { fixture, root, scratch } from './helpers.js';

interface Call {
  font: Font;
  text: string;
  features: string[];
  fontkit: ShapedText;
}

/** The kept caches of shaped runs and set lines. */
const SHAPED = ['advances', 'layout memos'];

const calls: Call[] = [];
const letters: string[] = [];

/** The names corpus as a short letter in each built-in template. */
function namesLetters(): string[] {
  const dir = scratch('letterpress-shaping-');
  copyFileSync(fixture('names', 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
  return (['zh-CN', 'zh-TW', 'ko', 'ja', 'en'] as const).map((lang) => {
    const file = path.join(dir, `letter.${lang}.md`);
    writeFileSync(file, `---\nlang: ${lang}\ndate: 2024-05-02\nto:\n  - name: Recipient\nsubject: Names\nsalutation: Names\nclosing: Names\nsignatories: signatories.yaml\ntemplate: ${lang}\n---\n\nWe write jointly 我們聯名 우리는 함께.\n`);
    return file;
  });
}

beforeAll(async () => {
  letters.push(
    path.join(root, 'letter.md'),
    ...['en', 'ko', 'ja', 'zh-TW'].map((lang) => path.join(root, 'examples', `letter.${lang}.md`)),
    ...namesLetters(),
  );
  const frames = await Promise.all(letters.map(async (file) => buildFrame((await loadLetter(file)).document)));
  // fontkit's font class, from any face (every font file opens as a TrueType/OpenType font).
  const probe = fontkit.create(readFileSync(path.join(root, 'node_modules/@expo-google-fonts/source-serif-4/400Regular/SourceSerif4_400Regular.ttf')));
  const proto = Object.getPrototypeOf(probe) as Font;
  const original = proto.layout;
  proto.layout = function (this: Font, text: string, features?: string[] | Record<string, boolean>) {
    const run = original.call(this, text, features);
    calls.push({
      font: this,
      text,
      features: Array.isArray(features) ? features : [],
      fontkit: {
        glyphs: run.glyphs.map((g) => ({ id: g.id, codePoints: [...g.codePoints] })),
        positions: run.positions.map((p) => ({ xAdvance: p.xAdvance, xOffset: p.xOffset, yOffset: p.yOffset })),
      },
    });
    return run;
  } as Font['layout'];
  // Every run is shaped afresh: shaped words and set lines kept by earlier tests are set aside,
  // and put back after (those shaped here by fontkit are dropped, as later builds shape with HarfBuzz).
  try {
    await buildContext.cold(async () => {
      withFontkitShaping(() => {
        for (const frame of frames) layoutPdf(frame);
      });
    }, SHAPED);
  } finally {
    proto.layout = original;
  }
  await loadHarfBuzz();
});

describe('shaping with HarfBuzz', () => {
  it('shapes every run of the seed letter, the examples and the names corpus as fontkit does', () => {
    const faces = new Map<Font, Face>();
    // The faces the layout opened, found by their fontkit font.
    for (const call of calls) if (!faces.has(call.font)) faces.set(call.font, faceOf(call.font));
    expect(calls.length).toBeGreaterThan(50);
    let glyphs = 0;
    const differences: string[] = [];
    for (const call of calls) {
      const face = faces.get(call.font) as Face;
      const harfbuzz = hbLayout(face, call.text, call.features);
      glyphs += call.fontkit.glyphs.length;
      if (JSON.stringify(harfbuzz) !== JSON.stringify(call.fontkit)) differences.push(describeDifference(face, call, harfbuzz));
    }
    // eslint-disable-next-line no-console
    console.log(`shaping: ${calls.length} runs, ${glyphs} glyphs, ${differences.length} runs differ`);
    expect(differences.slice(0, 10)).toEqual([]);
  });
});

function faceOf(font: Font): Face {
  const found = openFaces().find((face) => face.font === font);
  if (!found) throw new Error('a shaped font that no face holds');
  return found;
}

function describeDifference(face: Face, call: Call, harfbuzz: ShapedText): string {
  const first = call.fontkit.glyphs.findIndex((g, k) => JSON.stringify([g, call.fontkit.positions[k]]) !== JSON.stringify([harfbuzz.glyphs[k], harfbuzz.positions[k]]));
  const at = first === -1 ? call.fontkit.glyphs.length : first;
  return `${face.name} ${JSON.stringify(call.text.slice(0, 60))} [${call.features.join(',')}]: glyph ${at}: fontkit ${JSON.stringify([call.fontkit.glyphs[at], call.fontkit.positions[at]])} HarfBuzz ${JSON.stringify([harfbuzz.glyphs[at], harfbuzz.positions[at]])} (${call.fontkit.glyphs.length} vs ${harfbuzz.glyphs.length} glyphs)`;
}
