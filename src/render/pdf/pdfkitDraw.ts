/**
 * Typeset pages → a tagged PDF, drawn through pdfkit (pdfmake's PDFDocument) from the glyph runs
 * the typesetter computed: every glyph at the position the line breaker gave it, nothing shaped
 * again. Each line's text is marked content owned by its structure element (StructureTree), link
 * text by a Link element that also owns the link's annotation; page labels and the note rule are
 * pagination artifacts (ISO 32000-1 §14.8.2.2).
 *
 * Text is drawn with a text matrix `1 0 0 -1 x y` inside pdfkit's top-down page space, so x and
 * y are the layout's own coordinates. Copying gives the source characters: each glyph maps to
 * its characters through ToUnicode, word spaces are drawn as space glyphs, and a run whose glyph
 * map differs from its text, or that holds a Han–Latin gap (position only, no character), also
 * carries its text as /ActualText.
 */
import type { Face } from '../../fonts/fontChain.js';
import type { Geometry } from './layout/geometry.js';
import type { MarkedFlowLine, MarkedLine, MarkedNoteLines, MarkedPage } from './marks.js';
import { StructureTree, type StructNode } from './structure.js';
import { PictureDrawer } from './images.js';
import type { FrameImage, Letterhead } from '../../frame/types.js';
import { GlyphFont, documentBytes, type EncodedGlyph, keepPageContent, openDocument, setElementId, type PdfkitDocument, type StructContent, type StructElement } from './pdfkitAdapter.js';
import { pdfkitOptions, xmpPacket, type DocumentInfo } from './standards.js';
import { packObjectStreams } from './objectStreams.js';
import { at, last as lastOf } from '../../util/checked.js';
import { buildContext } from '../../context.js';

export interface DrawOptions {
  geometry: Geometry;
  /** Keep the font subsets in the subset cache on disk (default true). */
  cache?: boolean;
  noteSeparator: number;
  /** The rule above the notes: its length (share of the measure) and weight (pt). */
  noteRule: { length: number; weight: number };
  /** Each page's label line (page furniture), or null. */
  pageLabels: Array<MarkedLine | null>;
  /** The letterhead, drawn at its place on each copy's first page or on every page. */
  letterhead?: Letterhead;
  /**
   * The laid-out lines with their role marks, in reading order, and the notes' lines: the
   * structure tree is built from them; one part per copy of the letter the file holds, with the
   * index of the copy's first page (0 for the first copy).
   */
  structure: Array<{ flow: MarkedFlowLine[]; notes: MarkedNoteLines[]; firstPage?: number }>;
  /** Rectangles drawn on each page as layout artifacts (postcode boxes, a stamp area), in points from the top left. */
  artwork?: Array<Array<{ x: number; y: number; width: number; height: number; weight: number; color: string }>>;
  info: DocumentInfo;
  /** PDF/A-2a + PDF/UA-1 identification (template `pdf.standard`). */
  standard: boolean;
  /** Extra Info dictionary entries (the preflight facts). */
  extraInfo: Record<string, string>;
}

/**
 * The glyphs of the line being drawn, one row per glyph in columns: the face, size, rise
 * (baseline shift upwards: marks, glyph y offsets), x of the glyph origin, glyph id and the
 * characters it stands for, and where the pen stands after it as the line was set (the end of its
 * piece; NaN when it ends none). Kept by the drawer and filled again for every line: a list of
 * 10,000 names draws some 300,000 glyphs, and an object each (with the arrays that grouped them)
 * cost more to make than to draw (10,000 names −50 ms CPU).
 */
class GlyphRows {
  length = 0;
  readonly face: Face[] = [];
  readonly size: number[] = [];
  readonly rise: number[] = [];
  readonly x: number[] = [];
  readonly glyphId: number[] = [];
  readonly codePoints: number[][] = [];
  readonly setEnd: number[] = [];
  /** The encoding of each glyph in the font it is drawn with (filled by `text`, run by run). */
  readonly encoded: EncodedGlyph[] = [];

  push(face: Face, size: number, rise: number, x: number, glyphId: number, codePoints: number[], setEnd = Number.NaN): void {
    const row = this.length++;
    this.face[row] = face;
    this.size[row] = size;
    this.rise[row] = rise;
    this.x[row] = x;
    this.glyphId[row] = glyphId;
    this.codePoints[row] = codePoints;
    this.setEnd[row] = setEnd;
  }

  /** Where the pen stands after glyph `row`: its set end, else its origin. */
  endOf(row: number): number {
    const setEnd = at(this.setEnd, row);
    return Number.isNaN(setEnd) ? at(this.x, row) : setEnd;
  }
}

