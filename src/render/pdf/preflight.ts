/**
 * Preflight: read back the PDF just written, with pdfjs-dist (a real PDF parser, independent of
 * the code that wrote it), and check what a print shop would: every font embedded, no missing
 * glyph, no text past the right margin, every footnote on the page of its mark; and the tags
 * (src/render/pdf/tagCheck.ts): all text tied to the structure tree or an artifact, every link
 * annotation owned by a Link element, one Note per footnote.
 *
 * The layout facts the check needs (margins, type sizes) travel inside the PDF's Info dictionary
 * (key `Letterpress`), so `letterpress check file.pdf` works on the file alone.
 */
import { inflateSync } from 'node:zlib';
import { z } from 'zod';
import './pdfjsEnv.js'; // before pdfjs-dist
import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { fontkit, type Font } from '../../fonts/fontkit.js';
import { MARGIN_TOLERANCE, notePages, type PreflightFacts, type PreflightProblem, type PreflightReport } from './report.js';
import { checkPageTags, type StructNode } from './tagCheck.js';
import { MAX_PDF_PAGES, MAX_STREAM_BYTES, PdfRefused } from './pdfBounds.js';

export type { PreflightFacts, PreflightProblem, PreflightReport } from './report.js';
export { formatReport } from './report.js';

interface Glyph {
  unicode: string;
  width: number;
}

/** One drawn run of text, positioned by reading the content stream's text operators. */
export interface DrawnRun {
  text: string;
  x: number;
  /** Baseline y of the text matrix (text space origin). */
  y: number;
  /** Pen position after the last glyph, TJ adjustments included (where the next text would go). */
  end: number;
  size: number;
}

const SIZE_TOLERANCE = 0.05;

/** An operator argument that pdf.js gives as a number, or `fallback` when it is not one. */
function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/**
 * Follow the text operators pdfkit writes (Tm, Td, Tf, Tc, TJ) to find where each run starts and
 * where its pen ends. The end counts the TJ adjustments after each glyph: a closing mark set
 * half-width (the font's `halt` form) ends half an em earlier than its nominal glyph box.
 * pdfjs's getTextContent() ignores such trailing adjustments and merges runs, so it is not used.
 */
export function drawnRuns(fnArray: number[], argsArray: unknown[][]): DrawnRun[] {
  const runs: DrawnRun[] = [];
  let x = 0;
  let y = 0;
  let lineX = 0;
  let size = 0;
  let charSpacing = 0;
  let hScale = 1;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] ?? [];
    switch (fn) {
      case OPS.beginText:
        x = lineX = 0;
        charSpacing = 0;
        break;
      case OPS.setTextMatrix: {
        const m = args[0] as ArrayLike<number>;
        x = lineX = m[4] ?? 0;
        y = m[5] ?? 0;
        break;
      }
      case OPS.moveText:
      case OPS.setLeadingMoveText:
        lineX += numberOr(args[0], 0);
        x = lineX;
        break;
      case OPS.nextLine:
        x = lineX;
        break;
      case OPS.setFont:
        size = numberOr(args[1], size);
        break;
      case OPS.setCharSpacing:
        charSpacing = numberOr(args[0], 0);
        break;
      case OPS.setHScale:
        hScale = numberOr(args[0], 100) / 100;
        break;
      case OPS.showText:
      case OPS.showSpacedText: {
        const glyphs = args[0] as Array<Glyph | number>;
        const run: DrawnRun = { text: '', x, y, end: x, size };
        for (const g of glyphs) {
          if (typeof g === 'number') {
            x -= (g / 1000) * size * hScale;
          } else {
            run.text += g.unicode;
            x += ((g.width / 1000) * size + charSpacing) * hScale;
          }
          run.end = x;
        }
        // Tc after the last glyph is not part of the text's extent.
        if (run.text.length > 0) run.end -= charSpacing * hScale;
        runs.push(run);
        break;
      }
      default:
        break;
    }
  }
  return runs;
}

/** A letter embeds a handful of fonts; a file naming thousands is not checked font by font. */
const MAX_FONT_PROGRAMS = 64;

/** Inflate with a ceiling; null for data that does not inflate (the font is then not found). */
function inflated(data: Uint8Array): Buffer | null {
  try {
    return inflateSync(data, { maxOutputLength: MAX_STREAM_BYTES });
  } catch {
    return null;
  }
}

/**
 * The embedded TrueType programs (FontFile2 streams), found by reading the file's objects: the
 * font descriptors may sit in object streams (src/render/pdf/objectStreams.ts), the font
 * programs are top-level streams. Every pattern is bounded (a descriptor is a few hundred
 * bytes, a name at most 127), so a crafted file costs linear time, never quadratic.
 */
