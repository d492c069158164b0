/**
 * Letter frame → flow of typeset lines and footnote lines, with the template's geometry.
 * Only the PDF edition knows about pages: this file turns each role of the frame (src/frame)
 * into lines through a typed table; src/typeset/pages.ts builds the pages.
 */
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import type { Template } from '../../template/schema.js';
import type { FontChain } from '../../fonts/fontChain.js';
import type { SourcePoint, SourceRef } from '../../diagnostics/index.js';
import { buildFrame, type BlockStyle, type BodyStyle, type FrameBlock, type FrameBlockOf, type LetterFrame, type Role } from '../../frame/index.js';
import { shape, shapeMany, type Piece, type ShapeOptions, type Span, type SpanStyle } from '../../typeset/shape.js';
import { breakLines, type Align, type Line } from '../../typeset/lineBreak.js';
import type { FlowLine, LineTag, NoteLines } from '../../typeset/pages.js';
import { BuildMemo } from '../../typeset/memo.js';
import { StructureTree, headingRole, lineTag, type StructRole } from './structure.js';

/**
 * Set lines and shaped list entries, per font chain (chains live across builds): paragraphs set
 * once are not shaped and broken again, in the same build or the next one (watch mode).
 */
interface LayoutMemo {
  /** Lines of a paragraph, by its text and styles, line spec and shaping options. */
  lines: BuildMemo<Line[]>;
  /** Shaped signatory entries, by text, style and shaping options. */
  entries: BuildMemo<Piece[]>;
  /** Lines of pre-shaped pieces (the entries above), by line spec. */
  entryLines: WeakMap<Piece[], Map<string, Line[]>>;
}
const memos = new WeakMap<FontChain, LayoutMemo>();

/** A cached line set handed out: callers may add pieces to a line (labels), so each gets its own list. */
const copyLines = (lines: Line[]): Line[] => lines.map((line) => ({ ...line, placed: [...line.placed] }));

/**
 * What set lines depend on in a span: its text or mark and style. Its source position (used only
 * to place an error about a character no font has) is left out, so text that moved keeps its lines.
 */
const spanKey = (span: Span) => ('text' in span ? [span.text, span.style] : [span.mark, span.style]);

export const A4 = { width: 595.28, height: 841.89 };
/** Most entries in one tagged list (L) of signatories. */
const LIST_CHUNK = 200;

export interface Geometry {
  pageWidth: number;
  pageHeight: number;
  left: number;
  top: number;
  textWidth: number;
  textHeight: number;
  bottomMargin: number;
}

export function geometryOf(template: Template): Geometry {
  const m = template.page.margins;
  return {
    pageWidth: A4.width,
    pageHeight: A4.height,
    left: m.left,
    top: m.top,
    textWidth: A4.width - m.left - m.right,
    textHeight: A4.height - m.top - m.bottom,
    bottomMargin: m.bottom,
  };
}

/** How one paragraph is broken into lines. */
interface LineStyle {
  size: number;
  lineHeight: number;
  align: Align;
  firstIndent: number;
  restIndent: number;
  /** Narrower measure on the right (block quotes, list columns). */
  rightIndent?: number;
}

/** How one paragraph's lines go into the flow. */
interface ParagraphStyle extends LineStyle {
  spaceBefore: number;
  keepWithNext?: boolean;
  block: string;
  columns?: FlowLine['columns'];
  /** Where the lines' text goes in the PDF's structure tree. */
  tag?: LineTag;
}

/** A frame block's style as the line breaker takes it. */
function paragraphStyle(style: BlockStyle, block: string, extra: Partial<ParagraphStyle> = {}): ParagraphStyle {
  return {
    size: style.size,
    lineHeight: style.lineHeight,
    align: style.align,
    firstIndent: style.indent + style.firstIndent,
    restIndent: style.indent + style.hang,
    spaceBefore: style.spaceBefore,
    keepWithNext: style.keepWithNext,
    block,
    ...extra,
  };
}

