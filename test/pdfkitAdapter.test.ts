/**
 * The pdfkit adapter (src/render/pdf/pdfkitAdapter.ts) and the object-stream packer, against the
 * installed pdfkit/pdfmake: the versions are the pinned ones, glyphs drawn by id copy out as
 * their characters, and a packed file reads the same as pdfkit's own.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fontkit } from '../src/fonts/fontkit.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadTemplate } from '../src/load/template.js';
import { FontChain } from '../src/fonts/fontChain.js';
import { GlyphFont, documentBytes, openDocument } from '../src/render/pdf/pdfkitAdapter.js';
import { packObjectStreams } from '../src/render/pdf/objectStreams.js';
import { loadLetter } from '../src/load/letter.js';
import { renderPdf, layoutPdf } from '../src/render/pdf/index.js';
import { drawnRuns } from '../src/render/pdf/preflight.js';
import { root } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

const require = createRequire(import.meta.url);
const template = await loadTemplate(path.join(root, 'templates', 'zh-CN.yaml'));
const fonts = new FontChain(template);

async function pageTexts(bytes: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  const texts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    texts.push(content.items.map((i) => ('str' in i ? i.str : '')).join(''));
  }
  await doc.destroy();
  return texts;
}

/** A small PDF drawn glyph by glyph through the adapter: `lines` of [glyph text, code points]. */
async function drawGlyphs(lines: Array<Array<{ text: string; as: string }>>): Promise<{ bytes: Uint8Array; matches: boolean[] }> {
  const face = fonts.faceWith('中');
  const doc = openDocument({ faces: [face], options: { size: [300, 200], margins: 0, compress: true, info: { CreationDate: new Date(0) } } });
  doc.addPage();
  const font = new GlyphFont(doc, face);
  font.useOnPage();
  const matches: boolean[] = [];
  lines.forEach((line, n) => {
    const hex = line.map(({ text, as }) => {
      const encoded = font.encode(face.font.glyphForCodePoint(text.codePointAt(0) as number).id, [...as].map((c) => c.codePointAt(0) as number));
      matches.push(encoded.mapsToText);
      return encoded.hex;
    });
    doc.addContent(`BT /${font.resourceName} 12 Tf 1 0 0 -1 20 ${40 + 20 * n} Tm [<${hex.join('')}>] TJ ET`);
  });
  return { bytes: await documentBytes(doc), matches };
}

describe('the pinned pdfkit and pdfmake', () => {
  it('are installed at exactly the versions package.json pins, pdfmake using that pdfkit', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies.pdfkit).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.pdfmake).toMatch(/^\d+\.\d+\.\d+$/);
    expect((require('pdfkit/package.json') as { version: string }).version).toBe(pkg.dependencies.pdfkit);
    expect((require('pdfmake/package.json') as { version: string }).version).toBe(pkg.dependencies.pdfmake);
    const fromPdfmake = createRequire(require.resolve('pdfmake/js/PDFDocument')).resolve('pdfkit');
    expect(fromPdfmake).toBe(require.resolve('pdfkit'));
  });
});

describe('drawing glyphs by id', () => {
  it('copies out the characters each glyph stands for (ToUnicode)', async () => {
    const chars = [...'中文，Latin'].map((c) => ({ text: c, as: c }));
    const { bytes, matches } = await drawGlyphs([chars]);
    expect(matches.every(Boolean)).toBe(true);
    expect((await pageTexts(bytes))[0]?.replace(/\s+/g, '')).toBe('中文，Latin');
  });

  it('says when a glyph already maps to other characters (the caller then adds /ActualText)', async () => {
    const { matches } = await drawGlyphs([[{ text: '中', as: '中' }], [{ text: '中', as: 'X' }]]);
    expect(matches).toEqual([true, false]);
  });

  it('embeds the fontkit font letterpress opened, in every document, never a second parse of its bytes', () => {
    const faces = [fonts.faceWith('中'), fonts.faceWith('A')];
    expect(faces[0]).not.toBe(faces[1]);
    for (let run = 0; run < 2; run++) {
      const doc = openDocument({ faces, options: { size: [300, 200], margins: 0 } });
      doc.addPage();
      const resources = faces.map((face) => new GlyphFont(doc, face).resourceName);
      const families = Object.values((doc as unknown as { _fontFamilies: Record<string, { id: string; font: { _glyphs: unknown } }> })._fontFamilies);
      // The face's own font (its parsed tables) with a glyph cache of its own (see pdfFontOf).
      const embedded = faces.map((face) => families.find((f) => typeof f.font === 'object' && Object.getPrototypeOf(f.font) === face.font));
      expect(embedded.map((f) => f?.id)).toEqual(resources);
      faces.forEach((face, i) => expect(embedded[i]?.font._glyphs).not.toBe((face.font as unknown as { _glyphs: unknown })._glyphs));
      expect(new Set(resources).size).toBe(2);
    }
  });

  it('leaves the layout’s glyphs their characters when a subset takes a composite glyph’s components', async () => {
    // "ŀ" is composite in Source Serif 4 ("l" and "·"); subsetting it looks the components up by
    // id alone. A font object of its own, so that no other test has looked "·" up first.
    const shared = fonts.faceWith('A');
    const face = { ...shared, font: fontkit.create(readFileSync(shared.file)) as typeof shared.font };
    const doc = openDocument({ faces: [face], options: { size: [300, 200], margins: 0 } });
    doc.addPage();
    const font = new GlyphFont(doc, face);
    font.useOnPage();
    const { hex } = font.encode(face.font.glyphForCodePoint(0x140).id, [0x140]);
    doc.addContent(`BT /${font.resourceName} 12 Tf 1 0 0 -1 20 40 Tm [<${hex}>] TJ ET`);
    await documentBytes(doc);
    expect(face.font.glyphForCodePoint(0xb7).codePoints).toEqual([0xb7]);
    expect(face.font.glyphForCodePoint(0x6c).codePoints).toEqual([0x6c]);
  });

  it('refuses to read any local file (pdfmake’s local access policy)', () => {
    const doc = openDocument({ faces: [], options: {} }) as unknown as { file(src: string): unknown };
    expect(() => doc.file(path.join(root, 'package.json'))).toThrow(/denied/);
  });
});

