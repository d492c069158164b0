/**
 * Names in every edition beyond the PDF: the Word copy names and embeds every face a run is set in
 * (a Hangul name in a Chinese letter in Noto Serif KR, read back from its obfuscated font part),
 * a Latin word's curly apostrophe in the Latin face (Word run fonts; an HTML span); countries
 * written as names shown in each letter's language, or as written where the letter says so; names
 * per language from CSV columns, shown local, original or both and sorted by the name shown; and
 * the editor finding a signatory by its name in any language.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { fontkit } from '../src/fonts/fontkit.js';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { renderDocx } from '../src/render/docx/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { entryText } from '../src/frame/index.js';
import type { LetterFrame } from '../src/frame/types.js';
import { countryIn } from '../src/model/countries.js';
import { signatoriesFromText } from '../src/signatories/index.js';
import { amendSignatory, importSignatories, removeSignatory } from '../src/signatories/edit.js';
import { root, scratch } from './helpers.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const HANGUL_NAME = '북한인권시민연합';

const project = scratch('letterpress-names-editions-');
const letter = (list = '') =>
  `---\nlang: zh-CN\ndate: 2024-05-02\nto:\n  - name: 收件人\nsubject: 联署名单测试\nsalutation: 您好：\nclosing: 谢谢！\nsignatories: signatories.yaml\ntemplate: zh-CN\n${list}---\n\n我们联名致信，“中国”与 Citizens’ Alliance 的文字。\n`;
writeFileSync(path.join(project, 'letter.md'), letter());
writeFileSync(path.join(project, 'kept.md'), letter('list: { countries: as-written }\n'));
writeFileSync(
  path.join(project, 'signatories.yaml'),
  [
    'organizations:',
    `  - { name: ${HANGUL_NAME}, country: South Korea }`,
    '  - { name: Citizens’ Alliance for North Korean Human Rights, country: Belgium }',
    '  - { name: Human Rights Watch, country: USA }',
    '',
  ].join('\n'),
);

let frame: LetterFrame;
let docx: Record<string, Uint8Array>;
let html: string;
beforeAll(async () => {
  frame = buildFrame((await loadLetter(path.join(project, 'letter.md'))).document);
  docx = unzipSync(await renderDocx(frame));
  html = renderHtml(frame);
});

const xml = (part: string) => new DOMParser().parseFromString(strFromU8(docx[part] as Uint8Array), 'text/xml');
const elements = (parent: { getElementsByTagNameNS(ns: string, name: string): ArrayLike<Element> }, name: string): Element[] => Array.from(parent.getElementsByTagNameNS(W, name));

/** Every run of the document: its text and its w:rFonts attributes. */
function runs(): Array<{ text: string; fonts: Record<string, string> }> {
  return elements(xml('word/document.xml'), 'r').map((run) => {
    const fonts: Record<string, string> = {};
    const rFonts = elements(run, 'rFonts')[0];
    for (const name of ['ascii', 'hAnsi', 'eastAsia', 'cs', 'hint']) {
      const value = rFonts?.getAttributeNS(W, name);
      if (value) fonts[name] = value;
    }
    return { text: elements(run, 't').map((t) => t.textContent ?? '').join(''), fonts };
  });
}

/** ECMA-376 Part 1 §17.8.1: the first 32 bytes XORed with the key's bytes, read from the GUID's end. */
function deobfuscate(data: Uint8Array, fontKey: string): Uint8Array {
  const hex = fontKey.replace(/[{}-]/g, '');
  const key = Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(30 - 2 * i, 32 - 2 * i), 16));
  const out = new Uint8Array(data);
  for (let i = 0; i < 32; i++) out[i] = (out[i] ?? 0) ^ (key[i % 16] ?? 0);
  return out;
}

