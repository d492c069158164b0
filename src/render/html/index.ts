/**
 * The web edition: one self-contained HTML file (inline CSS, no script, nothing fetched), with
 * the letter frame as semantic blocks, footnote marks linked to endnotes and back, and the
 * signatory list as lists under headings. Every size and space comes from the frame (the
 * template's `layout:`), written in points so that it matches the PDF and the Word copy.
 * CSS for CJK text: justification, strict line breaking (clreq/jlreq line-start rules as browsers
 * know them), `text-spacing-trim` for punctuation compression, `text-autospace` for Han–Latin
 * spacing (CSS Text Level 4), each only where the template asks for it.
 */
import type { Block, BlockOf, BlockType, Inline, InlineOf, InlineType, LetterDocument } from '../../model/types.js';
import type { Template } from '../../template/schema.js';
import { buildFrame, type BlockStyle, type BodyStyle, type FrameBlock, type FrameBlockOf, type LetterFrame, type Role } from '../../frame/index.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/** Lengths in points, rounded for short CSS. */
const pt = (value: number) => `${Math.round(value * 100) / 100}pt`;

interface Context {
  /** How often each note has been referenced so far, for unique ids of its marks. */
  refs: Map<number, number>;
  /** The frame's text for a Markdown `---`. */
  sectionBreak: string;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, ctx: Context) => string };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => string };

const inlineHandlers: InlineHandlers = {
  text: (node) => escape(node.value),
  emphasis: (node, ctx) => `<em>${inlines(node.children, ctx)}</em>`,
  strong: (node, ctx) => `<strong>${inlines(node.children, ctx)}</strong>`,
  code: (node) => `<code>${escape(node.value)}</code>`,
  break: () => '<br>',
  // The model emits only http(s) and mailto links.
  link: (node, ctx) => `<a href="${escape(node.url)}">${inlines(node.children, ctx)}</a>`,
  noteRef: (node, ctx) => {
    const seen = (ctx.refs.get(node.number) ?? 0) + 1;
    ctx.refs.set(node.number, seen);
    const id = seen === 1 ? `fnref-${node.number}` : `fnref-${node.number}-${seen}`;
    return `<sup class="note-ref"><a href="#fn-${node.number}" id="${id}" role="doc-noteref">${node.number}</a></sup>`;
  },
};

function inlines(nodes: Inline[], ctx: Context): string {
  return nodes.map((node) => (inlineHandlers[node.type] as (n: Inline, c: Context) => string)(node, ctx)).join('');
}

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx) => `<p>${inlines(node.children, ctx)}</p>`,
  // h1 is the subject and h2 the signatory list: headings inside the letter start at h3.
  heading: (node, ctx) => {
    const level = Math.min(6, node.depth + 2);
    return `<h${level}>${inlines(node.children, ctx)}</h${level}>`;
  },
  blockquote: (node, ctx) => `<blockquote>\n${blocks(node.children, ctx)}\n</blockquote>`,
  thematicBreak: (_node, ctx) => `<hr aria-label="${escape(ctx.sectionBreak)}">`,
  list: (node, ctx) => {
    const tag = node.ordered ? 'ol' : 'ul';
    const start = node.ordered && node.start !== 1 ? ` start="${node.start}"` : '';
    const items = node.items.map((item) => `<li>${listItem(item, ctx)}</li>`).join('\n');
    return `<${tag}${start}>\n${items}\n</${tag}>`;
  },
};

/** A list item of one paragraph is written without its <p>, as Markdown's "tight" lists are. */
function listItem(item: Block[], ctx: Context): string {
  const [only] = item;
  return item.length === 1 && only?.type === 'paragraph' ? inlines(only.children, ctx) : blocks(item, ctx);
}

function blocks(list: Block[], ctx: Context): string {
  return list.map((block) => (blockHandlers[block.type] as (n: Block, c: Context) => string)(block, ctx)).join('\n');
}

const lines = (list: string[]) => list.map(escape).join('<br>\n');

