import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadLetter } from '../src/load/letter.js';
import { renderPdf } from '../src/render/pdf/index.js';
import { preflight, type PreflightReport } from '../src/render/pdf/preflight.js';
import { hanCounts, hanDifferences, root, sourceLetter } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

interface PageText {
  items: Array<{ str: string; x: number; y: number; size: number }>;
  links: string[];
  width: number;
  height: number;
}

async function readPdf(bytes: Uint8Array): Promise<{ pages: PageText[]; info: Record<string, unknown> }> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  const pages: PageText[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , width, height] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const annotations = (await page.getAnnotations()) as Array<{ subtype: string; url?: string }>;
    pages.push({
      width,
      height,
      items: content.items
        .filter((i): i is typeof i & { str: string; transform: number[] } => 'str' in i)
        .map((i) => ({ str: i.str, x: i.transform[4] as number, y: i.transform[5] as number, size: Math.hypot(i.transform[0] as number, i.transform[1] as number) })),
      links: annotations.filter((a) => a.subtype === 'Link' && a.url).map((a) => a.url as string),
    });
  }
  const meta = await doc.getMetadata();
  await doc.destroy();
  return { pages, info: meta.info as Record<string, unknown> };
}

let bytes: Uint8Array;
let pdf: Awaited<ReturnType<typeof readPdf>>;
let report: PreflightReport;
let template: Awaited<ReturnType<typeof loadLetter>>['document']['template'];

beforeAll(async () => {
  const { document } = await loadLetter(path.join(root, 'letter.md'));
  template = document.template;
  bytes = await renderPdf(buildFrame(document));
  pdf = await readPdf(bytes);
  report = await preflight(bytes);
});

