/**
 * The tagged, archival mailing PDF, read back with pdfjs-dist: structure tree roles
 * and order, marked content, Link annotations, artifacts, outline, PDF/A-2a + PDF/UA-1
 * identification; and drawing from the typesetter's glyph runs without shaping again.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { signatoriesCsv } from '../src/bench/generate.js';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { loadLetter, loadLetterFromText } from '../src/load/letter.js';
import { drawLetterPdf, layoutPdf, renderPdf } from '../src/render/pdf/index.js';
import { preflight } from '../src/render/pdf/preflight.js';
import type { LetterDocument } from '../src/model/types.js';
import { root, scratch } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';
import { StructureTree } from '../src/render/pdf/structure.js';

interface Node {
  role?: string;
  type?: string;
  id?: string;
  children?: Node[];
}

interface Element {
  role: string;
  children: Element[];
  text: string;
  annotations: string[];
}

interface ReadPdf {
  pages: Array<{
    tree: Node | null;
    items: Array<{ str?: string; type?: string; id?: string | null; tag?: string | null }>;
    annotations: Array<{ id: string; subtype: string; url?: string; structParent?: number; contentsObj?: { str: string } }>;
  }>;
  /** The elements of every page's tree (an element drawn on two pages is in both). */
  elements: Element[];
  /** Each page's Document element, with the elements that have content on that page. */
  documents: Array<Element | null>;
  outline: Array<{ title: string; items: Array<{ title: string }> }>;
  markInfo: { Marked?: boolean } | null;
  viewerPreferences: Record<string, unknown> | null;
  info: Record<string, unknown>;
  /** The file's bytes as latin1 text, with every Flate stream inflated beside it. */
  raw: string;
}

function rawText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  const parts = [text];
  for (const m of text.matchAll(/\/Length (\d+)[^>]*\/FlateDecode[^]*?>>\s*stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    try {
      parts.push(inflateSync(Buffer.from(bytes.subarray(start, start + Number(m[1])))).toString('latin1'));
    } catch {
      // not every match is a stream header (e.g. inside an inflated font); skip
    }
  }
  return parts.join('\n');
}

async function readPdf(bytes: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  const pages: ReadPdf['pages'] = [];
  const textOf = new Map<string, string>();
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const tree = (await page.getStructTree()) as Node | null;
    const content = await page.getTextContent({ includeMarkedContent: true });
    const items = content.items as ReadPdf['pages'][number]['items'];
    // text of each marked-content id
    const stack: Array<string | null> = [];
    for (const item of items) {
      if (item.type === 'beginMarkedContentProps' || item.type === 'beginMarkedContent') stack.push(item.id ?? null);
      else if (item.type === 'endMarkedContent') stack.pop();
      else if (item.str !== undefined) {
        const id = [...stack].reverse().find((s) => s);
        if (id) textOf.set(id, (textOf.get(id) ?? '') + item.str);
      }
    }
    pages.push({ tree, items, annotations: (await page.getAnnotations()) as ReadPdf['pages'][number]['annotations'] });
  }
  // Merge the per-page trees into one: elements are recognised by their first content id.
  // pdfjs gives one tree per page, with that page's content: each page is read on its own, and
  // elements with no content on the page are left out.
  const toElement = (node: Node): Element | null => {
    const children = (node.children ?? []).filter((c) => c.role).map(toElement).filter((e): e is Element => e !== null);
    const own = (node.children ?? []).filter((c) => c.type === 'content' && c.id).map((c) => textOf.get(c.id as string) ?? '');
    const annotations = (node.children ?? []).filter((c) => c.type && c.type !== 'content' && c.id).map((c) => c.id as string);
    if (children.length === 0 && own.length === 0 && annotations.length === 0) return null;
    return { role: node.role as string, children, text: [...own, ...children.map((c) => c.text)].join(''), annotations };
  };
  const documents = pages.map((page) => (page.tree?.children?.[0] ? toElement(page.tree.children[0]) : null));
  const elements: Element[] = [];
  const walk = (e: Element) => {
    elements.push(e);
    e.children.forEach(walk);
  };
  documents.forEach((d) => d && walk(d));
  const outline = ((await doc.getOutline()) ?? []) as ReadPdf['outline'];
  const markInfo = (await doc.getMarkInfo()) as ReadPdf['markInfo'];
  const viewerPreferences = (await doc.getViewerPreferences()) as ReadPdf['viewerPreferences'];
  const info = (await doc.getMetadata()).info as Record<string, unknown>;
  await doc.destroy();
  return { pages, elements, documents, outline, markInfo, viewerPreferences, info, raw: rawText(bytes) };
}

