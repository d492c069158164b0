/**
 * The browser tests, in a real Chromium (Debian's `chromium`, driven by playwright-core), one
 * Chromium for the file (a launch costs about a second of CPU):
 * - `letterpress serve`: the pages render, the forms edit the data file and the new name reaches
 *   the rendered PDF, a bad edit shows its positioned problem, a change to letter.md on disk
 *   appears without a reload, keyboard-only use, Chinese interface, phone width. One server.
 * - The HTML edition printed from Chromium: page.pdf() of the seed letter, read back with
 *   pdfjs-dist. The closing never stands alone at the top of a page (it keeps with the end of the
 *   last paragraph), and every page carries its number in the template's words.
 *
 * Without /usr/bin/chromium (or LETTERPRESS_CHROMIUM) the tests print SKIPPED; under CI=true they fail.
 * `LETTERPRESS_SCREENSHOTS=docs` also writes docs/serve.png (desktop, in the README) and docs/serve-phone.png (not kept).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { startServer, type RunningServer } from '../src/cli/serve/server.js';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { distReady, root, scratch } from './helpers.js';

const executable = process.env.LETTERPRESS_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(executable);
const inCi = process.env.CI === 'true';
if (!available && !inCi) process.stdout.write(`SKIPPED serve.browser.test.ts: no Chromium at ${executable}; install Debian's chromium (apt-get install -y chromium) to run the browser tests (serve, the HTML edition printed).\n`);

const squash = (s: string) => s.replace(/\s+/gu, '');

/**
 * Chromium's PDF maps some ideographs to a radical of the same glyph in its ToUnicode table
 * (月 read back as ⽉, 页 as ⻚): compare texts after NFKC (the Kangxi radicals) and the one
 * supplement radical met here.
 */
const plain = (text: string) => text.normalize('NFKC').replace(/\u2EDA/gu, '页');

interface TextItem {
  str: string;
  transform: number[];
}

/** Each printed page's text lines, top to bottom (items grouped by baseline). */
async function printedLines(pdf: Uint8Array): Promise<string[][]> {
  const doc = await getDocument({ data: pdf.slice(), verbosity: 0, isEvalSupported: false }).promise;
  const pages: string[][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    const byY = new Map<number, TextItem[]>();
    for (const item of content.items as TextItem[]) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const y = Math.round(item.transform[5] ?? 0);
      byY.set(y, [...(byY.get(y) ?? []), item]);
    }
    pages.push([...byY].sort(([a], [b]) => b - a).map(([, items]) => items.sort((a, b) => (a.transform[4] ?? 0) - (b.transform[4] ?? 0)).map((i) => i.str).join('').replace(/\s+/gu, '')).map(plain));
  }
  await doc.destroy();
  return pages;
}

// The seed letter: its closing fell alone at the head of page 3 before the print stylesheet kept it
// with the last paragraph (the rule is the same in every language; one print keeps the test cheap).
const LETTERS = [{ file: 'letter.md', closing: '谢谢！', label: (page: number, pages: number) => `第${page}页，共${pages}页` }];

