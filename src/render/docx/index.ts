/**
 * The editable Word copy, from the same model as the other editions: real Word footnotes,
 * named styles, East Asian fonts and language, A4 with page numbers. docx writes the package;
 * src/render/docx/finish.ts then sets what docx has no API for (kinsoku, punctuation
 * compression, character-based indents) and makes the bytes reproducible.
 */
import {
  Document,
  ExternalHyperlink,
  FootnoteReferenceRun,
  Footer,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type { VFile } from 'vfile';
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import type { Template } from '../../template/schema.js';
import { buildFrame, resolveRole, type BlockStyle, type FrameBlock, type FrameBlockOf, type Role } from '../../frame/index.js';
import { ROLE_STYLE, STYLE, stylesFor, twips } from './styles.js';
import { finishDocx } from './finish.js';

type RunStyle = Pick<IRunOptions, 'bold' | 'italics' | 'emphasisMark'> & {
  /** Notes whose footnote reference has been written (shared by the whole document). */
  notesReferenced?: Set<number>;
  /**
   * The letter is in Chinese, Japanese or Korean: emphasis is set as the template says, bold or
   * Word's emphasis dots (着重号), not slanted (CJK has no italic).
   */
  cjk?: 'bold' | 'dots';
};

interface Context {
  /** Style of the paragraphs being written. */
  paragraphStyle: string;
  /** Run style every paragraph starts from. */
  base: RunStyle;
  /** The template's text for a Markdown `---`. */
  sectionBreak: string;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, style: RunStyle) => ParagraphChild[] };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => Paragraph[] };

const inlineHandlers: InlineHandlers = {
  text: (node, style) => [new TextRun({ text: node.value, ...runOptions(style) })],
  emphasis: (node, style) =>
    runs(node.children, style.cjk === 'dots' ? { ...style, emphasisMark: { type: 'dot' } } : style.cjk ? { ...style, bold: true } : { ...style, italics: true }),
  strong: (node, style) => runs(node.children, { ...style, bold: true }),
  code: (node, style) => [new TextRun({ text: node.value, ...runOptions(style) })],
  break: () => [new TextRun({ break: 1 })],
  // Word numbers footnotes by their references, so a note may have only one: a repeated mark is
  // the note's number set as a footnote reference (superscript) without a second footnote.
  noteRef: (node, style) => {
    if (!style.notesReferenced || !style.notesReferenced.has(node.number)) {
      style.notesReferenced?.add(node.number);
      return [new FootnoteReferenceRun(node.number)];
    }
    return [new TextRun({ text: String(node.number), style: 'FootnoteReference', superScript: true })];
  },
  link: (node, style) => [new ExternalHyperlink({ link: node.url, children: runs(node.children, style) })],
};

function runOptions(style: RunStyle): Pick<IRunOptions, 'bold' | 'italics' | 'emphasisMark'> {
  return { ...(style.bold ? { bold: true } : {}), ...(style.italics ? { italics: true } : {}), ...(style.emphasisMark ? { emphasisMark: style.emphasisMark } : {}) };
}

function runs(inlines: Inline[], style: RunStyle = {}): ParagraphChild[] {
  return inlines.flatMap((node) => (inlineHandlers[node.type] as (n: Inline, s: RunStyle) => ParagraphChild[])(node, style));
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx) => [new Paragraph({ style: ctx.paragraphStyle, children: runs(node.children, ctx.base) })],
  heading: (node, ctx) => [new Paragraph({ style: STYLE.heading, children: runs(node.children, ctx.base) })],
  blockquote: (node, ctx) => blocks(node.children, { ...ctx, paragraphStyle: STYLE.quote }),
  thematicBreak: (_node, ctx) => [new Paragraph({ style: STYLE.body, alignment: 'center', children: [new TextRun(ctx.sectionBreak)] })],
  list: (node, ctx) =>
    node.items.flatMap((item, index) => {
      const [first, ...rest] = blocks(item, { ...ctx, paragraphStyle: STYLE.listItem });
      const bullet = node.ordered ? `${node.start + index}.\t` : '•\t';
      const head = first ? [prefixed(bullet, item, ctx.base)] : [];
      return [...head, ...rest];
    }),
};

/** The first paragraph of a list item, with its bullet or number before a tab. */
function prefixed(bullet: string, item: Block[], base: RunStyle): Paragraph {
  const firstBlock = item[0];
  const children = firstBlock && (firstBlock.type === 'paragraph' || firstBlock.type === 'heading') ? runs(firstBlock.children, base) : [];
  return new Paragraph({ style: STYLE.listItem, children: [new TextRun(bullet), ...children] });
}

function blocks(list: Block[], ctx: Context): Paragraph[] {
  return list.flatMap((block) => (blockHandlers[block.type] as (n: Block, c: Context) => Paragraph[])(block, ctx));
}