/** The HTML of each frame role; the list's sections are wrapped in <section> afterwards. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: Context) => string };

const roleHandlers: RoleHandlers = {
  date: (block) => `<p class="date">${escape(block.text)}</p>`,
  recipient: (block) => `<address class="recipient">${lines(block.lines)}</address>`,
  ccLabel: (block) => `<p class="cc-label">${escape(block.text)}</p>`,
  ccRecipient: (block) => `<address class="cc-recipient">${lines(block.lines)}</address>`,
  subject: (block) => `<h1 class="subject">${escape(block.text)}</h1>`,
  salutation: (block) => `<p class="salutation">${escape(block.text)}</p>`,
  body: (block, ctx) => `<div class="body">\n${blocks(block.blocks, ctx)}\n</div>`,
  closing: (block) => `<p class="closing">${escape(block.text)}</p>`,
  signatoriesHeading: (block) => `<h2 class="signatories-heading">${escape(block.text)}</h2>`,
  sectionHeading: (block) => `<h3 class="section-heading">${escape(block.text)}</h3>`,
  signatoryEntry: (block) =>
    `<li class="signatory"><span class="name">${escape(block.name)}</span>${block.detail ? `<span class="detail">${escape(block.text.slice(block.name.length))}</span>` : ''}</li>`,
};

/** The CSS of one frame role from its resolved layout. */
function roleCss(selector: string, style: BlockStyle, bodySize: number): string {
  const rules = [
    `margin: ${pt(style.spaceBefore)} 0 0`,
    `line-height: ${style.lineHeight}`,
    `text-align: ${style.align}`,
    `font-weight: ${style.bold ? 'bold' : 'normal'}`,
  ];
  if (style.size !== bodySize) rules.push(`font-size: ${pt(style.size)}`);
  if (style.indent + style.hang > 0) rules.push(`padding-left: ${pt(style.indent + style.hang)}`);
  const first = style.firstIndent - style.hang;
  if (first !== 0) rules.push(`text-indent: ${pt(first)}`);
  if (style.keepWithNext) rules.push('break-after: avoid');
  return `${selector} { ${rules.join('; ')}; }`;
}

/** The first block of each role in the frame: the style its CSS class is written from. */
function firstStyles(frame: LetterFrame): Map<Role, BlockStyle> {
  const styles = new Map<Role, BlockStyle>();
  for (const block of frame.blocks) if (block.role !== 'body' && !styles.has(block.role)) styles.set(block.role, block.style);
  return styles;
}

/** A further block of a role whose space above differs from the first one's (a second recipient). */
function laterSpacing(frame: LetterFrame): Map<Role, number> {
  const later = new Map<Role, number>();
  const seen = new Set<Role>();
  for (const block of frame.blocks) {
    if (block.role === 'body') continue;
    if (seen.has(block.role) && !later.has(block.role)) later.set(block.role, block.style.spaceBefore);
    seen.add(block.role);
  }
  return later;
}

const ROLE_CLASS: Record<Exclude<Role, 'body'>, string> = {
  date: '.date',
  recipient: '.recipient',
  ccLabel: '.cc-label',
  ccRecipient: '.cc-recipient',
  subject: '.subject',
  salutation: '.salutation',
  closing: '.closing',
  signatoriesHeading: '.signatories-heading',
  sectionHeading: '.section-heading',
  signatoryEntry: '.signatory',
};

function fontStack(template: Template): string {
  const names = [...template.fonts.serif.map((f) => f.name), template.docx.fallbackEastAsiaFont];
  return [...new Set(names)].map((n) => `"${n.replace(/["\\]/g, '')}"`).concat('serif').join(', ');
}

