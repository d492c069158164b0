/**
 * Every signatory's name in every edition: a names corpus (test/fixtures/names, the letters of
 * 30+ languages in Latin, Greek and Cyrillic script) built once with every built-in template, and
 * read back: no character missing, every word drawn in one face (font per glyph from the PDF),
 * the Word copy naming and embedding every face the PDF uses, the text and HTML editions keeping
 * every character; a name in a script no template sets is refused where it stands.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { unzipSync, strFromU8 } from 'fflate';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { renderPdf, layoutPdf } from '../src/render/pdf/index.js';
import { renderDocx } from '../src/render/docx/index.js';
import { renderText } from '../src/render/text/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { renderEdition } from '../src/build/build.js';
import { BuildError } from '../src/diagnostics/index.js';
import { fixture, scratch } from './helpers.js';
import { signatoriesFromText } from '../src/signatories/index.js';
import { listLines } from '../src/cli/commands/signatoriesRun.js';
import { countryCode, countryCodeShown } from '../src/model/countries.js';

const LANGS = ['zh-CN', 'zh-TW', 'ko', 'ja', 'en'] as const;
type Lang = (typeof LANGS)[number];

const BODY: Record<Lang, { subject: string; text: string }> = {
  'zh-CN': { subject: '联署名单测试', text: '我们联名致信。' },
  'zh-TW': { subject: '聯署名單測試', text: '我們聯名致信。' },
  ko: { subject: '서명 명단 시험', text: '우리는 함께 서한을 보냅니다.' },
  ja: { subject: '署名者一覧の試験', text: '私たちは連名で書簡を送ります。' },
  en: { subject: 'A test of the signatory list', text: 'We write jointly.' },
};

const corpusFile = fixture('names', 'signatories.yaml');
const corpus = parseYaml(readFileSync(corpusFile, 'utf8')) as {
  organizations: Array<{ name: string; country: string }>;
  individuals: Array<{ name: string; title: string }>;
};
const strings = [...corpus.organizations.map((o) => o.name), ...corpus.individuals.flatMap((i) => [i.name, i.title])];
/** The words of the names and titles that are not CJK: each must be drawn in one face. */
const words = [...new Set(strings.flatMap((s) => s.split(' ')).filter((w) => /[\p{L}]/u.test(w)))];

function letterText(lang: Lang): string {
  return `---\nlang: ${lang}\ndate: 2024-05-02\nto:\n  - name: Recipient\nsubject: ${BODY[lang].subject}\nsalutation: ${lang === 'en' ? 'Dear Sir,' : BODY[lang].subject}\nclosing: ${lang === 'en' ? 'Yours,' : '—'}\nsignatories: signatories.yaml\ntemplate: ${lang}\n---\n\n${BODY[lang].text}\n`;
}

interface Built {
  /** The PDF's text, character by character, with the PostScript name of the font each is drawn in. */
  glyphs: Array<{ ch: string; font: string }>;
  pdfFonts: Set<string>;
  fontTable: string;
  txt: string;
  html: string;
}

async function readGlyphs(pdf: Uint8Array): Promise<Built['glyphs']> {
  const doc = await getDocument({ data: pdf, verbosity: 0, isEvalSupported: false }).promise;
  const glyphs: Built['glyphs'] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    await page.getOperatorList(); // loads the fonts, whose names commonObjs then holds
    for (const item of content.items) {
      if (!('str' in item)) continue;
      const font = (page.commonObjs.get(item.fontName) as { name: string }).name.replace(/^[A-Z]{6}\+/, '');
      for (const ch of item.str) glyphs.push({ ch, font });
      if (item.hasEOL) glyphs.push({ ch: '\n', font: '' });
    }
  }
  await doc.destroy();
  return glyphs;
}

const project = scratch('letterpress-names-');
copyFileSync(corpusFile, path.join(project, 'signatories.yaml'));
const built = new Map<Lang, Built>();