/** Page label such as "第{page}页，共{pages}页" with Word fields for the numbers. */
function pageLabel(pattern: string): Paragraph {
  const children: ParagraphChild[] = [];
  for (const part of pattern.split(/(\{page\}|\{pages\})/)) {
    if (part === '{page}') children.push(new TextRun({ children: [PageNumber.CURRENT] }));
    else if (part === '{pages}') children.push(new TextRun({ children: [PageNumber.TOTAL_PAGES] }));
    else if (part) children.push(new TextRun(part));
  }
  return new Paragraph({ style: STYLE.footer, children });
}

/**
 * One paragraph in a role's named style. The style carries the role's space above its first
 * block; a block whose space differs (a second recipient) gets its own space directly.
 */
function rolePlain(role: keyof typeof ROLE_STYLE, text: string, style: BlockStyle, template: Template): Paragraph {
  const named = resolveRole(template, template.layout.roles[role]);
  const spacing = style.spaceBefore !== named.spaceBefore ? { spacing: { before: twips(style.spaceBefore) } } : {};
  return new Paragraph({ style: ROLE_STYLE[role], children: [new TextRun(text)], ...spacing });
}

/** Word's handling of each frame role. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: Context, template: Template) => Paragraph[] };

/** A recipient or copy: the name carries the space above, the address lines follow it. */
function party(role: 'recipient' | 'ccRecipient', block: FrameBlockOf<'recipient' | 'ccRecipient'>, template: Template): Paragraph[] {
  return block.lines.map((text, n) => (n === 0 ? rolePlain(role, text, block.style, template) : new Paragraph({ style: ROLE_STYLE[role], children: [new TextRun(text)], spacing: { before: 0 } })));
}

const roleHandlers: RoleHandlers = {
  date: (block, _ctx, template) => [rolePlain('date', block.text, block.style, template)],
  recipient: (block, _ctx, template) => party('recipient', block, template),
  ccLabel: (block, _ctx, template) => [rolePlain('ccLabel', block.text, block.style, template)],
  ccRecipient: (block, _ctx, template) => party('ccRecipient', block, template),
  subject: (block, _ctx, template) => [rolePlain('subject', block.text, block.style, template)],
  salutation: (block, _ctx, template) => [rolePlain('salutation', block.text, block.style, template)],
  body: (block, ctx) => blocks(block.blocks, ctx),
  closing: (block, _ctx, template) => [rolePlain('closing', block.text, block.style, template)],
  signatoriesHeading: (block, _ctx, template) => [rolePlain('signatoriesHeading', block.text, block.style, template)],
  sectionHeading: (block, _ctx, template) => [rolePlain('sectionHeading', block.text, block.style, template)],
  signatoryEntry: (block, _ctx, template) => [rolePlain('signatoryEntry', block.text, block.style, template)],
};

export function buildDocx(document: LetterDocument): Document {
  const { meta, template } = document;
  const frame = buildFrame(document);
  const base: RunStyle = { notesReferenced: new Set(), ...(/^(zh|ja|ko)/i.test(template.lang) ? { cjk: template.type.emphasis } : {}) };
  const ctx: Context = { paragraphStyle: STYLE.body, base, sectionBreak: template.labels.sectionBreak };
  const children = frame.blocks.flatMap((block) => (roleHandlers[block.role] as (b: FrameBlock, c: Context, t: Template) => Paragraph[])(block, ctx, template));
  const footnotes: Record<number, { children: Paragraph[] }> = {};
  for (const note of frame.notes) {
    const [first, ...rest] = note.blocks;
    // A space between the note number Word puts first and the note's text.
    const noteCtx: Context = { ...ctx, paragraphStyle: STYLE.footnoteText };
    const head = first?.type === 'paragraph' ? [new Paragraph({ style: STYLE.footnoteText, children: [new TextRun(' '), ...runs(first.children, base)] })] : blocks(first ? [first] : [], noteCtx);
    footnotes[note.number] = { children: [...head, ...blocks(rest, noteCtx)] };
  }

  const m = template.page.margins;
  return new Document({
    title: meta.subject,
    subject: meta.subject,
    creator: meta.author ?? 'letterpress',
    lastModifiedBy: 'letterpress',
    description: `${meta.subject} (${meta.date})`,
    revision: 1,
    styles: stylesFor(template),
    footnotes,
    sections: [
      {
        properties: {
          page: {
            size: { width: 11906, height: 16838 }, // A4 in twips
            margin: { top: twips(m.top), right: twips(m.right), bottom: twips(m.bottom), left: twips(m.left), footer: twips(m.bottom * frame.furniture.pageLabel.fromBottom) },
          },
        },
        footers: { default: new Footer({ children: [pageLabel(frame.furniture.pageLabel.pattern)] }) },
        children,
      },
    ],
  });
}

/** `diagnostics` receives warnings about the template's fonts (a face that cannot be embedded). */
export async function renderDocx(document: LetterDocument, diagnostics?: VFile[]): Promise<Uint8Array> {
  const buffer = await Packer.toBuffer(buildDocx(document));
  return finishDocx(new Uint8Array(buffer), document, diagnostics);
}
