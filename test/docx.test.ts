import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { loadLetter } from '../src/load/letter.js';
import { renderDocx } from '../src/render/docx/index.js';
import { hanCounts, hanDifferences, root, scratch, sourceLetter } from './helpers.js';
import { encodeEntry } from '../src/io/diskCache.js';
import { existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { storeStyles, storedStyles } from '../src/render/docx/stylesCache.js';
import { buildFrame } from '../src/frame/index.js';
import { documentCharacters } from '../src/render/docx/embedFonts.js';
import { DOMParser } from '@xmldom/xmldom';
import { Packer } from 'docx';
import { buildDocx } from '../src/render/docx/index.js';
import { docxCompiler, packageFiles } from '../src/render/docx/compile.js';
import { crc32, tableCrc32, zipPackage, type ZipEntry } from '../src/render/docx/zip.js';
import { cachedDeflate } from '../src/render/docx/zipCache.js';

/** The entries zipped as the Word copy is: each deflated (or taken as kept in memory), then written. */
const zipEntries = async (entries: ZipEntry[]): Promise<Uint8Array> =>
  zipPackage(await Promise.all(entries.map(async (e) => ({ ...e, data: await cachedDeflate(e.name, e.data as Uint8Array, e.level, false) }))));
import { buildContext } from '../src/context.js';

let bytes: Uint8Array;
let files: Record<string, string>;
let frame: ReturnType<typeof buildFrame>;

const textOf = (xml: string) => [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');

beforeAll(async () => {
  const { document } = await loadLetter(path.join(root, 'letter.md'));
  frame = buildFrame(document);
  bytes = await renderDocx(frame);
  files = Object.fromEntries(Object.entries(unzipSync(bytes)).map(([name, data]) => [name, strFromU8(data)]));
});

describe('the Word copy of the 2023-09-21 letter', () => {
  it('takes the package files from docx unzipped (zipped once, by letterpress): the same files Packer zips', async () => {
    expect(docxCompiler()).toBeDefined();
    const direct = await packageFiles(buildDocx(frame));
    const zipped = unzipSync(new Uint8Array(await Packer.toBuffer(buildDocx(frame))));
    expect(Object.keys(direct).sort()).toEqual(Object.keys(zipped).sort());
    // docx draws some relationship ids at random and stamps core.xml with the time (finish.ts
    // renumbers the ids and dates the package): compare without them.
    const stable = (data: Uint8Array | undefined) => strFromU8(data ?? new Uint8Array()).replace(/rId[\w-]+/g, 'rId').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
    for (const name of Object.keys(zipped)) expect(stable(direct[name]), name).toBe(stable(zipped[name]));
  });

  it('cuts its font subsets to the frame’s characters: every character of every story, bold ones in bold', () => {
    const { all, bold } = documentCharacters(frame);
    const stories = Object.keys(files).filter((name) => /^word\/(document|footnotes|footer\d*)\.xml$/.test(name));
    expect(stories.length).toBeGreaterThanOrEqual(3);
    const missing = new Set<string>();
    for (const name of stories) {
      const doc = new DOMParser().parseFromString(files[name] ?? '', 'text/xml');
      const texts = doc.getElementsByTagName('w:t');
      for (let i = 0; i < texts.length; i++) for (const ch of texts.item(i)?.textContent ?? '') if (!all.has(ch.codePointAt(0) ?? 0)) missing.add(ch);
    }
    expect([...missing]).toEqual([]);
    // The subject (a bold role in the zh-CN template) is in the bold set; body text is not.
    expect(frame.roles.subject.bold).toBe(true);
    expect(bold.has('主'.codePointAt(0) ?? 0)).toBe(true);
    expect(bold.size).toBeLessThan(all.size);
  });

  it('has 13 real footnotes, referenced in order from the text', () => {
    const refs = [...(files['word/document.xml'] ?? '').matchAll(/<w:footnoteReference w:id="(\d+)"\/>/g)].map((m) => Number(m[1]));
    expect(refs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const notes = [...(files['word/footnotes.xml'] ?? '').matchAll(/<w:footnote w:id="(\d+)">/g)].map((m) => Number(m[1]));
    expect(notes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(files['word/footnotes.xml']).toContain('同前注，段1197。');
  });

  it('makes the notes\' links clickable', () => {
    const rels = files['word/_rels/footnotes.xml.rels'] ?? '';
    expect(rels).toContain('Target="https://undocs.org/A/77/522" TargetMode="External"');
    expect(files['word/footnotes.xml']).toMatch(/<w:hyperlink [^>]*r:id="lpRel\d+"/);
  });

  it('sets the East Asian font and language in the styles', () => {
    const styles = files['word/styles.xml'] ?? '';
    expect(styles).toMatch(/<w:rFonts [^>]*w:eastAsia="Noto Serif SC"/);
    expect(styles).toMatch(/<w:lang [^>]*w:eastAsia="zh-CN"/);
    expect(files['word/fontTable.xml']).toMatch(/<w:font w:name="Noto Serif SC"><w:altName w:val="SimSun"\/><w:panose1 w:val="[0-9A-F]{20}"\/><w:charset w:val="86"\/>/);
  });

  it('turns on kinsoku, punctuation compression and Han–Latin spacing, with no grid', () => {
    const normal = /<w:style w:type="paragraph" w:styleId="Normal".*?<\/w:style>/s.exec(files['word/styles.xml'] ?? '')?.[0] ?? '';
    for (const el of ['<w:kinsoku w:val="1"/>', '<w:autoSpaceDE w:val="1"/>', '<w:autoSpaceDN w:val="1"/>', '<w:snapToGrid w:val="0"/>']) expect(normal).toContain(el);
    expect(files['word/settings.xml']).toContain('<w:characterSpacingControl w:val="compressPunctuation"/>');
    expect(files['word/document.xml']).not.toMatch(/<w:docGrid [^>]*w:type="(lines|linesAndChars|snapToChars)"/);
  });

  it('indents body paragraphs by two characters', () => {
    const body = /<w:style w:type="paragraph" w:styleId="BodyText".*?<\/w:style>/s.exec(files['word/styles.xml'] ?? '')?.[0] ?? '';
    expect(body).toMatch(/w:firstLineChars="200"/);
  });

  it('gives every paragraph a named style', () => {
    for (const part of ['word/document.xml', 'word/footnotes.xml', 'word/footer1.xml']) {
      const xml = (files[part] ?? '').replace(/<w:footnote w:type="(separator|continuationSeparator)".*?<\/w:footnote>/gs, '');
      const paragraphs = xml.match(/<w:p>|<w:p [^>]*>/g) ?? [];
      const styled = xml.match(/<w:p(?: [^>]*)?><w:pPr><w:pStyle w:val="[A-Za-z]+"\/>/g) ?? [];
      expect(paragraphs.length, part).toBeGreaterThan(0);
      expect(styled.length, part).toBe(paragraphs.length);
    }
  });

  it('holds every Han character of the source exactly as often (page label aside)', () => {
    const text = textOf(files['word/document.xml'] ?? '') + textOf(files['word/footnotes.xml'] ?? '');
    expect(hanDifferences(hanCounts(sourceLetter()), hanCounts(text))).toEqual([]);
  });

  it('is A4 with the template margins, page numbers in the footer and the letter date in its properties', () => {
    expect(files['word/document.xml']).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(files['word/footer1.xml']).toMatch(/PAGE/);
    expect(files['word/footer1.xml']).toMatch(/NUMPAGES/);
    expect(files['docProps/core.xml']).toContain('<dc:title>中国政府强迫遣返朝鲜难民</dc:title>');
    expect(files['docProps/core.xml']).toMatch(/<dcterms:created [^>]*>2023-09-21T00:00:00Z</);
  });

  it('lists the signatories as editable paragraphs, in the model\'s order', () => {
    const doc = files['word/document.xml'] ?? '';
    const think = doc.indexOf('THINK / South Korea');
    expect(think).toBeGreaterThan(doc.indexOf('Taiwan Alliance to End the Death Penalty'));
    expect(think).toBeLessThan(doc.indexOf('Transitional Justice Working Group'));
    expect(doc).toContain('组织及个人联署名单（截至2023年9月21日）');
  });

  it('is byte-identical when built again', async () => {
    const { document } = await loadLetter(path.join(root, 'letter.md'));
    expect(Buffer.from(await renderDocx(buildFrame(document))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('is zipped as fflate zipSync zips it, whether its parts are deflated anew or kept from the build before', async () => {
    // zipSync reads an entry's time in local time, letterpress in UTC: the same wall-clock time for zipSync.
    const asLocal = (date: Date) => new Date(date.getTime() + date.getTimezoneOffset() * 60_000);
    // The package again, in zipSync's layout (fixed times, font files at level 1), from the parts as unzipped.
    const parts = unzipSync(bytes);
    const zippable: Zippable = {};
    for (const name of Object.keys(parts)) zippable[name] = [parts[name] as Uint8Array, { mtime: asLocal(new Date('1980-01-01T00:00:00Z')), level: name.startsWith('word/fonts/') ? 1 : 6 }];
    const expected = Buffer.from(zipSync(zippable));
    // The letter's second build above took every part from the kept deflated bytes.
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
    buildContext.clear(['deflated package parts']);
    const entries = Object.keys(parts).map((name) => ({ name, data: parts[name] as Uint8Array, mtime: new Date('1980-01-01T00:00:00Z'), level: name.startsWith('word/fonts/') ? (1 as const) : (6 as const) }));
    expect(Buffer.from(await zipEntries(entries)).equals(expected)).toBe(true);
    // A name beyond ASCII (the UTF-8 flag), an empty part, and a changed part in place of a kept one.
    const odd = [{ name: 'word/média/é.xml', data: strToU8('<a>é</a>'), mtime: new Date(Date.UTC(2001, 2, 3, 4, 5, 6)), level: 6 as const }, { name: 'empty', data: new Uint8Array(0), mtime: new Date(Date.UTC(2001, 2, 3)), level: 6 as const }];
    const oddZip = (list: typeof odd) => zipSync(Object.fromEntries(list.map((e) => [e.name, [e.data, { mtime: asLocal(e.mtime), level: e.level }]])) as Zippable);
    expect(Buffer.from(await zipEntries(odd)).equals(Buffer.from(oddZip(odd)))).toBe(true);
    const changed = [{ ...odd[0]!, data: strToU8('<a>è</a>') }, odd[1]!];
    expect(Buffer.from(await zipEntries(changed)).equals(Buffer.from(oddZip(changed)))).toBe(true);
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    for (const data of [strToU8('123456789'), new Uint8Array(0), parts['word/fonts/font1.odttf'] as Uint8Array]) expect(tableCrc32(data)).toBe(crc32(data));
  });

  it('has the same bytes in every time zone (west of Greenwich too, where 1980-01-01 UTC is still 1979)', async () => {
    const entries = [{ name: 'a.xml', data: strToU8('<a/>'), mtime: new Date('1980-01-01T00:00:00Z'), level: 6 as const }];
    const zone = process.env.TZ;
    const zipped: Buffer[] = [];
    try {
      for (const tz of ['UTC', 'America/New_York', 'Asia/Shanghai']) {
        process.env.TZ = tz;
        zipped.push(Buffer.from(await zipEntries(entries)));
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(zipped[1]?.equals(zipped[0] as Buffer)).toBe(true);
    expect(zipped[2]?.equals(zipped[0] as Buffer)).toBe(true);
  });
});

describe('the Word copy of a letter with a repeated note, a quote and a list', () => {
  it('writes one footnote per note and sets a repeated mark as a superscript number, not a second footnote', async () => {
    const { document } = await loadLetter(path.join(root, 'test', 'fixtures', 'letters', 'features', 'letter.md'));
    const zip = unzipSync(await renderDocx(buildFrame(document)));
    const xml = strFromU8(zip['word/document.xml'] as Uint8Array);
    const refs = [...xml.matchAll(/<w:footnoteReference w:id="(\d+)"\/>/g)].map((m) => Number(m[1]));
    expect(refs).toEqual([1, 2, 3]);
    expect(xml).toMatch(/停止强迫遣返<\/w:t><\/w:r><w:r><w:rPr><w:rStyle w:val="FootnoteReference"\/><w:vertAlign w:val="superscript"\/><\/w:rPr><w:t xml:space="preserve">1<\/w:t>/);
    const notes = [...strFromU8(zip['word/footnotes.xml'] as Uint8Array).matchAll(/<w:footnote w:id="(\d+)">/g)].map((m) => Number(m[1]));
    expect(notes).toEqual([1, 2, 3]);
  });
});

describe('the patched Word styles on disk', () => {
  /** An entry as the disk cache writes it under its file's name (its checksum holds). */
  const entry = (file: string, data: Uint8Array) => encodeEntry(path.basename(file), data);

  it('are taken by a new process for the same styles and patch, and never when the entry is damaged', async () => {
    const previous = process.env.LETTERPRESS_CACHE_DIR;
    const cacheDir = scratch('letterpress-cache-');
    // The other caches as the tests' own (font subsets made once): only the styles start empty.
    if (previous && existsSync(previous)) for (const name of readdirSync(previous)) if (name !== 'word-styles') symlinkSync(path.join(previous, name), path.join(cacheDir, name));
    process.env.LETTERPRESS_CACHE_DIR = cacheDir;
    try {
      // As a new process builds: nothing kept in memory.
      const build = async () => {
        buildContext.clear(['patched Word styles']);
        return renderDocx(frame);
      };
      expect(Buffer.from(await build()).equals(bytes)).toBe(true);
      const folder = path.join(cacheDir, 'word-styles');
      const [file] = readdirSync(folder).map((name) => path.join(folder, name));
      const stored = readFileSync(file ?? '');
      expect(strFromU8(stored.subarray(36))).toBe(files['word/styles.xml']);
      expect(Buffer.from(await build()).equals(bytes)).toBe(true);
      // A whole entry is what the build takes: another styles part under the key shows in the package.
      const marked = (files['word/styles.xml'] ?? '').replace('<w:styles ', '<w:styles mc:Ignorable="lpMark" ');
      writeFileSync(file ?? '', entry(file ?? '', strToU8(marked)));
      expect(strFromU8(unzipSync(await build())['word/styles.xml'] as Uint8Array)).toBe(marked);
      // A damaged entry, or one that is not a whole styles part: the styles are patched again and written again.
      writeFileSync(file ?? '', Buffer.concat([stored.subarray(0, 60), Buffer.from('x'), stored.subarray(61)]));
      expect(Buffer.from(await build()).equals(bytes)).toBe(true);
      expect(readFileSync(file ?? '')).toEqual(stored);
      writeFileSync(file ?? '', entry(file ?? '', strToU8((files['word/styles.xml'] ?? '').slice(0, 500))));
      expect(Buffer.from(await build()).equals(bytes)).toBe(true);
      expect(readFileSync(file ?? '')).toEqual(stored);
    } finally {
      process.env.LETTERPRESS_CACHE_DIR = previous;
    }
  });

  it('are found by the styles docx wrote and the patch, both', async () => {
    const previous = process.env.LETTERPRESS_CACHE_DIR;
    process.env.LETTERPRESS_CACHE_DIR = scratch('letterpress-cache-');
    try {
      const input = strToU8('<?xml version="1.0"?><w:styles xmlns:w="w"><w:style w:styleId="Normal"/></w:styles>');
      const output = strToU8('<?xml version="1.0"?><w:styles xmlns:w="w"><w:style w:styleId="Normal"><w:pPr/></w:style></w:styles>');
      const patch = JSON.stringify({ firstLineChars: 200, keepAll: false });
      expect(await storedStyles(patch, input)).toBeUndefined();
      await storeStyles(patch, input, output);
      expect(await storedStyles(patch, input)).toEqual(output);
      expect(await storedStyles(JSON.stringify({ firstLineChars: 200, keepAll: true }), input)).toBeUndefined();
      expect(await storedStyles(patch, strToU8(strFromU8(input).replace('Normal', 'Body')))).toBeUndefined();
    } finally {
      process.env.LETTERPRESS_CACHE_DIR = previous;
    }
  });
});