beforeAll(async () => {
  for (const lang of LANGS) {
    const file = path.join(project, `letter.${lang}.md`);
    writeFileSync(file, letterText(lang));
    const { document } = await loadLetter(file);
    const frame = buildFrame(document);
    const pdf = await renderPdf(frame);
    const glyphs = await readGlyphs(pdf);
    // The font table as the Word copy writes it; subsetting the faces into it is tested on the
    // full letter in test/docxFonts.test.ts (and costs more than the rest of this file).
    const docx = unzipSync(await renderDocx({ ...frame, word: { ...frame.word, embedFonts: 'none' } }));
    built.set(lang, {
      glyphs,
      pdfFonts: new Set(glyphs.map((g) => g.font).filter(Boolean)),
      fontTable: strFromU8(docx['word/fontTable.xml'] as Uint8Array),
      txt: renderText(frame),
      html: renderHtml(frame),
    });
  }
});

describe('the names corpus', () => {
  it('has 40+ names with the letters of Latin, Greek and Cyrillic script', () => {
    expect(corpus.organizations.length + corpus.individuals.length).toBeGreaterThanOrEqual(40);
    for (const script of ['Latin', 'Greek', 'Cyrillic']) expect(strings.some((s) => new RegExp(`\\p{Script=${script}}`, 'u').test(s))).toBe(true);
    // Letters of Latin Extended-A, Extended-B and Vietnamese (Latin Extended Additional).
    expect(strings.join('')).toMatch(/[\u0100-\u017f][^]*[\u0180-\u024f][^]*[\u1ea0-\u1eff]/u);
  });
});

describe.each(LANGS)('the names corpus in the %s template', (lang) => {
  it('draws every word of every name in one face', () => {
    const { glyphs } = built.get(lang) as Built;
    const text = glyphs.map((g) => g.ch).join('');
    const mixed: string[] = [];
    const absent: string[] = [];
    for (const word of words) {
      let from = text.indexOf(word);
      if (from < 0) absent.push(word);
      while (from >= 0) {
        const fonts = new Set(glyphs.slice(from, from + word.length).map((g) => g.font));
        if (fonts.size !== 1) mixed.push(`${word}: ${[...fonts].join(', ')}`);
        from = text.indexOf(word, from + word.length);
      }
    }
    expect(absent, 'words not found in the PDF').toEqual([]);
    expect(mixed).toEqual([]);
    // Latin, Greek and Cyrillic words are set in the Latin face, in every template.
    const face = (word: string) => at(glyphs, text.indexOf(word)).font;
    for (const word of ['Łódzka', 'Ελληνική', 'Їжакевич', 'Nghiên', 'Þórðardóttir', 'Citizens’']) expect(face(word), word).toMatch(/^SourceSerif4/);
  });

  it('names every face the PDF uses in the Word copy', () => {
    const { pdfFonts, fontTable } = built.get(lang) as Built;
    const families = new Set([...pdfFonts].map((name) => name.replace(/-.*$/, '').replace(/^NotoSerif(\w\w)$/, 'Noto Serif $1').replace('SourceSerif4', 'Source Serif 4')));
    expect(families.has('Source Serif 4')).toBe(true);
    for (const family of families) expect(fontTable, family).toMatch(new RegExp(`<w:font w:name="${family}">`));
  });

  it('keeps every character of every name and title in the text and HTML editions', () => {
    const { txt, html } = built.get(lang) as Built;
    for (const s of strings) {
      expect(txt, s).toContain(s);
      expect(html, s).toContain(s);
    }
  });
});

