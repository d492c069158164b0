/**
 * The plain-text edition: UTF-8, LF, paragraphs on one line each (or wrapped at N columns),
 * footnote marks as superscript digits or [n] as the template says, then the notes, then the
 * signatory list.
 */
import { entryText, lastLetterBlock, listMarker } from '../../frame/index.js';
import { at, dispatch } from '../../util/checked.js';
import type { Block, BlockOf, BlockType, FrameBlock, FrameBlockOf, Inline, InlineOf, InlineType, LetterFrame, Note, Role } from '../../frame/types.js';
import { superscriptNumber } from '../../unicode/scripts.js';
import { wrapText } from '../../typeset/wrapText.js';

export interface TextOptions {
  /** Wrap at this many columns (East Asian wide characters count 2); 0 = no wrapping. */
  wrap?: number;
}

interface TextContext {
  frame: LetterFrame;
  wrap: number;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, ctx: TextContext) => string };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: TextContext, indent: string) => string[] };

export function noteMark(n: number, frame: LetterFrame): string {
  return frame.text.noteMarks === 'superscript' ? superscriptNumber(n) : `[${n}]`;
}

const inlineHandlers: InlineHandlers = {
  text: (node) => node.value,
  emphasis: (node, ctx) => inlinesToText(node.children, ctx),
  strong: (node, ctx) => inlinesToText(node.children, ctx),
  code: (node) => node.value,
  break: () => '\n',
  noteRef: (node, ctx) => noteMark(node.number, ctx.frame),
  link: (node, ctx) => {
    const label = inlinesToText(node.children, ctx);
    const bare = node.url.replace(/^mailto:/, '');
    return label === node.url || label === bare ? label : `${label} <${bare}>`;
  },
};

function inlinesToText(nodes: Inline[], ctx: TextContext): string {
  return nodes.map((node) => dispatch(inlineHandlers, 'type', node, ctx)).join('');
}

function wrapParagraph(text: string, ctx: TextContext, firstPrefix: string, indent: string): string[] {
  return text
    .split('\n')
    .flatMap((hardLine, index) =>
      wrapText((index === 0 ? firstPrefix : indent) + hardLine, ctx.wrap, indent, { keepAll: ctx.frame.language.keepAll }),
    );
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx, indent) => wrapParagraph(inlinesToText(node.children, ctx), ctx, indent, indent),
  heading: (node, ctx, indent) => wrapParagraph(inlinesToText(node.children, ctx), ctx, indent, indent),
  blockquote: (node, ctx, indent) => blocksToLines(node.children, ctx, `${indent}> `),
  thematicBreak: (_node, ctx, indent) => [`${indent}${ctx.frame.body.sectionBreak}`],
  list: (node, ctx, indent) =>
    node.items.flatMap((item, index) => {
      const bullet = `${listMarker(ctx.frame.listMarkers, node, index, true)} `;
      const lines = blocksToLines(item, ctx, indent + ' '.repeat(bullet.length));
      const first = lines.findIndex((line) => line.trim() !== '');
      if (first >= 0) lines[first] = indent + bullet + at(lines, first).slice(indent.length + bullet.length);
      return lines;
    }),
};

function blocksToLines(blocks: Block[], ctx: TextContext, indent = ''): string[] {
  const out: string[] = [];
  blocks.forEach((block, index) => {
    if (index > 0) out.push('');
    out.push(...dispatch(blockHandlers, 'type', block, ctx, indent));
  });
  return out;
}

/**
 * Lines of each frame role. A blank line goes where the layout puts half a line or more, and
 * before every paragraph (the body's and the closing): plain text has no first-line indent, so
 * a blank line is its only paragraph break.
 */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: TextContext) => string[] };

const roleHandlers: RoleHandlers = {
  date: (block) => [block.text],
  recipient: (block) => block.lines,
  ccLabel: (block) => [block.text],
  ccRecipient: (block) => block.lines,
  subject: (block, ctx) => wrapParagraph(block.text, ctx, '', ''),
  salutation: (block) => [block.text],
  // Plain text has no first-line indent: paragraphs of the body are always apart.
  body: (block, ctx) => blocksToLines(block.blocks, ctx),
  closing: (block) => [block.text],
  sender: (block) => block.lines,
  // The signature image is a picture only: the text edition has the signer's name and title.
  signature: (block) => block.lines,
  signatoriesHeading: (block) => [block.text],
  sectionHeading: (block) => [block.text],
  signatoryEntry: (block, ctx) => wrapParagraph(entryText(block), ctx, '', '  '),
};

function notesLines(notes: Note[], ctx: TextContext): string[] {
  const noteLines: string[] = [ctx.frame.text.notesRule];
  for (const note of notes) {
    const mark = `${noteMark(note.number, ctx.frame)} `;
    const lines = blocksToLines(note.blocks, ctx, ' '.repeat(mark.length));
    const first = lines.findIndex((line) => line.trim() !== '');
    if (first >= 0) lines[first] = mark + at(lines, first).trimStart();
    noteLines.push(...lines.filter((line, index) => line !== '' || index === 0));
  }
  return noteLines;
}

function isParty(block: FrameBlock): block is FrameBlockOf<'recipient'> | FrameBlockOf<'ccRecipient'> {
  return block.role === 'recipient' || block.role === 'ccRecipient';
}

export function renderText(frame: LetterFrame, options: TextOptions = {}): string {
  const ctx: TextContext = { frame, wrap: options.wrap ?? frame.text.wrap };
  const out: string[] = [];
  const lastOfLetter = lastLetterBlock(frame);
  for (const [index, block] of frame.blocks.entries()) {
    const lines = dispatch(roleHandlers, 'role', block, ctx);
    // Two address blocks in a row are kept apart by any space the layout puts between them (as the PDF shows them).
    const nextParty = isParty(block) && !block.first && block.style.spaceBefore > 0;
    const apart = nextParty || block.role === 'body' || block.role === 'closing' || (block.role === 'signature' && block.first) || block.style.spaceBefore >= (block.style.size * block.style.lineHeight) / 2;
    if (out.length > 0 && apart) out.push('');
    out.push(...lines);
    // The notes follow the closing and the sign-off, as at the end of a typed letter.
    if (index === lastOfLetter && frame.notes.length > 0) out.push('', ...notesLines(frame.notes, ctx));
  }
  return `${out.join('\n')}\n`;
}
