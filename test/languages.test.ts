/**
 * The example letters in examples/ (zh-TW, en, ko, ja, one signatory file) built in one run, and
 * the rules of each language checked on the real editions: fonts, notes on their marks' pages,
 * line-start prohibitions, Korean words never split, English italics and hyphenation, zh-TW text
 * that copies out as written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { preflight, type PreflightReport } from '../src/render/pdf/preflight.js';
import { breakOpportunities, NOT_AT_LINE_START } from '../src/typeset/breaks.js';
import { loadTemplate } from '../src/load/template.js';
import { entryFiles, FontChain, openFace } from '../src/fonts/fontChain.js';
import { loadLetter } from '../src/load/letter.js';
import { layoutPdf } from '../src/render/pdf/index.js';
import { type CliRun, root, runCli, scratch, startsAgainstRule } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

const LANGS = ['zh-TW', 'en', 'ko', 'ja'] as const;
type Lang = (typeof LANGS)[number];

interface PdfLine {
  page: number;
  y: number;
  text: string;
  size: number;
  fonts: string[];
  /** Runs of the line in x order, with where each ends. */
  runs: Array<{ str: string; x: number; right: number }>;
}

interface Edition {
  report: PreflightReport;
  lines: PdfLine[];
  /** Filled shapes drawn on the pages (emphasis dots; the note rule is stroked, not filled). */
  fills: number;
  /** Every text item with its font's PDF name. */
  items: Array<{ str: string; size: number; font: string }>;
  txt: string;
  docx: Record<string, string>;
}

/**
 * Lines of the PDF: text items grouped by baseline; lines of digits alone (raised note marks)
 * dropped. And the filled shapes drawn on its pages (emphasis dots; the note rule is stroked, not
 * filled): pdfmake paints an empty path before each text run, so only paths with a shape count.
 */
async function readPdf(file: string): Promise<Pick<Edition, 'lines' | 'items' | 'fills'>> {
  const doc = await getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0, isEvalSupported: false }).promise;
  const lines: PdfLine[] = [];
  const items: Edition['items'] = [];
  let fills = 0;
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    // Also loads the fonts, whose names commonObjs then holds.
    const list = await page.getOperatorList();
    list.fnArray.forEach((fn, i) => {
      if (fn !== OPS.constructPath) return;
      const [paint, path] = list.argsArray[i] as [number, Array<unknown> | null];
      if ((paint === OPS.fill || paint === OPS.eoFill) && path?.[0]) fills++;
    });
    const byY = new Map<number, Array<{ x: number; width: number; str: string; size: number; font: string }>>();
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      const font = (page.commonObjs.get(item.fontName) as { name: string }).name;
      if (item.str.trim() === '') {
        // A word space drawn between two faces (Hangul, then digits in the Latin face): kept in its line.
        byY.get(Math.round(item.transform[5] as number))?.push({ x: item.transform[4] as number, width: item.width, str: item.str, size: 0, font });
        continue;
      }
      const size = Math.hypot(item.transform[0] as number, item.transform[1] as number);
      items.push({ str: item.str, size, font });
      const y = Math.round(item.transform[5] as number);
      const line = byY.get(y) ?? [];
      line.push({ x: item.transform[4] as number, width: item.width, str: item.str, size, font });
      byY.set(y, line);
    }
    for (const [y, parts] of [...byY].sort((a, b) => b[0] - a[0])) {
      parts.sort((a, b) => a.x - b.x);
      const text = parts.map((p) => p.str).join('').trim();
      if (/^[\d\s]+$/.test(text)) continue;
      lines.push({
        page: n, y, text, size: Math.max(...parts.map((p) => p.size)), fonts: [...new Set(parts.map((p) => p.font))],
        runs: parts.map((p) => ({ str: p.str, x: p.x, right: p.x + p.width })),
      });
    }
  }
  await doc.destroy();
  return { lines, items, fills };
}

