/**
 * Document model → flow of typeset lines and footnote lines, with the template's geometry.
 * This is the only place that knows how a letter is laid out on paper; pages are built by
 * src/typeset/pages.ts.
 */
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import { formatDate, type Template } from '../../model/template.js';
import type { FontChain } from '../../fonts/fontChain.js';
import { shape, shapeMany, type Piece, type Span, type SpanStyle } from '../../typeset/shape.js';
import { breakLines, type Align, type Line } from '../../typeset/lineBreak.js';
import type { FlowLine, NoteLines } from '../../typeset/pages.js';
import { signatoryLines } from '../signatoryLines.js';
import { BuildMemo } from '../../typeset/memo.js';

/**
 * Set lines and shaped list entries, per font chain (chains live across builds): paragraphs set
 * once are not shaped and broken again, in the same build or the next one (watch mode).
 */
interface LayoutMemo {
  /** Lines of a paragraph, by its spans, line spec and shaping options. */
  lines: BuildMemo<Line[]>;
  /** Shaped signatory entries, by text, size and shaping options. */
  entries: BuildMemo<Piece[]>;
  /** Lines of pre-shaped pieces (the entries above), by line spec. */
  entryLines: WeakMap<Piece[], Map<string, Line[]>>;
}
const memos = new WeakMap<FontChain, LayoutMemo>();

/** A cached line set handed out: callers may add pieces to a line (labels), so each gets its own list. */
const copyLines = (lines: Line[]): Line[] => lines.map((line) => ({ ...line, placed: [...line.placed] }));

export const A4 = { width: 595.28, height: 841.89 };
/** Footnote marks: 62 % of the text size, raised 42 % of it. */
export const MARK_SCALE = 0.62;
export const MARK_RISE = 0.42;

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

interface BlockStyle {
  size: number;
  lineHeight: number;
  bold?: boolean;
  align: Align;
  firstIndent: number;
  restIndent: number;
  /** Narrower measure on the right (block quotes). */
  rightIndent?: number;
  spaceBefore: number;
  keepWithNext?: boolean;
  block: string;
  columns?: FlowLine['columns'];
}

export class LetterLayout {
  readonly flow: FlowLine[] = [];
  readonly notes = new Map<number, NoteLines>();
  readonly geometry: Geometry;
  private readonly type: Template['type'];
  private readonly memo: LayoutMemo;