/** Consecutive glyphs of a line (rows `from` up to `to`) owned by one element (and one link). */
interface Segment {
  owner: number;
  link?: string;
  from: number;
  to: number;
  /** Holds a Han–Latin gap: drawn as space only, so the text goes in /ActualText too. */
  gap: boolean;
}

const round = (n: number, places: number) => {
  const f = 10 ** places;
  const r = Math.round(n * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

const spaceGlyphs = buildContext.weakMap<Face, number>('space glyphs');
function spaceGlyph(face: Face): number {
  let id = spaceGlyphs.get(face);
  if (id === undefined) {
    id = face.font.glyphForCodePoint(0x20).id;
    spaceGlyphs.set(face, id);
  }
  return id;
}

const SPACE = [0x20];

/** A line's glyphs (into `rows`), grouped by owner element (node ids of `structure`; -1 for an artifact) and link. */
function segmentsOf(line: MarkedLine, originX: number, structure: StructureTree, rows: GlyphRows): Segment[] {
  const mark = line.mark;
  if (!mark) throw new Error('A typeset line has no role mark (set `mark` on every line in src/render/pdf/layout).');
  const owner = structure.ownerOf(mark) ?? -1;
  const label = 'element' in mark && mark.label ? { pieces: mark.label.pieces, node: structure.idOf(mark.label.element) } : null;
  const segments: Segment[] = [];
  rows.length = 0;
  const placed = line.line.placed;
  for (let k = 0; k < placed.length; k++) {
    const p = at(placed, k);
    const piece = p.piece;
    const pieceOwner = label && k < label.pieces ? label.node : owner;
    const start = originX + p.x;
    const previous = segments.at(-1);
    if (k > 0 && piece.glueBefore?.kind === 'space' && previous) {
      // A word space: a real space glyph, so that copied text has it.
      if (previous.to === previous.from) throw new Error('A word space follows no glyph.');
      const last = previous.to - 1;
      const lastFace = at(rows.face, last);
      const face = spaceGlyph(lastFace) !== 0 ? lastFace : piece.face;
      rows.push(face, at(rows.size, last), 0, rows.endOf(last), spaceGlyph(face), SPACE, start);
      previous.to = rows.length;
    }
    let segment = previous;
    if (!segment || segment.owner !== pieceOwner || segment.link !== piece.link) {
      segment = { owner: pieceOwner, ...(piece.link ? { link: piece.link } : {}), from: rows.length, to: rows.length, gap: false };
      segments.push(segment);
    } else if (piece.glueBefore?.kind === 'hanLatin') {
      segment.gap = true;
    }
    const scale = piece.size / piece.face.unitsPerEm;
    const run = piece.glyphs;
    let pen = start + p.offset;
    for (let g = 0; g < run.ids.length; g++) {
      rows.push(piece.face, piece.size, piece.rise + (run.yOffsets[g] ?? 0) * scale, pen + (run.xOffsets[g] ?? 0) * scale, run.ids[g] as number, run.codePoints[g] ?? []);
      pen += (run.advances[g] ?? 0) * scale;
    }
    segment.to = rows.length;
    if (segment.to > segment.from) rows.setEnd[segment.to - 1] = start + p.width;
  }
  return segments.filter((s) => s.to > s.from);
}

/** The end of the run of glyphs from row `from` (before `to`) in one face, size and rise (one TJ). */
function runEnd(rows: GlyphRows, from: number, to: number): number {
  let end = from + 1;
  while (end < to && rows.face[end] === rows.face[end - 1] && rows.size[end] === rows.size[end - 1] && Math.abs(at(rows.rise, end - 1) - at(rows.rise, end)) <= 0.001) end++;
  return end;
}

/**
 * The gap (to 1/1000 pt) that most glyphs of a run (rows `from` up to `to`, encoded) leave before
 * the next one, if two or more share it; else 0. Each glyph's width is in thousandths of `size`.
 */
function commonGap(rows: GlyphRows, from: number, to: number, size: number): number {
  if (to - from < 3) return 0; // fewer than two gaps
  let counts: Map<number, number> | null = null;
  for (let g = from; g + 1 < to; g++) {
    const gap = round(at(rows.x, g + 1) - at(rows.x, g) - (at(rows.encoded, g).width * size) / 1000, 3);
    if (gap > 0) {
      counts ??= new Map();
      counts.set(gap, (counts.get(gap) ?? 0) + 1);
    }
  }
  if (!counts) return 0; // a line set at its natural spacing (most lines of a list)
  let best = 0;
  let bestCount = 1;
  for (const [gap, count] of counts) if (count > bestCount || (count === bestCount && count > 1 && gap < best)) [best, bestCount] = [gap, count];
  return bestCount > 1 ? best : 0;
}

class PageDrawer {
  private readonly fonts = new Map<Face, GlyphFont>();
  /** The glyphs of the line being drawn. */
  private readonly rows = new GlyphRows();

  /** The fonts drawn with so far. */
  glyphFonts(): GlyphFont[] {
    return [...this.fonts.values()];
  }
  private readonly elements: StructElement[] = [];
  /** The marked-content sequence now open for an element's text. */
  private open: { owner: number; content: StructContent } | null = null;
  /** The Link element now being filled, per owner element. */
  private link: { owner: number; url: string; element: StructElement } | null = null;
  /** First page (0-based) of each element's text, for bookmarks. */
  readonly firstPage = new Map<number, number>();
  private pageIndex = 0;
  private readonly pictures: PictureDrawer;

  constructor(
    private readonly doc: PdfkitDocument,
    private readonly structure: StructureTree,
  ) {
    this.pictures = new PictureDrawer(doc);
    const root = doc.struct('Document');
    doc.addStructure(root);
    this.elements[0] = root;
    for (const { node } of structure.walk()) {
      if (node.parent === null) continue;
      const element = doc.struct(node.role, { ...(node.lang ? { lang: node.lang } : {}), ...(node.alt ? { alt: node.alt } : {}) });
      if (node.noteNumber !== undefined) setElementId(element, node.copy ? `copy-${node.copy + 1}-note-${node.noteNumber}` : `note-${node.noteNumber}`);
      this.elements[node.id] = element;
      this.element(node.parent).add(element);
    }
  }

  private font(face: Face): GlyphFont {
    let font = this.fonts.get(face);
    if (!font) this.fonts.set(face, (font = new GlyphFont(this.doc, face)));
    return font;
  }

  private element(id: number): StructElement {
    const element = this.elements[id];
    if (!element) throw new Error(`No structure element ${id}`);
    return element;
  }

  startPage(index: number, geometry: Geometry): void {
    this.pageIndex = index;
    this.doc.addPage({ size: [geometry.pageWidth, geometry.pageHeight], margins: { top: 0, left: 0, right: 0, bottom: 0 } });
    keepPageContent(this.doc, index);
  }

  endPage(): void {
    this.closeContent();
    this.endLink();
  }

  private closeContent(): void {
    if (!this.open) return;
    this.doc.endMarkedContent();
    this.element(this.open.owner).add(this.open.content);
    this.open = null;
  }

  private endLink(): void {
    this.link?.element.end();
    this.link = null;
  }

  private role(id: number): StructNode['role'] {
    return this.structure.node(id).role;
  }

  /** A picture: the content of its Figure element (which has alternative text), or an artifact when `owner` is null. */
  picture(image: FrameImage, x: number, y: number, owner: number | null, artifact: 'Layout' | 'Pagination' = 'Layout'): void {
    this.closeContent();
    this.endLink();
    if (owner === null) {
      this.doc.markContent('Artifact', { type: artifact });
      this.pictures.draw(image, round(x, 2), round(y, 2));
      this.doc.endMarkedContent();
      return;
    }
    if (!this.firstPage.has(owner)) this.firstPage.set(owner, this.pageIndex);
    const content = this.doc.markStructureContent('Figure');
    this.pictures.draw(image, round(x, 2), round(y, 2));
    this.doc.endMarkedContent();
    this.element(owner).add(content);
  }

  line(line: MarkedLine, originX: number, originY: number): void {
    const baseline = originY + line.top + line.baseline;
    const mark = line.mark;
    if (mark?.image) {
      this.picture(mark.image.image, originX + mark.image.x, originY + line.top, this.structure.ownerOf(mark));
      return;
    }
    if (mark && 'artifact' in mark) {
      this.closeContent();
      this.doc.markContent('Artifact', { type: mark.artifact });
      for (const segment of segmentsOf(line, originX, this.structure, this.rows)) this.text(segment, baseline);
      this.doc.endMarkedContent();
      return;
    }
    for (const segment of segmentsOf(line, originX, this.structure, this.rows)) {
      if (!this.firstPage.has(segment.owner)) this.firstPage.set(segment.owner, this.pageIndex);
      if (segment.link) {
        this.linkSegment(segment, segment.link, baseline);
        continue;
      }
      if (this.link?.owner === segment.owner) this.endLink();
      if (this.open?.owner !== segment.owner) {
        this.closeContent();
        this.open = { owner: segment.owner, content: this.doc.markStructureContent(this.role(segment.owner)) };
      }
      this.text(segment, baseline);
    }
    this.emphasisDots(line, originX, baseline);
  }

  /**
   * clreq §3.3 着重号: a dot centred under each emphasised CJK character, in the leading below
   * the line; a layout artifact (the text itself is what is emphasised).
   */
  private emphasisDots(line: MarkedLine, originX: number, baseline: number): void {
    const dotted = line.line.placed.filter((p) => p.piece.dots);
    if (dotted.length === 0) return;
    this.closeContent();
    this.doc.markContent('Artifact', { type: 'Layout' });
    this.doc.addContent('q');
    for (const p of dotted) {
      const chars = [...p.piece.text];
      const each = p.width / chars.length;
      const size = p.piece.size;
      chars.forEach((_ch, k) => this.doc.circle(round(originX + p.x + each * (k + 0.5), 2), round(baseline + size * 0.34, 2), round(size * 0.06, 3)).fill('black'));
    }
    this.doc.addContent('Q');
    this.doc.endMarkedContent();
  }

  private linkSegment(segment: Segment, url: string, baseline: number): void {
    this.closeContent();
    if (!this.link || this.link.owner !== segment.owner || this.link.url !== url) {
      this.endLink();
      const element = this.doc.struct('Link');
      this.element(segment.owner).add(element);
      this.link = { owner: segment.owner, url, element };
    }
    const content = this.doc.markStructureContent('Link');
    this.text(segment, baseline);
    this.doc.endMarkedContent();
    this.link.element.add(content);
    const rows = this.rows;
    const left = at(rows.x, segment.from);
    const size = at(rows.size, segment.from);
    const right = rows.endOf(segment.to - 1);
    // The annotation covers the line's text box; /Contents says where the link leads (PDF/UA-1 §7.18.5).
    this.doc.link(round(left, 2), round(baseline - 0.9 * size, 2), round(right - left, 2), round(1.15 * size, 2), url, {
      structParent: this.link.element,
      Contents: new String(url),
    });
  }

  /**
   * One text object: the segment's glyphs in runs of one font, size and rise. Each glyph goes where
   * the layout put it: the gap most glyphs of a run share (the spread of a justified CJK line) is
   * the run's character spacing (Tc), which text extraction counts as part of each advance, so
   * it reads no spaces into the text; other gaps are TJ adjustments.
   */
  private text(segment: Segment, baseline: number): void {
    const rows = this.rows;
    const ops: string[] = ['BT'];
    let mapsToText = true;
    let font: GlyphFont | null = null;
    let size = 0;
    let rise = 0;
    let spacing = 0;
    let cursor = 0;
    const last = segment.to - 1;
    for (let from = segment.from; from < segment.to; ) {
      const to = runEnd(rows, from, segment.to);
      const runFont = this.font(at(rows.face, from));
      const runSize = at(rows.size, from);
      const runRise = at(rows.rise, from);
      if (runFont !== font || runSize !== size) {
        runFont.useOnPage();
        ops.push(`/${runFont.resourceName} ${round(runSize, 3)} Tf`);
      }
      if (Math.abs(runRise - rise) > 0.001) ops.push(`${round(runRise, 2)} Ts`);
      if (font === null) {
        ops.push(`1 0 0 -1 ${round(at(rows.x, from), 2)} ${round(baseline, 2)} Tm`);
        cursor = round(at(rows.x, from), 2);
      }
      font = runFont;
      size = runSize;
      rise = runRise;
      for (let g = from; g < to; g++) rows.encoded[g] = runFont.encode(at(rows.glyphId, g), at(rows.codePoints, g));
      const common = commonGap(rows, from, to, size);
      if (common !== spacing) ops.push(`${common} Tc`);
      spacing = common;
      let items = '';
      let hex = '';
      const adjust = (target: number) => {
        const units = Math.round(((cursor - target) * 1000) / size);
        if (units === 0) return;
        if (hex) items += `<${hex}>`;
        hex = '';
        items += ` ${units} `;
        cursor -= (units * size) / 1000;
      };
      for (let g = from; g < to; g++) {
        const e = at(rows.encoded, g);
        adjust(at(rows.x, g));
        mapsToText &&= e.mapsToText;
        hex += e.hex;
        cursor += (e.width * size) / 1000 + spacing;
        // the segment ends where the layout set its last piece (the pen counts the last Tc too)
        const setEnd = at(rows.setEnd, g);
        if (g === last && !Number.isNaN(setEnd)) adjust(setEnd + spacing);
      }
      if (hex) items += `<${hex}>`;
      ops.push(`[${items}] TJ`);
      from = to;
    }
    if (rise !== 0) ops.push('0 Ts');
    if (spacing !== 0) ops.push('0 Tc');
    ops.push('ET');
    const actual = !mapsToText || segment.gap;
    if (actual) this.doc.markContent('Span', { actual: String.fromCodePoint(...rows.codePoints.slice(segment.from, segment.to).flat()) });
    this.doc.addContent(ops.join('\n'));
    if (actual) this.doc.endMarkedContent();
  }

  /** The rule above the notes: a pagination artifact. */
  rule(x: number, y: number, width: number, weight: number): void {
    this.closeContent();
    this.doc.markContent('Artifact', { type: 'Pagination' });
    this.doc.addContent('q');
    this.doc.lineWidth(weight).moveTo(x, y).lineTo(x + width, y).stroke();
    this.doc.addContent('Q');
    this.doc.endMarkedContent();
  }

  /** Rectangles (postcode boxes, a stamp area): layout artifacts. */
  boxes(list: NonNullable<DrawOptions['artwork']>[number]): void {
    if (list.length === 0) return;
    this.closeContent();
    this.doc.markContent('Artifact', { type: 'Layout' });
    this.doc.addContent('q');
    for (const box of list) this.doc.lineWidth(box.weight).rect(round(box.x, 2), round(box.y, 2), round(box.width, 2), round(box.height, 2)).stroke(box.color);
    this.doc.addContent('Q');
    this.doc.endMarkedContent();
  }

  /** Bookmarks for the elements that carry one, nested by their level. */
  outline(): void {
    type Item = { addItem(title: string, options?: object): unknown };
    const stack: Array<{ level: number; item: Item }> = [{ level: 0, item: this.doc.outline }];
    for (const { node } of this.structure.walk()) {
      if (!node.bookmark) continue;
      const { title, level } = node.bookmark;
      while (stack.length > 1 && lastOf(stack).level >= level) stack.pop();
      const parent = lastOf(stack);
      stack.push({ level, item: parent.item.addItem(title, { pageNumber: this.firstPage.get(node.id) ?? 0, fit: true }) as Item });
    }
  }
}

/** The faces the pages draw with. */
function facesOf(lines: MarkedLine[]): Set<Face> {
  const faces = new Set<Face>();
  for (const line of lines) for (const p of line.line.placed) faces.add(p.piece.face);
  return faces;
}

export async function drawPdf(pages: MarkedPage[], options: DrawOptions): Promise<Uint8Array> {
  const { geometry, info, standard } = options;
  const labels = options.pageLabels;
  const allLines = [...pages.flatMap((p) => [...p.body, ...p.notes]), ...labels.filter((l): l is MarkedLine => l !== null)];
  const doc = openDocument({
    faces: facesOf(allLines),
    options: pdfkitOptions(info, standard, options.extraInfo),
    xmp: () => xmpPacket(info, standard),
  });
  // The logical structure, from the layout's role marks (reading order; notes after their marks).
  const head = options.letterhead;
  const structure = StructureTree.fromLayouts(options.structure, head?.image.alt);
  const drawer = new PageDrawer(doc, structure);
  const copyStarts = options.structure.map((part) => part.firstPage ?? 0);
  pages.forEach((page, index) => {
    drawer.startPage(index, geometry);
    // The letterhead: on a copy's first page its Figure (or decoration); repeated on later pages
    // (not on the blank pages of a print file), page furniture.
    const copy = copyStarts.indexOf(index);
    const blank = page.body.length === 0 && page.notes.length === 0;
    if (head && (copy >= 0 || (head.pages === 'all' && !blank))) {
      drawer.picture(head.image, head.x, head.top, copy >= 0 ? (structure.letterheads[copy] ?? null) : null, copy >= 0 ? 'Layout' : 'Pagination');
    }
    for (const line of page.body) drawer.line(line, geometry.left + (line.x ?? 0), geometry.top);
    if (page.notes.length > 0) {
      const notesTop = geometry.top + geometry.textHeight - page.notesHeight;
      drawer.rule(geometry.left, round(notesTop - options.noteSeparator / 2, 2), round(geometry.textWidth * options.noteRule.length, 3), options.noteRule.weight);
      for (const line of page.notes) drawer.line(line, geometry.left, notesTop);
    }
    drawer.boxes(options.artwork?.[index] ?? []);
    const label = labels[index];
    if (label) drawer.line(label, geometry.left, geometry.top + geometry.textHeight);
    drawer.endPage();
  });
  drawer.outline();
  await Promise.all(drawer.glyphFonts().map((font) => font.settleSubset({ cache: options.cache !== false })));
  return packObjectStreams(await documentBytes(doc));
}
