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
  PageNumber,
  Paragraph,
  TextRun,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type { VFile } from 'vfile';
import { entryText, listMarker } from '../../frame/index.js';
import type { Block, BlockOf, BlockType, FrameBlockOf, Inline, InlineOf, InlineType, LetterFrame, ListMarkers, Role, StyledRole } from '../../frame/types.js';
import { ROLE_STYLE, STYLE, stylesFor, twips } from './styles.js';
import { finishDocx } from './finish.js';
import { packageFiles } from './compile.js';
import { dispatch } from '../../util/checked.js';

type RunStyle = Pick<IRunOptions, 'bold' | 'italics' | 'emphasisMark'> & {
  /** Notes whose footnote reference has been written (shared by the whole document). */
  notesReferenced?: Set<number>;
  /** How emphasis is set: slanted, or for CJK (no italic) bold or Word's emphasis dots (着重号). */
  emphasis: 'italic' | 'bold' | 'dots';
};

interface Context {
  /** Style of the paragraphs being written. */
  paragraphStyle: string;
  /** Run style every paragraph starts from. */
  base: RunStyle;
  /** The text for a Markdown `---`. */
  sectionBreak: string;
  listMarkers: ListMarkers;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, style: RunStyle) => ParagraphChild[] };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => Paragraph[] };

const inlineHandlers: InlineHandlers = {
  text: (node, style) => [new TextRun({ text: node.value, ...runOptions(style) })],
  emphasis: (node, style) =>
    runs(node.children, style.emphasis === 'dots' ? { ...style, emphasisMark: { type: 'dot' } } : style.emphasis === 'bold' ? { ...style, bold: true } : { ...style, italics: true }),
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

function runs(inlines: Inline[], style: RunStyle): ParagraphChild[] {
  return inlines.flatMap((node) => dispatch(inlineHandlers, 'type', node, style));
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx) => [new Paragraph({ style: ctx.paragraphStyle, children: runs(node.children, ctx.base) })],
  heading: (node, ctx) => [new Paragraph({ style: STYLE.heading, children: runs(node.children, ctx.base) })],
  blockquote: (node, ctx) => blocks(node.children, { ...ctx, paragraphStyle: STYLE.quote }),
  thematicBreak: (_node, ctx) => [new Paragraph({ style: STYLE.body, alignment: 'center', children: [new TextRun(ctx.sectionBreak)] })],
  list: (node, ctx) =>
    node.items.flatMap((item, index) => {
      const [first, ...rest] = blocks(item, { ...ctx, paragraphStyle: STYLE.listItem });
      const bullet = `${listMarker(ctx.listMarkers, node, index)}\t`;
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
  return list.flatMap((block) => dispatch(blockHandlers, 'type', block, ctx));
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
function rolePlain(role: StyledRole, text: string, spaceOverride: number | undefined): Paragraph {
  const spacing = spaceOverride !== undefined ? { spacing: { before: twips(spaceOverride) } } : {};
  return new Paragraph({ style: ROLE_STYLE[role], children: [new TextRun(text)], ...spacing });
}

/** Word's handling of each frame role. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: Context) => Paragraph[] };

/** A recipient or copy: the name carries the space above, the address lines follow it. */
function party(block: FrameBlockOf<'recipient' | 'ccRecipient'>): Paragraph[] {
  return block.lines.map((text, n) =>
    n === 0 ? rolePlain(block.role, text, block.spaceOverride) : new Paragraph({ style: ROLE_STYLE[block.role], children: [new TextRun(text)], spacing: { before: 0 } }),
  );
}

/** A block of one line of text in its role's style. */
const plain = (block: FrameBlockOf<'date' | 'ccLabel' | 'subject' | 'salutation' | 'closing' | 'signatoriesHeading' | 'sectionHeading'>) => [
  rolePlain(block.role, block.text, block.spaceOverride),
];

const roleHandlers: RoleHandlers = {
  date: plain,
  recipient: party,
  ccLabel: plain,
  ccRecipient: party,
  subject: plain,
  salutation: plain,
  body: (block, ctx) => blocks(block.blocks, ctx),
  closing: plain,
  signatoriesHeading: plain,
  sectionHeading: plain,
  signatoryEntry: (block) => [rolePlain(block.role, entryText(block), block.spaceOverride)],
};

export function buildDocx(frame: LetterFrame): Document {
  const base: RunStyle = { notesReferenced: new Set(), emphasis: frame.language.emphasis };
  const ctx: Context = { paragraphStyle: STYLE.body, base, sectionBreak: frame.body.sectionBreak, listMarkers: frame.listMarkers };
  const children = frame.blocks.flatMap((block) => dispatch(roleHandlers, 'role', block, ctx));
  const footnotes: Record<number, { children: Paragraph[] }> = {};
  for (const note of frame.notes) {
    const [first, ...rest] = note.blocks;
    // A space between the note number Word puts first and the note's text.
    const noteCtx: Context = { ...ctx, paragraphStyle: STYLE.footnoteText };
    const head = first?.type === 'paragraph' ? [new Paragraph({ style: STYLE.footnoteText, children: [new TextRun(' '), ...runs(first.children, base)] })] : blocks(first ? [first] : [], noteCtx);
    footnotes[note.number] = { children: [...head, ...blocks(rest, noteCtx)] };
  }

  const { page } = frame;
  const m = page.margins;
  return new Document({
    title: frame.title,
    subject: frame.title,
    creator: frame.author ?? 'letterpress',
    lastModifiedBy: 'letterpress',
    description: `${frame.title} (${frame.date})`,
    revision: 1,
    styles: stylesFor(frame),
    footnotes,
    sections: [
      {
        properties: {
          page: {
            size: { width: twips(page.width), height: twips(page.height) },
            margin: { top: twips(m.top), right: twips(m.right), bottom: twips(m.bottom), left: twips(m.left), footer: twips(m.bottom * frame.furniture.pageLabel.fromBottom) },
          },
        },
        footers: { default: new Footer({ children: [pageLabel(frame.furniture.pageLabel.pattern)] }) },
        children,
      },
    ],
  });
}

/**
 * `diagnostics` receives warnings about the template's fonts (a face that cannot be embedded);
 * `cache: false` makes the font subsets without the disk cache.
 */
export async function renderDocx(frame: LetterFrame, diagnostics?: VFile[], options: { cache?: boolean } = {}): Promise<Uint8Array> {
  return finishDocx(await packageFiles(buildDocx(frame)), frame, diagnostics, options.cache !== false);
}
