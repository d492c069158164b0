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
  Header,
  LineRuleType,
  PageNumber,
  Paragraph,
  TextRun,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type { VFile } from 'vfile';
import { entryText, listMarker } from '../../frame/index.js';
import type { Block, BlockOf, BlockType, FrameBlockOf, FrameImage, Inline, InlineOf, InlineType, LetterFrame, ListMarkers, Role, StyledRole } from '../../frame/types.js';
import { ROLE_STYLE, STYLE, stylesFor, twips } from './styles.js';
import { finishDocx } from './finish.js';
import { packageFiles } from './compile.js';
import { nextTurn } from '../../util/nextTurn.js';
import { dispatch } from '../../util/checked.js';
import { fontChainFor, type FontChain } from '../../fonts/fontChain.js';
import { faceRuns } from '../../fonts/faceRuns.js';
import { FaceUse } from './embedFonts.js';
import { imageRun } from './images.js';

/** The Word pictures of the frame's images (made before the document: an SVG's PNG fallback is drawn asynchronously). */
export type Pictures = Map<FrameImage, ParagraphChild>;

export async function picturesOf(frame: LetterFrame): Promise<Pictures> {
  const pictures: Pictures = new Map();
  if (frame.letterhead) pictures.set(frame.letterhead.image, await imageRun(frame.letterhead.image, 'Letterhead'));
  for (const block of frame.blocks) if (block.role === 'signature' && block.image) pictures.set(block.image, await imageRun(block.image, `Signature of ${block.lines[0] ?? ''}`));
  return pictures;
}

type RunStyle = Pick<IRunOptions, 'bold' | 'italics' | 'emphasisMark'> & {
  /** The faces text is set in (shared by the whole document). */
  faces: WordFaces;
  /** Notes whose footnote reference has been written (shared by the whole document). */
  notesReferenced?: Set<number>;
  /** How emphasis is set: slanted, or for CJK (no italic) bold or Word's emphasis dots (着重号). */
  emphasis: 'italic' | 'bold' | 'dots';
};

/**
 * Which face each run of text is in, as the PDF chooses it (src/fonts/faceRuns.ts), and the
 * characters each face other than the template's two Word fonts sets, for embedding.
 */
interface WordFaces {
  chain: FontChain;
  latin: string;
  eastAsia: string;
  used: FaceUse;
}

/**
 * Characters Word sets in the run's Latin (ascii/hAnsi) font when the run has no East Asian hint
 * (MS-OI29500 §2.1.88): Basic Latin, Latin-1, the Latin, Greek and Cyrillic letters. Others, the
 * curly quotes of "Citizens’" above all (General Punctuation), Word may take from the East Asian
 * font of a CJK letter: a Latin-face run holding one names the Latin face for every slot, with
 * w:hint="default".
 */
const PLAIN_LATIN = /^[\u0000-\u00ff\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{M}]*$/u;

/** PLAIN_LATIN.test(text), answered without the Unicode classes for Latin-1 text (nearly every Latin name). */
function isPlainLatin(text: string): boolean {
  let latin1 = true;
  for (let i = 0; i < text.length && latin1; i++) latin1 = text.charCodeAt(i) <= 0xff;
  return latin1 || PLAIN_LATIN.test(text);
}

/** Runs of `text`, each in its face: the styles' fonts where they serve, named fonts elsewhere. */
function textRuns(text: string, style: RunStyle, extra: Omit<IRunOptions, 'text'> = {}): TextRun[] {
  const { faces } = style;
  const bold = style.bold === true;
  const options = { ...runOptions(style), ...extra };
  // Runs Word sets in the styles' fonts by itself (Latin letters in the Latin face, CJK in the
  // East Asian one) stay one run; a run in another face, or with punctuation Word might take from
  // the East Asian font, names its face.
  const merged: Array<{ text: string; name: string | undefined }> = [];
  for (const { text: part, face } of faceRuns(text, faces.chain, { bold, italic: style.italics === true })) {
    if (face) faces.used.add(face.name, part, bold);
    const own = face?.name;
    const name = !own || own === faces.eastAsia || (own === faces.latin && isPlainLatin(part)) ? undefined : own;
    const last = merged[merged.length - 1];
    if (last && last.name === name) last.text += part;
    else merged.push({ text: part, name });
  }
  return merged.map(({ text: part, name }) => {
    if (!name) return new TextRun({ text: part, ...options });
    const font = { ascii: name, hAnsi: name, eastAsia: name, cs: name, ...(name === faces.latin ? { hint: 'default' } : {}) };
    return new TextRun({ text: part, font, ...options });
  });
}

interface Context {
  /** Style of the paragraphs being written. */
  paragraphStyle: string;
  /** Run style every paragraph starts from. */
  base: RunStyle;
  /** The text for a Markdown `---`. */
  sectionBreak: string;
  listMarkers: ListMarkers;
  /** Roles whose named style is bold (their text is set in the bold faces). */
  roleBold: Record<StyledRole, boolean>;
  pictures: Pictures;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, style: RunStyle) => ParagraphChild[] };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => Paragraph[] };