const count = (pdf: ReadPdf, role: string) => pdf.elements.filter((e) => e.role === role).length;
const compact = (s: string) => s.replace(/\s+/g, '');

let seedDocument: LetterDocument;
let seed: ReadPdf;
let seedBytes: Uint8Array;

beforeAll(async () => {
  ({ document: seedDocument } = await loadLetter(path.join(root, 'letter.md')));
  seedBytes = await renderPdf(buildFrame(seedDocument));
  seed = await readPdf(seedBytes);
});

describe('the tagged seed letter', () => {
  it('has a Document with the letter in reading order: date, addresses, subject (H1), salutation, paragraphs, closing', () => {
    const first = seed.documents[0] as Element;
    const top = first.children;
    expect(first.role).toBe('Document');
    expect(top[0]?.role).toBe('P');
    expect(compact(top[0]?.text ?? '')).toBe('2023年9月21日');
    expect(top[1]?.role).toBe('Div');
    expect(top[1]?.children.map((e) => e.role)).toEqual(['P', 'P', 'P']);
    const h1 = top.findIndex((e) => e.role === 'H1');
    expect(compact(top[h1]?.text ?? '')).toBe('主旨：中国政府强迫遣返朝鲜难民');
    expect(compact(top[h1 + 1]?.text ?? '')).toBe('尊敬的习近平主席：');
    const closing = seed.documents.flatMap((d) => d?.children ?? []).find((e) => compact(e.text) === '谢谢！');
    expect(closing?.role).toBe('P');
    expect(count(seed, 'P')).toBeGreaterThan(20);
  });

  it('has one Note per footnote, its number as Lbl, right after the paragraph that holds its mark', () => {
    // a note continued on the next page shows there without its label
    const notes = seed.elements.filter((e) => e.role === 'Note' && e.children[0]?.role === 'Lbl');
    expect(notes.map((n) => n.children[0]?.text)).toEqual(Array.from({ length: 13 }, (_, i) => String(i + 1)));
    for (const note of notes) expect(note.children.slice(1).every((c) => c.role === 'P')).toBe(true);
    for (const d of seed.documents) {
      const top = d?.children ?? [];
      top.forEach((e, i) => {
        if (e.role !== 'Note' || e.children[0]?.role !== 'Lbl') return;
        let j = i - 1;
        while (top[j]?.role === 'Note') j--;
        const referrer = top[j] as Element;
        expect(referrer.role, `element before note ${e.children[0]?.text}`).toBe('P');
        expect(referrer.text).toContain(e.children[0]?.text);
      });
    }
    // the first body paragraph references notes 1 and 2
    const top = (seed.documents[0] as Element).children;
    const firstNote = top.findIndex((e) => e.role === 'Note');
    expect(top[firstNote - 1]?.text).toMatch(/^我等特此致函/);
    expect(top[firstNote + 1]?.role).toBe('Note');
  });

  it('ties every link annotation to a Link element, with /StructParent and /Contents', () => {
    const annotations = seed.pages.flatMap((p) => p.annotations.filter((a) => a.subtype === 'Link'));
    // One annotation per line a link is set on: URLs in the Latin face (Source Serif 4) make 17.
    expect(annotations).toHaveLength(17);
    expect(new Set(annotations.map((a) => a.url)).size).toBeGreaterThanOrEqual(12);
    const links = seed.elements.filter((e) => e.role === 'Link');
    const owned = new Set(links.flatMap((e) => e.annotations.map((id) => id.replace('pdfjs_internal_id_', ''))));
    for (const a of annotations) {
      expect(owned.has(a.id), `annotation ${a.id}`).toBe(true);
      expect(a.structParent).toBeGreaterThanOrEqual(0);
      expect(a.contentsObj?.str).toBe(a.url);
    }
    expect(links.length).toBeGreaterThanOrEqual(12);
    expect(links.every((l) => /^(https:\/\/|[\w./-]+$)/.test(compact(l.text)))).toBe(true);
  });

  it('tags the signatory list as headings and lists: 54 organisations, 7 individuals', () => {
    const top = seed.documents.flatMap((d) => d?.children ?? []);
    const h2 = top.find((e) => e.role === 'H2');
    expect(compact(h2?.text ?? '')).toMatch(/^组织及个人联署名单/);
    expect(top.filter((e) => e.role === 'H3').map((e) => e.text)).toEqual(['组织', '个人']);
    const entries = seed.elements.filter((e) => e.role === 'LI' && e.children.map((c) => c.role).join() === 'LBody');
    expect(entries).toHaveLength(54 + 7);
    expect(entries.some((e) => e.text.startsWith('Human Rights Watch (HRW)'))).toBe(true);
  });

  it('keeps every text item inside tagged content or an artifact; page labels are pagination artifacts', () => {
    for (const [n, page] of seed.pages.entries()) {
      const ids = new Set<string>();
      const walk = (node: Node) => (node.children ?? []).forEach((c) => (c.type === 'content' && c.id ? ids.add(c.id) : walk(c)));
      if (page.tree) walk(page.tree);
      const stack: Array<{ id: string | null; tag: string | null }> = [];
      let artifactText = '';
      for (const item of page.items) {
        if (item.type === 'beginMarkedContentProps' || item.type === 'beginMarkedContent') stack.push({ id: item.id ?? null, tag: item.tag ?? null });
        else if (item.type === 'endMarkedContent') stack.pop();
        else if (item.str && item.str.trim() !== '') {
          const tied = stack.some((m) => m.tag === 'Artifact' || (m.id !== null && ids.has(m.id)));
          expect(tied, `page ${n + 1}: "${item.str}"`).toBe(true);
          if (stack.some((m) => m.tag === 'Artifact')) artifactText += item.str;
        }
      }
      expect(compact(artifactText)).toBe(`第${n + 1}页，共${seed.pages.length}页`);
    }
    expect(seed.raw.match(/\/Artifact <<\n?\/Type \/Pagination/g)?.length).toBeGreaterThanOrEqual(seed.pages.length * 2 - 2);
  });

  it('marks the catalog: language, MarkInfo, DisplayDocTitle, tab order, outline', () => {
    expect(seed.info.Language).toBe('zh-CN');
    expect(seed.markInfo?.Marked).toBe(true);
    expect(seed.viewerPreferences?.DisplayDocTitle).toBe(true);
    expect(seed.raw.match(/\/Tabs \/S/g)).toHaveLength(seed.pages.length);
    expect(seed.outline.map((o) => o.title)).toEqual(['中国政府强迫遣返朝鲜难民', expect.stringMatching(/^组织及个人联署名单/)]);
    expect(seed.outline[1]?.items.map((o) => o.title)).toEqual(['组织', '个人']);
  });

  it('identifies itself as PDF/A-2a and PDF/UA-1, with an sRGB output intent and XMP matching the Info dictionary', () => {
    const xmp = /<x:xmpmeta[^]*?<\/x:xmpmeta>/.exec(seed.raw)?.[0] ?? '';
    for (const property of [
      '<pdfaid:part>2</pdfaid:part>',
      '<pdfaid:conformance>A</pdfaid:conformance>',
      '<pdfuaid:part>1</pdfuaid:part>',
      '<dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li></rdf:Bag></dc:language>',
      '<xmp:CreateDate>2023-09-21T00:00:00Z</xmp:CreateDate>',
      '<xmp:ModifyDate>2023-09-21T00:00:00Z</xmp:ModifyDate>',
      '<dc:creator><rdf:Seq><rdf:li>Joint letter of 54 organisations and 7 individuals</rdf:li></rdf:Seq></dc:creator>',
    ]) {
      expect(xmp).toContain(property);
    }
    expect(Buffer.from(xmp, 'latin1').toString('utf8')).toContain('<rdf:li xml:lang="x-default">中国政府强迫遣返朝鲜难民</rdf:li>');
    expect(seed.raw).toMatch(/\/S \/GTS_PDFA1/);
    expect(seed.raw).toMatch(/\/OutputConditionIdentifier \(sRGB IEC61966-2\.1\)/);
    expect(seed.raw).not.toMatch(/\/Encrypt/);
    expect(seed.raw).toMatch(/^%PDF-1\.7/);
  });

  it('gives the text as /ActualText where a Han–Latin gap is only a position', () => {
    const actual = [...seed.raw.matchAll(/\/ActualText \(((?:\\.|[^\\)])*)\)/g)].map((m) => {
      // PDF literal string (pdfkit escapes \ ( ) and control characters), UTF-16BE with BOM
      const bytes = Buffer.from(
        (m[1] as string).replace(/\\([0-7]{1,3}|.)/g, (_, e: string) =>
          /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e,
        ),
        'latin1',
      );
      return bytes.subarray(2).swap16().toString('utf16le');
    });
    expect(actual).toContain('2023年9月21日');
    // text with a Han–Latin boundary, given without the gap
    expect(actual.filter((t) => /\p{Script=Han}[0-9A-Za-z]|[0-9A-Za-z]\p{Script=Han}/u.test(t)).length).toBeGreaterThan(10);
    expect(actual.every((t) => !/\p{Script=Han} [0-9A-Za-z]|[0-9A-Za-z] \p{Script=Han}/u.test(t))).toBe(true);
  });

  it('reads no spaces between Han characters of justified body lines (the spread is character spacing)', () => {
    // (pdfjs still reads a space into spacing wider than 0.102 em, as on two loose note lines)
    const body = seed.documents.flatMap((d) => d?.children ?? []).filter((e) => e.role === 'P').map((e) => e.text).join('');
    expect(body).toContain('朝鲜民主主义人民共和国');
    expect(body.match(/\p{Script=Han} +\p{Script=Han}/gu) ?? []).toEqual([]);
  });

  it('passes the preflight with its tag checks', async () => {
    const report = await preflight(seedBytes);
    expect(report.problems).toEqual([]);
    expect(report.tags).toEqual({ notes: 13, untagged: 0, links: 17, untiedLinks: 0 });
  });

  it('is under 160 KB', () => {
    expect(seedBytes.length).toBeLessThan(160 * 1024);
  });
});