function embeddedFonts(bytes: Uint8Array): Array<{ name: string; data: Buffer }> {
  const text = Buffer.from(bytes).toString('latin1');
  let objects = text;
  for (const m of text.matchAll(/\/Type \/ObjStm[^>]{0,512}?\/Length (\d+)\s*\/Filter \/FlateDecode\s*>>\s*stream\r?\n/g)) {
    const start = (m.index ?? 0) + m[0].length;
    objects += `\n${inflated(bytes.subarray(start, start + Number(m[1])))?.toString('latin1') ?? ''}`;
  }
  // Where each top-level object starts, found once (a crafted file may name thousands of fonts).
  const objectAt = new Map<string, number>();
  for (const m of text.matchAll(/(?:^|\n)(\d+) 0 obj\b/g)) objectAt.set(m[1] as string, (m.index ?? 0) + m[0].length);
  const out: Array<{ name: string; data: Buffer }> = [];
  const seen = new Set<string>();
  for (const m of objects.matchAll(/\/FontFile2 (\d+) 0 R/g)) {
    const ref = m[1] as string;
    if (seen.has(ref) || out.length >= MAX_FONT_PROGRAMS) continue;
    seen.add(ref);
    const before = objects.slice(Math.max(0, (m.index ?? 0) - 1024), m.index);
    const at = before.lastIndexOf('/FontName /');
    const name = at < 0 || before.indexOf('>', at) >= 0 ? undefined : /^\/FontName \/([^\s/<>[\]()]{1,127})/.exec(before.slice(at))?.[1];
    const from = objectAt.get(ref);
    if (!name || from === undefined) continue;
    const headerPattern = /\s*<<([^]{0,4096}?)>>\s*stream\r?\n/y;
    headerPattern.lastIndex = from;
    const header = headerPattern.exec(text);
    if (!header) continue;
    const length = Number(/\/Length (\d+)/.exec(header[1] ?? '')?.[1] ?? 0);
    const start = from + header[0].length;
    const raw = Buffer.from(bytes.subarray(start, start + length));
    const data = /FlateDecode/.test(header[1] ?? '') ? inflated(raw) : raw;
    if (data) out.push({ name, data });
  }
  return out;
}

/**
 * Every glyph of every embedded font decodes, with its outline inside a sane box: a subset
 * whose outlines were copied wrong (as from a transformed WOFF2 glyf table) draws huge shards.
 */
function checkGlyphs(bytes: Uint8Array, problems: PreflightProblem[]): void {
  const programs = embeddedFonts(bytes);
  if (programs.length === 0) problems.push({ message: 'No embedded TrueType font program found: glyph outlines not checked' });
  for (const { name, data } of programs) {
    let font: Font;
    try {
      font = fontkit.create(data) as Font;
    } catch (err) {
      problems.push({ message: `Font ${name}: the embedded program does not parse (${(err as Error).message})` });
      continue;
    }
    const em = font.unitsPerEm;
    for (let id = 1; id < font.numGlyphs; id++) {
      let box: { minX: number; minY: number; maxX: number; maxY: number };
      try {
        // the control box, from the glyph's header: cheap, and garbage when the glyph is
        box = font.getGlyph(id).cbox;
      } catch {
        problems.push({ message: `Font ${name}: glyph ${id} does not decode` });
        continue;
      }
      if (!Number.isFinite(box.minX)) continue; // empty glyph (space)
      if (box.minX < -em || box.maxX > 2 * em || box.minY < -em || box.maxY > 2 * em) {
        problems.push({ message: `Font ${name}: glyph ${id} has a broken outline (bounding box ${box.minX},${box.minY} – ${box.maxX},${box.maxY})` });
      }
    }
  }
}

/**
 * The layout facts stored in the PDF, checked before use: a file is input like any other, so a
 * number that is missing, not finite or out of range (a note count of 100,000,000, a margin
 * that is not a number) makes the facts unusable rather than switching a check off or
 * exhausting memory.
 */
const length = z.number().finite().min(0).max(10_000);
const factsSchema = z.object({
  pageWidth: length,
  textLeft: length,
  textRight: length,
  markSize: z.number().finite().min(1).max(100),
  noteSize: z.number().finite().min(1).max(100),
  notes: z.number().int().min(0).max(10_000),
  copies: z.number().int().min(1).max(10_000).optional(),
});

function readFacts(stored: string | undefined): { facts: PreflightFacts } | { problem: string } {
  if (stored === undefined) return { problem: 'The PDF carries no letterpress layout facts (was it made by letterpress?); margins and notes not checked.' };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { problem: 'The PDF\'s letterpress layout facts are not readable (not JSON); margins and notes not checked.' };
  }
  const parsed = factsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `The PDF's letterpress layout facts are invalid (${issue?.path.join('.') || 'facts'}: ${issue?.message ?? 'wrong shape'}); margins and notes not checked.` };
  }
  if (parsed.data.textLeft >= parsed.data.textRight || parsed.data.textRight > parsed.data.pageWidth) {
    return { problem: 'The PDF\'s letterpress layout facts are invalid (margins outside the page); margins and notes not checked.' };
  }
  return { facts: parsed.data };
}

