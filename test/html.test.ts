/**
 * The HTML edition, read back with a real HTML parser (parse5): structure, note links both ways,
 * Han fidelity against the source, signatory order, no script and nothing fetched.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { loadLetter } from '../src/load/letter.js';
import { renderHtml } from '../src/render/html/index.js';
import { renderText } from '../src/render/text/index.js';
import { fixture, hanCounts, hanDifferences, root, sourceLetter, sourceSignatoryOrder } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const isElement = (node: Node): node is Element => 'tagName' in node;

function elements(node: Node): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    if (isElement(n)) out.push(n);
    const children = 'childNodes' in n ? n.childNodes : [];
    for (const child of children) walk(child);
    if (isElement(n) && n.tagName === 'template') walk(n.content);
  };
  walk(node);
  return out;
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  if (isElement(node) && (node.tagName === 'style' || node.tagName === 'title')) return '';
  return 'childNodes' in node ? node.childNodes.map(textOf).join('') : '';
}

/** The stylesheet's text (textOf skips <style>, which is not the letter's text). */
const cssOf = (all: Element[]) =>
  all
    .filter((el) => el.tagName === 'style')
    .flatMap((el) => el.childNodes.map((n) => (n.nodeName === '#text' ? (n as DefaultTreeAdapterMap['textNode']).value : '')))
    .join('');

const byClass = (all: Element[], name: string) => all.filter((el) => (attr(el, 'class') ?? '').split(' ').includes(name));

async function htmlOf(letter: string) {
  const { document } = await loadLetter(letter);
  const html = renderHtml(buildFrame(document));
  const tree = parse(html);
  return { document, html, tree, all: elements(tree) };
}

