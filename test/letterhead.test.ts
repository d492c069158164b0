/**
 * Letterhead and sign-off: the letterhead image on page 1 only or on every page of the PDF
 * (image XObjects per page, read back with pdfjs-dist), tagged as a Figure with its Alt or an
 * artifact; in the Word copy's first-page header (relationship and media part); inlined in the
 * HTML (data: URL, nothing fetched); the sender and signature blocks in every edition, in order;
 * bad images refused at the field that names them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { Resvg } from '@resvg/resvg-js';
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadLetterFromText } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { renderPdf } from '../src/render/pdf/index.js';
import { renderDocx } from '../src/render/docx/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { renderText } from '../src/render/text/index.js';
import { BuildError } from '../src/diagnostics/index.js';
import { fixture, scratch } from './helpers.js';

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 80"><rect width="80" height="80" rx="12" fill="#1f3a93"/><path d="M100 20h280v8H100z" fill="#c0392b"/></svg>`;
const SIGNATURE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60"><path d="M10 40C40 0 60 60 90 30S150 10 190 40" stroke="#123" stroke-width="4" fill="none"/></svg>`;
const png = (svg: string, width: number) => new Uint8Array(new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } }).render().asPng());

const dir = scratch('letterpress-letterhead-');
const paragraph = 'We write to express our deep concern about the resumption of forced repatriations, a practice suspended since 2020. ';

/** An English letter of two pages with extra front-matter lines. */
function letter(front: string): string {
  return [
    '---', 'lang: en', 'date: 2023-09-21', 'to:', '  - name: President Xi Jinping', '    address: [Zhongnanhai, Beijing]',
    'subject: Forced repatriation', 'salutation: Dear President Xi,', 'closing: Yours sincerely,', 'template: lean', front, '---', '',
    ...Array.from({ length: 14 }, () => `${paragraph.repeat(4)}\n`),
  ].join('\n');
}

const SIGN_OFF = [
  'from:', '  name: Asia Human Rights Alliance', '  address: |', '    12 Example Street', '    Seoul 04524', '  contact: info@example.org',
  'signature:', '  - name: Kim Min-ji', '    title: Secretary General', '    image: sig.png', '    alt: Signature of Kim Min-ji', '  - name: Lee Joon', '    title: Chair',
].join('\n');

async function load(front: string, name = 'letter.md') {
  return loadLetterFromText({ letterPath: path.join(dir, name), text: letter(front) });
}

interface PdfFacts {
  pages: number;
  /** Image XObjects painted on each page. */
  images: number[];
  /** Filled paths on page 1 (an SVG letterhead is drawn as vectors). */
  fills: number;
  figures: Array<{ alt?: string }>;
  text: string;
}

async function readPdf(bytes: Uint8Array): Promise<PdfFacts> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  const images: number[] = [];
  const figures: Array<{ alt?: string }> = [];
  let fills = 0;
  let text = '';
  type Node = { role?: string; alt?: string; children?: Node[] };
  const walk = (node: Node | null) => {
    if (!node) return;
    if (node.role === 'Figure') figures.push(node.alt === undefined ? {} : { alt: node.alt });
    node.children?.forEach(walk);
  };
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const ops = await page.getOperatorList();
    images.push(ops.fnArray.filter((op) => op === OPS.paintImageXObject).length);
    // pdf.js 5 folds a path's painting operator into its constructPath (the first argument)
    const filled = (op: number, k: number) => op === OPS.fill || op === OPS.eoFill || (op === OPS.constructPath && [OPS.fill, OPS.eoFill].includes((ops.argsArray[k] as number[])[0] ?? -1));
    if (n === 1) fills = ops.fnArray.filter(filled).length;
    walk((await page.getStructTree()) as Node | null);
    text += (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join('\n');
  }
  await doc.destroy();
  return { pages: images.length, images, fills, figures, text };
}

beforeAll(() => {
  // test/fixtures/images/sample.jpg: a 60 × 20 pixel RGB JPEG (`pdftoppm -jpeg -r 10 -W 60 -H 20` of any letter's page 1).
  cpSync(fixture('images', 'sample.jpg'), path.join(dir, 'sample.jpg'));
  // The English house style without embedded fonts in the Word copy (faster; the pictures are what is tested).
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  writeFileSync(path.join(dir, 'templates', 'lean.yaml'), 'extends: en\ndocx:\n  embedFonts: none\n');
  writeFileSync(path.join(dir, 'logo.svg'), LOGO_SVG);
  writeFileSync(path.join(dir, 'logo.png'), png(LOGO_SVG, 800));
  writeFileSync(path.join(dir, 'sig.png'), png(SIGNATURE_SVG, 400));
});

