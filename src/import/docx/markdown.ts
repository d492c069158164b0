/**
 * Paragraphs read from Word → Markdown, for the blocks and notes a partner changed (unchanged
 * ones keep their text in letter.md byte for byte). Built as mdast and written by
 * mdast-util-to-markdown, so every character that means something in Markdown is escaped.
 */
import type { BlockContent, FootnoteDefinition, PhrasingContent, RootContent } from 'mdast';
import { toMarkdown, type Options } from 'mdast-util-to-markdown';
import { gfmFootnoteToMarkdown } from 'mdast-util-gfm-footnote';
import { STYLE } from '../../render/docx/styles.js';
import type { Piece, ReadParagraph, RunFormat } from './read.js';
import { textOf } from './roles.js';
import { at } from '../../util/checked.js';

export interface MarkdownContext {
  /** The letter is Chinese, Japanese or Korean: bold is strong, emphasis dots are emphasis (no italics in CJK). */
  cjk: boolean;
  sectionBreak: string;
  /** Footnote label of a footnote id of the read document. */
  labelOfId: (id: string) => string | undefined;
  /** Footnote label of a repeated mark's number (the number the current letter gives the note). */
  labelOfNumber: (n: number) => string | undefined;
  /** Heading level for a heading with this text (Word does not keep the level). */
  headingDepth: (text: string) => 1 | 2 | 3 | 4 | 5 | 6;
}

const BULLET = /^(•|\d+\.)\t/;

function formatted(text: string, format: RunFormat, ctx: MarkdownContext): PhrasingContent {
  let node: PhrasingContent = { type: 'text', value: text };
  if (format.italics || (ctx.cjk && format.dots)) node = { type: 'emphasis', children: [node] };
  if (format.bold) node = { type: 'strong', children: [node] };
  return node;
}

/** Leading and trailing spaces of an emphasised run stay outside the marks (`**a** b`, never `**a **b`). */
function textNodes(piece: Extract<Piece, { kind: 'text' }>, ctx: MarkdownContext): PhrasingContent[] {
  const plain = !piece.format.bold && !piece.format.italics && !(ctx.cjk && piece.format.dots);
  if (plain) return [{ type: 'text', value: piece.text }];
  const match = /^(\s*)(.*?)(\s*)$/s.exec(piece.text) as RegExpExecArray;
  const [, lead = '', core = '', trail = ''] = match;
  return [...(lead ? [{ type: 'text' as const, value: lead }] : []), ...(core ? [formatted(core, piece.format, ctx)] : []), ...(trail ? [{ type: 'text' as const, value: trail }] : [])];
}

export function phrasing(pieces: Piece[], ctx: MarkdownContext): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  let link: { url: string; children: PhrasingContent[] } | null = null;
  const push = (node: PhrasingContent, url: string | undefined) => {
    if (url) {
      if (!link || link.url !== url) {
        link = { url, children: [] };
        out.push({ type: 'link', url, children: link.children });
      }
      link.children.push(node);
    } else {
      link = null;
      out.push(node);
    }
  };
  for (const piece of pieces) {
    if (piece.kind === 'text') for (const node of textNodes(piece, ctx)) push(node, piece.link);
    else if (piece.kind === 'break') push({ type: 'break' }, piece.link);
    else {
      const label = piece.kind === 'noteRef' ? ctx.labelOfId(piece.id) : ctx.labelOfNumber(piece.number);
      push(label ? { type: 'footnoteReference', identifier: label.toLowerCase(), label } : { type: 'text', value: piece.kind === 'noteMark' ? String(piece.number) : '' }, undefined);
    }
  }
  return out;
}

/** Body paragraphs (a run of them that changed) → Markdown blocks, grouping quotes and list items. */
export function bodyBlocks(paragraphs: ReadParagraph[], ctx: MarkdownContext): RootContent[] {
  const out: RootContent[] = [];
  for (let i = 0; i < paragraphs.length; i++) {
    const para = at(paragraphs, i);
    const text = textOf(para.pieces).trim();
    if (para.style === STYLE.quote) {
      const children: BlockContent[] = [];
      for (; i < paragraphs.length && paragraphs[i]?.style === STYLE.quote; i++) children.push({ type: 'paragraph', children: phrasing(at(paragraphs, i).pieces, ctx) });
      i -= 1;
      out.push({ type: 'blockquote', children });
    } else if (para.style === STYLE.listItem) {
      const first = BULLET.exec(textOf(para.pieces));
      const ordered = first !== null && first[1] !== '•';
      const items: BlockContent[][] = [];
      for (; i < paragraphs.length && paragraphs[i]?.style === STYLE.listItem; i++) {
        const item = at(paragraphs, i);
        const bullet = BULLET.exec(textOf(item.pieces));
        const pieces = bullet ? stripPrefix(item.pieces, bullet[0].length) : item.pieces;
        const block: BlockContent = { type: 'paragraph', children: phrasing(pieces, ctx) };
        if (bullet || items.length === 0) items.push([block]);
        else items.at(-1)?.push(block);
      }
      i -= 1;
      out.push({
        type: 'list',
        ordered,
        ...(ordered ? { start: Number.parseInt(first?.[1] ?? '1', 10) } : {}),
        spread: false,
        children: items.map((children) => ({ type: 'listItem', spread: children.length > 1, children })),
      });
    } else if (para.style === STYLE.body && para.centred && text === ctx.sectionBreak.trim()) {
      out.push({ type: 'thematicBreak' });
    } else if (para.style === STYLE.heading) {
      out.push({ type: 'heading', depth: ctx.headingDepth(text), children: phrasing(para.pieces, ctx) });
    } else if (text !== '' || para.pieces.some((p) => p.kind !== 'text')) {
      out.push({ type: 'paragraph', children: phrasing(para.pieces, ctx) });
    }
  }
  return out;
}

/** The pieces without the first `length` characters (a list item's bullet and tab). */
function stripPrefix(pieces: Piece[], length: number): Piece[] {
  let left = length;
  const out: Piece[] = [];
  for (const piece of pieces) {
    if (left > 0 && piece.kind === 'text') {
      const cut = Math.min(left, piece.text.length);
      left -= cut;
      if (cut < piece.text.length) out.push({ ...piece, text: piece.text.slice(cut) });
    } else out.push(piece);
  }
  return out;
}

const OPTIONS: Options = { extensions: [gfmFootnoteToMarkdown()], bullet: '-', emphasis: '*', strong: '*', rule: '-' };

export function blockMarkdown(node: RootContent): string {
  return toMarkdown(node, OPTIONS).replace(/\n+$/, '');
}

/** A note's paragraphs as a footnote definition `[^label]: …`; the space Word puts after the note number is not text. */
export function noteMarkdown(label: string, paragraphs: ReadParagraph[], ctx: MarkdownContext): string {
  const children = paragraphs
    .map((para, index) => (index === 0 ? trimStart(para.pieces) : para.pieces))
    .filter((pieces) => textOf(pieces).trim() !== '' || pieces.some((p) => p.kind !== 'text'))
    .map((pieces): BlockContent => ({ type: 'paragraph', children: phrasing(pieces, ctx) }));
  const node: FootnoteDefinition = { type: 'footnoteDefinition', identifier: label.toLowerCase(), label, children };
  return blockMarkdown(node);
}

export function trimStart(pieces: Piece[]): Piece[] {
  const [first, ...rest] = pieces;
  if (first?.kind !== 'text') return pieces;
  const text = first.text.replace(/^\s+/, '');
  return text ? [{ ...first, text }, ...rest] : trimStart(rest);
}