describe('the mailing PDF of the 2023-09-21 letter', () => {
  it('is A4', () => {
    for (const page of pdf.pages) {
      expect(page.width).toBeCloseTo(595.28, 1);
      expect(page.height).toBeCloseTo(841.89, 1);
    }
  });

  it('puts each of the 13 notes on the page of its mark', () => {
    expect(report.notes).toHaveLength(13);
    for (const note of report.notes) {
      expect(note.markPage, `mark ${note.number}`).not.toBeNull();
      expect(note.notePage, `note ${note.number}`).toBe(note.markPage);
    }
    expect(report.problems).toEqual([]);
  });

  it('holds every Han character of the source exactly as often (page labels aside)', () => {
    const bottom = template.page.margins.bottom;
    const text = pdf.pages.flatMap((p) => p.items.filter((i) => i.y > bottom * 0.9).map((i) => i.str)).join('');
    expect(hanDifferences(hanCounts(sourceLetter()), hanCounts(text))).toEqual([]);
  });

  it('copies out the original characters (whitespace aside)', () => {
    const text = pdf.pages.flatMap((p) => p.items.map((i) => i.str)).join('').replace(/\s+/g, '');
    for (const phrase of ['2013年12月16日，朝鲜调委会曾致函中国政府', '“心心相融，爱达未来”', '至少1,170名', 'JALCHN8/2021', 'THINK/SouthKorea']) {
      expect(text).toContain(phrase);
    }
  });

  it('embeds every font', () => {
    expect(report.fonts.length).toBeGreaterThan(0);
    expect(report.fonts.every((f) => f.embedded)).toBe(true);
  });

  it('has no text beyond the right margin', () => {
    expect(report.maxRight).toBeLessThanOrEqual(595.28 - template.page.margins.right + 0.5);
  });

  it('has a clickable link for every URL of the notes', () => {
    const links = new Set(pdf.pages.flatMap((p) => p.links));
    const urls = new Set(readFileSync(path.join(root, 'letter.md'), 'utf8').match(/https:\/\/[^>]+(?=>)/g));
    expect(urls.size).toBe(12);
    expect(links).toEqual(urls);
  });

  it('carries title, author, language and the letter date', () => {
    expect(pdf.info.Title).toBe('中国政府强迫遣返朝鲜难民');
    expect(pdf.info.Language).toBe('zh-CN');
    expect(pdf.info.Author).toMatch(/54 organisations/);
    expect(pdf.info.CreationDate).toBe('D:20230921000000Z');
  });

  it('is byte-identical when built again', async () => {
    const { document } = await loadLetter(path.join(root, 'letter.md'));
    expect(Buffer.from(await renderPdf(buildFrame(document))).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('a long letter with many notes', () => {
  it('keeps every note on the page of its mark, moving lines and splitting long notes as needed', async () => {
    const { loadLetterFromText } = await import('../src/load/letter.js');
    const paragraphs: string[] = [];
    const notes: string[] = [];
    for (let i = 1; i <= 36; i++) {
      const filler = '中国政府强迫遣返朝鲜难民的问题，联合国多次呼吁各国尊重不推回原则。'.repeat(1 + (i % 4));
      paragraphs.push(`第${i}段：${filler}这里有一个脚注[^n${i}]，后面还有文字。${filler.slice(0, 20 + (i % 7) * 3)}`);
      notes.push(`[^n${i}]: 注释${i}：${'参见联合国人权理事会的报告，'.repeat(1 + ((i * 7) % 9))}<https://undocs.org/A/HRC/25/CRP.${i}>（2023年9月5日读取）。`);
    }
    const text = `---\nlang: zh-CN\ndate: 2023-09-21\nto:\n  - name: 收信人\nsubject: 主旨\nsalutation: 您好：\nclosing: 谢谢！\n---\n\n${paragraphs.join('\n\n')}\n\n${notes.join('\n\n')}\n`;
    const { document } = await loadLetterFromText({ letterPath: path.join(root, 'test', 'fixtures', 'letters', 'long.md'), text });
    const pdfBytes = await renderPdf(buildFrame(document));
    const long = await preflight(pdfBytes);
    expect(long.pages).toBeGreaterThan(5);
    expect(long.notes).toHaveLength(36);
    for (const note of long.notes) expect(note.notePage, `note ${note.number}`).toBe(note.markPage);
    expect(long.problems).toEqual([]);
  });
});

describe('body blocks in the PDF', () => {
  it('honours hard line breaks, and indents lists on the left only and quotes on both sides', async () => {
    const { loadLetterFromText } = await import('../src/load/letter.js');
    const { layoutPdf } = await import('../src/render/pdf/index.js');
    const long = '列表中的文字足够长需要折行才能看出缩进是否正确'.repeat(3);
    const text = `---\nlang: zh-CN\ndate: 2023-09-21\nto:\n  - name: 收信人\nsubject: 主旨\nsalutation: 您好：\nclosing: 谢谢！\n---\n\n甲乙丙  \n丁戊己。\n\n- ${long}\n\n> ${long}\n`;
    const { document } = await loadLetterFromText({ letterPath: path.join(root, 'test', 'fixtures', 'letters', 'blocks.md'), text });
    const { pages, geometry } = layoutPdf(buildFrame(document));
    const body = pages.flatMap((p) => p.body).filter((l) => l.block === 'body');
    const texts = body.map((l) => l.line.placed.map((p) => p.piece.text).join(''));
    expect(texts.slice(0, 2)).toEqual(['甲乙丙', '丁戊己。']);
    const right = (l: (typeof body)[number]) => Math.max(...l.line.placed.map((p) => p.x + p.width));
    const left = (l: (typeof body)[number]) => Math.min(...l.line.placed.filter((p) => p.piece.text !== '•').map((p) => p.x));
    const size = document.template.type.bodySize;
    const listStart = texts.findIndex((t) => t.startsWith('•'));
    expect(listStart).toBe(2);
    const [list1, list2, quote1, quote2] = body.slice(listStart, listStart + 4) as Array<(typeof body)[number]>;
    // list: indented on the left, full measure on the right (justified)
    expect(left(list1!)).toBeCloseTo(2 * size, 1);
    expect(left(list2!)).toBeCloseTo(2 * size, 1);
    expect(right(list1!)).toBeCloseTo(geometry.textWidth, 0);
    // quote: 2 em in on both sides, its first line also indented 2 em
    expect(left(quote1!)).toBeCloseTo(4 * size, 1);
    expect(left(quote2!)).toBeCloseTo(2 * size, 1);
    expect(right(quote1!)).toBeCloseTo(geometry.textWidth - 2 * size, 0);
  });
});