function stylesheet(frame: LetterFrame, template: Template, body: BodyStyle): string {
  const { type, page } = template;
  const cjk = /^(zh|ja|ko)/i.test(template.lang);
  const m = page.margins;
  const notes = frame.notesStyle;
  const css = [
    `:root { font-family: ${fontStack(template)}; font-size: ${pt(type.bodySize)}; line-height: ${type.lineHeight}; color: #111; background: #fff; }`,
    `body { max-width: 40em; margin: 2em auto; padding: 0 1em; }`,
    `main { text-align: ${body.paragraph.align}; hyphens: ${type.hyphenate ? 'auto' : 'manual'};${cjk ? ` line-break: strict; word-break: ${type.wordBreak};` : ''}` +
      `${type.punctuationCompression ? ' text-spacing-trim: normal;' : ' text-spacing-trim: space-all;'}` +
      `${type.hanLatinSpace > 0 ? ' text-autospace: normal;' : ' text-autospace: no-autospace;'} }`,
    `p, address, h1, h2, h3, h4, h5, h6, ul, ol, blockquote { margin: 0; font-style: normal; font-size: inherit; }`,
    `.body p { text-indent: ${pt(body.paragraph.firstIndent)}; margin-top: ${pt(body.paragraphSpacing)}; }`,
    `.body p:first-child { margin-top: 0; }`,
    `.body h3, .body h4, .body h5, .body h6 { font-weight: bold; margin-top: ${pt(body.headingSpaceBefore)}; break-after: avoid; }`,
    `.body blockquote { margin: 0 ${pt(body.quoteIndent)}; }`,
    `.body ul, .body ol { padding-left: ${pt(body.listIndent)}; }`,
    `.body li p { text-indent: 0; }`,
    `hr { border: none; text-align: center; margin: 0; }`,
    `hr::after { content: "${body.sectionBreak.replace(/["\\]/g, '')}"; }`,
    // CJK has no italic: emphasis is set bold or with dots under the characters (clreq 着重号), as
    // the template says, as in the PDF and the Word copy.
    `em { font-style: ${cjk ? 'normal' : 'italic'};${cjk ? (type.emphasis === 'dots' ? ' text-emphasis: filled dot; text-emphasis-position: under right;' : ' font-weight: bold;') : ''} }`,
    // The mark's rise is a share of the text size; vertical-align in em counts the mark's own size.
    `sup.note-ref { font-size: ${Math.round(notes.markScale * 100)}%; line-height: 0; vertical-align: ${Math.round((notes.markRise / notes.markScale) * 1000) / 1000}em; }`,
    `sup.note-ref a, .notes a[role="doc-backlink"] { text-decoration: none; }`,
    `a { color: ${template.layout.linkColor}; overflow-wrap: anywhere; }`,
    `.signatories ul { list-style: none; padding: 0; }`,
    `.notes { margin-top: ${pt(notes.separator)}; font-size: ${pt(notes.size)}; line-height: ${notes.lineHeight}; text-align: left; }`,
    `.notes hr { border-top: ${pt(notes.ruleWeight)} solid #111; width: ${Math.round(notes.ruleLength * 100)}%; margin: 0 0 ${pt(notes.separator / 2)}; }`,
    `.notes hr::after { content: none; }`,
    `.notes ol { padding-left: ${pt(notes.hang)}; }`,
  ];
  const styles = firstStyles(frame);
  for (const [role, style] of styles) css.push(roleCss(ROLE_CLASS[role as Exclude<Role, 'body'>], style, type.bodySize));
  for (const [role, space] of laterSpacing(frame)) {
    if (space === styles.get(role)?.spaceBefore) continue;
    const selector = ROLE_CLASS[role as Exclude<Role, 'body'>];
    css.push(`${selector} ~ ${selector} { margin-top: ${pt(space)}; }`);
  }
  css.push(
    // Page numbers in the page's bottom margin box (CSS Paged Media; Chromium 131+ prints them),
    // in the template's words, as the PDF and the Word copy label their pages.
    `@page { size: A4; margin: ${pt(m.top)} ${pt(m.right)} ${pt(m.bottom)} ${pt(m.left)}; ` +
      `@bottom-center { content: ${pageLabelContent(frame.furniture.pageLabel.pattern)}; font-size: ${pt(frame.furniture.pageLabel.size)}; } }`,
    // The closing stays on the page of the last paragraph.
    `@media print { body { max-width: none; margin: 0; padding: 0; } a { color: inherit; } .notes a[role="doc-backlink"] { display: none; } ` +
      `.body > :last-child { break-after: avoid-page; } .closing { break-before: avoid-page; } }`,
  );
  return css.join('\n');
}