describe('drawing from the glyph runs', () => {
  it('shapes nothing while drawing', async () => {
    const laidOut = layoutPdf(buildFrame(seedDocument));
    const font = seedDocument && laidOut.pages[0]?.body[0]?.line.placed[0]?.piece.face.font;
    expect(font).toBeDefined();
    // fontkit's TTFFont.prototype (WOFF fonts inherit it): pdfkit's fonts are fontkit fonts too
    let proto = Object.getPrototypeOf(font) as { layout: unknown };
    while (!Object.prototype.hasOwnProperty.call(proto, 'layout')) proto = Object.getPrototypeOf(proto) as { layout: unknown };
    const spy = vi.spyOn(proto as { layout: (...args: unknown[]) => unknown }, 'layout');
    try {
      const bytes = await drawLetterPdf(buildFrame(seedDocument), laidOut);
      expect(bytes.length).toBeGreaterThan(10_000);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a letter with a list, a block quote and a multi-paragraph note', () => {
  let pdf: ReadPdf;
  let bytes: Uint8Array;
  beforeAll(async () => {
    const text = [
      '---', 'lang: zh-CN', 'date: 2023-09-21', 'to:', '  - name: 收信人', 'subject: 主旨', 'salutation: 您好：', 'closing: 谢谢！', '---', '',
      '第一段。', '',
      '- 第一项，见注[^a]。', '- 第二项，见<https://example.org/x>。', '',
      '> 引文一段。', '',
      '结尾段。', '',
      '[^a]: 注的第一段，参见<https://example.org/note>。', '',
      '    注的第二段。', '',
    ].join('\n');
    const { document } = await loadLetterFromText({ letterPath: path.join(root, 'test', 'fixtures', 'letters', 'tagged.md'), text });
    bytes = await renderPdf(buildFrame(document));
    pdf = await readPdf(bytes);
  });

  it('tags the list as L/LI with Lbl and LBody, and the quote as BlockQuote', () => {
    const list = pdf.elements.find((e) => e.role === 'L') as Element;
    expect(list.children.map((c) => c.role)).toEqual(['LI', 'LI']);
    for (const li of list.children) {
      expect(li.children.map((c) => c.role)).toEqual(['Lbl', 'LBody']);
      expect(li.children[0]?.text).toBe('•');
    }
    expect(compact(list.children[0]?.children[1]?.children[0]?.text ?? '')).toBe('第一项，见注1。');
    const quote = pdf.elements.find((e) => e.role === 'BlockQuote') as Element;
    expect(quote.children.map((c) => c.role)).toEqual(['P']);
    expect(compact(quote.children[0]?.text ?? '')).toBe('引文一段。');
  });

  it('puts the two-paragraph Note right after the list item paragraph that references it', () => {
    const body = (pdf.elements.find((e) => e.role === 'L') as Element).children[0]?.children[1] as Element;
    expect(body.children.map((c) => c.role)).toEqual(['P', 'Note']);
    const note = body.children[1] as Element;
    expect(note.children.map((c) => c.role)).toEqual(['Lbl', 'P', 'P']);
    expect(note.children[0]?.text).toBe('1');
    expect(compact(note.children[2]?.text ?? '')).toBe('注的第二段。');
    expect(count(pdf, 'Note')).toBe(1);
    expect(count(pdf, 'Link')).toBe(2);
    expect(pdf.outline.map((o) => o.title)).toEqual(['主旨']);
  });

  it('passes the preflight with its tag checks', async () => {
    const report = await preflight(bytes);
    expect(report.problems).toEqual([]);
    expect(report.tags).toMatchObject({ notes: 1, untagged: 0, links: 2, untiedLinks: 0 });
  });
});

describe('a long signatory list', () => {
  it('is tagged as consecutive lists of at most 200 entries, every entry once', async () => {
    const dir = scratch('letterpress-');
    writeFileSync(path.join(dir, 'signatories.csv'), signatoriesCsv(450));
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(root, 'letter.md'), 'utf8').replace('signatories: signatories.yaml', 'signatories: signatories.csv'));
    const { document } = await loadLetter(path.join(dir, 'letter.md'));
    const { layout } = layoutPdf(buildFrame(document));
    const structure = StructureTree.fromLayout(layout.flow, [...layout.notes.values()]);
    const lists = structure.node(structure.root).children.map((id) => structure.node(id)).filter((n) => n.role === 'L');
    const entries = lists.reduce((sum, l) => sum + l.children.length, 0);
    expect(entries).toBe((document.signatories?.organizations.length ?? 0) + (document.signatories?.individuals.length ?? 0));
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.every((l) => l.children.length <= 200 && l.children.every((li) => structure.node(li).role === 'LI'))).toBe(true);
  });
});

describe('the template switch pdf.standard', () => {
  it('drops the PDF/A and PDF/UA identification and the output intent, keeps the tags, and sets the subject as P when asked', async () => {
    const document: LetterDocument = { ...seedDocument, template: { ...seedDocument.template, pdf: { standard: false, subjectRole: 'P' } } };
    const pdf = await readPdf(await renderPdf(buildFrame(document)));
    expect(pdf.raw).not.toContain('pdfaid:part');
    expect(pdf.raw).not.toContain('pdfuaid:part');
    expect(pdf.raw).not.toMatch(/\/OutputIntents/);
    expect(pdf.elements.filter((e) => e.role === 'Note' && e.children[0]?.role === 'Lbl')).toHaveLength(13);
    expect(count(pdf, 'H1')).toBe(1); // the signatory heading moves up to H1
    expect(pdf.documents[0]?.children.find((e) => compact(e.text).startsWith('主旨'))?.role).toBe('P');
  });
});