export async function preflight(bytes: Uint8Array): Promise<PreflightReport> {
  const doc = await getDocument({ data: new Uint8Array(bytes), disableFontFace: false, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  if (doc.numPages > MAX_PDF_PAGES) {
    await doc.destroy();
    throw new PdfRefused(`the PDF has ${doc.numPages} pages (a letter with 10,000 signatories has a few hundred; at most ${MAX_PDF_PAGES} are checked)`);
  }
  const problems: PreflightProblem[] = [];
  const meta = await doc.getMetadata();
  const custom = (meta.info as { Custom?: Record<string, string> }).Custom ?? {};
  const read = readFacts(custom.Letterpress);
  const facts = 'facts' in read ? read.facts : null;
  if ('problem' in read) problems.push({ message: read.problem });

  const fonts = new Map<string, boolean>();
  const marks = new Map<number, number>();
  const noteStarts = new Map<number, number>();
  let maxRight = 0;
  const tags = { notes: 0, untagged: 0, untiedLinks: 0, links: 0 };
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const ops = await page.getOperatorList();
    const tree = (await page.getStructTree()) as StructNode | null;
    if (!tree) problems.push({ page: n, message: `Page ${n}: no structure tree (the PDF is not tagged)` });
    const pageTags = checkPageTags(tree, `${page.ref?.num ?? 0}R`, ops, (await page.getAnnotations()) as Array<{ subtype?: string; id?: string }>);
    if (pageTags.untagged > 0) problems.push({ page: n, message: `Page ${n}: ${pageTags.untagged} text operator(s) outside tagged content and artifacts` });
    if (pageTags.untiedLinks > 0) problems.push({ page: n, message: `Page ${n}: ${pageTags.untiedLinks} link annotation(s) not owned by a Link element` });
    tags.notes += pageTags.notes;
    tags.untagged += pageTags.untagged;
    tags.untiedLinks += pageTags.untiedLinks;
    tags.links += pageTags.links;
    for (let i = 0; i < ops.fnArray.length; i++) {
      if (ops.fnArray[i] !== OPS.setFont) continue;
      const name = (ops.argsArray[i] as [string])[0];
      const font = page.commonObjs.get(name) as { name?: string; missingFile?: boolean };
      fonts.set(font.name ?? name, font.missingFile !== true);
    }
    for (const run of drawnRuns(ops.fnArray, ops.argsArray as unknown[][])) {
      if (run.text.trim() === '') continue;
      maxRight = Math.max(maxRight, run.end);
      if (run.text.includes('\ufffd')) problems.push({ page: n, message: `Page ${n}: text with a missing glyph: "${run.text}"` });
      if (!facts) continue;
      if (run.end > facts.textRight + MARGIN_TOLERANCE) {
        problems.push({ page: n, message: `Page ${n}: "${run.text.slice(0, 24)}" runs ${(run.end - facts.textRight).toFixed(1)} pt past the right margin` });
      }
      // A mark: digits in the mark size. A note: its number at the left margin in the note size
      // (the number may share a run with the note's first character).
      if (/^\d+$/.test(run.text) && Math.abs(run.size - facts.markSize) < SIZE_TOLERANCE) {
        const number = Number(run.text);
        if (!marks.has(number)) marks.set(number, n);
      }
      const noteNumber = /^\d+/.exec(run.text)?.[0];
      if (noteNumber && Math.abs(run.size - facts.noteSize) < SIZE_TOLERANCE && Math.abs(run.x - facts.textLeft) < MARGIN_TOLERANCE) {
        const number = Number(noteNumber);
        if (!noteStarts.has(number)) noteStarts.set(number, n);
      }
    }
  }
  for (const [name, embedded] of fonts) if (!embedded) problems.push({ message: `Font ${name} is not embedded` });
  checkGlyphs(bytes, problems);
  const notes = notePages(facts?.notes ?? 0, marks, noteStarts, problems);
  // A print file of several copies holds each copy's Note elements; the notes' pages are checked in the first copy.
  const copies = facts?.copies ?? 1;
  if (facts && tags.notes !== facts.notes * copies) {
    problems.push({ message: `The structure tree has ${tags.notes} Note element(s) with a label for ${facts.notes} footnote(s)${copies > 1 ? ` in each of ${copies} copies` : ''}` });
  }
  const report = { pages: doc.numPages, tags, fonts: [...fonts].map(([name, embedded]) => ({ name, embedded })), notes, maxRight, problems };
  await doc.destroy();
  return report;
}