describe('countries in the language of each edition', () => {
  // CLDR region names as Node 20 ships them (Intl.DisplayNames).
  const SHOWN: Record<Lang, [string, string, string]> = {
    'zh-CN': ['比利时', '韩国', '美国'],
    'zh-TW': ['比利時', '南韓', '美國'],
    ko: ['벨기에', '대한민국', '미국'],
    ja: ['ベルギー', '韓国', 'アメリカ合衆国'],
    en: ['Belgium', 'South Korea', 'United States'],
  };
  it.each(LANGS)('shows BE, KR and US in %s, and a country written as an English name in the letter\'s language too', (lang) => {
    const { txt, html } = built.get(lang) as Built;
    const [be, kr, us] = SHOWN[lang];
    for (const edition of [txt, html.replace(/<[^>]+>/g, '')]) {
      expect(edition).toContain(`Amnesty International Belgique / ${be}`);
      expect(edition).toContain(`Citizens’ Alliance for North Korean Human Rights / ${kr}`);
      expect(edition).toContain(`Human Rights Watch / ${us}`);
      expect(edition).toContain(`Aŭtuno / ${be}`);
      expect(edition).not.toMatch(/ \/ (BE|KR|US)\b/);
    }
  });

  it('maps a country name to the code in use today, never a withdrawn one CLDR still names', () => {
    expect(countryCode('Germany')).toBe('DE');
    expect(countryCode('DD')).toBe('DE');
    expect(countryCode('Myanmar (Burma)')).toBe('MM');
    expect(countryCode('Democratic Republic of the Congo')).toBe('CD');
    expect(countryCodeShown('德国', 'zh-CN')).toBe('DE');
    expect(countryCodeShown('Deutschland', 'de')).toBe('DE');
  });

  it('signatories list --check warns of a country it cannot map, and counts those kept as written', () => {
    const list = signatoriesFromText('signatories.yaml', 'organizations:\n  - {name: A, country: Belgium}\n  - {name: B, country: Absurdistan}\n  - {name: C, country: BE}\n  - {name: D, country: Belgum}\n  - {name: E, country: Germny}\n', 'ko', '2024-01-01').list;
    const lines = listLines('signatories.yaml', list, 'ko', true).join('\n');
    expect(lines).toContain('Absurdistan: warning: not an ISO 3166 code or a country name letterpress knows');
    const other = listLines('signatories.yaml', signatoriesFromText('signatories.yaml', 'organizations:\n  - {name: A, country: 德国}\n  - {name: B, country: 독일}\n', 'en', '2024-01-01').list, 'en', true).join('\n');
    expect(other).toContain("德国: warning: the name of DE in zh-CN, shown as written in every edition; write DE to show it in each edition's language");
    expect(other).toContain('독일: warning: the name of DE in ko,');
    // Under their own heading: letterpress can name them, in another language.
    expect(other).toContain('Countries named in another language, shown as written (2):');
    expect(other).not.toContain('cannot name');
    expect(lines).toContain('Countries letterpress cannot name (3):');
    expect(lines).not.toMatch(/Absurdistan: .*did you mean/);
    expect(lines).toContain('Belgum: warning: not an ISO 3166 code or a country name letterpress knows, so every edition shows it as written; did you mean Belgium (BE)?');
    expect(lines).toContain('Germny: warning: not an ISO 3166 code or a country name letterpress knows, so every edition shows it as written; did you mean Germany (DE)?');
    expect(lines).not.toMatch(/^  (BE|Belgium):/m);
    // A name that holds a country's name is another country: no such guess. A name that several
    // countries' names hold: all of them.
    const history = listLines('signatories.yaml', signatoriesFromText('signatories.yaml', 'organizations:\n  - {name: A, country: Czechoslovakia}\n  - {name: B, country: East Germany}\n  - {name: C, country: Congo}\n  - {name: D, country: Northern Ireland}\n', 'en', '2024-01-01').list, 'en', true).join('\n');
    expect(history).toMatch(/Czechoslovakia: warning: [^\n]*as written; write its/);
    expect(history).toMatch(/East Germany: warning: [^\n]*as written; write its/);
    expect(history).toContain('Congo: warning: not an ISO 3166 code or a country name letterpress knows, so every edition shows it as written; did you mean Congo - Brazzaville (CG) or Congo - Kinshasa (CD)?');
    expect(history).not.toContain('Northern Ireland: warning');
    const kept = listLines('signatories.yaml', list, 'ko', true, 'as-written').join('\n');
    expect(kept).toContain('Countries written as names are shown as written (list.countries: as-written): 1.');
    expect(kept).toContain('Absurdistan: warning');
  });
});

