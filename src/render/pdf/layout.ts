/**
 * Document model → flow of typeset lines and footnote lines, with the template's geometry.
 * This is the only place that knows how a letter is laid out on paper; pages are built by
 * src/typeset/pages.ts.
 */
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import { formatDate } from '../../template/format.js';
import { type Template } from '../../template/schema.js';
import type { FontChain } from '../../fonts/fontChain.js';
import { shape, shapeMany, type Piece, type Span, type SpanStyle } from '../../typeset/shape.js';
import { breakLines, type Align, type Line } from '../../typeset/lineBreak.js';
import type { FlowLine, LineTag, NoteLines } from '../../typeset/pages.js';
import { signatoryLines } from '../signatoryLines.js';
import { StructureTree, headingRole, lineTag, type StructRole } from './structure.js';

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
  /** Where the lines' text goes in the PDF's structure tree. */
  tag?: LineTag;
}

export class LetterLayout {
  readonly flow: FlowLine[] = [];
  readonly notes = new Map<number, NoteLines>();
  /** The tagged PDF's logical structure, in reading order (src/render/pdf/structure.ts). */
  readonly structure = new StructureTree();
  /** The element whose text holds each footnote mark. */
  private readonly noteReferrers = new Map<number, number>();
  readonly geometry: Geometry;
  private readonly type: Template['type'];

  constructor(
    private readonly document: LetterDocument,
    private readonly fonts: FontChain,
  ) {
    this.geometry = geometryOf(document.template);
    this.type = document.template.type;
  }

  /** Vertical metrics of a line box: CJK text centred in its leading, on the ideographic em box. */
  private metrics(size: number, lineHeight: number) {
    const height = size * lineHeight;
    return { height, baseline: (height - size) / 2 + 0.88 * size };
  }