describe('collecting the document', () => {
  it('gives the bytes pdfkit writes: every object where its xref entry says, page text as written (latin1)', async () => {
    const doc = openDocument({ faces: [], options: { compress: false, info: { CreationDate: new Date(0) } } });
    doc.addPage({ size: [200, 100] });
    doc.addContent('BT (caf\xe9 \xff) Tj ET');
    doc.addPage({ size: [200, 100] });
    doc.rect(10, 10, 20, 20).stroke();
    const text = Buffer.from(await documentBytes(doc)).toString('latin1');
    expect(text).toContain('BT (caf\xe9 \xff) Tj ET\n');
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
    const table = /^xref\n0 (\d+)\n0000000000 65535 f \n((?:\d{10} 00000 n \n)+)/.exec(text.slice(xrefAt));
    const offsets = (table?.[2] ?? '').trim().split('\n').map((row) => Number(row.slice(0, 10)));
    expect(offsets.length).toBe(Number(table?.[1]) - 1);
    offsets.forEach((offset, i) => expect(text.slice(offset, offset + 12)).toMatch(new RegExp(`^${i + 1} 0 obj\n`)));
  });
});

describe('object streams', () => {
  it('pack pdfkit’s objects so that the file reads the same and is smaller', async () => {
    const { bytes } = await drawGlyphs([[...'中文，Latin'].map((c) => ({ text: c, as: c }))]);
    const packed = packObjectStreams(bytes);
    expect(packed.length).toBeLessThan(bytes.length);
    const text = Buffer.from(packed).toString('latin1');
    expect(text).toMatch(/\/Type \/ObjStm/);
    expect(text).toMatch(/\/Type \/XRef/);
    expect(text).not.toMatch(/\nxref\n/);
    expect(text).toMatch(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/);
    expect(await pageTexts(packed)).toEqual(await pageTexts(bytes));
  });
});

describe('the drawn glyphs are the measured glyphs', () => {
  it('ends every justified line of the seed letter exactly at the right margin', async () => {
    const { document } = await loadLetter(path.join(root, 'letter.md'));
    const { geometry } = layoutPdf(buildFrame(document));
    const right = geometry.left + geometry.textWidth;
    const doc = await getDocument({ data: await renderPdf(buildFrame(document)), verbosity: 0, isEvalSupported: false }).promise;
    const ends: number[] = [];
    for (let n = 1; n <= 3; n++) {
      const ops = await (await doc.getPage(n)).getOperatorList();
      // where each line's pen ends, read from the text operators as the preflight reads them
      const lineEnd = new Map<number, number>();
      for (const run of drawnRuns(ops.fnArray, ops.argsArray as unknown[][])) lineEnd.set(run.y, Math.max(lineEnd.get(run.y) ?? 0, run.end));
      ends.push(...lineEnd.values());
    }
    await doc.destroy();
    expect(Math.max(...ends)).toBeLessThan(right + 0.02);
    // justified lines: the pen ends on the margin to 1/50 pt, URL lines and hyphenated names included
    expect(ends.filter((e) => Math.abs(e - right) < 0.02).length).toBeGreaterThan(50);
  });
});