  constructor(
    private readonly document: LetterDocument,
    private readonly fonts: FontChain,
  ) {
    this.geometry = geometryOf(document.template);
    this.type = document.template.type;
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

  private get shapeOptions() {
    return { hanLatinSpace: this.type.hanLatinSpace, compressPunctuation: this.type.punctuationCompression, markScale: MARK_SCALE, markRise: MARK_RISE };
  }

  lines(spans: Span[] | Piece[], style: Omit<BlockStyle, 'block' | 'spaceBefore'>): Line[] {
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
    const key = JSON.stringify([spans, spec, this.shapeOptions]);
    const lines = this.memo.lines.get(key) ?? this.memo.lines.set(key, breakLines(shape(spans, this.fonts, this.shapeOptions), spec));
    return copyLines(lines);
  }

  /** The signatory entries shaped, from the memo where it has them; the rest in one batch. */
  private shapeEntries(entries: string[], size: number): Piece[][] {
    const keys = entries.map((entry) => JSON.stringify([entry, size, this.shapeOptions]));
    const found = keys.map((key) => this.memo.entries.get(key));
    const missing = entries.filter((_, i) => found[i] === undefined);
    const shaped = missing.length > 0 ? shapeMany(missing.map((entry) => [{ text: entry, style: { size, bold: false } }]), this.fonts, this.shapeOptions) : [];
    let next = 0;
    return found.map((pieces, i) => pieces ?? this.memo.entries.set(keys[i] as string, shaped[next++] as Piece[]));
  }

  addParagraph(spans: Span[] | Piece[], style: BlockStyle): void {
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
      });
    });
  }

  /** Add a line-start label (note number, list bullet) at x = `at` on the first line. */
  private label(line: Line | undefined, text: string, size: number, at: number): void {
    if (!line) return;
    const pieces = shape([{ text, style: { size, bold: false } }], this.fonts, { hanLatinSpace: 0, markScale: 1, markRise: 0 });
    let x = at;
    for (const piece of pieces) {
      line.placed.unshift({ piece, x, width: piece.width, offset: piece.offset });
      x += piece.width;
    }
  }

  addNote(number: number, blocks: Block[]): void {
    const size = this.type.noteSize;
    const hang = size * 1.6;
    const { height, baseline } = this.metrics(size, this.type.noteLineHeight);
    const out: NoteLines['lines'] = [];
    blocks.forEach((block, index) => {
      const spans = block.type === 'paragraph' || block.type === 'heading' ? this.spans(block.children, { size, bold: false }) : this.blockText(block, size);
      const lines = this.lines(spans, { size, lineHeight: this.type.noteLineHeight, align: 'justify', firstIndent: hang, restIndent: hang });
      if (index === 0) this.label(lines[0], String(number), size, 0);
      for (const line of lines) out.push({ line, height, baseline });
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

  spans(inlines: Inline[], style: SpanStyle): Span[] {
    const handlers: { [K in InlineType]: (node: InlineOf<K>, s: SpanStyle) => Span[] } = {
      text: (node, s) => [{ text: node.value, style: s }],
      // The CJK serif has no italic; emphasis and strong are both set in the bold face.
      emphasis: (node, s) => this.spans(node.children, { ...s, bold: true }),
      strong: (node, s) => this.spans(node.children, { ...s, bold: true }),
      code: (node, s) => [{ text: node.value, style: s }],
      break: (_node, s) => [{ text: '\n', style: s }],
      link: (node, s) => this.spans(node.children, { ...s, link: node.url }),
      noteRef: (node, s) => [{ mark: node.number, style: s }],
    };
    return inlines.flatMap((node) => (handlers[node.type] as (n: Inline, s: SpanStyle) => Span[])(node, style));
  }

  /** Body blocks; `paragraphIndent` is the first-line indent of paragraphs (none in list items). */
  addBlocks(
    blocks: Block[],
    indent: number,
    spaceBefore: number,
    paragraphIndent = this.type.firstLineIndent * this.type.bodySize,
    rightIndent = 0,
  ): void {
    const { bodySize: size, lineHeight, paragraphSpacing } = this.type;
    const between = paragraphSpacing * size * lineHeight;
    const handlers: { [K in BlockType]: (node: BlockOf<K>, first: boolean) => void } = {
      paragraph: (node, first) =>
        this.addParagraph(this.spans(node.children, { size, bold: false }), {
          size, lineHeight, align: 'justify', firstIndent: indent + paragraphIndent, restIndent: indent,
          rightIndent, spaceBefore: first ? spaceBefore : between, block: 'body',
        }),
      heading: (node, first) =>
        this.addParagraph(this.spans(node.children, { size, bold: true }), {
          size, lineHeight, bold: true, align: 'left', firstIndent: indent, restIndent: indent, rightIndent,
          spaceBefore: first ? spaceBefore : size * lineHeight * 0.5, keepWithNext: true, block: 'heading',
        }),
      blockquote: (node) => this.addBlocks(node.children, indent + 2 * size, 0, paragraphIndent, rightIndent + 2 * size),
      thematicBreak: () =>
        this.addParagraph([{ text: '＊　＊　＊', style: { size, bold: false } }], {
          size, lineHeight, align: 'center', firstIndent: 0, restIndent: 0, spaceBefore: 0, block: 'body',
        }),
      list: (node) =>
        node.items.forEach((item, index) => {
          const bullet = node.ordered ? `${node.start + index}.` : '•';
          const start = this.flow.length;
          this.addBlocks(item, indent + 2 * size, 0, 0, rightIndent);
          this.label(this.flow[start]?.line, bullet, size, indent + 0.5 * size);
        }),
    };
    blocks.forEach((block, index) => (handlers[block.type] as (n: Block, f: boolean) => void)(block, index === 0));
  }

  layoutLetter(): void {
    const { meta, template } = this.document;
    const { labels } = template;
    const { bodySize: size, lineHeight, firstLineIndent } = this.type;
    const blank = size * lineHeight;
    const plain = (text: string, bold = false): Span[] => [{ text, style: { size, bold } }];
    const simple = (block: string, align: Align = 'left', spaceBefore = 0, extra: Partial<BlockStyle> = {}) => ({
      size, lineHeight, align, firstIndent: 0, restIndent: 0, spaceBefore, block, ...extra,
    });

    this.addParagraph(plain(formatDate(meta.date, template)), simple('date', 'right'));
    meta.to.forEach((party) => {
      [party.name, ...party.address].forEach((text, n) => this.addParagraph(plain(text), simple('to', 'left', n === 0 ? blank : 0)));
    });
    if (meta.cc.length > 0) {
      this.addParagraph(plain(`${labels.cc}${labels.labelSeparator.trimEnd()}`), simple('cc', 'left', blank * 0.6, { keepWithNext: true }));
      meta.cc.forEach((party, index) => {
        [party.name, ...party.address].forEach((text, n) =>
          this.addParagraph(plain(text), simple('cc', 'left', n === 0 && index > 0 ? blank * 0.4 : 0, { firstIndent: 2 * size, restIndent: 2 * size })),
        );
      });
    }
    const subjectLabel = `${labels.subject}${labels.labelSeparator}`;
    this.addParagraph(plain(`${subjectLabel}${meta.subject}`, true), simple('subject', 'justify', blank, { bold: true }));
    this.addParagraph(plain(meta.salutation), simple('salutation', 'left', blank, { keepWithNext: true }));
    this.addBlocks(this.document.body, 0, 0);
    this.addParagraph(plain(meta.closing), simple('closing', 'left', this.type.paragraphSpacing * blank, { firstIndent: firstLineIndent * size }));
    for (const note of this.document.notes) this.addNote(note.number, note.blocks);
    this.layoutSignatories();
  }

  private layoutSignatories(): void {
    const list = this.document.signatories;
    if (!list) return;
    const { template } = this.document;
    const { listSize: size, listLineHeight: lineHeight, bodySize, lineHeight: bodyLineHeight } = this.type;
    const lines = signatoryLines(list, template);
    const heading = (text: string, spaceBefore: number, block: string) =>
      this.addParagraph([{ text, style: { size: bodySize, bold: true } }], {
        size: bodySize, lineHeight: bodyLineHeight, bold: true, align: 'center', firstIndent: 0, restIndent: 0,
        spaceBefore, keepWithNext: true, block,
      });
    heading(lines.heading, bodySize * bodyLineHeight * 2, 'listHeading');
    // Long lists of short entries flow in two columns; entries too long for half the measure
    // (as most of this letter's organisation names are) keep the full width.
    const all = [...lines.organizations, ...lines.individuals];
    const shaped = this.shapeEntries(all, size);
    const gap = 2 * size;
    const columnWidth = (this.geometry.textWidth - gap) / 2;
    const fitting = shaped.filter((pieces) => naturalWidth(pieces) <= columnWidth).length;
    const columns = all.length >= 40 && fitting >= (2 / 3) * all.length ? { count: 2, width: columnWidth, gap } : undefined;
    const rightIndent = columns ? this.geometry.textWidth - columnWidth : 0;
    let next = 0;
    const section = (label: string, count: number) => {
      if (count === 0) return;
      this.addParagraph([{ text: label, style: { size, bold: true } }], {
        size, lineHeight, bold: true, align: 'left', firstIndent: 0, restIndent: 0, rightIndent, spaceBefore: size * lineHeight * 0.8,
        keepWithNext: true, block: 'listSection', columns,
      });
      for (const pieces of shaped.slice(next, next + count)) {
        this.addParagraph(pieces, {
          size, lineHeight, align: 'left', firstIndent: 0, restIndent: size * 2, rightIndent, spaceBefore: size * 0.25, block: 'listEntry', columns,
        });
      }
      next += count;
    };
    section(template.labels.organizations, lines.organizations.length);
    section(template.labels.individuals, lines.individuals.length);
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