describe('the Word copy sets every run in the face the PDF uses', () => {
  it('names Noto Serif KR for a Hangul name in a zh-CN letter and embeds a subset that has its syllables', () => {
    const korean = runs().find((r) => r.text.includes(HANGUL_NAME));
    expect(korean?.fonts).toMatchObject({ eastAsia: 'Noto Serif KR', ascii: 'Noto Serif KR', hAnsi: 'Noto Serif KR' });

    const table = xml('word/fontTable.xml');
    const entry = elements(table, 'font').find((f) => f.getAttributeNS(W, 'name') === 'Noto Serif KR');
    expect(entry, 'font table entry').toBeDefined();
    expect(elements(entry as Element, 'charset')[0]?.getAttributeNS(W, 'val')).toBe('81'); // HANGUL_CHARSET
    const embed = elements(entry as Element, 'embedRegular')[0] as Element;
    const rels = strFromU8(docx['word/_rels/fontTable.xml.rels'] as Uint8Array);
    const id = embed.getAttribute('r:id') ?? '';
    const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${id}"`).exec(rels)?.[1];
    expect(target).toMatch(/^fonts\/font\d+\.odttf$/);
    const data = docx[`word/${target}`] as Uint8Array;
    // Obfuscated: unreadable as stored, a TrueType font once the key is applied.
    expect(() => fontkit.create(Buffer.from(data))).toThrow();
    const font = fontkit.create(Buffer.from(deobfuscate(data, embed.getAttributeNS(W, 'fontKey') ?? ''))) as ReturnType<typeof fontkit.create> & { familyName: string; hasGlyphForCodePoint(cp: number): boolean; numGlyphs: number };
    expect(font.familyName).toBe('Noto Serif KR');
    for (const ch of HANGUL_NAME) expect(font.hasGlyphForCodePoint(ch.codePointAt(0) ?? 0), ch).toBe(true);
    expect(font.numGlyphs).toBeLessThan(200); // a subset, not the 15 MB font
    // The template's own faces stay embedded.
    const names = elements(table, 'font').filter((f) => elements(f, 'embedRegular').length > 0).map((f) => f.getAttributeNS(W, 'name'));
    expect(names).toEqual(expect.arrayContaining(['Noto Serif SC', 'Source Serif 4', 'Noto Serif KR']));
  });

  it("sets a Latin word's curly apostrophe in the Latin face (every slot, w:hint=default), and Han text's quotes in the styles' East Asian face", () => {
    const all = runs();
    for (const word of ['Citizens’ Alliance', 'Citizens’ Alliance for North Korean Human Rights']) {
      const run = all.find((r) => r.text.startsWith(word));
      expect(run?.fonts, word).toEqual({ ascii: 'Source Serif 4', hAnsi: 'Source Serif 4', eastAsia: 'Source Serif 4', cs: 'Source Serif 4', hint: 'default' });
    }
    const han = all.find((r) => r.text.includes('“中国”'));
    expect(han?.fonts).toEqual({});
  });

  it('HTML: the Latin word with its apostrophe in a span set in the Latin face, Han quotes left to the stack', () => {
    expect(html).toContain('<span class="latin">Citizens’ Alliance </span>');
    expect(html).toContain('<span class="latin">Citizens’ Alliance for North Korean Human Rights</span>');
    expect(html).toMatch(/\.latin \{ font-family: "Source Serif 4", "Source Serif 4 \(Latin\)", "Noto Serif SC", "Noto Serif KR"/);
    expect(html).toContain('我们联名致信，“中国”与 ');
  });
});

describe('countries written as names', () => {
  const SHOWN: Record<string, [string, string, string]> = {
    'zh-CN': ['比利时', '韩国', '美国'],
    'zh-TW': ['比利時', '南韓', '美國'],
    ko: ['벨기에', '대한민국', '미국'],
    ja: ['ベルギー', '韓国', 'アメリカ合衆国'],
    en: ['Belgium', 'South Korea', 'United States'],
  };
  it.each(Object.keys(SHOWN))('Belgium, South Korea and USA (and aliases) are shown in %s', (lang) => {
    const shown = SHOWN[lang] as [string, string, string];
    expect(['Belgium', 'South Korea', 'USA'].map((c) => countryIn(c, lang).text)).toEqual(shown);
    expect(['Republic of Korea', 'U.S.A.', 'the United States'].map((c) => countryIn(c, lang).text)).toEqual([shown[1], shown[2], shown[2]]);
    expect(countryIn('Absurdistan', lang)).toEqual({ text: 'Absurdistan', mapped: false });
  });

  it('in the letter, in its language; as written where its front matter says list.countries: as-written (codes still localised)', async () => {
    const details = (f: LetterFrame) => f.blocks.flatMap((b) => (b.role === 'signatoryEntry' ? [entryText(b)] : []));
    expect(details(frame)).toEqual(expect.arrayContaining([`${HANGUL_NAME} / 韩国`, 'Human Rights Watch / 美国', 'Citizens’ Alliance for North Korean Human Rights / 比利时']));
    const kept = buildFrame((await loadLetter(path.join(project, 'kept.md'))).document);
    expect(details(kept)).toEqual(expect.arrayContaining([`${HANGUL_NAME} / South Korea`, 'Human Rights Watch / USA']));
    expect(countryIn('BE', 'zh-CN', 'as-written').text).toBe('比利时');
  });

  it('the 2023 letter keeps its countries as the signed original printed them', () => {
    expect(readFileSync(path.join(root, 'letter.md'), 'utf8')).toMatch(/^list: \{ countries: as-written \}$/m);
  });
});

describe('names per language from CSV columns', () => {
  const csv = [
    'kind,name,name.ko,NAME.zh-CN,country',
    'organization,Transitional Justice Working Group,전환기정의워킹그룹,转型正义工作组,KR',
    'organization,Amnesty International,,,BE',
    'organization,Zeta Association,가나다협회,,BE',
    'individual,Kim Young-hee,김영희,,',
    '',
  ].join('\n');
  const shown = (lang: string, display?: 'local' | 'original' | 'both') => signatoriesFromText('s.csv', csv, lang, '2024-01-01', display).list;

  it('a ko edition shows the name.ko column and sorts by it', () => {
    expect(shown('ko').organizations.map((o) => o.name)).toEqual(['가나다협회', '전환기정의워킹그룹', 'Amnesty International']);
    expect(shown('ko').individuals.map((p) => p.name)).toEqual(['김영희']);
    expect(shown('zh-CN').organizations.map((o) => o.name)).toEqual(['转型正义工作组', 'Amnesty International', 'Zeta Association']);
  });

  it('original, local and both, sorted by the name shown', () => {
    expect(shown('ko', 'original').organizations.map((o) => o.name)).toEqual(['Amnesty International', 'Transitional Justice Working Group', 'Zeta Association']);
    expect(shown('ko', 'both').organizations.map((o) => o.name)).toEqual(['가나다협회 (Zeta Association)', '전환기정의워킹그룹 (Transitional Justice Working Group)', 'Amnesty International']);
    // Chinese: full-width brackets around the original.
    expect(shown('zh-CN', 'both').organizations.map((o) => o.name)).toEqual(['转型正义工作组（Transitional Justice Working Group）', 'Amnesty International', 'Zeta Association']);
  });

  it('an unknown column is still refused, naming the name.LANG columns', () => {
    expect(() => signatoriesFromText('s.csv', 'kind,name,nom.ko\norganization,A,B\n', 'ko', '2024-01-01')).toThrow(/Unknown column "nom\.ko".*name\.LANG/);
  });
});

describe('the editor finds a signatory by its name in any language', () => {
  it('import: a sign-up sheet\'s name.ko column becomes the new entry\'s Korean name', async () => {
    const file = path.join(project, 'import.yaml');
    writeFileSync(file, 'organizations:\n  - name: Amnesty International\n    country: BE\n');
    const sheet = path.join(project, 'form.csv');
    writeFileSync(sheet, 'Organisation,name.ko,Country\nNew Org,새단체,KR\nOther Org,,BE\n');
    const { plan } = await importSignatories(file, { path: sheet }, { defaultSignedOn: '2024-05-01', force: false, dryRun: false });
    expect(plan.columns.find((c) => c.header === 'name.ko')).toMatchObject({ field: 'name', language: 'ko' });
    const list = signatoriesFromText(file, readFileSync(file, 'utf8'), 'ko', '2024-05-02').list.organizations.map((o) => o.name);
    expect(list).toEqual(['새단체', 'Amnesty International', 'Other Org']);
  });

  it('YAML: add --update sets a name per language and a field, keeping the others; remove by the Korean name', async () => {
    const file = path.join(project, 'edit.yaml');
    writeFileSync(file, 'organizations:\n  # kept\n  - name: { en: Transitional Justice Working Group, ko: 전환기정의워킹그룹 }\n    country: KR\n  - name: Amnesty International\n    country: BE\n');
    await amendSignatory(file, '전환기정의워킹그룹', 'organization', { set: { country: 'US' }, names: { 'zh-CN': '转型正义工作组' } });
    await amendSignatory(file, 'Amnesty International', 'organization', { set: {}, names: { en: 'Amnesty International', ko: '국제앰네스티' } });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# kept');
    expect(text).toContain('{ en: Transitional Justice Working Group, ko: 전환기정의워킹그룹, zh-CN: 转型正义工作组 }');
    expect(signatoriesFromText(file, text, 'zh-CN', '2024-01-01').list.organizations.map((o) => `${o.name} ${o.country ?? ''}`)).toEqual(['转型正义工作组 US', 'Amnesty International BE']);
    expect(signatoriesFromText(file, text, 'ko', '2024-01-01').list.organizations.map((o) => o.name)).toEqual(['국제앰네스티', '전환기정의워킹그룹']);
    const removed = await removeSignatory(file, '국제앰네스티');
    expect(removed.name).toBe('Amnesty International');
    expect(readFileSync(file, 'utf8')).not.toContain('Amnesty');
  });

  it('CSV: update writes the name.LANG column; a language without a column is refused; remove by a name.ko value', async () => {
    const file = path.join(project, 'edit.csv');
    writeFileSync(file, 'kind,name,name.ko,country\norganization,Amnesty International,,BE\norganization,Zeta,가나다,KR\n');
    await amendSignatory(file, 'Amnesty International', 'organization', { set: {}, names: { ko: '국제앰네스티' } });
    expect(readFileSync(file, 'utf8')).toBe('kind,name,name.ko,country\norganization,Amnesty International,국제앰네스티,BE\norganization,Zeta,가나다,KR\n');
    await expect(amendSignatory(file, 'Zeta', 'organization', { set: {}, names: { 'zh-CN': '泽塔' } })).rejects.toThrow(/no "name\.zh-CN" column/);
    await removeSignatory(file, '가나다');
    expect(readFileSync(file, 'utf8')).toBe('kind,name,name.ko,country\norganization,Amnesty International,국제앰네스티,BE\n');
  });
});
