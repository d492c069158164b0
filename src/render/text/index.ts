/**
 * The plain-text edition: UTF-8, LF, paragraphs on one line each (or wrapped at N columns),
 * footnote marks as superscript digits or [n] as the template says, then the notes, then the
 * signatory list.
 */
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import { formatDate } from '../../template/format.js';
import { type Template } from '../../template/schema.js';
import { superscriptNumber } from '../../unicode/scripts.js';
import { wrapText } from '../../typeset/wrapText.js';
import { signatoryLines } from '../signatoryLines.js';

export interface TextOptions {
  /** Wrap at this many columns (East Asian wide characters count 2); 0 = no wrapping. */
  wrap?: number;
}

interface TextContext {
  template: Template;
  wrap: number;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, ctx: TextContext) => string };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: TextContext, indent: string) => string[] };

export function noteMark(n: number, template: Template): string {
  return template.text.noteMarks === 'superscript' ? superscriptNumber(n) : `[${n}]`;
}

const inlineHandlers: InlineHandlers = {
  text: (node) => node.value,
  emphasis: (node, ctx) => inlinesToText(node.children, ctx),
  strong: (node, ctx) => inlinesToText(node.children, ctx),
  code: (node) => node.value,
  break: () => '\n',
  noteRef: (node, ctx) => noteMark(node.number, ctx.template),
  link: (node, ctx) => {
    const label = inlinesToText(node.children, ctx);
    const bare = node.url.replace(/^mailto:/, '');
    return label === node.url || label === bare ? label : `${label} <${bare}>`;
  },
};

function inlinesToText(nodes: Inline[], ctx: TextContext): string {
  return nodes.map((node) => (inlineHandlers[node.type] as (n: Inline, c: TextContext) => string)(node, ctx)).join('');
}

function wrapParagraph(text: string, ctx: TextContext, firstPrefix: string, indent: string): string[] {
  return text
    .split('\n')
    .flatMap((hardLine, index) => wrapText((index === 0 ? firstPrefix : indent) + hardLine, ctx.wrap, indent));
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx, indent) => wrapParagraph(inlinesToText(node.children, ctx), ctx, indent, indent),
  heading: (node, ctx, indent) => wrapParagraph(inlinesToText(node.children, ctx), ctx, indent, indent),
  blockquote: (node, ctx, indent) => blocksToLines(node.children, ctx, `${indent}> `),
  thematicBreak: (_node, _ctx, indent) => [`${indent}* * *`],
  list: (node, ctx, indent) =>
    node.items.flatMap((item, index) => {
      const bullet = node.ordered ? `${node.start + index}. ` : '- ';
      const lines = blocksToLines(item, ctx, indent + ' '.repeat(bullet.length));
      const first = lines.findIndex((line) => line.trim() !== '');
      if (first >= 0) lines[first] = indent + bullet + (lines[first] as string).slice(indent.length + bullet.length);
      return lines;
    }),
};

function blocksToLines(blocks: Block[], ctx: TextContext, indent = ''): string[] {
  const out: string[] = [];
  blocks.forEach((block, index) => {
    if (index > 0) out.push('');
    out.push(...(blockHandlers[block.type] as (n: Block, c: TextContext, i: string) => string[])(block, ctx, indent));
  });
  return out;
}

export function renderText(document: LetterDocument, options: TextOptions = {}): string {
  const { meta, template } = document;
  const ctx: TextContext = { template, wrap: options.wrap ?? template.text.wrap };
  const { labels } = template;
  const sections: string[][] = [];
  sections.push([formatDate(meta.date, template)]);
  for (const party of meta.to) sections.push([party.name, ...party.address]);
  if (meta.cc.length > 0) {
    sections.push([`${labels.cc}${labels.labelSeparator.trimEnd()}`]);
    for (const party of meta.cc) sections.push([party.name, ...party.address]);
  }
  sections.push(wrapParagraph(`${labels.subject}${labels.labelSeparator}${meta.subject}`, ctx, '', ''));
  sections.push([meta.salutation]);
  sections.push(blocksToLines(document.body, ctx));
  sections.push([meta.closing]);
  if (document.notes.length > 0) {
    const noteLines: string[] = [template.text.notesRule];
    for (const note of document.notes) {
      const mark = `${noteMark(note.number, template)} `;
      const lines = blocksToLines(note.blocks, ctx, ' '.repeat(mark.length));
      const first = lines.findIndex((line) => line.trim() !== '');
      if (first >= 0) lines[first] = mark + (lines[first] as string).trimStart();
      noteLines.push(...lines.filter((line, index) => line !== '' || index === 0));
    }
    sections.push(noteLines);
  }
  if (document.signatories) {
    const list = signatoryLines(document.signatories, template);
    sections.push([list.heading]);
    if (list.organizations.length > 0) sections.push([labels.organizations], list.organizations.flatMap((line) => wrapParagraph(line, ctx, '', '  ')));
    if (list.individuals.length > 0) sections.push([labels.individuals], list.individuals.flatMap((line) => wrapParagraph(line, ctx, '', '  ')));
  }
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