describe('HTML edition of the 2023-09-21 letter', async () => {
  const { document, html, tree, all } = await htmlOf(path.join(root, 'letter.md'));

  it('is one self-contained UTF-8 document in the letter language, with no script and no request', () => {
    const htmlEl = all.find((el) => el.tagName === 'html') as Element;
    expect(attr(htmlEl, 'lang')).toBe('zh-CN');
    expect(all.some((el) => el.tagName === 'meta' && attr(el, 'charset') === 'utf-8')).toBe(true);
    expect(all.filter((el) => el.tagName === 'script')).toEqual([]);
    expect(all.filter((el) => ['link', 'img', 'iframe', 'object', 'embed', 'source'].includes(el.tagName))).toEqual([]);
    expect(all.filter((el) => attr(el, 'src') !== undefined)).toEqual([]);
    const css = cssOf(all);
    expect(css).not.toMatch(/url\(|@import/);
    expect(all.some((el) => el.tagName === 'meta' && /default-src 'none'/.test(attr(el, 'content') ?? ''))).toBe(true);
  });

  it('sets the frame as semantic blocks in reading order', () => {
    const article = all.find((el) => el.tagName === 'article') as Element;
    const roles = article.childNodes.filter(isElement).map((el) => `${el.tagName}.${attr(el, 'class') ?? ''}`);
    expect(roles).toEqual([
      'p.date',
      'address.recipient',
      'p.cc-label',
      'address.cc-recipient',
      'address.cc-recipient',
      'h1.subject',
      'p.salutation',
      'div.body',
      'p.closing',
      'section.notes',
      'section.signatories',
    ]);
    expect(textOf(byClass(all, 'date')[0] as Element)).toBe('2023年9月21日');
    expect(textOf(byClass(all, 'subject')[0] as Element)).toBe('主旨：中国政府强迫遣返朝鲜难民');
    const body = byClass(all, 'body')[0] as Element;
    expect(body.childNodes.filter((n) => isElement(n) && n.tagName === 'p')).toHaveLength(document.body.length);
  });

  it('links every footnote mark to its note and every note back to each of its marks', () => {
    const marks = all.filter((el) => el.tagName === 'a' && attr(el, 'role') === 'doc-noteref');
    expect(marks.map((a) => attr(a, 'href'))).toEqual(Array.from({ length: 13 }, (_, i) => `#fn-${i + 1}`));
    expect(marks.every((a) => (a.parentNode as Element).tagName === 'sup')).toBe(true);
    const ids = new Set(all.map((el) => attr(el, 'id')).filter(Boolean));
    expect(ids.size).toBe(all.filter((el) => attr(el, 'id')).length); // ids are unique
    const section = all.find((el) => attr(el, 'role') === 'doc-endnotes') as Element;
    const items = elements(section).filter((el) => el.tagName === 'li');
    expect(items.map((li) => attr(li, 'id'))).toEqual(Array.from({ length: 13 }, (_, i) => `fn-${i + 1}`));
    for (const a of elements(section).filter((el) => attr(el, 'role') === 'doc-backlink')) {
      expect(ids.has((attr(a, 'href') as string).slice(1))).toBe(true);
    }
    expect(elements(section).filter((el) => attr(el, 'role') === 'doc-backlink')).toHaveLength(13);
  });

  it('holds every Han character of the source exactly as often', () => {
    const text = textOf(tree);
    expect(hanDifferences(hanCounts(sourceLetter()), hanCounts(text))).toEqual([]);
  });

  it('makes every URL of the letter a link', () => {
    const hrefs = all.filter((el) => el.tagName === 'a' && /^https?:/.test(attr(el, 'href') ?? '')).map((a) => attr(a, 'href'));
    // Every URL the text edition prints (bare, or in <…> after a link text) is a link target.
    const urls = [...renderText(buildFrame(document)).matchAll(/https?:\/\/[\x21-\x3b\x3d\x3f-\x7e]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''));
    expect(urls.length).toBeGreaterThanOrEqual(12);
    for (const url of urls) expect(hrefs).toContain(url);
  });

  it('lists the signatories under their headings in the order of the source', () => {
    const lists = byClass(all, 'signatories').flatMap((s) => elements(s).filter((el) => el.tagName === 'ul'));
    expect(lists).toHaveLength(2);
    const names = lists.map((ul) => byClass(elements(ul), 'name').map(textOf));
    const expected = sourceSignatoryOrder();
    expect(names[0]).toEqual(expected.organizations);
    expect(names[1]).toEqual(expected.individuals);
    const headings = byClass(all, 'section-heading').map(textOf);
    expect(headings).toEqual(['组织', '个人']);
  });

  it('takes its spacing from the template (the same values as the PDF and the Word copy)', () => {
    const css = cssOf(all);
    const { template } = document;
    const line = template.type.bodySize * template.type.lineHeight;
    // layout.roles.subject.spaceBefore is one line; signatoriesHeading two.
    expect(css).toContain(`.subject { margin: ${Math.round(line * 100) / 100}pt 0 0;`);
    expect(css).toContain(`.signatories-heading { margin: ${Math.round(2 * line * 100) / 100}pt 0 0;`);
    expect(css).toMatch(/line-break: strict/);
    expect(css).toMatch(/text-spacing-trim: normal/);
    expect(css).toMatch(/text-autospace: normal/);
    expect(css).toContain(`text-indent: ${template.type.firstLineIndent * template.type.bodySize}pt`);
    expect(css).toMatch(/@media print/);
  });

  it('prints page numbers in the page margin box in the template\'s words, and keeps the closing with the last paragraph', () => {
    const css = cssOf(all);
    expect(css).toMatch(/@page \{[^}]*@bottom-center \{ content: "第" counter\(page\) "页，共" counter\(pages\) "页";/);
    expect(css).toMatch(/\.closing \{ break-before: avoid-page; \}/);
    expect(css).toMatch(/\.body > :last-child \{ break-after: avoid-page; \}/);
    // Chromium keeps boxes together only among siblings: the body's wrapper gives up its box in print.
    expect(css).toMatch(/@media print \{[^@]*\.body \{ display: contents; \}/);
  });

  it('is the same bytes when built twice', async () => {
    const again = await htmlOf(path.join(root, 'letter.md'));
    expect(again.html).toBe(html);
  });
});

describe('HTML edition of a letter with lists, a quote, a repeated note and a note of two paragraphs', async () => {
  const { all } = await htmlOf(fixture('letters', 'features', 'letter.md'));

  it('gives a note referenced twice two marks with their own ids, and the note two back-links', () => {
    const marks = all.filter((el) => attr(el, 'role') === 'doc-noteref');
    expect(marks.map((a) => [attr(a, 'href'), attr(a, 'id')])).toEqual([
      ['#fn-1', 'fnref-1'],
      ['#fn-2', 'fnref-2'],
      ['#fn-1', 'fnref-1-2'],
      ['#fn-3', 'fnref-3'],
    ]);
    const note1 = all.find((el) => attr(el, 'id') === 'fn-1') as Element;
    expect(elements(note1).filter((el) => attr(el, 'role') === 'doc-backlink').map((a) => attr(a, 'href'))).toEqual(['#fnref-1', '#fnref-1-2']);
  });

  it('keeps both paragraphs of a long note, lists, the quote and emphasis', () => {
    const note3 = all.find((el) => attr(el, 'id') === 'fn-3') as Element;
    expect(elements(note3).filter((el) => el.tagName === 'p')).toHaveLength(2);
    expect(all.filter((el) => el.tagName === 'ol' && !elements(el).some((c) => attr(c, 'id')?.startsWith('fn-')))).toHaveLength(1);
    expect(all.filter((el) => el.tagName === 'blockquote')).toHaveLength(1);
    expect(all.filter((el) => el.tagName === 'em').map(textOf)).toEqual(['重要']);
    expect(all.filter((el) => el.tagName === 'strong').map(textOf)).toEqual(['更重要']);
    expect(byClass(all, 'recipient')).toHaveLength(2);
  });

  it('sets a second recipient apart by the template’s spaceBetween, not by its first space', () => {
    const css = cssOf(all);
    expect(css).toMatch(/\.recipient ~ \.recipient \{ margin-top: 10\.06pt; \}/);
  });
});

describe('strings from the inputs that reach the stylesheet', async () => {
  const { document } = await loadLetter(path.join(root, 'letter.md'));
  const frame = buildFrame(document);
  const hostile = 'Evil"; } body { display: none } </style><script>alert(1)</script>';
  const html = renderHtml({ ...frame, fonts: { ...frame.fonts, names: [hostile, ...frame.fonts.names] }, body: { ...frame.body, sectionBreak: '\\"</STYLE>' } });
  const all = elements(parse(html));

  it('stay inside one CSS string: no element, rule or style block is added', () => {
    expect(all.filter((el) => el.tagName === 'style')).toHaveLength(1);
    expect(all.some((el) => el.tagName === 'script')).toBe(false);
    const css = cssOf(all);
    expect(css).not.toMatch(/<\/style/i);
    expect(css).toContain('font-family: "Evil\\"; } body { display: none } \\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e ", "Source Serif 4 (Latin)", "Noto Serif SC"');
    // The Latin face sets Latin, Greek and Cyrillic only: CJK curly quotes stay with the CJK face.
    expect(css).toContain('@font-face { font-family: "Source Serif 4 (Latin)"; src: local("Source Serif 4"); unicode-range: U+0000-036F,');
    expect(css).toContain('hr::after { content: "\\\\\\"\\3c /STYLE\\3e "; }');
  });
});