describe.skipIf(!available && !inCi)('Chromium', () => {
  /** Launched once, awaited where it is needed (the server starts meanwhile). */
  let launched: Promise<Browser> | undefined;
  beforeAll(async () => {
    if (!available) throw new Error(`CI=true but there is no Chromium at ${executable}: .ci/run installs it with apt-get.`);
    const { chromium } = await import('playwright-core');
    launched = chromium.launch({
      executablePath: executable,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    launched.catch(() => undefined); // reported where it is awaited
  });

  afterAll(async () => {
    await (await launched?.catch(() => undefined))?.close();
  });

  describe('serve in Chromium', () => {
    let server: RunningServer;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    let project: string;
    let data: string;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      distReady(); // the page's browser modules come from dist/
      project = path.join(scratch('letterpress-browser-'), 'project');
      cpSync(path.join(root, 'letter.md'), path.join(project, 'letter.md'));
      cpSync(path.join(root, 'signatories.yaml'), path.join(project, 'signatories.yaml'));
      data = path.join(project, 'signatories.yaml');
      server = await startServer({ letters: [path.join(project, 'letter.md')], port: 0, formats: ['pdf', 'txt'] });
      [browser] = await Promise.all([launched as Promise<Browser>, server.ready]);
      context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-GB' });
      page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(server.url);
      await page.waitForSelector('#pages[data-build="1"] canvas');
    });

    afterAll(async () => {
      await context?.close();
      await server?.close();
    });

    const pagesText = () => page.evaluate(() => document.querySelector('#pages')?.textContent ?? '');
    const waitForText = (text: string) =>
      page.waitForFunction((needle) => (document.querySelector('#pages')?.textContent ?? '').replace(/\s+/gu, '').includes(needle), squash(text), { timeout: 30_000 });

    it('shows the mailing PDF page by page: canvases drawn, not blank, with the letter\'s text; no script errors', async () => {
      expect(new URL(page.url()).search).toBe(''); // the token left the address bar
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      const counts = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLCanvasElement>('#pages canvas')].map((canvas) => {
          const { data: px } = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height) ?? { data: [] as unknown as Uint8ClampedArray };
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) if ((px[i] ?? 255) < 128 && (px[i + 3] ?? 0) > 0) ink++;
          return ink;
        }),
      );
      expect(counts.length).toBeGreaterThanOrEqual(2);
      for (const ink of counts) expect(ink).toBeGreaterThan(1000);
      await waitForText('主旨：中国政府强迫遣返朝鲜难民');
      expect(squash(await pagesText())).toContain(squash('主旨：中国政府强迫遣返朝鲜难民'));
      expect(pageErrors).toEqual([]);
    });

    it('adds an organisation through the form: the data file changes once and the name appears in the rendered PDF', async () => {
      const before = readFileSync(data, 'utf8');
      const build = Number(await page.getAttribute('#pages', 'data-build'));
      await page.click('#add');
      await page.fill('#field-name', 'Quokka Solidarity Trust');
      await page.fill('#field-country', 'Australia');
      await page.click('dialog button[type=submit]');
      await page.waitForSelector('dialog[open]', { state: 'detached', timeout: 10_000 }).catch(() => page.waitForSelector('dialog:not([open])'));
      const after = readFileSync(data, 'utf8');
      expect(after.match(/Quokka Solidarity Trust/g)).toHaveLength(1);
      // One entry more, every earlier line kept (and the as-of date moved to the signing date, as on the command line).
      expect(after.split('\n').filter((l) => !before.split('\n').includes(l) && !l.startsWith('asOf:')).join('\n')).toMatch(/^\s*- name: Quokka Solidarity Trust\n\s+country: Australia\n\s+signedOn: \d{4}-\d\d-\d\d$/);
      await waitForText('Quokka Solidarity Trust');
      // The new build's number is set once every page in view is drawn, a moment after the first
      // new page's text is in: waited for, not read at once.
      await page.waitForFunction((earlier) => Number(document.querySelector<HTMLElement>('#pages')?.dataset['build']) > earlier, build, { timeout: 10_000 });
      // The table shows it too, in the editions' order.
      const names = await page.$$eval('table[data-kind=organization] tbody th', (cells) => cells.map((c) => c.textContent ?? ''));
      expect(names).toContain('Quokka Solidarity Trust');
      expect(names.indexOf('Quokka Solidarity Trust')).toBeGreaterThan(names.indexOf('Advocates for Human Rights'));
    });

    it('a bad edit shows the positioned problem in the form and changes nothing', async () => {
      const before = readFileSync(data, 'utf8');
      await page.click('#add');
      await page.fill('#field-name', 'think');
      await page.click('dialog button[type=submit]');
      const where = page.locator('dialog .form-problems .where');
      await where.waitFor();
      expect(await where.textContent()).toMatch(/signatories\.yaml:\d+:\d+$/);
      expect(await page.locator('dialog .form-problems .message').textContent()).toMatch(/"THINK" is already listed; nothing was changed/);
      expect(await page.locator('dialog .form-problems .source').textContent()).toContain('THINK');
      expect(await page.evaluate(() => document.activeElement?.classList.contains('form-problems'))).toBe(true);
      await page.keyboard.press('Escape');
      expect(readFileSync(data, 'utf8')).toBe(before);
    });

    it('a name that looks like one listed is refused with "Save anyway", which saves it', async () => {
      await page.click('#add');
      await page.fill('#field-name', 'Human Rights Watch'); // listed as "Human Rights Watch (HRW)"
      await page.click('dialog button[type=submit]');
      const anyway = page.locator('dialog .form-problems button.anyway');
      await anyway.waitFor();
      expect(await page.locator('dialog .form-problems .message').textContent()).toContain('looks like "Human Rights Watch (HRW)"');
      expect(readFileSync(data, 'utf8')).not.toMatch(/Human Rights Watch$/m);
      await anyway.click();
      await page.waitForFunction(() => !document.querySelector('dialog[open]'));
      expect(readFileSync(data, 'utf8').match(/Human Rights Watch$/gm)).toHaveLength(1);
    });

    it('an edit of letter.md on disk shows up in the pages without a reload', async () => {
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      const letter = path.join(project, 'letter.md');
      const original = readFileSync(letter, 'utf8');
      writeFileSync(letter, original.replace('尊敬的习近平主席', '尊敬的习近平主席阁下'));
      await waitForText('尊敬的习近平主席阁下');
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      writeFileSync(letter, original);
      await page.waitForFunction(() => !(document.querySelector('#pages')?.textContent ?? '').includes('阁下'), undefined, { timeout: 30_000 });
    });

    it('rapid edits: a PDF that arrives after a newer one never replaces it in the pages', async () => {
      const letter = path.join(project, 'letter.md');
      const original = readFileSync(letter, 'utf8');
      const before = Number(await page.locator('#pages').getAttribute('data-build'));
      // The first edit's PDF is held back until the second edit's pages are drawn (a slow fetch).
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let fetched!: () => void;
      const first = new Promise<void>((resolve) => (fetched = resolve));
      let late: Promise<void> | undefined;
      await page.route(/\/editions\/\d+\/pdf\?view/, async (route) => {
        if (late) return route.continue();
        late = (async () => {
          const response = await route.fetch();
          fetched();
          await held;
          await route.fulfill({ response });
        })();
        await late;
      });
      try {
        writeFileSync(letter, original.replace('尊敬的习近平主席', '尊敬的习近平主席阁下一'));
        await first;
        writeFileSync(letter, original.replace('尊敬的习近平主席', '尊敬的习近平主席阁下二'));
        await waitForText('尊敬的习近平主席阁下二');
        const shown = await page.locator('#pages').getAttribute('data-build');
        expect(Number(shown)).toBeGreaterThan(before + 1);
        release();
        await late;
        await page.waitForTimeout(800); // the late PDF, were it drawn, would be by now
        expect(await page.locator('#pages').getAttribute('data-build')).toBe(shown);
        expect(squash(await pagesText())).toContain(squash('尊敬的习近平主席阁下二'));
        expect(squash(await pagesText())).not.toContain('阁下一');
      } finally {
        release();
        await page.unroute(/\/editions\/\d+\/pdf\?view/);
        writeFileSync(letter, original);
        await page.waitForFunction(() => !(document.querySelector('#pages')?.textContent ?? '').includes('阁下'), undefined, { timeout: 30_000 });
      }
    });

    it('a broken letter keeps the last good pages under a banner, with the positioned problem', async () => {
      const letter = path.join(project, 'letter.md');
      const good = readFileSync(letter, 'utf8');
      writeFileSync(letter, good.replace(/^date: .*$/m, 'date: 21 September'));
      await page.waitForSelector('#banner:not([hidden])', { timeout: 30_000 });
      expect(await page.locator('#problems .where').first().textContent()).toMatch(/letter\.md:\d+:\d+/);
      expect(await page.locator('#pages canvas').count()).toBeGreaterThan(0);
      writeFileSync(letter, good);
      await page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 30_000 });
    });

    it('adds with the keyboard alone: Tab to the button, type, Enter; focus comes back', async () => {
      await page.reload(); // start from the top of the page, as a keyboard user arriving does
      await page.waitForSelector('#pages canvas');
      let onAdd = false;
      for (let i = 0; i < 40 && !onAdd; i++) {
        await page.keyboard.press('Tab');
        onAdd = await page.evaluate(() => document.activeElement?.id === 'add');
      }
      expect(onAdd).toBe(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-name');
      await page.keyboard.type('Keyboard Only Coalition');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('field-country');
      await page.keyboard.type('Chile');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'add');
      expect(readFileSync(data, 'utf8')).toMatch(/- name: Keyboard Only Coalition\n\s+country: Chile/);
      await waitForText('Keyboard Only Coalition');
    });

    it('imports a chosen CSV file: the dry-run preview first, then one write', async () => {
      const before = readFileSync(data, 'utf8');
      await page.setInputFiles('#import-file', { name: 'sign-ups.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Country,Kind\nBrowser Import Union,Kenya,organization\n') });
      await page.waitForSelector('dialog .import-plan .counts');
      expect(await page.textContent('dialog .import-plan')).toContain('Browser Import Union');
      expect(readFileSync(data, 'utf8')).toBe(before); // the preview wrote nothing
      await page.click('dialog button[type=submit]');
      await page.waitForFunction(() => !document.querySelector('dialog[open]'));
      expect(readFileSync(data, 'utf8').match(/Browser Import Union/g)).toHaveLength(1);
      await waitForText('Browser Import Union');
    });

    it('speaks Chinese to a Chinese browser, and fits a phone screen', async () => {
      // A phone's sharp screen only for the kept screenshot: the checks are in CSS pixels.
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: process.env.LETTERPRESS_SCREENSHOTS ? 2 : 1 });
      const p = await phone.newPage();
      await p.goto(server.url);
      await p.waitForSelector('#pages canvas');
      expect(await p.evaluate(() => document.documentElement.lang)).toBe('zh-Hans');
      expect(await p.textContent('#h-signatories')).toBe('联署名单');
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const shots = process.env.LETTERPRESS_SCREENSHOTS;
      if (shots) {
        await p.screenshot({ path: path.join(root, shots, 'serve-phone.png') });
        const desktop = await browser.newContext({ viewport: { width: 1200, height: 720 }, locale: 'en-GB' });
        const d = await desktop.newPage();
        await d.goto(server.url);
        await d.waitForSelector('#pages[data-build] canvas');
        await d.screenshot({ path: path.join(root, shots, 'serve.png') });
        await desktop.close();
      }
      await phone.close();
    });
  });

  describe('HTML edition printed from Chromium', () => {
    const printed = new Map<string, string[][]>();

    beforeAll(async () => {
      const browser = await (launched as Promise<Browser>);
      const page = await browser.newPage();
      for (const { file } of LETTERS) {
        const { document } = await loadLetter(path.join(root, file));
        await page.setContent(renderHtml(buildFrame(document)), { waitUntil: 'load' });
        // Margins and page size from the edition's own @page rule.
        const pdf = await page.pdf({ preferCSSPageSize: true, displayHeaderFooter: false, printBackground: false });
        printed.set(file, await printedLines(new Uint8Array(pdf)));
      }
      await page.close();
    });


    it.each(LETTERS)('$file: the closing is not alone at the top of a page; the last paragraph\'s end stands above it', ({ file, closing }) => {
      const pages = printed.get(file) ?? [];
      const at = pages.findIndex((lines) => lines.includes(plain(closing)));
      expect(at, `closing ${closing} printed`).toBeGreaterThanOrEqual(0);
      const lines = pages[at] ?? [];
      const index = lines.indexOf(plain(closing));
      expect(index, `page ${at + 1} starts with the closing:\n${lines.slice(0, 3).join('\n')}`).toBeGreaterThanOrEqual(2);
    });

    it.each(LETTERS)('$file: every printed page carries its number in the template\'s words', ({ file, label }) => {
      const pages = printed.get(file) ?? [];
      expect(pages.length).toBeGreaterThanOrEqual(2);
      pages.forEach((lines, k) => expect(lines.join('\n'), JSON.stringify(lines.at(-1))).toContain(plain(label(k + 1, pages.length))));
    });
  });
});
