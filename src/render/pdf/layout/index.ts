/**
 * Letter frame → flow of typeset lines and footnote lines, each line with a role mark (what its
 * text is: src/render/pdf/marks.ts). Only the PDF edition knows about pages: this file turns each
 * role of the frame and each block type of the body into lines through typed tables; the line
 * setting and its memo (./lineSetter.ts), line-start labels (./labels.ts) and the column rule of
 * the signatory list (./columns.ts) live apart; src/typeset/pages.ts builds the pages and
 * src/render/pdf/structure.ts the tagged structure, when the PDF is drawn.
 */
import type { SourcePoint, SourceRef } from '../../../diagnostics/index.js';
import { fontChainFor } from '../../../fonts/fontChain.js';
import { listMarker } from '../../../frame/index.js';
import type {
  Block, BlockOf, BlockStyle, BlockType, BodyStyle, FrameBlockOf, Inline, InlineOf, InlineType, LetterFrame, Role,
} from '../../../frame/types.js';
import type { Piece, Span, SpanStyle } from '../../../typeset/shape.js';
import type { Line } from '../../../typeset/lineBreak.js';
import { element, headingRole, textMark, type ElementMark, type MarkedFlowLine, type MarkedNoteLines, type RoleMark, type StructRole } from '../marks.js';
import { geometryOf, type Geometry } from './geometry.js';
import { LineSetter, type LineStyle } from './lineSetter.js';
import { addLabel } from './labels.js';
import { listColumns } from './columns.js';
import { dispatch } from '../../../util/checked.js';

export { geometryOf, type Geometry };

/** Most entries in one tagged list (L) of signatories. */
const LIST_CHUNK = 200;

/** How one paragraph's lines go into the flow. */
interface ParagraphStyle extends LineStyle {
  spaceBefore: number;
  keepWithNext?: boolean;
  block: string;
  columns?: MarkedFlowLine['columns'];
  mark?: RoleMark;
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

/** Vertical metrics of a line box: CJK text centred in its leading, on the ideographic em box. */
function metrics(size: number, lineHeight: number) {
  const height = size * lineHeight;
  return { height, baseline: (height - size) / 2 + 0.88 * size };
}

function inlineText(inlines: Inline[]): string {
  return inlines
    .map((i) => (i.type === 'text' || i.type === 'code' ? i.value : 'children' in i ? inlineText(i.children) : i.type === 'break' ? '\n' : ''))
    .join('');
}

/** The PDF's handling of each frame role. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>) => void };

/** Where a body block is set: left and right indents, first-line indent of paragraphs, space above the first block, parent element. */
interface BlockPlace {
  indent: number;
  rightIndent: number;
  paragraphIndent: number;
  spaceBefore: number;
  parent: ElementMark | null;
}

type ListBlock = FrameBlockOf<'sectionHeading'> | FrameBlockOf<'signatoryEntry'>;

export class LetterLayout {
  readonly flow: MarkedFlowLine[] = [];
  readonly notes = new Map<number, MarkedNoteLines>();
  readonly geometry: Geometry;
  readonly setter: LineSetter;
  /** The signatory list's blocks, set after the letter once the column decision can be made. */
  private readonly listBlocks: ListBlock[] = [];

  constructor(readonly frame: LetterFrame) {
    this.geometry = geometryOf(frame);
    this.setter = new LineSetter(fontChainFor(frame.fonts), frame.language, frame.notesStyle, this.geometry.textWidth);
  }

  lines(spans: Span[] | Piece[], style: LineStyle): Line[] {
    return this.setter.lines(spans, style);
  }

