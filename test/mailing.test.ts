/**
 * Mailing outputs, read back with pdfjs-dist: a copy per addressee with that addressee's block
 * first, the print file's copies each starting on an odd page, envelopes one page per addressee
 * in the DL / C5 / Chinese sizes with the address inside the window area, labels inside their
 * cells, and an addressee without an address refused at its line only when envelopes or labels
 * are asked for.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { runCli, scratch } from './helpers.js';
import { addressArea, CN_LAYOUT, ENVELOPES, envelopeWindow, LABEL_SHEETS, mm, type Area } from '../src/render/pdf/mailing.js';
import { slugOf } from '../src/frame/mailing.js';
import { preflight } from '../src/render/pdf/preflight.js';

interface Item {
  str: string;
  /** Left, right and baseline in top-down page points. */
  x: number;
  right: number;
  y: number;
  size: number;
}

interface ReadPage {
  width: number;
  height: number;
  /** The page's text lines: items on one baseline, left to right. */
  lines: string[];
  items: Item[];
}

async function readPdf(file: string): Promise<ReadPage[]> {
  const doc = await getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0, isEvalSupported: false }).promise;
  const pages: ReadPage[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , width, height] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const items: Item[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const [, , , d, e, f] = item.transform as number[];
      items.push({ str: item.str, x: e ?? 0, right: (e ?? 0) + item.width, y: height - (f ?? 0), size: Math.abs(d ?? 0) });
    }
    const byLine = new Map<number, Item[]>();
    for (const item of items) byLine.set(Math.round(item.y), [...(byLine.get(Math.round(item.y)) ?? []), item]);
    const lines = [...byLine.entries()].sort(([a], [b]) => a - b).map(([, line]) => line.sort((a, b) => a.x - b.x).map((i) => i.str).join(''));
    pages.push({ width, height, lines, items });
  }
  await doc.destroy();
  return pages;
}

/** Every item of the page that is not inside `area` (baseline within it, its glyphs' top too). */
const outside = (items: Item[], area: Area) =>
  items.filter((i) => i.x < area.x - 0.5 || i.right > area.x + area.width + 0.5 || i.y > area.y + area.height + 0.5 || i.y - i.size < area.y - 0.5);

const SIGNATORIES = `asOf: 2023-09-21
organizations:
  - name: 亚洲人权联盟
    country: TH
individuals:
  - name: 张三
    title: 律师
`;

function zhLetter(to: string, cc: string): string {
  return `---
lang: zh-CN
date: 2023-09-21
to:
${to}
cc:
${cc}
from:
  name: 亚洲人权联盟
  address: |
    泰国曼谷
    素坤逸路1号
  contact: info@example.org
subject: 强迫遣返朝鲜难民
salutation: 尊敬的习近平主席：
closing: 谢谢！
signatories: signatories.yaml
template: zh-CN
---

我等特此致函表示关切[^a]。

${'中国政府强迫遣返朝鲜人的政策和做法此后仍然持续。'.repeat(40)}

[^a]: 共同社，2023年。
`;
}

const ZH_TO = `  - name: 国家主席习近平
    postcode: '100017'
    address:
      - 中华人民共和国北京市
      - 西城区府右街中南海西门`;
const ZH_CC = `  - name: 公安部长王小洪
    address:
      - 中华人民共和国北京市
      - 东城区东长安街14号
  - name: 外交部长王毅
    address:
      - 中华人民共和国北京市
      - 朝阳区朝阳门南大街2号`;

function project(letter: string): string {
  const dir = scratch('letterpress-mailing-');
  writeFileSync(path.join(dir, 'letter.md'), letter);
  writeFileSync(path.join(dir, 'signatories.yaml'), SIGNATORIES);
  return dir;
}

