import { build } from '../src/build/build.js';
import { BuildError, formatDiagnostics } from '../src/diagnostics/index.js';
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { preflight } from '../src/render/pdf/preflight.js';
import { fixture, root, runCli, scratch } from './helpers.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { buildFrame } from '../src/frame/index.js';

async function pdfText(file: string): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0 }).promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    text += content.items.map((i) => ('str' in i ? i.str : '')).join('');
  }
  await doc.destroy();
  return text.replace(/\s+/g, '');
}

describe('font fallback', () => {
  const dir = scratch('letterpress-fallback-');
  cpSync(fixture('letters', 'fallback'), dir, { recursive: true });

  it('draws Hangul and CJK Extension B with fallback fonts, embedded, and they copy out', async () => {
    const result = await runCli(['build', 'letter.md', '--format', 'pdf'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const file = path.join(dir, 'out', 'letter.pdf');
    const report = await preflight(new Uint8Array(readFileSync(file)));
    expect(report.problems).toEqual([]);
    const names = report.fonts.map((f) => f.name).join(' ');
    expect(names).toMatch(/NotoSerifSC/);
    expect(names).toMatch(/NotoSerifKR/);
    expect(names).toMatch(/NotoSerifJP/);
    expect(report.fonts.every((f) => f.embedded)).toBe(true);
    const text = await pdfText(file);
    for (const s of ['𠮷野家', '서울', '북한인권시민연합', '이양희(LeeYanghee)']) expect(text).toContain(s);
  });

  it('names a character no font has, with its code point and position, and writes nothing', async () => {
    const bad = scratch('letterpress-missing-');
    cpSync(fixture('letters', 'fallback'), bad, { recursive: true });
    const letter = path.join(bad, 'letter.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace('也提到韩国', '也提到😀韩国'));
    const result = await runCli(['build', 'letter.md', '--format', 'txt,pdf'], bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/letter\.md:13:\d+ error No font has the character "😀" \(U\+1F600\)/);
    expect(existsSync(path.join(bad, 'out', 'letter.txt'))).toBe(false);
  });
});

describe('a character no font has is reported where it stands', () => {
  const project = scratch('letterpress-glyph-place-');
  cpSync(fixture('letters', 'fallback'), project, { recursive: true });
  const letter = path.join(project, 'letter.md');
  const original = readFileSync(letter, 'utf8');
  const data = path.join(project, 'signatories.yaml');
  const originalData = readFileSync(data, 'utf8');

  async function failure(): Promise<string> {
    try {
      await build(letter, { formats: ['pdf'], outDir: path.join(project, 'out') });
    } catch (err) {
      if (err instanceof BuildError) return formatDiagnostics(err.files).split('\n')[0] as string;
      throw err;
    }
    return 'built';
  }

  it('in a paragraph after a joined line: its own line and column, not the first occurrence in the file', async () => {
    // 😀 appears first in a note (drawn later) and then in the body: the body's is the one reported.
    const text = original
      .replace('这封信提到“𠮷野家”', '这封信提到\n“𠮷野家”😀')
      .replace('[^a]: 见', '[^a]: 😀见');
    writeFileSync(letter, text);
    writeFileSync(data, originalData);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('“𠮷野家”😀')) + 1;
    expect(await failure()).toMatch(new RegExp(`letter\\.md:${line}:6 error No font has the character "😀"`));
  });

  it('in the subject (front matter)', async () => {
    writeFileSync(letter, original.replace('subject: 后备字体测试', 'subject: 后备😀测试'));
    writeFileSync(data, originalData);
    expect(await failure()).toMatch(/letter\.md:7:12 error No font has the character "😀"/);
  });

  it('in the signatory data: the data file, line and column', async () => {
    writeFileSync(letter, original);
    writeFileSync(data, originalData.replace('country: South Korea', 'country: South 😀 Korea'));
    const line = originalData.split('\n').findIndex((l) => l.includes('country: South Korea')) + 1;
    expect(await failure()).toMatch(new RegExp(`signatories\\.yaml:${line}:20 error No font has the character "😀"`));
  });
});

describe('fonts named by a template', () => {
  const project = scratch('letterpress-fonts-');
  cpSync(fixture('letters', 'fallback'), project, { recursive: true });
  const letter = path.join(project, 'letter.md');
  writeFileSync(letter, readFileSync(letter, 'utf8').replace('signatories: signatories.yaml', 'signatories: signatories.yaml\ntemplate: house'));
  const templates = path.join(project, 'templates');
  mkdirSync(templates);
  mkdirSync(path.join(project, 'fonts'));
  const zh = readFileSync(path.join(root, 'templates', 'zh-CN.yaml'), 'utf8');
  const withFont = (file: string) =>
    zh.replace('  serif:\n', `  serif:\n    - { file: "${file}", name: "Project Serif" }\n`);

  it('uses a font file from the project\'s fonts/ folder (template found by name in templates/)', async () => {
    const serif = path.join(root, 'node_modules', '@expo-google-fonts', 'source-serif-4', '400Regular', 'SourceSerif4_400Regular.ttf');
    cpSync(serif, path.join(project, 'fonts', 'project.ttf'));
    writeFileSync(path.join(templates, 'house.yaml'), withFont('../fonts/project.ttf'));
    const result = await runCli(['build', 'letter.md', '--format', 'pdf'], project);
    expect(result.stderr).toBe('');
    const report = await preflight(new Uint8Array(readFileSync(path.join(project, 'out', 'letter.pdf'))));
    expect(report.problems).toEqual([]);
    expect(report.fonts.map((f) => f.name).join(' ')).toMatch(/SourceSerif4/);
  });

  it('names a font file fontkit cannot read, as a diagnostic, and writes nothing', async () => {
    writeFileSync(path.join(project, 'fonts', 'broken.ttf'), Buffer.from('OTTO not really a font file at all'));
    writeFileSync(path.join(templates, 'house.yaml'), withFont('../fonts/broken.ttf'));
    const before = readFileSync(path.join(project, 'out', 'letter.pdf'));
    const result = await runCli(['build', 'letter.md', '--format', 'pdf'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fonts\/broken\.ttf error Not a font file fontkit can read .*  font$/m);
    expect(result.stderr).not.toMatch(/TypeError|at .*\.js:\d+/);
    expect(readFileSync(path.join(project, 'out', 'letter.pdf')).equals(before)).toBe(true);
  });

  it('refuses a font file outside the project', async () => {
    writeFileSync(path.join(templates, 'house.yaml'), withFont('../../elsewhere/font.ttf'));
    const result = await runCli(['build', 'letter.md', '--format', 'pdf'], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lies outside the project/);
  });
});

describe('a Traditional Chinese letter (zh-TW template)', () => {
  it('is set in Noto Serif TC with full-width, uncompressed punctuation, and its labels', async () => {
    const dir = scratch('letterpress-tw-');
    cpSync(fixture('letters', 'zh-TW'), dir, { recursive: true });
    const result = await runCli(['build', 'letter.md'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = await preflight(new Uint8Array(readFileSync(path.join(dir, 'out', 'letter.pdf'))));
    expect(report.problems).toEqual([]);
    // Han text in Noto Serif TC; Latin words and digits in Source Serif 4.
    expect(report.fonts.every((f) => /NotoSerifTC|SourceSerif4/.test(f.name))).toBe(true);
    expect(report.fonts.some((f) => /NotoSerifTC/.test(f.name))).toBe(true);
    const { loadLetter } = await import('../src/load/letter.js');
    const { layoutPdf } = await import('../src/render/pdf/index.js');
    const { document } = await loadLetter(path.join(dir, 'letter.md'));
    const size = document.template.type.bodySize;
    const marks = layoutPdf(buildFrame(document)).pages.flatMap((p) => p.body).flatMap((l) => l.line.placed).filter((p) => /[，。」「：！]/.test(p.piece.text));
    expect(marks.length).toBeGreaterThan(5);
    for (const m of marks) expect(m.width).toBeCloseTo(size, 5);
    expect(readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8')).toContain('2024年3月1日');
  });
});