const editions = new Map<Lang, Edition>();
let build: CliRun;
const dir = scratch('letterpress-examples-');

beforeAll(async () => {
  cpSync(path.join(root, 'examples'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}out`) });
  build = await runCli(['build', ...LANGS.map((lang) => `letter.${lang}.md`)], dir);
  for (const lang of LANGS) {
    const base = path.join(dir, 'out', `letter.${lang}`);
    const pdf = readFileSync(`${base}.pdf`);
    const docx = unzipSync(new Uint8Array(readFileSync(`${base}.docx`)));
    editions.set(lang, {
      report: await preflight(new Uint8Array(pdf)),
      ...(await readPdf(`${base}.pdf`)),
      txt: readFileSync(`${base}.txt`, 'utf8'),
      docx: Object.fromEntries(Object.entries(docx).filter(([name]) => name.endsWith('.xml')).map(([name, data]) => [name, strFromU8(data)])),
    });
  }
}, 240_000);

const edition = (lang: Lang) => editions.get(lang) as Edition;

describe('example letters in four languages, built in one run from one signatory file', () => {
  it('builds every edition of every letter, each with its own manifest', () => {
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    const out = readdirSync(path.join(dir, 'out'));
    for (const lang of LANGS) {
      for (const ext of ['pdf', 'docx', 'txt', 'html', 'manifest.json']) expect(out).toContain(`letter.${lang}.${ext}`);
    }
  });

  it('a letter that fails does not stop the others: they are built, the exit code is 1', async () => {
    const out = await runCli(['build', 'letter.missing.md', 'letter.ja.md', '--format', 'txt', '--out', 'partial'], dir);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/letter\.missing\.md/);
    expect(readdirSync(path.join(dir, 'partial'))).toContain('letter.ja.txt');
  });

  it.each(LANGS)('%s: passes preflight, every note on the page of its mark (one note referenced twice)', (lang) => {
    const { report } = edition(lang);
    expect(report.problems).toEqual([]);
    expect(report.notes).toHaveLength(4);
    for (const note of report.notes) expect(note.notePage, `note ${note.number}`).toBe(note.markPage);
    expect(edition(lang).txt.match(/³|\[3\]/g)?.length, 'the COI note is referenced twice (and listed once)').toBe(3);
  });

  it.each(LANGS)('%s: no line starts with a character that may not start a line', (lang) => {
    const { lines } = edition(lang);
    const bad = lines.filter((line, k) => startsAgainstRule(line.text, lines[k - 1]?.text, NOT_AT_LINE_START));
    expect(bad.map((l) => `p.${l.page}: ${l.text}`)).toEqual([]);
  });

  it.each(LANGS)('%s: no text is drawn over other text (each run ends before the next starts)', (lang) => {
    // Compressed CJK marks (ja) overlap only the blank half of their em box (clreq/jlreq 3.1.4).
    const mark = /[、。，．：；？！「」『』（）〔〕［］｛｝〈〉《》【】“”‘’・]/u;
    const overlaps = edition(lang).lines.flatMap((line) =>
      line.runs.slice(1).flatMap((run, k) => {
        const before = line.runs[k] as PdfLine['runs'][number];
        if (mark.test(before.str.at(-1) ?? '') || mark.test(run.str[0] ?? '')) return [];
        return before.right > run.x + 0.3 ? [`p.${line.page} "${before.str.slice(-6)}" runs ${(before.right - run.x).toFixed(1)} pt into "${run.str.slice(0, 6)}"`] : [];
      }),
    );
    expect(overlaps).toEqual([]);
  });

  it.each(LANGS)('%s: the signatory list holds the same people, Latin and CJK names, headed in the language', (lang) => {
    const { txt } = edition(lang);
    for (const name of ['Human Rights Watch (HRW)', '북한인권시민연합', '台灣廢除死刑推動聯盟', '北朝鮮難民救援基金', '이양희 (Lee Yanghee)', 'Tomás Ojea-Quintana', '小田川綾音']) {
      expect(txt).toContain(name);
    }
    const heading = { 'zh-TW': '組織及個人聯署名單（截至2023年9月21日）', en: 'Signatories (as of 21 September 2023)', ko: '서명 단체 및 개인 (2023년 9월 21일 기준)', ja: '署名団体・個人一覧（2023年9月21日現在）' }[lang];
    expect(txt).toContain(heading);
  });
});

describe('the HTML edition follows the templates', () => {
  const html = (lang: Lang) => readFileSync(path.join(dir, 'out', `letter.${lang}.html`), 'utf8');
  it('ko keeps words whole, zh-TW sets emphasis dots, en hyphenates and slants emphasis', () => {
    expect(html('ko')).toContain('<html lang="ko">');
    expect(html('ko')).toMatch(/word-break: keep-all/);
    expect(html('ja')).toMatch(/word-break: normal/);
    expect(html('zh-TW')).toMatch(/em \{ font-style: normal; text-emphasis: filled dot; text-emphasis-position: under right; \}/);
    expect(html('en')).toMatch(/hyphens: auto/);
    expect(html('en')).toMatch(/em \{ font-style: italic; \}/);
    expect(html('ko')).toMatch(/hyphens: manual/);
  });
});

describe('Korean', () => {
  it('sets the date and labels in Korean, in Noto Serif KR', () => {
    const { lines, report } = edition('ko');
    expect(lines[0]?.text).toBe('2023년 9월 21일');
    expect(lines.some((l) => l.text.startsWith('제목: '))).toBe(true);
    expect(report.fonts.map((f) => f.name).join(' ')).toMatch(/NotoSerifKR-Regular/);
  });

  it('never splits a Hangul word across lines (breaks only between words)', () => {
    const { lines, txt } = edition('ko');
    const source = txt.replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹]/g, '').replace(/\s+/g, ' ');
    const hangul = /\p{Script=Hangul}/u;
    let checked = 0;
    for (let i = 0; i + 1 < lines.length; i++) {
      const a = lines[i] as PdfLine;
      const b = lines[i + 1] as PdfLine;
      if (a.page !== b.page || !hangul.test(a.text.at(-1) ?? '') || !hangul.test(b.text[0] ?? '')) continue;
      const end = a.text.split(/\s+/).at(-1) as string;
      const start = b.text.split(/\s+/)[0] as string;
      checked++;
      expect(source, `"${end}" | "${start}" would be one word split across lines`).not.toContain(`${end}${start}`);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('sorts the list with Korean collation: Hangul first, Hanja names by their Korean reading', () => {
    const order = (lang: Lang) => {
      const { txt } = edition(lang);
      return (name: string) => txt.indexOf(name);
    };
    const ko = order('ko');
    expect(ko('물망초')).toBeLessThan(ko('北朝鮮難民救援基金')); // 물 < 북
    expect(ko('北朝鮮難民救援基金')).toBeLessThan(ko('북한인권시민연합')); // 북조 < 북한
    expect(ko('財團法人民間司法改革基金會')).toBeLessThan(ko('전환기정의워킹그룹')); // 재 < 전
    expect(ko('전환기정의워킹그룹')).toBeLessThan(ko('Asociación Pro-Búsqueda'));
    const en = order('en');
    expect(en('Asociación Pro-Búsqueda')).toBeLessThan(en('물망초'));
  });

  it('wraps the text edition between words', async () => {
    const out = await runCli(['build', 'letter.ko.md', '--format', 'txt', '--wrap', '50', '--out', 'wrapped'], dir);
    expect(out.code).toBe(0);
    const wrapped = readFileSync(path.join(dir, 'wrapped', 'letter.ko.txt'), 'utf8').split('\n');
    const words = new Set(edition('ko').txt.split(/\s+/));
    const body = wrapped.filter((line) => /\p{Script=Hangul}$/u.test(line));
    expect(body.length).toBeGreaterThan(10);
    for (const line of body) expect(words, `line ends inside a word: ${line}`).toContain(line.split(/\s+/).at(-1));
  });

  it('writes the DOCX in Korean: w:lang ko-KR, Noto Serif KR, words kept whole, punctuation not compressed', () => {
    const { docx } = edition('ko');
    expect(docx['word/styles.xml']).toMatch(/w:eastAsia="ko-KR"/);
    expect(docx['word/styles.xml']).toMatch(/w:eastAsia="Noto Serif KR"/);
    expect(docx['word/styles.xml']).toContain('<w:wordWrap w:val="1"/>');
    expect(docx['word/settings.xml']).toContain('<w:characterSpacingControl w:val="doNotCompress"/>');
  });
});

describe('line-break rules per language (breakOpportunities)', () => {
  it('jlreq: small kana, ー, 々 and 〜 never start a line; other kana may', () => {
    const text = 'ちょっとコーヒーを人々と飲む〜';
    const { allowed } = breakOpportunities(text);
    for (const ch of 'ょっーー々〜') {
      for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) expect(allowed.has(i), `break before ${ch} at ${i}`).toBe(false);
    }
    expect(allowed.has(text.indexOf('と'))).toBe(true);
  });

  it('keep-all: a Korean line breaks only at spaces, never inside 위원회(COI)는', () => {
    const text = '유엔 북한인권조사위원회(COI)는 2014년 보고서에서';
    const keepAll = [...breakOpportunities(text, { keepAll: true }).allowed].sort((a, b) => a - b);
    expect(keepAll.map((i) => text[i - 1])).toEqual([' ', ' ', ' ']);
    expect(breakOpportunities(text).allowed.size).toBeGreaterThan(10); // without keep-all: between syllables
  });

  it('keep-all with in-word breaks (PDF): before ( and after ) inside 위원회(COI)는 as CSS allows, each at a cost', () => {
    const text = '유엔 북한인권조사위원회(COI)는 2014년';
    const { allowed, costs } = breakOpportunities(text, { keepAll: true, inWordBreaks: true });
    const inWord = [...allowed].filter((i) => text[i - 1] !== ' ').sort((a, b) => a - b);
    expect(inWord).toEqual([text.indexOf('('), text.indexOf(')') + 1]);
    for (const i of inWord) expect(costs.get(i)).toBeGreaterThan(0);
    expect(costs.get(text.indexOf('2014'))).toBeUndefined(); // a break at a space costs nothing
  });
});

describe('Japanese', () => {
  it('sets the date, labels and fonts in Japanese', () => {
    const { lines, report, docx } = edition('ja');
    expect(lines[0]?.text.replace(/\s/g, '')).toBe('2023年9月21日');
    expect(lines.some((l) => l.text.replace(/\s/g, '').startsWith('件名：'))).toBe(true);
    expect(report.fonts.map((f) => f.name).join(' ')).toMatch(/NotoSerifJP-Regular/);
    expect(docx['word/styles.xml']).toMatch(/w:eastAsia="ja-JP"/);
  });
});

describe('English', () => {
  it('sets emphasis in the italic of Source Serif 4', () => {
    const { items, report } = edition('en');
    expect(report.fonts.map((f) => f.name).join(' ')).toMatch(/SourceSerif4-Italic/);
    const italic = items.filter((i) => /Italic/.test(i.font)).map((i) => i.str).join(' ');
    expect(italic).toContain('non-refoulement');
    expect(italic).toContain('Report of the detailed findings');
    const upright = items.filter((i) => /SourceSerif4-Regular/.test(i.font)).map((i) => i.str).join(' ');
    expect(upright).not.toContain('non-refoulement');
  });

  it('hyphenates justified lines with Knuth–Liang patterns, never inside a URL', () => {
    const { lines, txt } = edition('en');
    const source = txt.replace(/\s+/g, ' ');
    const ending = lines.map((l, i) => ({ end: l.text.split(' ').at(-1) as string, next: lines[i + 1]?.text.split(' ')[0] ?? '' }));
    const inWords = ending.filter(({ end, next }) => /\p{Ll}-$/u.test(end) && /^\p{Ll}/u.test(next) && !end.includes('/'));
    expect(inWords.length).toBeGreaterThanOrEqual(3);
    // a hyphen the breaker added: the word stands whole in the source
    for (const { end, next } of inWords) expect(source).toContain(`${end.slice(0, -1)}${next}`);
    // a URL keeps its own characters: broken after a separator, nothing added
    const inUrls = ending.filter(({ end }) => end.includes('/') && !/[.,)]$/.test(end));
    expect(inUrls.length).toBeGreaterThan(0);
    const unspaced = source.replace(/\s+/g, '');
    for (const { end, next } of inUrls) expect(unspaced).toContain(`${end}${next}`);
  });

  it('sets no justified line with word spaces above half an em on average, and no three hyphens in a row', async () => {
    const { document } = await loadLetter(path.join(dir, 'letter.en.md'));
    const { pages } = layoutPdf(buildFrame(document));
    const lines = pages.flatMap((page) => [...page.body, ...page.notes]).map((l) => l.line);
    let justified = 0;
    for (const line of lines) {
      if (line.last || line.placed.length < 2) continue;
      const spaces = line.placed.slice(1).flatMap((p, k) => {
        const before = line.placed[k] as (typeof line.placed)[number];
        return p.piece.glueBefore?.kind === 'space' ? [(p.x - before.x - before.width) / p.piece.size] : [];
      });
      if (spaces.length === 0 || line.placed.at(-1)?.piece.kind === 'mark') continue;
      const right = (line.placed.at(-1) as (typeof line.placed)[number]).x + (line.placed.at(-1) as (typeof line.placed)[number]).width;
      if (right < line.width - 0.1) continue; // set ragged (a line before a long URL), not justified
      justified++;
      const mean = spaces.reduce((a, b) => a + b, 0) / spaces.length;
      expect(mean, line.placed.map((p) => p.piece.text).join(' ')).toBeLessThanOrEqual(0.5);
    }
    expect(justified).toBeGreaterThan(30);
    const ends = edition('en').lines.map((l) => /\p{Ll}-$/u.test(l.text) && !/\//.test(l.text.split(' ').at(-1) ?? ''));
    expect(ends.some((h, i) => h && ends[i + 1] && ends[i + 2])).toBe(false);
  });

  it('writes the DOCX with Source Serif 4, italics and hyphenation; a note referenced twice has one Word reference', () => {
    const { docx } = edition('en');
    expect(docx['word/styles.xml']).toMatch(/w:ascii="Source Serif 4"/);
    expect(docx['word/document.xml']).toContain('<w:i/>');
    expect(docx['word/settings.xml']).toContain('<w:autoHyphenation/>');
    // Source Serif 4 travels with the copy in its four designs
    expect(docx['word/fontTable.xml']).toMatch(/<w:font w:name="Source Serif 4">.*<w:embedRegular .*<w:embedBold .*<w:embedItalic .*<w:embedBoldItalic [^>]*\/><\/w:font>/s);
    const references = [...(docx['word/document.xml'] ?? '').matchAll(/w:footnoteReference w:id="(\d+)"/g)].map((m) => m[1]);
    expect(references).toEqual(['1', '2', '3', '4']);
    expect(docx['word/document.xml']).toMatch(/<w:vertAlign w:val="superscript"\/><\/w:rPr><w:t xml:space="preserve">3<\/w:t>/);
  });
});

describe('Traditional Chinese', () => {
  it('copies out the body and the notes exactly as written (whitespace aside)', () => {
    const { items, txt } = edition('zh-TW');
    const plain = (s: string) => s.replace(/\s+/g, '');
    const bodyText = plain(items.filter((i) => Math.abs(i.size - 11.5) < 0.1).map((i) => i.str).join(''));
    const noteText = plain(items.filter((i) => Math.abs(i.size - 8.5) < 0.1).map((i) => i.str).join(''));
    const [body, rest] = txt.split('\n——————\n') as [string, string];
    const paragraphs = body.split('\n\n').map((p) => plain(p.replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹]/g, '')));
    for (const paragraph of paragraphs) expect(bodyText).toContain(paragraph);
    const notes = rest.split('\n\n')[0]?.split(/\n(?=[¹²³⁴])/) ?? [];
    expect(notes).toHaveLength(4);
    for (const note of notes) expect(noteText).toContain(plain(note.replace(/^[¹²³⁴]/, '')));
  });

  it('draws emphasis dots under the five emphasised characters (the template says dots), in the DOCX too', () => {
    // Counted while the editions were read (readPdf), from out/letter.zh-TW.pdf and out/letter.ko.pdf.
    expect(edition('zh-TW').fills).toBe(5);
    expect(edition('ko').fills).toBe(0); // ko: emphasis bold
    expect(edition('zh-TW').docx['word/document.xml']).toContain('<w:em w:val="dot"/>');
  });
});

describe('a Latin face for the Latin runs of a CJK letter (use: latin)', () => {
  it('sets Latin words and digits in Source Serif 4, everything else (CJK quotes included) in Noto Serif JP', async () => {
    const ja = readFileSync(path.join(root, 'templates', 'ja.yaml'), 'utf8');
    const latin = '    - { package: "@expo-google-fonts/source-serif-4", regular: "400Regular/SourceSerif4_400Regular.ttf", bold: "700Bold/SourceSerif4_700Bold.ttf", name: "Source Serif 4", use: latin }\n';
    writeFileSync(path.join(dir, 'house.yaml'), ja.replace('  serif:\n', `  serif:\n${latin}`));
    writeFileSync(path.join(dir, 'letter.house.md'), readFileSync(path.join(dir, 'letter.ja.md'), 'utf8').replace('template: ja', 'template: house.yaml'));
    const out = await runCli(['build', 'letter.house.md', '--format', 'pdf'], dir);
    expect(out.stderr).toBe('');
    const { items } = await readPdf(path.join(dir, 'out', 'letter.house.pdf'));
    const serif = items.filter((i) => /SourceSerif4/.test(i.font)).map((i) => i.str).join('');
    expect(serif).toContain('COI');
    expect(serif).toContain('2014');
    expect(serif).not.toMatch(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}「」（）、。“”]/u);
    expect(items.filter((i) => /NotoSerifJP/.test(i.font)).map((i) => i.str).join('')).toContain('国連北朝鮮人権調査委員会');
  });
});

describe('fonts of the built-in templates', () => {
  const templates = readdirSync(path.join(root, 'templates')).filter((f) => f.endsWith('.yaml'));

  it.each(templates)('%s: every font file opens and has the characters its entry claims', async (name) => {
    const template = await loadTemplate(path.join(root, 'templates', name));
    for (const entry of template.fonts.serif) {
      const files = entryFiles(entry, template.sourcePath);
      expect(files.covers.length, `${files.name} claims no characters`).toBeGreaterThan(0);
      for (const file of [files.regular, files.bold, files.italic, files.boldItalic]) {
        if (!file) continue;
        const face = openFace(file, files.name);
        const missing = [...files.covers].filter((ch) => ch !== ' ' && !face.font.hasGlyphForCodePoint(ch.codePointAt(0) as number));
        expect(missing, `${path.basename(file)} lacks`).toEqual([]);
      }
    }
    // Faces by role: digits for note marks, a space for word spaces, the page label's characters.
    const chain = new FontChain(template);
    for (const needs of ['0123456789', ' ', template.labels.page.replace(/\{\w+\}/g, '')]) expect(() => chain.faceWith(needs)).not.toThrow();
  });
});
