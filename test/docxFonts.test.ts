/**
 * Fonts embedded in the Word copy (ECMA-376 Part 1 §17.8): the parts, keys, relationships and
 * settings, and the fonts themselves, de-obfuscated here independently of the renderer and read
 * with fontkit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type * as Fontkit from 'fontkit';
import type { VFile } from 'vfile';
import { loadLetter } from '../src/load/letter.js';
import { renderDocx } from '../src/render/docx/index.js';
import type { LetterDocument } from '../src/model/types.js';
import { fixture, root, scratch } from './helpers.js';
import { fontChainFor } from '../src/fonts/fontChain.js';
import { buildFrame } from '../src/frame/index.js';

const fontkit = createRequire(import.meta.url)('fontkit') as typeof Fontkit;
const NOTO_SC = path.join(root, 'node_modules', '@expo-google-fonts', 'noto-serif-sc');
const SOURCE_SERIF = path.join(root, 'node_modules', '@expo-google-fonts', 'source-serif-4');

type Parts = Record<string, Uint8Array>;
const xml = (parts: Parts, name: string) => strFromU8(parts[name] ?? new Uint8Array());

/** The text of runs, entities decoded. */
function textOf(part: string): string {
  return [...part.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
    .map((m) => (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'))
    .join('');
}

/**
 * Undo the obfuscation as a reader does (LibreOffice's DOCX import): the key bytes are the hex
 * pairs of the GUID string taken at these positions, last pair first; the first 32 bytes of the
 * part are XORed with them.
 */
function deobfuscate(part: Uint8Array, fontKey: string): Uint8Array {
  const positions = [35, 33, 31, 29, 27, 25, 22, 20, 17, 15, 12, 10, 7, 5, 3, 1];
  const key = positions.map((p) => parseInt(fontKey.slice(p, p + 2), 16));
  const out = new Uint8Array(part);
  for (let i = 0; i < 16; i++) {
    out[i] = (out[i] as number) ^ (key[i] as number);
    out[i + 16] = (out[i + 16] as number) ^ (key[i] as number);
  }
  return out;
}

interface EmbeddedFace {
  element: string;
  style: string;
  relId: string;
  fontKey: string;
  target: string;
  font: Fontkit.Font;
  bytes: Uint8Array;
}

/** Every w:embed… of the font table, followed through its relationship to its de-obfuscated font. */
function embeddedFaces(parts: Parts): EmbeddedFace[] {
  const rels = xml(parts, 'word/_rels/fontTable.xml.rels');
  return [...xml(parts, 'word/fontTable.xml').matchAll(/<w:embed(Regular|Bold|Italic|BoldItalic) r:id="([^"]+)" w:fontKey="([^"]+)"[^>]*\/>/g)].map((m) => {
    const [element, style, relId, fontKey] = m as unknown as [string, string, string, string];
    const rel = new RegExp(`<Relationship Id="${relId}" Type="([^"]+)" Target="([^"]+)"/>`).exec(rels);
    expect(rel, `relationship ${relId}`).not.toBeNull();
    expect(rel?.[1]).toBe('http://schemas.openxmlformats.org/officeDocument/2006/relationships/font');
    const target = `word/${rel?.[2]}`;
    const part = parts[target];
    expect(part, target).toBeDefined();
    const bytes = deobfuscate(part as Uint8Array, fontKey);
    return { element, style, relId, fontKey, target, font: fontkit.create(Buffer.from(bytes)) as Fontkit.Font, bytes };
  });
}

const withTemplate = (document: LetterDocument, docx: Partial<LetterDocument['template']['docx']>): LetterDocument => ({
  ...document,
  template: { ...document.template, docx: { ...document.template.docx, ...docx } },
});

let document: LetterDocument;
let bytes: Uint8Array;
let parts: Parts;

beforeAll(async () => {
  ({ document } = await loadLetter(path.join(root, 'letter.md')));
  bytes = await renderDocx(buildFrame(document));
  parts = unzipSync(bytes);
});

describe('the Word copy of the 2023-09-21 letter embeds its fonts (docx.embedFonts: subset)', () => {
  it('stays under 300 KB', () => {
    expect(bytes.byteLength).toBeLessThan(300 * 1024);
  });

  it('names Noto Serif SC with a Song alternative, PANOSE, GB2312 charset and signature, and embeds its regular and bold faces', () => {
    const table = xml(parts, 'word/fontTable.xml');
    const entry = /<w:font w:name="Noto Serif SC">(.*?)<\/w:font>/s.exec(table)?.[1] ?? '';
    // CT_Font order: altName, panose1, charset, family, pitch, sig, embedRegular, embedBold.
    expect(entry).toMatch(/^<w:altName w:val="SimSun"\/><w:panose1 w:val="02020200000000000000"\/><w:charset w:val="86"\/><w:family w:val="roman"\/><w:pitch w:val="variable"\/><w:sig w:usb0="[0-9A-F]{8}" w:usb1="[0-9A-F]{8}" w:usb2="[0-9A-F]{8}" w:usb3="[0-9A-F]{8}" w:csb0="[0-9A-F]{8}" w:csb1="[0-9A-F]{8}"\/><w:embedRegular [^>]*\/><w:embedBold [^>]*\/>$/);
    // The code-page signature says GB2312 (bit 18), as the font's OS/2 table does.
    const csb0 = parseInt(/w:csb0="([0-9A-F]{8})"/.exec(entry)?.[1] ?? '0', 16);
    expect(csb0 & (1 << 18)).not.toBe(0);
    // Noto Serif SC for East Asian text and Source Serif 4 for Latin, Greek and Cyrillic words.
    expect(table.match(/<w:font w:name="[^"]+"/g)).toEqual(['<w:font w:name="Noto Serif SC"', '<w:font w:name="Source Serif 4"']);
    expect(/<w:font w:name="Source Serif 4">(.*?)<\/w:font>/s.exec(table)?.[1]).toMatch(/<w:charset w:val="00"\/>.*<w:embedRegular [^>]*\/><w:embedBold [^>]*\/>$/);
    expect(table).toMatch(/<w:fonts [^>]*xmlns:r="http:\/\/schemas.openxmlformats.org\/officeDocument\/2006\/relationships"/);
  });

  it('has a distinct GUID font key per face and font parts under word/fonts/ with the obfuscated-font content type', () => {
    const faces = embeddedFaces(parts);
    expect(faces.map((f) => f.style)).toEqual(['Regular', 'Bold', 'Regular', 'Bold']);
    for (const face of faces) {
      expect(face.fontKey).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
      expect(face.element).toContain('w:subsetted="1"');
      expect(face.target).toMatch(/^word\/fonts\/font\d+\.odttf$/);
      // The part as stored is not a readable font: its first 32 bytes are scrambled.
      const stored = parts[face.target] as Uint8Array;
      expect([...stored.subarray(0, 4)]).not.toEqual([0, 1, 0, 0]);
      expect([...stored.subarray(32, 64)]).toEqual([...face.bytes.subarray(32, 64)]);
      expect([...face.bytes.subarray(0, 4)]).toEqual([0, 1, 0, 0]);
    }
    expect(new Set(faces.map((f) => f.fontKey)).size).toBe(4);
    expect(xml(parts, '[Content_Types].xml')).toContain('<Default ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont" Extension="odttf"/>');
  });

  it('asks word processors to use embedded TrueType fonts, saved as subsets (settings.xml, schema order)', () => {
    const settings = xml(parts, 'word/settings.xml');
    expect(settings).toMatch(/<w:displayBackgroundShape\/><w:embedTrueTypeFonts\/><w:saveSubsetFonts\/><w:defaultTabStop /);
  });

  it('embeds fonts that are complete (cmap, name, OS/2, post), named Noto Serif SC and Source Serif 4, with embedding allowed', () => {
    const faces = embeddedFaces(parts);
    expect(faces.map((f) => f.font.familyName)).toEqual(['Noto Serif SC', 'Noto Serif SC', 'Source Serif 4', 'Source Serif 4']);
    for (const face of faces) {
      for (const table of ['cmap', 'name', 'OS/2', 'post', 'glyf', 'loca', 'hmtx', 'head', 'hhea', 'maxp']) expect(face.font.directory.tables, table).toHaveProperty([table]);
      expect(face.font.subfamilyName).toBe(face.style);
      expect(face.font['OS/2'].fsType.noEmbedding).toBe(false);
      // A subset: far fewer glyphs than the 30,000 of the whole font.
      expect(face.font.numGlyphs).toBeLessThan(1500);
    }
  });

  it('has a glyph in the regular face for every character of the document, and in the bold face for every bold line', () => {
    const [regular, bold] = embeddedFaces(parts) as [EmbeddedFace, EmbeddedFace];
    const text = ['word/document.xml', 'word/footnotes.xml', 'word/footer1.xml'].map((p) => textOf(xml(parts, p))).join('');
    const characters = [...new Set(text)].filter((ch) => ch !== ' ');
    expect(characters.length).toBeGreaterThan(500);
    expect(characters.filter((ch) => !regular.font.hasGlyphForCodePoint(ch.codePointAt(0) as number))).toEqual([]);
    // Set bold by their styles: the subject line, the list heading and its section labels.
    const boldText = `主旨：${document.meta.subject}组织及个人联署名单（截至2023年9月21日）组织个人`;
    expect([...boldText].filter((ch) => !bold.font.hasGlyphForCodePoint(ch.codePointAt(0) as number))).toEqual([]);
    // The letter's body is not bold: the bold face does not carry all of it.
    expect(characters.filter((ch) => !bold.font.hasGlyphForCodePoint(ch.codePointAt(0) as number)).length).toBeGreaterThan(300);
  });

  it('also carries the punctuation and Latin letters an editor is likely to type', () => {
    for (const face of embeddedFaces(parts)) {
      const typed = face.font.familyName === 'Source Serif 4' ? 'AZaz09@#%&~—…·' : 'AZaz09@#%&~？！；：《》〈〉「」『』【】〔〕—…、。·　';
      for (const ch of typed) expect(face.font.hasGlyphForCodePoint(ch.codePointAt(0) as number), `${face.style} ${ch}`).toBe(true);
    }
  });

  it('draws the characters with the glyphs of Noto Serif SC', () => {
    const original = fontkit.openSync(path.join(NOTO_SC, '400Regular', 'NotoSerifSC_400Regular.ttf')) as Fontkit.Font;
    const [regular] = embeddedFaces(parts) as [EmbeddedFace];
    for (const ch of '遣返朝鲜难民A2（') {
      const cp = ch.codePointAt(0) as number;
      const ours = regular.font.glyphForCodePoint(cp);
      const theirs = original.glyphForCodePoint(cp);
      expect(ours.advanceWidth, ch).toBe(theirs.advanceWidth);
      expect(ours.path.toSVG(), ch).toBe(theirs.path.toSVG());
    }
  });
});

describe('docx.embedFonts: full and none', () => {
  it('full embeds the font files whole, not marked as subsets', async () => {
    // A letter set in Source Serif 4 alone: its four faces are 0.3 MB each, where the seed
    // letter's Noto Serif SC faces are 15 MB each (zipped into the package, seconds of deflate),
    // and the renderer embeds any face whole the same way.
    const dir = scratch('letterpress-full-');
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const people = readFileSync(path.join(dir, 'people.csv'), 'utf8').replace(/^.*김민준.*\n/m, '');
    expect(people).not.toMatch(/[^\x00-\x7f]/);
    writeFileSync(path.join(dir, 'people.csv'), people);
    const serif = '  serif:\n    - { package: "@expo-google-fonts/source-serif-4", regular: "400Regular/SourceSerif4_400Regular.ttf", bold: "700Bold/SourceSerif4_700Bold.ttf", italic: "400Regular_Italic/SourceSerif4_400Regular_Italic.ttf", boldItalic: "700Bold_Italic/SourceSerif4_700Bold_Italic.ttf", name: "Source Serif 4" }\n';
    const template = readFileSync(path.join(dir, 'house.yaml'), 'utf8')
      .replace(/  serif:\n(?:    - .*\n)+/, serif)
      .replace(/^  (eastAsiaFont|latinFont): .*$/gm, '  $1: "Source Serif 4"');
    expect(template.match(/Source Serif 4"/g)).toHaveLength(3);
    writeFileSync(path.join(dir, 'house.yaml'), template);
    const { document: latin } = await loadLetter(path.join(dir, 'letter.md'));
    const full = unzipSync(await renderDocx(buildFrame(withTemplate(latin, { embedFonts: 'full' }))));
    const faces = embeddedFaces(full);
    expect(faces.map((f) => f.style)).toEqual(['Regular', 'Bold', 'Italic', 'BoldItalic']);
    const files = ['400Regular/SourceSerif4_400Regular.ttf', '700Bold/SourceSerif4_700Bold.ttf', '400Regular_Italic/SourceSerif4_400Regular_Italic.ttf', '700Bold_Italic/SourceSerif4_700Bold_Italic.ttf'];
    faces.forEach((face, i) => {
      expect(Buffer.from(face.bytes).equals(readFileSync(path.join(SOURCE_SERIF, files[i] as string))), face.style).toBe(true);
      expect(face.element).not.toContain('w:subsetted');
    });
    const settings = xml(full, 'word/settings.xml');
    expect(settings).toContain('<w:embedTrueTypeFonts/>');
    expect(settings).not.toContain('saveSubsetFonts');
  });

  it('none embeds nothing but keeps the names, alternative, PANOSE and charset', async () => {
    const none = unzipSync(await renderDocx(buildFrame(withTemplate(document, { embedFonts: 'none' }))));
    expect(Object.keys(none).filter((name) => name.startsWith('word/fonts/'))).toEqual([]);
    const table = xml(none, 'word/fontTable.xml');
    expect(table).not.toMatch(/<w:embed/);
    expect(table).toMatch(/<w:font w:name="Noto Serif SC"><w:altName w:val="SimSun"\/><w:panose1 w:val="02020200000000000000"\/><w:charset w:val="86"\/>/);
    expect(xml(none, 'word/settings.xml')).not.toContain('embedTrueTypeFonts');
    expect(xml(none, 'word/_rels/fontTable.xml.rels')).not.toContain('<Relationship ');
  });
});

describe('faces that are not embedded are reported on the template', () => {
  it('zh-TW: Noto Serif TC (full TTF files) is embedded for East Asian text, Source Serif 4 for Latin, with no warning', async () => {
    const { document: tw } = await loadLetter(fixture('letters', 'zh-TW', 'letter.md'));
    const diagnostics: VFile[] = [];
    const twParts = unzipSync(await renderDocx(buildFrame(tw), diagnostics));
    const table = xml(twParts, 'word/fontTable.xml');
    expect(table).toMatch(/<w:font w:name="Noto Serif TC"><w:altName w:val="PMingLiU"\/>(?:(?!<\/w:font>).)*<w:charset w:val="88"\/>(?:(?!<\/w:font>).)*<w:embedRegular /s);
    expect(embeddedFaces(twParts).map((f) => f.font.familyName).sort()).toEqual(['Noto Serif TC', 'Noto Serif TC', 'Source Serif 4', 'Source Serif 4']);
    expect(diagnostics.flatMap((file) => file.messages)).toEqual([]);
  });

  it('a font whose licence forbids embedding (OS/2 fsType) is not embedded, with a warning naming the file', async () => {
    const dir = scratch('letterpress-fstype-');
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    // A copy of Noto Serif SC whose OS/2 fsType says "restricted licence embedding" (bit 1).
    const font = new Uint8Array(readFileSync(path.join(NOTO_SC, '400Regular', 'NotoSerifSC_400Regular.ttf')));
    const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
    const numTables = view.getUint16(4);
    let os2 = -1;
    for (let i = 0; i < numTables; i++) if (String.fromCharCode(...font.subarray(12 + 16 * i, 16 + 16 * i)) === 'OS/2') os2 = view.getUint32(12 + 16 * i + 8);
    expect(os2).toBeGreaterThan(0);
    view.setUint16(os2 + 8, 0x0002);
    mkdirSync(path.join(dir, 'fonts'));
    writeFileSync(path.join(dir, 'fonts', 'Restricted.ttf'), font);
    const template = readFileSync(path.join(dir, 'house.yaml'), 'utf8').replace(/  serif:\n(?:    - .*\n)+/, '  serif:\n    - { file: "fonts/Restricted.ttf", name: "Noto Serif SC" }\n');
    expect(template).toContain('Restricted.ttf');
    writeFileSync(path.join(dir, 'house.yaml'), template);
    const { document: restricted } = await loadLetter(path.join(dir, 'letter.md'));
    const diagnostics: VFile[] = [];
    const out = unzipSync(await renderDocx(buildFrame(restricted), diagnostics));
    expect(Object.keys(out).filter((name) => name.startsWith('word/fonts/'))).toEqual([]);
    expect(xml(out, 'word/fontTable.xml')).not.toMatch(/<w:embed/);
    expect(xml(out, 'word/settings.xml')).not.toContain('embedTrueTypeFonts');
    const reasons = diagnostics.flatMap((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.reason}`));
    expect(reasons).toEqual([expect.stringMatching(/^house\.yaml:\d+ .*Restricted\.ttf \(Noto Serif SC Regular\) is not embedded in the Word copy: its licence forbids embedding/)]);
  });

  it('a face whose file calls its family otherwise is reported at its own entry of fonts.serif', async () => {
    const dir = scratch('letterpress-family-');
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const original = readFileSync(path.join(dir, 'house.yaml'), 'utf8');
    // Its file already open under its own name (another letter of the same process, as in serve).
    const { document: before } = await loadLetter(path.join(dir, 'letter.md'));
    expect(fontChainFor(buildFrame(before).fonts).wholeFaces('Noto Serif KR')?.regular.name).toBe('Noto Serif KR');
    // The Korean fallback (the letter's Korean names are set in it) under a name its file does not give.
    const template = original.replace('name: "Noto Serif KR" }', 'name: "House Hangul" }');
    expect(template).not.toBe(original);
    writeFileSync(path.join(dir, 'house.yaml'), template);
    const { document: renamed } = await loadLetter(path.join(dir, 'letter.md'));
    const diagnostics: VFile[] = [];
    await renderDocx(buildFrame(renamed), diagnostics);
    const line = template.split('\n').findIndex((l) => l.includes('House Hangul')) + 1;
    const reasons = diagnostics.flatMap((file) => file.messages.map((m) => `${path.basename(file.path)}:${m.line} ${m.reason}`));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason).toMatch(new RegExp(`^house\\.yaml:${line} .*calls its family "Noto Serif KR", not "House Hangul"`));
  });
});