/** A page label pattern ("第{page}页，共{pages}页") as CSS generated content with page counters. */
function pageLabelContent(pattern: string): string {
  const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&').replace(/\n/g, ' ')}"`;
  return pattern
    .split(/(\{page\}|\{pages\})/)
    .filter((part) => part !== '')
    .map((part) => (part === '{page}' ? 'counter(page)' : part === '{pages}' ? 'counter(pages)' : quoted(part)))
    .join(' ');
}

function notesHtml(frame: LetterFrame, ctx: Context): string {
  if (frame.notes.length === 0) return '';
  // Every note's text first, so that marks inside notes are counted before the back-links.
  const contents = frame.notes.map((note) => blocks(note.blocks, ctx));
  const items = frame.notes.map((note, index) => {
    const content = contents[index] as string;
    const count = ctx.refs.get(note.number) ?? 0;
    const backs = Array.from({ length: count }, (_, k) => {
      const id = k === 0 ? `fnref-${note.number}` : `fnref-${note.number}-${k + 1}`;
      return ` <a href="#${id}" role="doc-backlink" aria-label="↩ ${note.number}${count > 1 ? `-${k + 1}` : ''}">↩</a>`;
    }).join('');
    // The back-links go at the end of the note's last paragraph.
    const withBacks = content.endsWith('</p>') ? `${content.slice(0, -4)}${backs}</p>` : `${content}${backs}`;
    return `<li id="fn-${note.number}" value="${note.number}">${withBacks}</li>`;
  });
  return `<section class="notes" role="doc-endnotes">\n<hr>\n<ol>\n${items.join('\n')}\n</ol>\n</section>`;
}

export function renderHtml(document: LetterDocument): string {
  const { template } = document;
  const frame = buildFrame(document);
  const body = frame.blocks.find((b): b is FrameBlockOf<'body'> => b.role === 'body')?.style;
  const ctx: Context = { refs: new Map(), sectionBreak: template.labels.sectionBreak };
  const out: string[] = [];
  let openSection: FrameBlockOf<'sectionHeading'>['section'] | null = null;
  let inSignatories = false;
  let notesAt = -1;
  const closeList = () => {
    if (openSection) out.push('</ul>');
    openSection = null;
  };
  for (const block of frame.blocks) {
    if (block.role === 'signatoriesHeading') {
      inSignatories = true;
      out.push('<section class="signatories">');
    }
    if (block.role === 'sectionHeading') closeList();
    out.push((roleHandlers[block.role] as (b: FrameBlock, c: Context) => string)(block, ctx));
    if (block.role === 'sectionHeading') {
      out.push('<ul>');
      openSection = block.section;
    }
    // The notes follow the closing, as at the end of a typed letter (filled in below).
    if (block.role === 'closing') notesAt = out.push('') - 1;
  }
  closeList();
  if (inSignatories) out.push('</section>');
  // Notes are rendered after the letter so that every reference has been counted for back-links.
  const notes = notesHtml(frame, ctx);
  if (notesAt >= 0) out[notesAt] = notes;
  else out.push(notes);
  const main = out.filter(Boolean).join('\n');
  const title = escape(frame.title);
  const meta = [
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No request leaves the page: no scripts, and nothing loaded from anywhere (images, fonts, styles).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    frame.author ? `<meta name="author" content="${escape(frame.author)}">` : '',
    `<meta name="date" content="${escape(frame.date)}">`,
    '<meta name="generator" content="letterpress">',
  ].filter(Boolean);
  const css = body ? stylesheet(frame, template, body) : '';
  return `<!DOCTYPE html>
<html lang="${escape(frame.lang)}">
<head>
${meta.join('\n')}
<title>${title}</title>
<style>
${css}
</style>
</head>
<body>
<main>
<article class="letter">
${main}
</article>
</main>
</body>
</html>
`;
}