describe('a PNG letterhead on page 1 only, with alternative text, and a sign-off', () => {
  let frame: ReturnType<typeof buildFrame>;
  let pdf: PdfFacts;
  beforeAll(async () => {
    const { document } = await load(`letterhead: { image: logo.png, width: 180, align: right, pages: first, alt: Asia Human Rights Alliance }\n${SIGN_OFF}`);
    frame = buildFrame(document);
    pdf = await readPdf(await renderPdf(frame));
  });

  it('draws the letterhead on page 1 only (and the signature image where the sign-off falls)', () => {
    expect(pdf.pages).toBeGreaterThanOrEqual(2);
    // page 1: the letterhead; the last page: the signature image; no page repeats the letterhead
    expect(pdf.images[0]).toBe(1);
    expect(pdf.images.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('tags the letterhead and the signature image as Figures with their alternative text', () => {
    expect(pdf.figures).toEqual([{ alt: 'Asia Human Rights Alliance' }, { alt: 'Signature of Kim Min-ji' }]);
  });

  it('sets the sign-off after the closing, in the template order: signers, then the sender', () => {
    const order = ['Yours sincerely,', 'Kim Min-ji', 'Secretary General', 'Lee Joon', 'Chair', 'Asia Human Rights Alliance', '12 Example Street', 'Seoul 04524', 'info@example.org'];
    const at = order.map((line) => pdf.text.indexOf(line));
    expect(at.every((n) => n >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const text = renderText(frame);
    const textAt = order.map((line) => text.indexOf(line));
    expect(textAt.every((n) => n >= 0) && [...textAt].sort((a, b) => a - b).join() === textAt.join()).toBe(true);
  });

  it('puts the letterhead in the Word copy\'s first-page header, with its picture part', async () => {
    const files = unzipSync(await renderDocx(frame));
    const document = strFromU8(files['word/document.xml'] as Uint8Array);
    expect(document).toContain('<w:titlePg/>');
    const first = /<w:headerReference w:type="first" r:id="(rId\d+)"/.exec(document);
    expect(first).not.toBeNull();
    const rels = strFromU8(files['word/_rels/document.xml.rels'] as Uint8Array);
    const target = new RegExp(`Id="${first?.[1]}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${first?.[1]}"`).exec(rels)?.[1];
    expect(target).toMatch(/^header\d+\.xml$/);
    const header = strFromU8(files[`word/${target}`] as Uint8Array);
    const blip = /<a:blip r:embed="([^"]+)"/.exec(header)?.[1];
    expect(blip).toBeDefined();
    const headerRels = strFromU8(files[`word/_rels/${target}.rels`] as Uint8Array);
    const media = new RegExp(`Id="${blip}"[^>]*Target="([^"]+)"`).exec(headerRels)?.[1] ?? new RegExp(`Target="([^"]+)"[^>]*Id="${blip}"`).exec(headerRels)?.[1];
    expect(media).toMatch(/^media\//);
    const bytes = files[`word/${media}`] as Uint8Array;
    expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    expect(header).toContain('descr="Asia Human Rights Alliance"');
    // the signature image is in the body, the sign-off in its named styles
    expect(document).toMatch(/<w:pStyle w:val="SignatureBlock"\/>[\s\S]*<a:blip[\s\S]*Kim Min-ji[\s\S]*<w:pStyle w:val="Sender"\/>/);
  });

  it('inlines the images in the HTML edition as data: URLs, fetching nothing', () => {
    const html = renderHtml(frame);
    expect(html).toMatch(/<header class="letterhead"><img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="Asia Human Rights Alliance"/);
    expect(html).toContain("img-src data:");
    expect(html).not.toMatch(/(src|href)="(https?:|\/\/|file:)/);
    const order = ['class="closing"', 'class="signature"', 'Kim Min-ji', 'Lee Joon', 'class="sender"', 'info@example.org'].map((s) => html.indexOf(s));
    expect(order.every((n) => n >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('an SVG letterhead on every page, as decoration', () => {
  it('is drawn as vectors on every page (no image), tagged as an artifact, and the text moves below it (a JPEG signature beside it)', async () => {
    const { document } = await load('letterhead: { image: logo.svg, width: 90mm, pages: all }\nsignature: { name: Kim Min-ji, image: sample.jpg }');
    const frame = buildFrame(document);
    // 90 mm wide, 1:5 → 18 mm tall, from 28 pt: the text starts below its foot on every page
    expect(frame.page.margins.top).toBeCloseTo(28 + (90 * 72) / 25.4 / 5 + 12, 1);
    const pdf = await readPdf(await renderPdf(frame));
    // no raster but the JPEG signature, once, on the last page (where the sign-off is: this letter has no list)
    expect(pdf.images.reduce((a, b) => a + b, 0)).toBe(1);
    expect(pdf.images.at(-1)).toBe(1);
    expect(pdf.fills).toBeGreaterThanOrEqual(2);
    expect(pdf.figures).toEqual([]);
    const html = renderHtml(frame);
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[^"]+" alt=""/);
    const files = unzipSync(await renderDocx(frame));
    const document_ = strFromU8(files['word/document.xml'] as Uint8Array);
    expect(document_).not.toContain('<w:titlePg/>');
    expect(Object.keys(files).some((name) => /^word\/media\/.+\.svg$/.test(name))).toBe(true);
    expect(Object.keys(files).some((name) => /^word\/media\/.+\.png$/.test(name))).toBe(true);
    expect(Object.keys(files).some((name) => /^word\/media\/.+\.jpe?g$/.test(name))).toBe(true);
  });
});

describe('a letter on US Letter paper', () => {
  it('sets every edition on 8½ × 11 in, the letterhead aligned within that page\'s margins', async () => {
    writeFileSync(path.join(dir, 'templates', 'lean-letter.yaml'), 'extends: lean\npage:\n  size: Letter\n');
    const text = letter('letterhead: { image: logo.svg, width: 90mm, align: right }').replace('template: lean\n', 'template: lean-letter\n');
    const { document } = await loadLetterFromText({ letterPath: path.join(dir, 'letter.md'), text });
    const frame = buildFrame(document);
    expect(frame.page).toMatchObject({ name: 'Letter', width: 612, height: 792 });
    // right-aligned: its right edge on the right margin of a 612 pt page
    expect((frame.letterhead?.x ?? 0) + (frame.letterhead?.image.width ?? 0)).toBeCloseTo(612 - frame.page.margins.right, 1);
    const pdf = await getDocument({ data: new Uint8Array(await renderPdf(frame)), verbosity: 0, isEvalSupported: false }).promise;
    for (let n = 1; n <= pdf.numPages; n++) expect((await pdf.getPage(n)).view).toEqual([0, 0, 612, 792]);
    await pdf.destroy();
    const xml = strFromU8(unzipSync(await renderDocx(frame))['word/document.xml'] as Uint8Array);
    expect(xml).toMatch(/<w:pgSz w:w="12240" w:h="15840"/);
    expect(renderHtml(frame)).toContain('@page { size: Letter;');
  });

  it('refuses a size it does not know, at its line', async () => {
    writeFileSync(path.join(dir, 'templates', 'legal.yaml'), 'extends: lean\npage:\n  size: Legal\n');
    const text = letter('').replace('template: lean\n', 'template: legal\n');
    const error = await loadLetterFromText({ letterPath: path.join(dir, 'letter.md'), text }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).message).toMatch(/legal\.yaml:3:9 error Template field `page\.size`: write A4 or Letter/);
  });
});

describe('images that are refused, at the field that names them', () => {
  /** The first error of a failed load: file:line:col, rule and message. */
  async function refusal(front: string, files: Record<string, Uint8Array | string> = {}) {
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
    try {
      await load(front);
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      const message = err.files.flatMap((f) => f.messages)[0];
      return { line: message?.line, column: message?.column, rule: message?.ruleId, reason: message?.reason ?? '', file: message?.file };
    }
    throw new Error('the letter was accepted');
  }
  // the letterhead's image field stands on line 12 of the letter, its value at column 10
  const field = (name: string) => `letterhead:\n  image: ${name}`;

  it('a PNG named .svg', async () => {
    const r = await refusal(field('fake.svg'), { 'fake.svg': png(LOGO_SVG, 100) });
    expect(r).toMatchObject({ line: 12, rule: 'image-type' });
    expect(r.reason).toMatch(/named as SVG but holds a PNG image; rename it to end in \.png/);
  });

  it('an SVG with a script, an event attribute, an outside reference or text in a font', async () => {
    const svg = (inner: string) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${inner}</svg>`;
    expect(await refusal(field('s1.svg'), { 's1.svg': svg('<script>alert(1)</script>') })).toMatchObject({ line: 12, column: 10, rule: 'image-unsafe' });
    expect((await refusal(field('s2.svg'), { 's2.svg': svg('<rect onload="x()" width="1" height="1"/>') })).reason).toMatch(/event attribute/);
    expect((await refusal(field('s3.svg'), { 's3.svg': svg('<image href="https://example.org/a.png" width="1" height="1"/>') })).reason).toMatch(/reference to "https:\/\/example.org/);
    expect((await refusal(field('s4.svg'), { 's4.svg': svg('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>') })).rule).toBe('image-unsafe');
    expect((await refusal(field('s5.svg'), { 's5.svg': svg('<text>AHRA</text>') })).reason).toMatch(/convert the text to outlines/);
    expect((await refusal(field('s6.svg'), { 's6.svg': `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]>${svg('')}` })).rule).toBe('image-unsafe');
    expect((await refusal(field('s8.svg'), { 's8.svg': svg('<a><set attributeName="href" to="https://example.org/"/><rect width="1" height="1"/></a>') })).reason).toMatch(/a <set> element/);
    expect((await refusal(field('s7.svg'), { 's7.svg': `<?xml-stylesheet href="https://example.org/a.css"?>${svg('')}` })).reason).toMatch(/links a style sheet/);
  });

  it('a PNG whose header claims 20000 × 20000 pixels, and a cut-off PNG', async () => {
    const whole = png(LOGO_SVG, 100);
    const huge = new Uint8Array(whole);
    const view = new DataView(huge.buffer);
    view.setUint32(16, 20000);
    view.setUint32(20, 20000);
    const big = await refusal(field('huge.png'), { 'huge.png': huge });
    expect(big).toMatchObject({ line: 12, rule: 'image-too-large' });
    expect(big.reason).toMatch(/20000 × 20000 pixels/);
    expect(await refusal(field('cut.png'), { 'cut.png': whole.subarray(0, whole.length - 40) })).toMatchObject({ rule: 'image-broken' });
  });

  it('a CMYK JPEG (PDF/A with an sRGB intent admits no device CMYK)', async () => {
    const jpeg = new Uint8Array(readFileSync(fixture('images', 'sample.jpg')));
    // the component count of the frame header (SOF0) set to 4
    let at = 2;
    while (jpeg[at + 1] !== 0xc0) at += 2 + ((jpeg[at + 2] ?? 0) << 8) + (jpeg[at + 3] ?? 0);
    jpeg[at + 9] = 4;
    const r = await refusal(field('cmyk.jpg'), { 'cmyk.jpg': jpeg });
    expect(r).toMatchObject({ line: 12, rule: 'image-type' });
    expect(r.reason).toMatch(/CMYK JPEG; save it as RGB/);
  });

  it('a path outside the project, a missing file, a signature image that is not an image', async () => {
    expect(await refusal(field('../outside.png'))).toMatchObject({ line: 12, rule: 'image-path' });
    expect(await refusal(field('nothere.png'))).toMatchObject({ line: 12, rule: 'image-missing' });
    const signature = await refusal('signature:\n  name: Kim\n  image: notes.png', { 'notes.png': 'not a picture' });
    expect(signature).toMatchObject({ line: 13, rule: 'image-type' });
  });

  it('a signer without a name, a letterhead without an image, an address as a mapping: the field and what to write', async () => {
    expect(await refusal('signature:\n  title: Secretary General')).toMatchObject({ line: 12, rule: 'front-matter-schema', reason: expect.stringMatching(/`signature\.name`: is missing/) });
    expect(await refusal('signature:\n  - name: Kim\n  - title: Chair')).toMatchObject({ line: 13, reason: expect.stringMatching(/`signature\.1\.name`: is missing/) });
    expect((await refusal('signature:\n  name: Kim\n  titel: Chair')).reason).toMatch(/unknown field `signature\.titel` \(a signer has name, title, image and alt\)/);
    expect((await refusal('letterhead:\n  width: 60mm')).reason).toMatch(/`letterhead\.image`: is missing/);
    expect((await refusal('letterhead: true')).reason).toMatch(/give its image .* or false/);
    expect(await refusal('letterhead: { image: logo.svg, width: 500mm }', { 'logo.svg': LOGO_SVG })).toMatchObject({ line: 11, column: 39, reason: expect.stringMatching(/`letterhead\.width`: at most 210mm \(595pt\)/) });
    // A negative length is told as such, not as a length written wrongly.
    expect(await refusal('letterhead: { image: logo.svg, top: -5mm }', { 'logo.svg': LOGO_SVG })).toMatchObject({ reason: expect.stringMatching(/`letterhead\.top`: a length is not negative/) });
    expect(await refusal('from:\n  name: AHRA\n  address: { street: x }')).toMatchObject({ line: 13, reason: expect.stringMatching(/`from\.address`: write one line a line .* or a list/) });
  });

  it('a template\'s letterhead is reported in the template, at its image field', async () => {
    mkdirSync(path.join(dir, 'templates'), { recursive: true });
    writeFileSync(path.join(dir, 'templates', 'house.yaml'), 'extends: en\nletterhead:\n  image: ../house-logo.svg\n  width: 120\n');
    writeFileSync(path.join(dir, 'house-logo.svg'), png(LOGO_SVG, 50));
    const text = letter('').replace('template: lean', 'template: house');
    await expect(loadLetterFromText({ letterPath: path.join(dir, 'letter.md'), text })).rejects.toSatisfy((err: unknown) => {
      const message = err instanceof BuildError ? err.files.flatMap((f) => f.messages)[0] : undefined;
      return message?.ruleId === 'image-type' && message.line === 3 && String(message.file).endsWith(path.join('templates', 'house.yaml'));
    });
  });
});

describe('a Chinese sign-off', () => {
  it('keeps 此致 / 敬礼！ on two lines in every edition and moves the date to the foot, at the right', async () => {
    const text = [
      '---', 'lang: zh-CN', 'date: 2023-09-21', 'to:', '  - name: 国家主席习近平', 'subject: 强迫遣返', 'salutation: 尊敬的习近平主席：',
      'closing: |', '  此致', '  敬礼！', 'from:', '  name: 亚洲人权联盟', '  contact: info@example.org', 'signature: { name: 陈美玲, title: 秘书长 }', '---', '', '我等特此致函。', '',
    ].join('\n');
    const { document } = await loadLetterFromText({ letterPath: path.join(dir, 'zh.md'), text });
    const frame = buildFrame(document);
    expect(frame.blocks.map((b) => b.role)).toEqual(['recipient', 'subject', 'salutation', 'body', 'closing', 'sender', 'signature', 'date']);
    for (const role of ['sender', 'signature', 'date'] as const) expect(frame.roles[role].align).toBe('right');
    expect(renderText(frame)).toMatch(/此致\n敬礼！\n\n亚洲人权联盟\ninfo@example\.org\n\n陈美玲\n秘书长\n2023年9月21日\n$/);
    expect(renderHtml(frame)).toContain('<p class="closing">此致<br>\n敬礼！</p>');
    const { buildDocx } = await import('../src/render/docx/index.js');
    const { Packer } = await import('docx');
    const xml = strFromU8(unzipSync(new Uint8Array(await Packer.toBuffer(buildDocx(frame))))['word/document.xml'] as Uint8Array);
    expect(xml).toMatch(/此致<\/w:t><\/w:r><w:r><w:br\/>(?:<\/w:r><w:r>)?<w:t[^>]*>敬礼！/);
  });
});

describe('the print file of a letter with a letterhead on page 1', () => {
  it('shows the letterhead, tagged, on the first page of every copy and on no other page', async () => {
    const { renderCopies } = await import('../src/render/pdf/mailing.js');
    const { copyDocument } = await import('../src/frame/mailing.js');
    const alt = 'Asia Human Rights Alliance';
    const { document } = await load(`letterhead: { image: logo.png, width: 180, align: right, pages: first, alt: ${alt} }\ncc:\n  - name: Minister Wang Yi\n    address: [Beijing]`);
    const frames = [copyDocument(document, { field: 'to', index: 0 }), copyDocument(document, { field: 'cc', index: 0 })].map((d) => buildFrame(d));
    const { print, pages } = await renderCopies(frames);
    const facts = await readPdf(print);
    const firstOfSecond = (pages[0] ?? 0) + ((pages[0] ?? 0) % 2); // after a blank page when the first copy is odd
    const withImage = facts.images.flatMap((n, index) => (n > 0 ? [index] : []));
    expect(withImage).toEqual([0, firstOfSecond]);
    expect(facts.figures).toEqual([{ alt }, { alt }]);
  });
});