  /** Headings below the subject start one level down when the subject is the H1. */
  private get headingBase(): number {
    return this.document.template.pdf.subjectRole === 'H1' ? 1 : 0;
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
    const pieces = isPieces(spans) ? spans : shape(spans, this.fonts, this.shapeOptions);
    return breakLines(pieces, {
      width,
      firstIndent: style.firstIndent,
      restIndent: style.restIndent,
      align: style.align,
    });
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
        ...(style.tag ? { tag: style.tag } : {}),
      });
      if (style.tag && 'node' in style.tag) for (const n of line.notes) if (!this.noteReferrers.has(n)) this.noteReferrers.set(n, style.tag.node);
    });
  }

  /** A paragraph that is one element of the structure tree. */
  private addElement(spans: Span[] | Piece[], style: BlockStyle, role: StructRole, parent: number, extra: { bookmark?: { title: string; level: number } } = {}): number {
    const node = this.structure.add(role, parent, extra);
    this.addParagraph(spans, { ...style, tag: lineTag(node) });
    return node;
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
    const size = this.type.noteSize;
    const hang = size * 1.6;
    const { height, baseline } = this.metrics(size, this.type.noteLineHeight);
    const out: NoteLines['lines'] = [];
    // A Note right after the element that holds its mark; its number is the Note's label.
    const note = this.structure.addNote(number, this.noteReferrers.get(number));
    const lbl = this.structure.add('Lbl', note);
    blocks.forEach((block, index) => {
      const spans = block.type === 'paragraph' || block.type === 'heading' ? this.spans(block.children, { size, bold: false }) : this.blockText(block, size);
      const lines = this.lines(spans, { size, lineHeight: this.type.noteLineHeight, align: 'justify', firstIndent: hang, restIndent: hang });
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
    parent = this.structure.root,
  ): void {
    const { bodySize: size, lineHeight, paragraphSpacing } = this.type;
    const between = paragraphSpacing * size * lineHeight;
    const handlers: { [K in BlockType]: (node: BlockOf<K>, first: boolean) => void } = {
      paragraph: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: false }), {
          size, lineHeight, align: 'justify', firstIndent: indent + paragraphIndent, restIndent: indent,
          rightIndent, spaceBefore: first ? spaceBefore : between, block: 'body',
        }, 'P', parent);
      },
      heading: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: true }), {
          size, lineHeight, bold: true, align: 'left', firstIndent: indent, restIndent: indent, rightIndent,
          spaceBefore: first ? spaceBefore : size * lineHeight * 0.5, keepWithNext: true, block: 'heading',
        }, headingRole(this.headingBase + node.depth), parent, { bookmark: { title: inlineText(node.children), level: 1 + node.depth } });
      },
      blockquote: (node) =>
        this.addBlocks(node.children, indent + 2 * size, 0, paragraphIndent, rightIndent + 2 * size, this.structure.add('BlockQuote', parent)),
      thematicBreak: () =>
        this.addParagraph([{ text: '＊　＊　＊', style: { size, bold: false } }], {
          size, lineHeight, align: 'center', firstIndent: 0, restIndent: 0, spaceBefore: 0, block: 'body', tag: { artifact: 'Layout' },
        }),
      list: (node) => {
        const list = this.structure.add('L', parent);
        node.items.forEach((item, index) => {
          const bullet = node.ordered ? `${node.start + index}.` : '•';
          const start = this.flow.length;
          const li = this.structure.add('LI', list);
          const lbl = this.structure.add('Lbl', li);
          this.addBlocks(item, indent + 2 * size, 0, 0, rightIndent, this.structure.add('LBody', li));
          const first = this.flow[start];
          const pieces = this.label(first?.line, bullet, size, indent + 0.5 * size);
          if (first?.tag && 'node' in first.tag) first.tag = lineTag(first.tag.node, { pieces, node: lbl });
        });
      },
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
    const { structure } = this;

    this.addElement(plain(formatDate(meta.date, template)), simple('date', 'right'), 'P', structure.root);
    // Each address block a Div, each of its lines a P.
    meta.to.forEach((party) => {
      const div = structure.add('Div');
      [party.name, ...party.address].forEach((text, n) => this.addElement(plain(text), simple('to', 'left', n === 0 ? blank : 0), 'P', div));
    });
    if (meta.cc.length > 0) {
      this.addElement(plain(`${labels.cc}${labels.labelSeparator.trimEnd()}`), simple('cc', 'left', blank * 0.6, { keepWithNext: true }), 'P', structure.root);
      meta.cc.forEach((party, index) => {
        const div = structure.add('Div');
        [party.name, ...party.address].forEach((text, n) =>
          this.addElement(plain(text), simple('cc', 'left', n === 0 && index > 0 ? blank * 0.4 : 0, { firstIndent: 2 * size, restIndent: 2 * size }), 'P', div),
        );
      });
    }
    const subjectLabel = `${labels.subject}${labels.labelSeparator}`;
    this.addElement(plain(`${subjectLabel}${meta.subject}`, true), simple('subject', 'justify', blank, { bold: true }), template.pdf.subjectRole, structure.root, { bookmark: { title: meta.subject, level: 1 } });
    this.addElement(plain(meta.salutation), simple('salutation', 'left', blank, { keepWithNext: true }), 'P', structure.root);
    this.addBlocks(this.document.body, 0, 0);
    this.addElement(plain(meta.closing), simple('closing', 'left', this.type.paragraphSpacing * blank, { firstIndent: firstLineIndent * size }), 'P', structure.root);
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
      this.addElement([{ text, style: { size: bodySize, bold: true } }], {
        size: bodySize, lineHeight: bodyLineHeight, bold: true, align: 'center', firstIndent: 0, restIndent: 0,
        spaceBefore, keepWithNext: true, block,
      }, headingRole(this.headingBase + 1), this.structure.root, { bookmark: { title: text, level: 1 } });
    heading(lines.heading, bodySize * bodyLineHeight * 2, 'listHeading');
    // Long lists of short entries flow in two columns; entries too long for half the measure
    // (as most of this letter's organisation names are) keep the full width.
    const all = [...lines.organizations, ...lines.individuals];
    const shaped = shapeMany(all.map((entry) => [{ text: entry, style: { size, bold: false } }]), this.fonts, this.shapeOptions);
    const gap = 2 * size;
    const columnWidth = (this.geometry.textWidth - gap) / 2;
    const fitting = shaped.filter((pieces) => naturalWidth(pieces) <= columnWidth).length;
    const columns = all.length >= 40 && fitting >= (2 / 3) * all.length ? { count: 2, width: columnWidth, gap } : undefined;
    const rightIndent = columns ? this.geometry.textWidth - columnWidth : 0;
    let next = 0;
    const section = (label: string, count: number) => {
      if (count === 0) return;
      this.addElement([{ text: label, style: { size, bold: true } }], {
        size, lineHeight, bold: true, align: 'left', firstIndent: 0, restIndent: 0, rightIndent, spaceBefore: size * lineHeight * 0.8,
        keepWithNext: true, block: 'listSection', columns,
      }, headingRole(this.headingBase + 2), this.structure.root, { bookmark: { title: label, level: 2 } });
      const list = this.structure.add('L');
      for (const pieces of shaped.slice(next, next + count)) {
        this.addElement(pieces, {
          size, lineHeight, align: 'left', firstIndent: 0, restIndent: size * 2, rightIndent, spaceBefore: size * 0.25, block: 'listEntry', columns,
        }, 'LBody', this.structure.add('LI', list));
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