const inlineHandlers: InlineHandlers = {
  text: (node, style) => textRuns(node.value, style),
  emphasis: (node, style) =>
    runs(node.children, style.emphasis === 'dots' ? { ...style, emphasisMark: { type: 'dot' } } : style.emphasis === 'bold' ? { ...style, bold: true } : { ...style, italics: true }),
  strong: (node, style) => runs(node.children, { ...style, bold: true }),
  code: (node, style) => textRuns(node.value, style),
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
  thematicBreak: (_node, ctx) => [new Paragraph({ style: STYLE.body, alignment: 'center', children: textRuns(ctx.sectionBreak, ctx.base) })],
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
  return new Paragraph({ style: STYLE.listItem, children: [...textRuns(bullet, base), ...children] });
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
function rolePlain(role: StyledRole, text: string, spaceOverride: number | undefined, ctx: Context): Paragraph {
  const spacing = spaceOverride !== undefined ? { spacing: { before: twips(spaceOverride) } } : {};
  // A line break in the text (a two-line closing, 此致 / 敬礼！) is a line break in the paragraph.
  const children = text.split('\n').flatMap((line, n) => (n === 0 ? roleRuns(role, line, ctx) : [new TextRun({ break: 1 }), ...roleRuns(role, line, ctx)]));
  return new Paragraph({ style: ROLE_STYLE[role], children, ...spacing });
}

/** A role's text in runs of its faces (bold faces where the role's style is bold). */
function roleRuns(role: StyledRole, text: string, ctx: Context): TextRun[] {
  return textRuns(text, { ...ctx.base, ...(ctx.roleBold[role] ? { bold: true } : {}) }, ctx.roleBold[role] ? { bold: undefined } : {});
}

/** Word's handling of each frame role. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: Context) => Paragraph[] };

/** A block of lines (a recipient, a copy, the sender, a signer): the first carries the space above, the others follow it. */
function lineBlock(role: StyledRole, lines: string[], spaceOverride: number | undefined, ctx: Context): Paragraph[] {
  return lines.map((text, n) =>
    n === 0 ? rolePlain(role, text, spaceOverride, ctx) : new Paragraph({ style: ROLE_STYLE[role], children: roleRuns(role, text, ctx), spacing: { before: 0 } }),
  );
}

const party = (block: FrameBlockOf<'recipient' | 'ccRecipient' | 'sender'>, ctx: Context) => lineBlock(block.role, block.lines, block.spaceOverride, ctx);

/** A signer: the signature picture (its own paragraph, carrying the space above), then the name and title lines. */
function signature(block: FrameBlockOf<'signature'>, ctx: Context): Paragraph[] {
  const picture = block.image ? ctx.pictures.get(block.image) : undefined;
  if (!picture) return lineBlock(block.role, block.lines, block.spaceOverride, ctx);
  // Single line spacing: the style's exact line height would cut the picture off.
  const spacing = { before: twips(block.style.spaceBefore), line: 240, lineRule: LineRuleType.AUTO };
  const image = new Paragraph({ style: ROLE_STYLE.signature, keepNext: true, children: [picture], spacing });
  const lines = block.lines.map((text) => new Paragraph({ style: ROLE_STYLE.signature, children: roleRuns(block.role, text, ctx), spacing: { before: 0 } }));
  return [image, ...lines];
}

/** A block of one line of text in its role's style. */
const plain = (block: FrameBlockOf<'date' | 'ccLabel' | 'subject' | 'salutation' | 'closing' | 'signatoriesHeading' | 'sectionHeading'>, ctx: Context) => [
  rolePlain(block.role, block.text, block.spaceOverride, ctx),
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
  sender: party,
  signature,
  signatoriesHeading: plain,
  sectionHeading: plain,
  signatoryEntry: (block, ctx) => [rolePlain(block.role, entryText(block), block.spaceOverride, ctx)],
};

/**
 * The Word document of a frame. `pictures` (picturesOf) holds its images, which are left out
 * without it; `used` receives the characters set in each face (for the fonts embedded by finishDocx).
 */
export function buildDocx(frame: LetterFrame, pictures: Pictures = new Map(), used: FaceUse = new FaceUse()): Document {
  const faces: WordFaces = { chain: fontChainFor(frame.fonts), latin: frame.word.latinFont, eastAsia: frame.word.eastAsiaFont, used };
  const base: RunStyle = { faces, notesReferenced: new Set(), emphasis: frame.language.emphasis };
  const roleBold = Object.fromEntries(Object.entries(frame.roles).map(([role, style]) => [role, style.bold])) as Record<StyledRole, boolean>;
  const ctx: Context = { paragraphStyle: STYLE.body, base, sectionBreak: frame.body.sectionBreak, listMarkers: frame.listMarkers, roleBold, pictures };
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
  const footer = () => new Footer({ children: [pageLabel(frame.furniture.pageLabel.pattern)] });
  // The letterhead in the page header, at its distance from the top edge; on the first page only, Word's
  // "different first page" (w:titlePage) with a first-page header and the same page label in its footer.
  const head = frame.letterhead;
  const picture = head ? pictures.get(head.image) : undefined;
  const letterhead = head && picture ? new Header({ children: [new Paragraph({ style: STYLE.letterhead, alignment: head.align, children: [picture] })] }) : undefined;
  const firstOnly = head?.pages === 'first';
  const headers = letterhead ? (firstOnly ? { first: letterhead, default: new Header({ children: [] }) } : { default: letterhead }) : undefined;
  const footers = firstOnly && letterhead ? { default: footer(), first: footer() } : { default: footer() };
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
            margin: {
              top: twips(m.top), right: twips(m.right), bottom: twips(m.bottom), left: twips(m.left), footer: twips(m.bottom * frame.furniture.pageLabel.fromBottom),
              ...(head ? { header: twips(head.top) } : {}),
            },
          },
          ...(firstOnly && letterhead ? { titlePage: true } : {}),
        },
        ...(headers ? { headers } : {}),
        footers,
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
  const used = new FaceUse();
  const document = buildDocx(frame, await picturesOf(frame), used);
  // The event loop gets a turn between the steps (a preview's request for the PDF is answered).
  await nextTurn();
  const files = await packageFiles(document);
  await nextTurn();
  return finishDocx(files, frame, used, diagnostics, options.cache !== false);
}
