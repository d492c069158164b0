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
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import { formatDate } from '../../template/format.js';
import { signatoryLines } from '../signatoryLines.js';
import { STYLE, stylesFor, twips } from './styles.js';
import { finishDocx } from './finish.js';

type RunStyle = Pick<IRunOptions, 'bold' | 'italics'> & {
  /** The letter is in Chinese, Japanese or Korean: emphasis is set bold, not slanted (CJK has no italic). */
  cjk?: boolean;
};

interface Context {
  /** Style of the paragraphs being written. */
  paragraphStyle: string;
  /** Run style every paragraph starts from. */
  base: RunStyle;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, style: RunStyle) => ParagraphChild[] };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => Paragraph[] };

const inlineHandlers: InlineHandlers = {
  text: (node, style) => [new TextRun({ text: node.value, ...runOptions(style) })],
  emphasis: (node, style) => runs(node.children, style.cjk ? { ...style, bold: true } : { ...style, italics: true }),
  strong: (node, style) => runs(node.children, { ...style, bold: true }),
  code: (node, style) => [new TextRun({ text: node.value, ...runOptions(style) })],
  break: () => [new TextRun({ break: 1 })],
  noteRef: (node) => [new FootnoteReferenceRun(node.number)],
  link: (node, style) => [new ExternalHyperlink({ link: node.url, children: runs(node.children, style) })],
};

function runOptions(style: RunStyle): Pick<IRunOptions, 'bold' | 'italics'> {
  return { ...(style.bold ? { bold: true } : {}), ...(style.italics ? { italics: true } : {}) };
}

function runs(inlines: Inline[], style: RunStyle = {}): ParagraphChild[] {
  return inlines.flatMap((node) => (inlineHandlers[node.type] as (n: Inline, s: RunStyle) => ParagraphChild[])(node, style));
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx) => [new Paragraph({ style: ctx.paragraphStyle, children: runs(node.children, ctx.base) })],
  heading: (node, ctx) => [new Paragraph({ style: STYLE.heading, children: runs(node.children, ctx.base) })],
  blockquote: (node, ctx) => blocks(node.children, { ...ctx, paragraphStyle: STYLE.quote }),
  thematicBreak: () => [new Paragraph({ style: STYLE.body, alignment: 'center', children: [new TextRun('＊　＊　＊')] })],
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

const plain = (style: string, text: string) => new Paragraph({ style, children: [new TextRun(text)] });

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

export function buildDocx(document: LetterDocument): Document {
  const { meta, template } = document;
  const { labels } = template;
  const children: Paragraph[] = [plain(STYLE.date, formatDate(meta.date, template))];
  meta.to.forEach((party, index) => {
    [party.name, ...party.address].forEach((text, n) => {
      const p = new Paragraph({ style: STYLE.recipient, children: [new TextRun(text)], ...(n === 0 ? { spacing: { before: index === 0 ? twips(template.type.bodySize * template.type.lineHeight) : twips(template.type.bodySize * 0.5) } } : {}) });
      children.push(p);
    });
  });
  if (meta.cc.length > 0) {
    children.push(plain(STYLE.ccLabel, `${labels.cc}${labels.labelSeparator.trimEnd()}`));
    meta.cc.forEach((party, index) => {
      [party.name, ...party.address].forEach((text, n) => {
        children.push(new Paragraph({ style: STYLE.cc, children: [new TextRun(text)], ...(n === 0 && index > 0 ? { spacing: { before: twips(template.type.bodySize * 0.7) } } : {}) }));
      });
    });
  }
  children.push(plain(STYLE.subject, `${labels.subject}${labels.labelSeparator}${meta.subject}`));
  children.push(plain(STYLE.salutation, meta.salutation));
  const base: RunStyle = { cjk: /^(zh|ja|ko)/i.test(template.lang) };
  children.push(...blocks(document.body, { paragraphStyle: STYLE.body, base }));
  children.push(plain(STYLE.closing, meta.closing));
  if (document.signatories) {
    const list = signatoryLines(document.signatories, template);
    children.push(plain(STYLE.signatoriesHeading, list.heading));
    if (list.organizations.length > 0) {
      children.push(plain(STYLE.signatoriesSection, labels.organizations));
      for (const line of list.organizations) children.push(plain(STYLE.signatory, line));
    }
    if (list.individuals.length > 0) {
      children.push(plain(STYLE.signatoriesSection, labels.individuals));
      for (const line of list.individuals) children.push(plain(STYLE.signatory, line));
    }
  }
  const footnotes: Record<number, { children: Paragraph[] }> = {};
  for (const note of document.notes) {
    const [first, ...rest] = note.blocks;
    // A space between the note number Word puts first and the note's text.
    const ctx: Context = { paragraphStyle: STYLE.footnoteText, base };
    const head = first?.type === 'paragraph' ? [new Paragraph({ style: STYLE.footnoteText, children: [new TextRun(' '), ...runs(first.children, base)] })] : blocks(first ? [first] : [], ctx);
    footnotes[note.number] = { children: [...head, ...blocks(rest, ctx)] };
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
            margin: { top: twips(m.top), right: twips(m.right), bottom: twips(m.bottom), left: twips(m.left), footer: twips(m.bottom * 0.45), header: twips(m.top * 0.5) },
          },
        },
        footers: { default: new Footer({ children: [pageLabel(template.labels.page)] }) },
        children,
      },
    ],
  });
}

export async function renderDocx(document: LetterDocument): Promise<Uint8Array> {
  const buffer = await Packer.toBuffer(buildDocx(document));
  return finishDocx(new Uint8Array(buffer), document);
}