  addParagraph(spans: Span[] | Piece[], style: ParagraphStyle): void {
    const lines = this.lines(spans, style);
    const { height, baseline } = metrics(style.size, style.lineHeight);
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
        ...(style.mark ? { mark: style.mark } : {}),
      });
    });
  }

  /** A paragraph that is one element (returns the element). */
  private addElement(spans: Span[] | Piece[], style: ParagraphStyle, role: StructRole, parent: ElementMark | null, bookmark?: { title: string; level: number }): ElementMark {
    const owner = element(role, parent, bookmark ? { bookmark } : {});
    this.addParagraph(spans, { ...style, mark: textMark(owner) });
    return owner;
  }

  /** Where text of the letter came from, for messages about a character no font has. */
  private sourceOf(at: SourcePoint | undefined): { source?: SourceRef } {
    const letter = this.frame.sources.letter;
    return letter ? { source: { path: letter, ...(at ? { at } : {}) } } : {};
  }

  spans(inlines: Inline[], style: SpanStyle): Span[] {
    const handlers: { [K in InlineType]: (node: InlineOf<K>, s: SpanStyle) => Span[] } = {
      text: (node, s) => [{ text: node.value, style: s, ...this.sourceOf(node.at) }],
      // Italic where the face has one; else bold or emphasis dots, as the frame says.
      emphasis: (node, s) => this.spans(node.children, { ...s, emphasis: true }),
      strong: (node, s) => this.spans(node.children, { ...s, bold: true }),
      code: (node, s) => [{ text: node.value, style: s }],
      break: (_node, s) => [{ text: '\n', style: s }],
      link: (node, s) => this.spans(node.children, { ...s, link: node.url }),
      noteRef: (node, s) => [{ mark: node.number, style: s }],
    };
    return inlines.flatMap((node) => dispatch(handlers, 'type', node, style));
  }

  /**
   * How much one more level of quote or list may indent: all of `step` while at least half the
   * measure stays for the text, then nothing (deeper levels keep the last width), so every depth
   * the limits accept lays out (30 nested quotes of 2 em a side would leave no width at all).
   */
  private nestingStep(indent: number, rightIndent: number, step: number): number {
    const left = this.geometry.textWidth - indent - rightIndent - step;
    return left >= this.geometry.textWidth / 2 ? step : 0;
  }

  /** Body blocks at a place (indents, space above the first, parent element). */
  addBlocks(body: BodyStyle, blocks: Block[], place: BlockPlace): void {
    const { size, lineHeight } = body.paragraph;
    const { indent, rightIndent, paragraphIndent, parent } = place;
    const headings = this.frame.headings;
    const handlers: { [K in BlockType]: (node: BlockOf<K>, first: boolean) => void } = {
      paragraph: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: false }), {
          size, lineHeight, align: body.paragraph.align, firstIndent: indent + paragraphIndent, restIndent: indent,
          rightIndent, spaceBefore: first ? place.spaceBefore : body.paragraphSpacing, block: 'body',
        }, 'P', parent);
      },
      heading: (node, first) => {
        this.addElement(this.spans(node.children, { size, bold: true }), {
          size, lineHeight, align: 'left', firstIndent: indent, restIndent: indent, rightIndent,
          spaceBefore: first ? place.spaceBefore : body.headingSpaceBefore, keepWithNext: true, block: 'heading',
        }, headingRole(headings.bodyBase + node.depth), parent, { title: inlineText(node.children), level: 1 + node.depth });
      },
      blockquote: (node) => {
        const step = this.nestingStep(indent, rightIndent, 2 * body.quoteIndent) / 2;
        this.addBlocks(body, node.children, {
          indent: indent + step, rightIndent: rightIndent + step, paragraphIndent, spaceBefore: 0, parent: element('BlockQuote', parent),
        });
      },
      thematicBreak: () =>
        this.addParagraph([{ text: body.sectionBreak, style: { size, bold: false } }], {
          size, lineHeight, align: 'center', firstIndent: 0, restIndent: 0, spaceBefore: 0, block: 'body', mark: { artifact: 'Layout' },
        }),
      list: (node) => {
        const list = element('L', parent);
        node.items.forEach((item, index) => {
          const start = this.flow.length;
          const li = element('LI', list);
          this.addBlocks(body, item, { indent: indent + this.nestingStep(indent, rightIndent, body.listIndent), rightIndent, paragraphIndent: 0, spaceBefore: 0, parent: element('LBody', li) });
          this.labelFirst(this.flow[start], listMarker(this.frame.listMarkers, node, index), size, indent + body.bulletAt, element('Lbl', li));
          // The first two entries and the last two stay together (at a page foot and head).
          const last = this.flow.at(-1);
          if (last && this.flow.length > start && (index === 0 || index === node.items.length - 2)) last.keepWithNext = true;
        });
      },
    };
    blocks.forEach((block, index) => dispatch(handlers, 'type', block, index === 0));
  }

  /** A label at the start of a line's text (a bullet, a number), its pieces marked as the label element. */
  private labelFirst(first: { line: Line; mark?: RoleMark } | undefined, text: string, size: number, at: number, label: ElementMark): void {
    const pieces = first ? addLabel(this.setter.label(text, size), first.line, at) : 0;
    if (first?.mark && 'element' in first.mark) first.mark = textMark(first.mark.element, { pieces, element: label });
  }

  /**
   * A note: its blocks set at the note size, as the body's are (a list keeps its bullets, a quote
   * its indent), its number the label of its first line; a Note element holding them.
   */
  addNote(number: number, blocks: Block[]): void {
    const { size, lineHeight, hang } = this.frame.notesStyle;
    const body = this.frame.body;
    const scale = size / body.paragraph.size;
    const { height, baseline } = metrics(size, lineHeight);
    const out: MarkedNoteLines['lines'] = [];
    const note = element('Note', null, { note: number });
    const set = (list: Block[], indent: number, parent: ElementMark): void => {
      for (const block of list) {
        if (block.type === 'list') {
          const l = element('L', parent);
          block.items.forEach((item, index) => {
            const li = element('LI', l);
            const start = out.length;
            set(item, indent + this.nestingStep(indent, 0, body.listIndent * scale), element('LBody', li));
            this.labelFirst(out[start], listMarker(this.frame.listMarkers, block, index), size, indent + body.bulletAt * scale, element('Lbl', li));
          });
          continue;
        }
        if (block.type === 'blockquote') {
          set(block.children, indent + this.nestingStep(indent, 0, body.quoteIndent * scale), element('BlockQuote', parent));
          continue;
        }
        if (block.type === 'thematicBreak') {
          for (const line of this.lines([{ text: body.sectionBreak, style: { size, bold: false } }], { size, lineHeight, align: 'center', firstIndent: 0, restIndent: 0 })) {
            out.push({ line, height, baseline, mark: { artifact: 'Layout' } });
          }
          continue;
        }
        const owner = element('P', parent);
        const spans = this.spans(block.children, { size, bold: false });
        for (const line of this.lines(spans, { size, lineHeight, align: 'justify', firstIndent: indent, restIndent: indent })) out.push({ line, height, baseline, mark: textMark(owner) });
      }
    };
    set(blocks, hang, note);
    this.labelFirst(out[0], String(number), size, 0, element('Lbl', note));
    this.notes.set(number, { number, lines: out });
  }

  /** One paragraph of plain text in a frame block's style: one element. */
  private plain(
    text: string,
    style: BlockStyle,
    block: string,
    source: SourceRef | undefined,
    role: StructRole = 'P',
    parent: ElementMark | null = null,
    bookmark?: { title: string; level: number },
  ): void {
    const spans: Span[] = [{ text, style: { size: style.size, bold: style.bold }, ...(source ? { source } : {}) }];
    this.addElement(spans, paragraphStyle(style, block), role, parent, bookmark);
  }

  /** A recipient or copy: its name and address lines, each a line of its own (a Div of P). */
  private party(lines: string[], style: BlockStyle, block: string, source?: SourceRef, together = false, div = element('Div', null)): void {
    lines.forEach((text, n) => {
      // A sign-off block is not split between pages (and the closing stays with it).
      const keep = together && n < lines.length - 1 ? { keepWithNext: true } : {};
      this.plain(text, { ...style, ...(n === 0 ? {} : { spaceBefore: 0 }), ...keep }, block, source, 'P', div);
    });
  }

  /** The letter has a sign-off block after its closing. */
  private get signsOff(): boolean {
    return this.frame.blocks.some((b) => b.role === 'sender' || b.role === 'signature');
  }

  /** A line that holds no text: a picture (its mark says which) or blank room, `height` tall. */
  private addBox(height: number, spaceBefore: number, block: string, mark: RoleMark, keepWithNext: boolean): void {
    this.flow.push({ line: { placed: [], width: 0, notes: [], last: true }, height, baseline: height, spaceBefore, keepWithNext, block, mark });
  }

  /** A signer: the signature picture (a Figure when it has alternative text), then the name and title lines, in one Div. */
  private signature(block: FrameBlockOf<'signature'>): void {
    const div = element('Div', null);
    let { style } = block;
    if (block.image) {
      const { image } = block;
      const room = this.geometry.textWidth - style.indent;
      const x = style.align === 'right' ? this.geometry.textWidth - image.width : style.align === 'center' ? style.indent + (room - image.width) / 2 : style.indent;
      const picture = { image, x };
      const mark: RoleMark = image.alt ? { element: element('Figure', div, { alt: image.alt }), image: picture } : { artifact: 'Layout', image: picture };
      this.addBox(image.height, style.spaceBefore, 'signature', mark, true);
      // The name follows the picture closely: the space above went to the picture.
      style = { ...style, spaceBefore: 0 };
    }
    this.party(block.lines, style, 'signature', block.source, true, div);
  }

  private readonly roles: RoleHandlers = {
    date: (block) => this.plain(block.text, block.style, 'date', block.source),
    recipient: (block) => this.party(block.lines, block.style, 'to', block.source),
    ccLabel: (block) => this.plain(block.text, block.style, 'cc', block.source),
    ccRecipient: (block) => this.party(block.lines, block.style, 'cc', block.source),
    subject: (block) => this.plain(block.text, block.style, 'subject', block.source, this.frame.headings.subject, null, { title: this.frame.title, level: 1 }),
    salutation: (block) => this.plain(block.text, block.style, 'salutation', block.source),
    // The salutation stands above the first paragraph as paragraphs stand apart (as in the DOCX and HTML).
    body: (block) => this.addBlocks(block.style, block.blocks, { indent: 0, rightIndent: 0, paragraphIndent: block.style.paragraph.firstIndent, spaceBefore: block.style.paragraphSpacing, parent: null }),
    closing: (block) => this.plain(block.text, this.signsOff ? { ...block.style, keepWithNext: true } : block.style, 'closing', block.source),
    sender: (block) => this.party(block.lines, block.style, 'sender', block.source, true),
    signature: (block) => this.signature(block),
    signatoriesHeading: (block) =>
      this.plain(block.text, block.style, 'listHeading', block.source, headingRole(this.frame.headings.signatories), null, { title: block.text, level: 1 }),
    sectionHeading: (block) => this.listBlocks.push(block),
    signatoryEntry: (block) => this.listBlocks.push(block),
  };

  layoutLetter(): void {
    // Room for a first-page letterhead that reaches below the top margin (the frame says how much).
    const drop = this.frame.letterhead?.firstPageDrop ?? 0;
    if (drop > 0) this.addBox(drop, 0, 'letterhead', { artifact: 'Layout' }, true);
    for (const block of this.frame.blocks) dispatch(this.roles, 'role', block);
    for (const note of this.frame.notes) this.addNote(note.number, note.blocks);
    this.layoutSignatories(this.listBlocks);
  }

  /** The list's section headings and entries, in one column or two (./columns.ts). */
  private layoutSignatories(list: ListBlock[]): void {
    const entries = list.filter((b): b is FrameBlockOf<'signatoryEntry'> => b.role === 'signatoryEntry');
    if (entries.length === 0) return;
    const shaped = this.setter.shapeEntries(
      entries.map((e) => {
        const text = e.detail ? `${e.name}${e.separator}${e.detail}` : e.name;
        const style = { size: e.style.size, bold: e.style.bold };
        return { spans: [{ text, style, ...(e.source ? { source: e.source } : {}) }], key: JSON.stringify([text, style.size, style.bold]) };
      }),
    );
    const columns = listColumns(shaped, this.frame.signatoryColumns, this.geometry.textWidth);
    const narrow = columns ? { rightIndent: this.geometry.textWidth - columns.width, columns } : {};
    let next = 0;
    // Each section a heading and a list (L), each entry an LI with its LBody.
    let section: { list: ElementMark; entries: number } | null = null;
    for (const [index, block] of list.entries()) {
      if (block.role === 'sectionHeading') {
        const source = block.source ? { source: block.source } : {};
        this.addElement([{ text: block.text, style: { size: block.style.size, bold: block.style.bold }, ...source }], paragraphStyle(block.style, 'listSection', narrow), headingRole(this.frame.headings.sections), null, {
          title: block.text,
          level: 2,
        });
        section = null;
      } else {
        // A long section is tagged as consecutive lists of LIST_CHUNK entries: pdf.js (our
        // preflight, Firefox) reads a page's structure in time quadratic in the length of the
        // lists it touches, which made a 10,000-name list take minutes to check.
        if (section === null || section.entries >= LIST_CHUNK) section = { list: element('L', null), entries: 0 };
        section.entries++;
        // A section's first two entries stay together (and with its heading), and its last two.
        const entryAt = (k: number) => list[k]?.role === 'signatoryEntry';
        const keepWithNext = entryAt(index + 1) && (!entryAt(index - 1) || !entryAt(index + 2));
        this.addElement(shaped[next++] ?? [], paragraphStyle(block.style, 'listEntry', { ...narrow, keepWithNext }), 'LBody', element('LI', section.list));
      }
    }
  }
}