describe('names per language', () => {
  const data = [
    'organizations:',
    '  - name: { en: Transitional Justice Working Group, ko: 전환기정의워킹그룹, zh-CN: 转型正义工作组, ja: 移行期正義ワーキンググループ }',
    '    country: KR',
    '  - name: Amnesty International',
    '  - name: { en: "Zeta Association", zh-CN: 阿尔法协会 }',
    '',
  ].join('\n');
  const shown = (lang: string) => signatoriesFromText('signatories.yaml', data, lang, '2024-01-01').list.organizations.map((o) => o.name);

  it('shows the name in the letter\'s language, else the original (the first given), and sorts by the name shown', () => {
    expect(shown('en')).toEqual(['Amnesty International', 'Transitional Justice Working Group', 'Zeta Association']);
    // Names in the letter's own script first, as every list of that language is sorted.
    expect(shown('ko')).toEqual(['전환기정의워킹그룹', 'Amnesty International', 'Zeta Association']);
    // 阿 (ā) sorts before 转 (zhuǎn) in zh-CN pinyin order.
    expect(shown('zh-CN')).toEqual(['阿尔法协会', '转型正义工作组', 'Amnesty International']);
    // A Traditional Chinese letter does not take the Simplified name: the original is shown.
    expect(shown('zh-TW')).toEqual(['Amnesty International', 'Transitional Justice Working Group', 'Zeta Association']);
  });

  it('refuses a name keyed by something that is not a language tag, where it stands', () => {
    expect(() => signatoriesFromText('signatories.yaml', 'organizations:\n  - name: { "Korean name": 물망초 }\n', 'ko', '2024-01-01')).toThrow(/signatories\.yaml:2:\d+ error "Korean name" is not a language tag: write a name per language as name: \{ en: …, zh-CN: …, ko: … \}/);
  });
});

const at = <T,>(list: T[], index: number): T => {
  const value = list[index];
  if (value === undefined) throw new Error(`nothing at ${index}`);
  return value;
};

describe('Latin punctuation in CJK letters', () => {
  it('sets the curly apostrophe of a Latin name in a zh-CN list proportionally, in the Latin face', async () => {
    const { document } = await loadLetter(path.join(project, 'letter.zh-CN.md'));
    const placed = layoutPdf(buildFrame(document)).pages.flatMap((p) => [...p.body, ...p.notes]).flatMap((l) => l.line.placed);
    const word = placed.find((p) => p.piece.text === 'Citizens’');
    expect(word?.piece.face.name).toBe('Source Serif 4');
    const piece = word?.piece;
    if (!piece) throw new Error('no piece');
    const apostrophe = at(piece.glyphs.advances, piece.glyphs.codePoints.findIndex((cps) => cps.includes(0x2019)));
    // Source Serif 4's ’ is about a quarter of an em; the CJK face's is a whole em.
    expect(apostrophe / piece.face.unitsPerEm).toBeLessThan(0.35);
    // A curly quote beside Han text stays the CJK face's full-width mark.
    const cjk = placed.find((p) => p.piece.text === '”' || p.piece.text === '“');
    if (cjk) expect(cjk.piece.face.name).not.toBe('Source Serif 4');
  });
});

describe('a name in a script no template sets', () => {
  /** The PDF's refusal of an organisation named `name`, and the line of the data file it stands on. */
  const pdfRefusal = async (name: string, country: string): Promise<{ error: unknown; line: number }> => {
    const dir = scratch('letterpress-names-script-');
    const data = readFileSync(corpusFile, 'utf8').replace('organizations:\n', `organizations:\n  - name: ${name}\n    country: ${country}\n`);
    writeFileSync(path.join(dir, 'signatories.yaml'), data);
    writeFileSync(path.join(dir, 'letter.md'), letterText('zh-CN'));
    const letter = await loadLetter(path.join(dir, 'letter.md'));
    const error = await renderEdition(letter, buildFrame(letter.document), 'pdf', {}, []).then(
      () => null,
      (err: unknown) => err,
    );
    return { error, line: data.split('\n').findIndex((l) => l.includes(name)) + 1 };
  };

  it('is refused where it stands, naming the script and what to do', async () => {
    const { error, line } = await pdfRefusal('جمعية حقوق الإنسان', 'Egypt');
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(new RegExp(`signatories\\.yaml:${line}:\\d+ .*error "ج" \\(U\\+062C, Arabic script\\) is written right to left.*Latin letters.*right-to-left`, 's'));
  });

  it('a script written left to right that no font has is named, with how to add a font', async () => {
    const { error, line } = await pdfRefusal('मानवाधिकार मंच', 'India');
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(new RegExp(`signatories\\.yaml:${line}:\\d+ .*error No font has the character "म" \\(U\\+092E, Devanagari script\\).*fonts\\.serif.*missing-glyph`, 's'));
  });
});