describe('mailing outputs of a Chinese letter', () => {
  let dir = '';
  beforeAll(async () => {
    dir = project(zhLetter(ZH_TO, ZH_CC));
    const run = await runCli(['build', 'letter.md', '-f', 'txt', '--per-recipient', '--envelopes', '--labels'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
  const out = (name: string) => path.join(dir, 'out', name);

  it('writes one copy per addressee, that addressee addressed first and the copy list as the letter says', async () => {
    const names = ['国家主席习近平', '公安部长王小洪', '外交部长王毅'];
    for (const [k, name] of names.entries()) {
      const [first] = await readPdf(out(`letter.to-${k + 1}.pdf`));
      const lines = first?.lines ?? [];
      // The addressed block first (a Chinese letter with a sender dates its sign-off at the foot).
      expect(lines[0]).toBe(name);
      const cc = lines.indexOf('副本：');
      expect(cc).toBeGreaterThan(1);
      // Every copy names the two ministers in copy, and the President among the addressees.
      expect(lines.slice(cc)).toEqual(expect.arrayContaining(['公安部长王小洪', '外交部长王毅']));
      expect(lines.slice(0, cc)).toContain('国家主席习近平');
    }
    const manifest = JSON.parse(readFileSync(out('letter.manifest.json'), 'utf8')) as { editions: Record<string, { file: string }> };
    expect(Object.keys(manifest.editions).sort()).toEqual(['copy:to-1', 'copy:to-2', 'copy:to-3', 'envelopes', 'labels', 'print', 'txt']);
  });

  it('puts every copy in the print file, each starting on an odd page', async () => {
    const copies = await Promise.all([1, 2, 3].map((k) => readPdf(out(`letter.to-${k}.pdf`))));
    const print = await readPdf(out('letter.print.pdf'));
    let page = 0;
    for (const copy of copies) {
      if (page % 2 === 1) {
        expect(print[page]?.items).toEqual([]); // the blank page before a copy
        page++;
      }
      expect(page % 2).toBe(0); // 0-based even: an odd page number
      copy.forEach((p, k) => expect(print[page + k]?.lines).toEqual(p.lines));
      page += copy.length;
    }
    expect(print.length).toBe(page);
    expect(copies[0]?.length).toBeGreaterThan(1);
    // Tagged, fonts embedded, every copy's notes as Note elements, nothing past the margins.
    expect((await preflight(new Uint8Array(readFileSync(out('letter.print.pdf'))))).problems).toEqual([]);
  });

  it('makes one Chinese envelope per addressee: postcode in its boxes, name and address in their areas, sender at the bottom right', async () => {
    const pages = await readPdf(out('letter.envelopes.pdf'));
    expect(pages.length).toBe(3);
    const checked = await preflight(new Uint8Array(readFileSync(out('letter.envelopes.pdf'))));
    expect(checked.problems).toEqual([]);
    expect(checked.fonts.every((f) => f.embedded)).toBe(true);
    for (const p of pages) {
      expect(p.width).toBeCloseTo(ENVELOPES.CN.width, 1);
      expect(p.height).toBeCloseTo(ENVELOPES.CN.height, 1);
    }
    const first = pages[0]?.items ?? [];
    '100017'.split('').forEach((digit, k) => {
      const item = first.find((i) => i.str === digit && outside([i], CN_LAYOUT.postcodeBox(k)).length === 0);
      expect(item, `digit ${digit} in box ${k + 1}`).toBeDefined();
    });
    const name = first.filter((i) => i.str.includes('国家主席习近平'));
    expect(name.length).toBe(1);
    expect(outside(name, CN_LAYOUT.name)).toEqual([]);
    const address = first.filter((i) => i.str.startsWith('中华人民共和国') || i.str.startsWith('西城区'));
    expect(address.length).toBe(2);
    expect(outside(address, CN_LAYOUT.address)).toEqual([]);
    const sender = first.filter((i) => /亚洲人权联盟|泰国曼谷|素坤逸路|info@/.test(i.str));
    expect(sender.length).toBe(4);
    expect(outside(sender, CN_LAYOUT.sender)).toEqual([]);
  });

  it('puts every label inside its cell of the A4 3 × 8 sheet', async () => {
    const [sheet, ...more] = await readPdf(out('letter.labels.pdf'));
    expect(more).toEqual([]);
    expect(sheet?.width).toBeCloseTo(mm(210), 1);
    for (const [k, name] of ['国家主席习近平', '公安部长王小洪', '外交部长王毅'].entries()) {
      const cell = LABEL_SHEETS.A4.cell(k);
      const inCell = sheet?.items.filter((i) => outside([i], cell).length === 0) ?? [];
      expect(inCell.map((i) => i.str)).toContain(name);
      expect(inCell.some((i) => i.str.startsWith('亚洲人权联盟'))).toBe(true);
    }
    // Nothing on the sheet straddles two cells or leaves the labels.
    for (const item of sheet?.items ?? []) {
      const cells = [0, 1, 2].filter((k) => outside([item], LABEL_SHEETS.A4.cell(k)).length === 0);
      expect(cells.length, item.str).toBe(1);
    }
  });
});

const EN = (cc: string) => `---
lang: en
date: 2023-09-21
to:
  - name: President Xi Jinping
    address:
      - Zhongnanhai West Gate, Fuyou Street
      - Xicheng District, Beijing, People’s Republic of China
cc:
${cc}
from:
  name: Asian Alliance for Human Rights
  address: |
    1 Sukhumvit Road
    Bangkok 10110, Thailand
subject: Forced repatriation
salutation: Dear President Xi,
closing: Yours sincerely,
template: en
---

We write to express our concern.
`;

describe('envelopes and labels of an English letter', () => {
  it('sets DL and C5 envelopes with the address inside the window area, shrinking a long line', async () => {
    const long = 'Unit 3, 2 Chaoyangmen Nandajie Avenue, Chaoyang District';
    const dir = project(EN(`  - name: Minister of Foreign Affairs Wang Yi\n    address:\n      - ${long}\n      - Beijing 100701\n      - People’s Republic of China`));
    for (const layout of ['DL', 'C5'] as const) {
      const run = await runCli(['build', 'letter.md', '-f', 'txt', '--envelope-layout', layout.toLowerCase(), '-o', layout], dir);
      expect(run.stderr).toBe('');
      const pages = await readPdf(path.join(dir, layout, 'letter.envelopes.pdf'));
      expect(pages.length).toBe(2);
      const area = addressArea(envelopeWindow(layout));
      for (const [k, page] of pages.entries()) {
        expect(page.width).toBeCloseTo(ENVELOPES[layout].width, 1);
        expect(page.height).toBeCloseTo(ENVELOPES[layout].height, 1);
        const recipient = page.items.filter((i) => i.y > area.y);
        expect(recipient[0]?.str).toBe(k === 0 ? 'President Xi Jinping' : 'Minister of Foreign Affairs Wang Yi');
        expect(outside(recipient, area)).toEqual([]);
        // The sender at the top left, above the window.
        expect(page.items.find((i) => i.str === 'Asian Alliance for Human Rights')?.y).toBeLessThan(area.y);
      }
      // The long line was set smaller than the first envelope's address, not past the window.
      const size = (k: number) => pages[k]?.items.find((i) => i.y > area.y)?.size ?? 0;
      expect(size(1)).toBeLessThan(size(0));
    }
    // On a label the long line breaks in two (hanging) rather than shrinking below 8 pt, inside its cell.
    await runCli(['build', 'letter.md', '-f', 'txt', '--labels', '-o', 'labels'], dir);
    const [sheet] = await readPdf(path.join(dir, 'labels', 'letter.labels.pdf'));
    const second = (sheet?.items ?? []).filter((i) => outside([i], LABEL_SHEETS.A4.cell(1)).length === 0 && i.size > 7);
    expect(second.length).toBeGreaterThan(4); // name, the long line in two parts, two more lines
    expect(Math.min(...second.map((i) => i.size))).toBeGreaterThanOrEqual(8);
    expect(slugOf('Minister of Foreign Affairs Wang Yi')).toBe('affairs-wang-yi');
    expect(slugOf('Françoise Müller-Lüdenscheidt')).toBe('muller-ludenscheidt');
  });

  it('prints labels on US Letter sheets of 3 × 10 when the letter is on Letter paper', async () => {
    const dir = project(EN('  - name: Minister Wang Yi\n    address: [2 Chaoyangmen Nandajie, Beijing]').replace('template: en\n', 'template: us.yaml\n'));
    writeFileSync(path.join(dir, 'us.yaml'), 'extends: en\npage:\n  size: Letter\n');
    const run = await runCli(['build', 'letter.md', '-f', 'txt', '--labels'], dir);
    expect(run.stderr).toBe('');
    const [sheet, ...more] = await readPdf(path.join(dir, 'out', 'letter.labels.pdf'));
    expect(more).toEqual([]);
    expect([sheet?.width, sheet?.height]).toEqual([612, 792]);
    const labels = LABEL_SHEETS.Letter;
    expect(labels.columns * labels.rows).toBe(30);
    // The last cell's foot stays on the sheet, ½ in above its edge.
    const last = labels.cell(29);
    expect(last.y + last.height).toBeCloseTo(792 - 36, 1);
    for (const [k, name] of ['President Xi Jinping', 'Minister Wang Yi'].entries()) {
      const inCell = sheet?.items.filter((i) => outside([i], labels.cell(k)).length === 0) ?? [];
      expect(inCell.map((i) => i.str)).toContain(name);
    }
    for (const item of sheet?.items ?? []) expect([0, 1].filter((k) => outside([item], labels.cell(k)).length === 0).length, item.str).toBe(1);
  });

  it('refuses an address that cannot fit even small, at its line, writing nothing', async () => {
    const dir = project(EN(`  - name: Someone\n    address:\n      - ${'Very long street name '.repeat(40)}`));
    const run = await runCli(['build', 'letter.md', '-f', 'txt', '--labels'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/letter\.md:10:11 error The address of "Someone" does not fit an address label[\s\S]*address-too-long/);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('reads from: as name, address lines and contact, and says at its line what a sender has', async () => {
    const dir = project(EN('  - name: Minister Wang Yi').replace('  address: |\n    1 Sukhumvit Road\n    Bangkok 10110, Thailand\n', '  address: [1 Sukhumvit Road]\n  phone: 123\n'));
    const run = await runCli(['build', 'letter.md', '-f', 'txt'], dir);
    expect(run.code).toBe(1);
    // The address may be a list of lines as well as a multi-line string; an unknown key is named.
    expect(run.stderr).not.toContain('from.address');
    expect(run.stderr).toContain('letter.md:14:3 error Front matter: unknown field `from.phone` (a sender has name, address and contact)');
  });

  it("reads an addressee's address as a multi-line string too, as the sender's", async () => {
    const dir = project(EN('  - name: Minister Wang Yi\n    address: |\n      2 Chaoyangmen Nandajie\n\n      Beijing 100701'));
    const run = await runCli(['build', 'letter.md', '-f', 'txt'], dir);
    expect(run.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8')).toContain('Minister Wang Yi\n2 Chaoyangmen Nandajie\nBeijing 100701\n');
  });

  it('takes a postcode written without quotes as it is, and asks for quotes where YAML dropped a leading 0', async () => {
    const to = (postcode: string) => ZH_TO.replace("postcode: '100017'", `postcode: ${postcode}`);
    const bare = project(zhLetter(to('100017'), ZH_CC));
    expect((await runCli(['build', 'letter.md', '-f', 'txt'], bare)).code).toBe(0);
    const zero = project(zhLetter(to('010017'), ZH_CC));
    const run = await runCli(['build', 'letter.md', '-f', 'txt'], zero);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("letter.md:6:15 error Front matter field `to.0.postcode`: write the postcode in quotes, as it is written on the envelope (postcode: '010017')");
  });

  it('removes the copies of addressees taken off the letter, and only the copies it wrote unchanged', async () => {
    const dir = project(EN('  - name: Minister Wang Yi\n  - name: Minister Lee\n  - name: Minister Park'));
    expect((await runCli(['build', 'letter.md', '-f', 'txt', '--per-recipient'], dir)).code).toBe(0);
    const out = (name: string) => path.join(dir, 'out', name);
    writeFileSync(out('letter.to-minister-park.pdf'), 'edited by hand');
    writeFileSync(path.join(dir, 'letter.md'), EN('  - name: Minister Lee'));
    const run = await runCli(['build', 'letter.md', '-f', 'txt', '--per-recipient'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('removed the copies of addressees no longer in the letter: letter.to-minister-wang-yi.pdf');
    expect(existsSync(out('letter.to-minister-wang-yi.pdf'))).toBe(false);
    expect(readFileSync(out('letter.to-minister-park.pdf'), 'utf8')).toBe('edited by hand');
    expect(existsSync(out('letter.to-minister-lee.pdf'))).toBe(true);
  });

  it('refuses an addressee without an address only when envelopes or labels are asked for', async () => {
    const dir = project(EN('  - name: Minister Wang Yi'));
    const plain = await runCli(['build', 'letter.md', '-f', 'txt', '--per-recipient'], dir);
    expect(plain.code).toBe(0);
    for (const flag of ['--envelopes', '--labels']) {
      const before = readFileSync(path.join(dir, 'out', 'letter.manifest.json'), 'utf8');
      const run = await runCli(['build', 'letter.md', '-f', 'txt', flag], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('letter.md:10:5');
      expect(run.stderr).toContain('address-missing');
      expect(run.stderr).toContain('"Minister Wang Yi" has no address');
      expect(readFileSync(path.join(dir, 'out', 'letter.manifest.json'), 'utf8')).toBe(before);
      expect(existsSync(path.join(dir, 'out', 'letter.envelopes.pdf'))).toBe(false);
    }
    expect(existsSync(path.join(dir, 'out', 'letter.to-minister-wang-yi.pdf'))).toBe(true);
  });
});
