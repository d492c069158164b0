import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { preflight } from '../src/render/pdf/preflight.js';
import { fixture, runCli } from './helpers.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

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
  const dir = mkdtempSync(path.join(tmpdir(), 'letterpress-fallback-'));
  cpSync(fixture('letters', 'fallback'), dir, { recursive: true });

  it('draws Hangul and CJK Extension B with fallback fonts, embedded, and they copy out', async () => {
    const result = runCli(['build', 'letter.md', '--format', 'pdf'], dir);
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

  it('names a character no font has, with its code point and position, and writes nothing', () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'letterpress-missing-'));
    cpSync(fixture('letters', 'fallback'), bad, { recursive: true });
    const letter = path.join(bad, 'letter.md');
    writeFileSync(letter, readFileSync(letter, 'utf8').replace('也提到韩国', '也提到😀韩国'));
    const result = runCli(['build', 'letter.md', '--format', 'txt,pdf'], bad);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/letter\.md:13:\d+ error No font has the character "😀" \(U\+1F600\)/);
    expect(existsSync(path.join(bad, 'out', 'letter.txt'))).toBe(false);
  });
});