/** The PDF's handling of each frame role. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>) => void };

export class LetterLayout {
  readonly flow: FlowLine[] = [];
  readonly notes = new Map<number, NoteLines>();
  readonly geometry: Geometry;
  readonly frame: LetterFrame;
  readonly shapeOptions: ShapeOptions;
  /** The letter's language, when the template hyphenates justified text. */
  private readonly hyphenation: string | null;
  private readonly memo: LayoutMemo;
  /** The tagged PDF's logical structure, in reading order (src/render/pdf/structure.ts). */
  readonly structure = new StructureTree();
  /** The element whose text holds each footnote mark. */
  private readonly noteReferrers = new Map<number, number>();
  private readonly pdfOptions: Template['pdf'];
  /** The subject without its label: the letter's bookmark. */
  private readonly subject: string;
  private readonly letterPath: string | undefined;

  constructor(
    document: LetterDocument,
    private readonly fonts: FontChain,
  ) {
    this.geometry = geometryOf(document.template);
    this.pdfOptions = document.template.pdf;
    this.subject = document.meta.subject;
    this.frame = buildFrame(document);
    this.letterPath = document.sources?.letter;
    const { type } = document.template;
    const { markScale, markRise } = this.frame.notesStyle;
    this.shapeOptions = {
      hanLatinSpace: type.hanLatinSpace, compressPunctuation: type.punctuationCompression, markScale, markRise,
      emphasis: type.emphasis, keepAll: type.wordBreak === 'keep-all',
    };
    this.hyphenation = type.hyphenate ? document.meta.lang : null;
    let memo = memos.get(fonts);
    if (!memo) memos.set(fonts, (memo = { lines: new BuildMemo(), entries: new BuildMemo(), entryLines: new WeakMap() }));
    memo.lines.nextBuild();
    memo.entries.nextBuild();
    this.memo = memo;
  }

  /** Vertical metrics of a line box: CJK text centred in its leading, on the ideographic em box. */
  private metrics(size: number, lineHeight: number) {
    const height = size * lineHeight;
    return { height, baseline: (height - size) / 2 + 0.88 * size };
  }

  lines(spans: Span[] | Piece[], style: LineStyle): Line[] {
    const width = this.geometry.textWidth - (style.rightIndent ?? 0);
    if (!isPieces(spans) && spans.some((s) => 'text' in s && s.text.includes('\n'))) {
      // A hard line break (Markdown "  " or "\\" at a line end): each part is set as its own
      // paragraph, the part before the break not stretched, the parts after not indented.
      return splitAtBreaks(spans).flatMap((part, index) =>
        this.lines(part, index === 0 ? style : { ...style, firstIndent: style.restIndent }),
      );
    }
    const spec = { width, firstIndent: style.firstIndent, restIndent: style.restIndent, align: style.align };
    if (isPieces(spans)) {
      let bySpec = this.memo.entryLines.get(spans);
      if (!bySpec) this.memo.entryLines.set(spans, (bySpec = new Map()));
      const specKey = JSON.stringify(spec);
      const lines = bySpec.get(specKey) ?? breakLines(spans, spec);
      bySpec.set(specKey, lines);
      return copyLines(lines);
    }
    // Justified text is hyphenated where the template asks, in the letter's language.
    const hyphenate = style.align === 'justify' && this.hyphenation ? { hyphenate: this.hyphenation } : {};
    const options = { ...this.shapeOptions, ...hyphenate };
    const key = JSON.stringify([spans.map(spanKey), spec, options]);
    const lines = this.memo.lines.get(key) ?? this.memo.lines.set(key, breakLines(shape(spans, this.fonts, options), spec));
    return copyLines(lines);
  }

  /** The signatory entries shaped, from the memo where it has them; the rest in one batch. */
  private shapeEntries(entries: Array<FrameBlockOf<'signatoryEntry'>>): Piece[][] {
    const keys = entries.map((e) => JSON.stringify([e.text, e.style.size, e.style.bold, this.shapeOptions]));
    const found = keys.map((key) => this.memo.entries.get(key));
    const missing = entries.filter((_, i) => found[i] === undefined);
    const shaped =
      missing.length > 0
        ? shapeMany(
            missing.map((e) => [{ text: e.text, style: { size: e.style.size, bold: e.style.bold }, ...(e.source ? { source: e.source } : {}) }]),
            this.fonts,
            this.shapeOptions,
          )
        : [];
    let next = 0;
    return found.map((pieces, i) => pieces ?? this.memo.entries.set(keys[i] as string, shaped[next++] as Piece[]));
  }

  addParagraph(spans: Span[] | Piece[], style: ParagraphStyle): void {
    const lines = this.lines(spans, style);
    const { height, baseline } = this.metrics(style.size, style.lineHeight);
    lines.forEach((line, n) => {
      this.flow.push({
        line,
        height,
        baseline,
        spaceBefore: n === 0 ? style.spaceBefore : 0,
        // Orphans and widows: keep a paragraph's first two and last two lines together.
        keepWithNext: (style.keepWithNext === true && n === lines.length - 1) || (lines.length > 1 && (n === 0 || n === lines.length - 2)),
        block: style.block,
        ...(style.columns ? { columns: style.columns } : {}),
        ...(style.tag ? { tag: style.tag } : {}),
      });
      if (style.tag && 'node' in style.tag) for (const n of line.notes) if (!this.noteReferrers.has(n)) this.noteReferrers.set(n, style.tag.node);
    });
  }

  /** A paragraph that is one element of the structure tree (returns the element). */
  private addElement(spans: Span[] | Piece[], style: ParagraphStyle, role: StructRole, parent: number, extra: { bookmark?: { title: string; level: number } } = {}): number {
    const node = this.structure.add(role, parent, extra);
    this.addParagraph(spans, { ...style, tag: lineTag(node) });
    return node;
  }

  /** Headings below the subject start one level down when the subject is the H1. */
  private get headingBase(): number {
    return this.pdfOptions.subjectRole === 'H1' ? 1 : 0;
  }

  /** Add a line-start label (note number, list bullet) at x = `at` on the first line; returns how many pieces it has. */
  private label(line: Line | undefined, text: string, size: number, at: number): number {
    if (!line) return 0;
    const pieces = shape([{ text, style: { size, bold: false } }], this.fonts, { hanLatinSpace: 0, markScale: 1, markRise: 0 });
    let x = at;
    line.placed.unshift(...pieces.map((piece) => {
      const placed = { piece, x, width: piece.width, offset: piece.offset };
      x += piece.width;
      return placed;
    }));
    return pieces.length;
  }

  addNote(number: number, blocks: Block[]): void {
    const { size, lineHeight, hang } = this.frame.notesStyle;
    const { height, baseline } = this.metrics(size, lineHeight);
    const out: NoteLines['lines'] = [];
    // A Note right after the element that holds its mark; its number is the Note's label.
    const note = this.structure.addNote(number, this.noteReferrers.get(number));
    const lbl = this.structure.add('Lbl', note);
    blocks.forEach((block, index) => {
      const spans = block.type === 'paragraph' || block.type === 'heading' ? this.spans(block.children, { size, bold: false }) : this.blockText(block, size);
      const lines = this.lines(spans, { size, lineHeight, align: 'justify', firstIndent: hang, restIndent: hang });
      const node = this.structure.add('P', note);
      const labelPieces = index === 0 ? this.label(lines[0], String(number), size, 0) : 0;
      lines.forEach((line, n) => out.push({ line, height, baseline, tag: lineTag(node, n === 0 ? { pieces: labelPieces, node: lbl } : undefined) }));
    });
    this.notes.set(number, { number, lines: out });
  }

  /** Plain text of a non-paragraph block inside a note, as one paragraph. */
  private blockText(block: Block, size: number): Span[] {
    const text = (b: Block): string =>
      b.type === 'paragraph' || b.type === 'heading'
        ? inlineText(b.children)
        : b.type === 'list'
          ? b.items.map((item) => item.map(text).join(' ')).join('; ')
          : b.type === 'blockquote'
            ? b.children.map(text).join(' ')
            : '';
    return [{ text: text(block), style: { size, bold: false } }];
  }

  /** Where text of the letter came from, for messages about a character no font has. */
  private sourceOf(at: SourcePoint | undefined): { source?: SourceRef } {
    return this.letterPath ? { source: { path: this.letterPath, ...(at ? { at } : {}) } } : {};
  }

  spans(inlines: Inline[], style: SpanStyle): Span[] {
    const handlers: { [K in InlineType]: (node: InlineOf<K>, s: SpanStyle) => Span[] } = {
      text: (node, s) => [{ text: node.value, style: s, ...this.sourceOf(node.at) }],
      // Italic where the face has one; else bold or emphasis dots, as the template says.
      emphasis: (node, s) => this.spans(node.children, { ...s, emphasis: true }),
      strong: (node, s) => this.spans(node.children, { ...s, bold: true }),
      code: (node, s) => [{ text: node.value, style: s }],
      break: (_node, s) => [{ text: '\n', style: s }],
      link: (node, s) => this.spans(node.children, { ...s, link: node.url }),
      noteRef: (node, s) => [{ mark: node.number, style: s }],
    };
    return inlines.flatMap((node) => (handlers[node.type] as (n: Inline, s: SpanStyle) => Span[])(node, style));
  }

  /**
   * Body blocks at a left `indent` and `rightIndent`; `paragraphIndent` is the first-line indent
   * of paragraphs (none in list items), `spaceBefore` the space above the first block.
   */
  addBlocks(body: BodyStyle, blocks: Block[], indent: number, spaceBefore: number, paragraphIndent: number, rightIndent = 0, parent = this.structure.root): void {
    const { size, lineHeight } = body.paragraph;
    const handlers: { [K in BlockType]: (node: BlockOf<K>, first: boolean) => void } = {
      paragraph: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: false }), {
          size, lineHeight, align: body.paragraph.align, firstIndent: indent + paragraphIndent, restIndent: indent,
          rightIndent, spaceBefore: first ? spaceBefore : body.paragraphSpacing, block: 'body',
        }, 'P', parent);
      },
      heading: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: true }), {
          size, lineHeight, align: 'left', firstIndent: indent, restIndent: indent, rightIndent,
          spaceBefore: first ? spaceBefore : body.headingSpaceBefore, keepWithNext: true, block: 'heading',
        }, headingRole(this.headingBase + node.depth), parent, { bookmark: { title: inlineText(node.children), level: 1 + node.depth } });
      },
      blockquote: (node) =>
        this.addBlocks(body, node.children, indent + body.quoteIndent, 0, paragraphIndent, rightIndent + body.quoteIndent, this.structure.add('BlockQuote', parent)),
      thematicBreak: () =>
        this.addParagraph([{ text: body.sectionBreak, style: { size, bold: false } }], {
          size, lineHeight, align: 'center', firstIndent: 0, restIndent: 0, spaceBefore: 0, block: 'body', tag: { artifact: 'Layout' },
        }),
      list: (node) => {
        const list = this.structure.add('L', parent);
        node.items.forEach((item, index) => {
          const bullet = node.ordered ? `${node.start + index}.` : '•';
          const start = this.flow.length;
          const li = this.structure.add('LI', list);
          const lbl = this.structure.add('Lbl', li);
          this.addBlocks(body, item, indent + body.listIndent, 0, 0, rightIndent, this.structure.add('LBody', li));
          const first = this.flow[start];
          const pieces = this.label(first?.line, bullet, size, indent + body.bulletAt);
          if (first?.tag && 'node' in first.tag) first.tag = lineTag(first.tag.node, { pieces, node: lbl });
          // The first two entries and the last two stay together (at a page foot and head).
          const last = this.flow.at(-1);
          if (last && this.flow.length > start && (index === 0 || index === node.items.length - 2)) last.keepWithNext = true;
        });
      },
    };
    blocks.forEach((block, index) => (handlers[block.type] as (n: Block, f: boolean) => void)(block, index === 0));
  }

  /** One paragraph of plain text in a frame block's style: one element of the structure tree. */
  private plain(
    text: string,
    style: BlockStyle,
    block: string,
    source: SourceRef | undefined,
    role: StructRole = 'P',
    parent = this.structure.root,
    bookmark?: { title: string; level: number },
  ): void {
    const spans: Span[] = [{ text, style: { size: style.size, bold: style.bold }, ...(source ? { source } : {}) }];
    this.addElement(spans, paragraphStyle(style, block), role, parent, bookmark ? { bookmark } : {});
  }

  /** A recipient or copy: its name and address lines, each a line of its own (a Div of P). */
  private party(lines: string[], style: BlockStyle, block: string, source?: SourceRef): void {
    const div = this.structure.add('Div');
    lines.forEach((text, n) => this.plain(text, n === 0 ? style : { ...style, spaceBefore: 0 }, block, source, 'P', div));
  }

  /** The signatory list's blocks, set after the letter once the column decision can be made. */
  private readonly listBlocks: Array<FrameBlockOf<'sectionHeading'> | FrameBlockOf<'signatoryEntry'>> = [];

  private readonly roles: RoleHandlers = {
    date: (block) => this.plain(block.text, block.style, 'date', block.source),
    recipient: (block) => this.party(block.lines, block.style, 'to', block.source),
    ccLabel: (block) => this.plain(block.text, block.style, 'cc', block.source),
    ccRecipient: (block) => this.party(block.lines, block.style, 'cc', block.source),
    subject: (block) =>
      this.plain(block.text, block.style, 'subject', block.source, this.pdfOptions.subjectRole, this.structure.root, { title: this.subject, level: 1 }),
    salutation: (block) => this.plain(block.text, block.style, 'salutation', block.source),
    // The salutation stands above the first paragraph as paragraphs stand apart (as in the DOCX and HTML).
    body: (block) => this.addBlocks(block.style, block.blocks, 0, block.style.paragraphSpacing, block.style.paragraph.firstIndent),
    closing: (block) => this.plain(block.text, block.style, 'closing', block.source),
    signatoriesHeading: (block) =>
      this.plain(block.text, block.style, 'listHeading', block.source, headingRole(this.headingBase + 1), this.structure.root, { title: block.text, level: 1 }),
    sectionHeading: (block) => this.listBlocks.push(block),
    signatoryEntry: (block) => this.listBlocks.push(block),
  };

  layoutLetter(): void {
    for (const block of this.frame.blocks) (this.roles[block.role] as (b: FrameBlock) => void)(block);
    for (const note of this.frame.notes) this.addNote(note.number, note.blocks);
    this.layoutSignatories(this.listBlocks);
  }

  /**
   * The list's section headings and entries. Long lists of short entries flow in two columns
   * (the template's `signatoryColumns`); entries too long for half the measure (as most of the
   * seed letter's organisation names are) keep the full width.
   */
  private layoutSignatories(list: Array<FrameBlockOf<'sectionHeading'> | FrameBlockOf<'signatoryEntry'>>): void {
    const entries = list.filter((b): b is FrameBlockOf<'signatoryEntry'> => b.role === 'signatoryEntry');
    if (entries.length === 0) return;
    const shaped = this.shapeEntries(entries);
    const { minEntries, minFitting, gap } = this.frame.signatoryColumns;
    const columnWidth = (this.geometry.textWidth - gap) / 2;
    const fitting = shaped.filter((pieces) => naturalWidth(pieces) <= columnWidth).length;
    const columns = entries.length >= minEntries && fitting >= minFitting * entries.length ? { count: 2, width: columnWidth, gap } : undefined;
    const narrow = columns ? { rightIndent: this.geometry.textWidth - columnWidth, columns } : {};
    let next = 0;
    // Each section a heading and a list (L), each entry an LI with its LBody.
    let section: number | null = null;
    for (const [index, block] of list.entries()) {
      if (block.role === 'sectionHeading') {
        const source = block.source ? { source: block.source } : {};
        const heading = headingRole(this.headingBase + 2);
        this.addElement([{ text: block.text, style: { size: block.style.size, bold: block.style.bold }, ...source }], paragraphStyle(block.style, 'listSection', narrow), heading, this.structure.root, {
          bookmark: { title: block.text, level: 2 },
        });
        section = null;
      } else {
        // A long section is tagged as consecutive lists of LIST_CHUNK entries: pdf.js (our
        // preflight, Firefox) reads a page's structure in time quadratic in the length of the
        // lists it touches, which made a 10,000-name list take minutes to check.
        if (section === null || this.structure.node(section).children.length >= LIST_CHUNK) section = this.structure.add('L');
        // A section's first two entries stay together (and with its heading), and its last two.
        const entryAt = (k: number) => list[k]?.role === 'signatoryEntry';
        const keepWithNext = entryAt(index + 1) && (!entryAt(index - 1) || !entryAt(index + 2));
        this.addElement(shaped[next++] as Piece[], paragraphStyle(block.style, 'listEntry', { ...narrow, keepWithNext }), 'LBody', this.structure.add('LI', section));
      }
    }
  }
}

/** Split spans at hard line breaks ("\n"). */
function splitAtBreaks(spans: Span[]): Span[][] {
  const parts: Span[][] = [[]];
  for (const span of spans) {
    if (!('text' in span)) {
      (parts.at(-1) as Span[]).push(span);
      continue;
    }
    span.text.split('\n').forEach((text, index) => {
      if (index > 0) parts.push([]);
      if (text) (parts.at(-1) as Span[]).push({ ...span, text });
    });
  }
  return parts.filter((part) => part.length > 0);
}

/** Width of pieces set on one line at their natural spacing. */
function naturalWidth(pieces: Piece[]): number {
  return pieces.reduce((sum, p, k) => sum + p.width + (k > 0 ? (p.glueBefore?.width ?? 0) : 0), 0);
}

function isPieces(list: Span[] | Piece[]): list is Piece[] {
  return list.length > 0 && 'face' in (list[0] as object);
}

function inlineText(inlines: Inline[]): string {
  return inlines
    .map((i) => (i.type === 'text' || i.type === 'code' ? i.value : 'children' in i ? inlineText(i.children) : i.type === 'break' ? '\n' : ''))
    .join('');
}
