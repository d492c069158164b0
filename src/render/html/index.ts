/**
 * The web edition: one self-contained HTML file (inline CSS, no script, nothing fetched), with
 * the letter frame as semantic blocks, footnote marks linked to endnotes and back, and the
 * signatory list as lists under headings. Every size and space comes from the frame, written in
 * points so that it matches the PDF and the Word copy.
 * CSS for CJK text: justification, strict line breaking (clreq/jlreq line-start rules as browsers
 * know them), `text-spacing-trim` for punctuation compression, `text-autospace` for Han–Latin
 * spacing (CSS Text Level 4), each only where the frame asks for it.
 *
 * The page is a hast tree (hastscript) serialised by hast-util-to-html, which escapes text and
 * attributes. The stylesheet is raw text inside <style>, which no HTML serialiser escapes: every
 * string that reaches it from the inputs (font names, the section-break text) goes through
 * `cssString`.
 */
import { h } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import type { Element, ElementContent, Root } from 'hast';
import type {
  Block, BlockOf, BlockStyle, BlockType, BodyStyle, FrameBlockOf, FrameImage, Inline, InlineOf, InlineType, LetterFrame, Role, StyledRole,
} from '../../frame/types.js';
import { dispatch } from '../../util/checked.js';
import { fontChainFor, type FontChain } from '../../fonts/fontChain.js';
import { faceRuns } from '../../fonts/faceRuns.js';
import { lastLetterBlock } from '../../frame/index.js';

/** Lengths in points, rounded for short CSS. */
const pt = (value: number) => `${Math.round(value * 100) / 100}pt`;

/**
 * A CSS string literal (CSS Syntax §4.3.5 in reverse): quotes and backslashes escaped, control
 * characters and `<` written as hex escapes, so that no input can end the string, the rule or
 * the <style> element.
 */
export function cssString(value: string): string {
  const escaped = [...value]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      if (ch === '"' || ch === '\\') return `\\${ch}`;
      if (code < 0x20 || code === 0x7f || ch === '<' || ch === '>' || ch === '&') return `\\${code.toString(16)} `;
      return ch;
    })
    .join('');
  return `"${escaped}"`;
}

const NL = { type: 'text', value: '\n' } as const;

/** Children with a newline between each two (the page's source stays readable). */
function lines(children: ElementContent[]): ElementContent[] {
  return children.flatMap((child, index) => (index === 0 ? [child] : [NL, child]));
}

interface Context {
  frame: LetterFrame;
  /** The chain the PDF draws with, when the template has a `use: latin` face (CJK templates). */
  latin: { chain: FontChain; names: Set<string>; spans: boolean } | null;
  /** How often each note has been referenced so far, for unique ids of its marks. */
  refs: Map<number, number>;
}

type InlineHandlers = { [K in InlineType]: (node: InlineOf<K>, ctx: Context) => ElementContent[] };
type BlockHandlers = { [K in BlockType]: (node: BlockOf<K>, ctx: Context) => Element };

const refId = (number: number, seen: number) => (seen === 1 ? `fnref-${number}` : `fnref-${number}-${seen}`);

const inlineHandlers: InlineHandlers = {
  text: (node, ctx) => latinSpans(node.value, ctx),
  emphasis: (node, ctx) => [h('em', inlines(node.children, ctx))],
  strong: (node, ctx) => [h('strong', inlines(node.children, ctx))],
  code: (node) => [h('code', node.value)],
  break: () => [h('br')],
  // The model emits only http(s) and mailto links.
  link: (node, ctx) => [h('a', { href: node.url }, inlines(node.children, ctx))],
  noteRef: (node, ctx) => {
    const seen = (ctx.refs.get(node.number) ?? 0) + 1;
    ctx.refs.set(node.number, seen);
    return [h('sup', { className: ['note-ref'] }, h('a', { href: `#fn-${node.number}`, id: refId(node.number, seen), role: 'doc-noteref' }, String(node.number)))];
  },
};

function inlines(nodes: Inline[], ctx: Context): ElementContent[] {
  return nodes.flatMap((node) => dispatch(inlineHandlers, 'type', node, ctx));
}

/** The heading element of a level (h1–h6). */
const headingTag = (level: number) => `h${Math.min(6, Math.max(1, level))}`;

const blockHandlers: BlockHandlers = {
  paragraph: (node, ctx) => h('p', inlines(node.children, ctx)),
  heading: (node, ctx) => h(headingTag(ctx.frame.headings.bodyBase + node.depth), inlines(node.children, ctx)),
  blockquote: (node, ctx) => h('blockquote', [NL, ...blocks(node.children, ctx), NL]),
  thematicBreak: (_node, ctx) => h('hr', { ariaLabel: ctx.frame.body.sectionBreak }),
  list: (node, ctx) =>
    h(node.ordered ? 'ol' : 'ul', node.ordered && node.start !== 1 ? { start: node.start } : {}, [NL, ...lines(node.items.map((item) => h('li', listItem(item, ctx)))), NL]),
};

/** A list item of one paragraph is written without its <p>, as Markdown's "tight" lists are. */
function listItem(item: Block[], ctx: Context): ElementContent[] {
  const [only] = item;
  return item.length === 1 && only?.type === 'paragraph' ? inlines(only.children, ctx) : blocks(item, ctx);
}

function blocks(list: Block[], ctx: Context): ElementContent[] {
  return lines(list.map((block) => dispatch(blockHandlers, 'type', block, ctx)));
}

/**
 * Text with each run the PDF sets in a `use: latin` face and that holds a character outside that
 * face's unicode-range (the curly quotes of "Citizens’", shared with CJK text) in a span naming the
 * Latin face, so the browser takes the word's ’ from it, proportional, as the PDF does.
 */
/** General Punctuation's dashes and quotes (U+2010–U+203A), which Latin and CJK fonts both have. */
const SHARED_PUNCTUATION = /[\u2010-\u203a]/u;

function latinSpans(text: string, ctx: Context): ElementContent[] {
  const { latin } = ctx;
  if (!latin || !SHARED_PUNCTUATION.test(text)) return [{ type: 'text', value: text }];
  return faceRuns(text, latin.chain).map(({ text: part, face }): ElementContent => {
    if (!face || !latin.names.has(face.name) || !SHARED_PUNCTUATION.test(part)) return { type: 'text', value: part };
    latin.spans = true;
    return h('span', { className: ['latin'] }, part);
  });
}

/**
 * An element of one class, as `h(tagName, { className: [name] }, children)` makes it, built
 * directly: h() parses its selector and normalises its properties on every call, and a list of
 * 10,000 names makes 30,000 of these.
 */
function classed(tagName: string, name: string, children: ElementContent[]): Element {
  return { type: 'element', tagName, properties: { className: [name] }, children };
}

const addressLines = (list: string[], ctx: Context): ElementContent[] =>
  list.flatMap((line, index) => (index === 0 ? latinSpans(line, ctx) : [h('br'), NL, ...latinSpans(line, ctx)]));

/** The HTML of each frame role; the list's sections are wrapped in <section> afterwards. */
type RoleHandlers = { [R in Role]: (block: FrameBlockOf<R>, ctx: Context) => Element };

const roleHandlers: RoleHandlers = {
  date: (block) => h('p', { className: ['date'] }, block.text),
  recipient: (block, ctx) => h('address', { className: ['recipient'] }, addressLines(block.lines, ctx)),
  ccLabel: (block) => h('p', { className: ['cc-label'] }, block.text),
  ccRecipient: (block, ctx) => h('address', { className: ['cc-recipient'] }, addressLines(block.lines, ctx)),
  subject: (block, ctx) => h(ctx.frame.headings.subject === 'H1' ? 'h1' : 'p', { className: ['subject'] }, latinSpans(block.text, ctx)),
  salutation: (block, ctx) => h('p', { className: ['salutation'] }, latinSpans(block.text, ctx)),
  body: (block, ctx) => h('div', { className: ['body'] }, [NL, ...blocks(block.blocks, ctx), NL]),
  // A two-line closing (此致 / 敬礼！) keeps its line break.
  closing: (block, ctx) => h('p', { className: ['closing'] }, addressLines(block.text.split('\n'), ctx)),
  sender: (block, ctx) => h('address', { className: ['sender'] }, addressLines(block.lines, ctx)),
  signature: (block, ctx) =>
    h('div', { className: ['signature'] }, [
      ...(block.image ? [h('img', { ...imageAttributes(block.image), className: ['signature-image'] }), h('br')] : []),
      ...addressLines(block.lines, ctx),
    ]),
  signatoriesHeading: (block, ctx) => h(headingTag(ctx.frame.headings.signatories), { className: ['signatories-heading'] }, block.text),
  sectionHeading: (block, ctx) => h(headingTag(ctx.frame.headings.sections), { className: ['section-heading'] }, block.text),
  signatoryEntry: (block, ctx) =>
    classed('li', 'signatory', [
      classed('span', 'name', latinSpans(block.name, ctx)),
      ...(block.detail ? [classed('span', 'detail', latinSpans(`${block.separator}${block.detail}`, ctx))] : []),
    ]),
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

/** A data: URL of an image's checked bytes (no request leaves the page; src/io/image.ts refused unsafe SVG). */
function dataUrl(image: FrameImage): string {
  const mime = image.type === 'svg' ? 'image/svg+xml' : `image/${image.type}`;
  return `data:${mime};base64,${Buffer.from(image.data).toString('base64')}`;
}

/** An <img>'s attributes: the inlined picture at its size in points; alt="" marks decoration. */
function imageAttributes(image: FrameImage): Record<string, string> {
  return { src: dataUrl(image), alt: image.alt ?? '', style: `width: ${pt(image.width)}; height: ${pt(image.height)}` };
}

function hasImages(frame: LetterFrame): boolean {
  return frame.letterhead !== undefined || frame.blocks.some((block) => block.role === 'signature' && block.image !== undefined);
}

/** The letterhead above the letter, where the template places it on the first page. */
function letterheadElement(frame: LetterFrame): Element | null {
  const head = frame.letterhead;
  if (!head) return null;
  return h('header', { className: ['letterhead'] }, [h('img', imageAttributes(head.image))]);
}

const ROLE_CLASS: Record<StyledRole, string> = {
  date: '.date',
  recipient: '.recipient',
  ccLabel: '.cc-label',
  ccRecipient: '.cc-recipient',
  subject: '.subject',
  salutation: '.salutation',
  closing: '.closing',
  sender: '.sender',
  signature: '.signature',
  signatoriesHeading: '.signatories-heading',
  sectionHeading: '.section-heading',
  signatoryEntry: '.signatory',
};

/** The styled roles present in the frame, in reading order, and the space of a further block of each where it differs. */
function rolesUsed(frame: LetterFrame): { roles: StyledRole[]; later: Map<StyledRole, number> } {
  const roles: StyledRole[] = [];
  const seen = new Set<StyledRole>();
  const later = new Map<StyledRole, number>();
  for (const block of frame.blocks) {
    if (block.role === 'body') continue;
    if (!seen.has(block.role)) {
      seen.add(block.role);
      roles.push(block.role);
    }
    if (!block.first && block.spaceOverride !== undefined && !later.has(block.role)) later.set(block.role, block.spaceOverride);
  }
  return { roles, later };
}

/**
 * Every face of the chain, in its order, then the Word copy's East Asian fallback. A `use: latin`
 * face is named through an @font-face limited to Latin, Greek and Cyrillic letters (latinFaces),
 * so that a browser sets whole Latin words in it but leaves the curly quotes of CJK text to the
 * CJK face, as the PDF does.
 */
function fontStack(frame: LetterFrame): string {
  const latin = new Set(frame.fonts.serif.filter((f) => f.use === 'latin').map((f) => f.name));
  return [...new Set([...frame.fonts.names, frame.word.fallbackEastAsiaFont])].map((name) => cssString(latin.has(name) ? latinFamily(name) : name)).concat('serif').join(', ');
}

const latinFamily = (name: string) => `${name} (Latin)`;

/** Latin (Basic to Extended-B, IPA, combining marks, Vietnamese), Greek and Cyrillic: not the curly quotes or dashes shared with CJK. */
const LATIN_RANGE = 'U+0000-036F, U+0370-03FF, U+0400-052F, U+1E00-1FFF, U+2C60-2C7F, U+A720-A7FF';

function latinFaces(frame: LetterFrame, withSpans: boolean): string[] {
  const latin = frame.fonts.serif.filter((f) => f.use === 'latin');
  // A Latin word's curly quotes (latinSpans): the Latin face whole, before the rest of the stack.
  const spans = withSpans && latin.length > 0 ? [`.latin { font-family: ${[...latin.map((f) => cssString(f.name)), fontStack(frame)].join(', ')}; }`] : [];
  return latin
    .flatMap((f) => [
      `@font-face { font-family: ${cssString(latinFamily(f.name))}; src: local(${cssString(f.name)}); unicode-range: ${LATIN_RANGE}; }`,
      `@font-face { font-family: ${cssString(latinFamily(f.name))}; font-weight: bold; src: local(${cssString(`${f.name} Bold`)}), local(${cssString(f.name)}); unicode-range: ${LATIN_RANGE}; }`,
    ])
    .concat(spans);
}

function stylesheet(frame: LetterFrame, body: BodyStyle, withSpans: boolean): string {
  const { language } = frame;
  const { cjk } = language;
  const bodySize = body.paragraph.size;
  const m = frame.page.margins;
  const notes = frame.notesStyle;
  const bodyHeadings = [1, 2, 3, 4, 5, 6].filter((depth) => frame.headings.bodyBase + depth <= 6).map((depth) => `.body ${headingTag(frame.headings.bodyBase + depth)}`);
  const emphasis = language.emphasis === 'dots' ? ' text-emphasis: filled dot; text-emphasis-position: under right;' : language.emphasis === 'bold' ? ' font-weight: bold;' : '';
  const css = [
    ...latinFaces(frame, withSpans),
    `:root { font-family: ${fontStack(frame)}; font-size: ${pt(bodySize)}; line-height: ${body.paragraph.lineHeight}; color: #111; background: #fff; }`,
    `body { max-width: 40em; margin: 2em auto; padding: 0 1em; }`,
    `main { text-align: ${body.paragraph.align}; hyphens: ${language.hyphenate ? 'auto' : 'manual'};${cjk ? ` line-break: strict; word-break: ${language.keepAll ? 'keep-all' : 'normal'};` : ''}` +
      `${language.punctuationCompression ? ' text-spacing-trim: normal;' : ' text-spacing-trim: space-all;'}` +
      `${language.hanLatinSpace > 0 ? ' text-autospace: normal;' : ' text-autospace: no-autospace;'} }`,
    `p, address, h1, h2, h3, h4, h5, h6, ul, ol, blockquote { margin: 0; font-style: normal; font-size: inherit; }`,
    `.body p { text-indent: ${pt(body.paragraph.firstIndent)}; margin-top: ${pt(body.paragraphSpacing)}; }`,
    `.body p:first-child { margin-top: 0; }`,
    `${bodyHeadings.join(', ')} { font-weight: bold; margin-top: ${pt(body.headingSpaceBefore)}; break-after: avoid; }`,
    `.body blockquote { margin: 0 ${pt(body.quoteIndent)}; }`,
    `.body ul, .body ol { padding-left: ${pt(body.listIndent)}; }`,
    `.body li p { text-indent: 0; }`,
    `hr { border: none; text-align: center; margin: 0; }`,
    `hr::after { content: ${cssString(body.sectionBreak)}; }`,
    // CJK has no italic: emphasis is set bold or with dots under the characters (clreq 着重号), as
    // in the PDF and the Word copy.
    `em { font-style: ${language.emphasis === 'italic' ? 'italic' : 'normal'};${emphasis} }`,
    // The mark's rise is a share of the text size; vertical-align in em counts the mark's own size.
    `sup.note-ref { font-size: ${Math.round(notes.markScale * 100)}%; line-height: 0; vertical-align: ${Math.round((notes.markRise / notes.markScale) * 1000) / 1000}em; }`,
    `sup.note-ref a, .notes a[role="doc-backlink"] { text-decoration: none; }`,
    `a { color: ${frame.linkColor}; overflow-wrap: anywhere; }`,
    `.signatories ul { list-style: none; padding: 0; }`,
    `.notes { margin-top: ${pt(notes.separator)}; font-size: ${pt(notes.size)}; line-height: ${notes.lineHeight}; text-align: left; }`,
    `.notes hr { border-top: ${pt(notes.ruleWeight)} solid #111; width: ${Math.round(notes.ruleLength * 100)}%; margin: 0 0 ${pt(notes.separator / 2)}; }`,
    `.notes hr::after { content: none; }`,
    `.notes ol { padding-left: ${pt(notes.hang)}; }`,
    ...(hasImages(frame) ? [`img { display: inline-block; max-width: 100%; object-fit: contain; }`] : []),
    ...(frame.letterhead ? [`.letterhead { text-align: ${frame.letterhead.align}; margin: 0 0 ${pt(frame.letterhead.gap)}; }`] : []),
  ];
  const { roles, later } = rolesUsed(frame);
  for (const role of roles) css.push(roleCss(ROLE_CLASS[role], frame.roles[role], bodySize));
  for (const [role, space] of later) css.push(`${ROLE_CLASS[role]} ~ ${ROLE_CLASS[role]} { margin-top: ${pt(space)}; }`);
  css.push(
    // Page numbers in the page's bottom margin box (CSS Paged Media; Chromium 131+ prints them),
    // in the template's words, as the PDF and the Word copy label their pages.
    `@page { size: ${frame.page.name}; margin: ${pt(m.top)} ${pt(m.right)} ${pt(m.bottom)} ${pt(m.left)}; ` +
      `@bottom-center { content: ${pageLabelContent(frame.furniture.pageLabel.pattern)}; font-size: ${pt(frame.furniture.pageLabel.size)}; } }`,
    // The closing stays on the page of the last paragraph's end. Chromium avoids a break only
    // between sibling boxes: it does not look for an earlier break inside the body's wrapper
    // (measured with Chromium 156's page.pdf()), so in print the wrapper gives up its box
    // (display: contents) and the closing follows the last paragraph's lines directly; the
    // paragraph then breaks before its last two lines (widows: 2) rather than leave the closing alone.
    `@media print { body { max-width: none; margin: 0; padding: 0; } a { color: inherit; } .notes a[role="doc-backlink"] { display: none; } ` +
      `.body { display: contents; } .body p { orphans: 2; widows: 2; } .body > :last-child { break-after: avoid-page; } .closing { break-before: avoid-page; } }`,
  );
  return css.join('\n');
}

/** A page label pattern ("第{page}页，共{pages}页") as CSS generated content with page counters. */
function pageLabelContent(pattern: string): string {
  return pattern
    .split(/(\{page\}|\{pages\})/)
    .filter((part) => part !== '')
    .map((part) => (part === '{page}' ? 'counter(page)' : part === '{pages}' ? 'counter(pages)' : cssString(part)))
    .join(' ');
}

function notesSection(frame: LetterFrame, ctx: Context): Element | null {
  if (frame.notes.length === 0) return null;
  // Every note's text first, so that marks inside notes are counted before the back-links.
  const contents = frame.notes.map((note) => blocks(note.blocks, ctx));
  const items = frame.notes.map((note, index) => {
    const content = contents[index] ?? [];
    const count = ctx.refs.get(note.number) ?? 0;
    const backs = Array.from({ length: count }, (_, k): ElementContent[] => [
      { type: 'text', value: ' ' },
      h('a', { href: `#${refId(note.number, k + 1)}`, role: 'doc-backlink', ariaLabel: `↩ ${note.number}${count > 1 ? `-${k + 1}` : ''}` }, '↩'),
    ]).flat();
    // The back-links go at the end of the note's last paragraph.
    const last = content.at(-1);
    if (last?.type === 'element' && last.tagName === 'p') last.children.push(...backs);
    else content.push(...backs);
    return h('li', { id: `fn-${note.number}`, value: note.number }, content);
  });
  return h('section', { className: ['notes'], role: 'doc-endnotes' }, [NL, h('hr'), NL, h('ol', [NL, ...lines(items), NL]), NL]);
}

/** The letter's blocks, the signatory sections each a heading and a list, the notes after the closing. */
function letterContent(frame: LetterFrame, ctx: Context): ElementContent[] {
  const out: ElementContent[] = [];
  let signatories: Element | null = null;
  let list: Element | null = null;
  const lists: Element[] = [];
  let notesAt = -1;
  const lastOfLetter = lastLetterBlock(frame);
  for (const [index, block] of frame.blocks.entries()) {
    const element = dispatch(roleHandlers, 'role', block, ctx);
    if (block.role === 'signatoriesHeading') {
      signatories = h('section', { className: ['signatories'] });
      out.push(signatories);
    }
    const parent = signatories ? signatories.children : out;
    if (block.role === 'signatoryEntry' && list) {
      list.children.push(...(list.children.length > 0 ? [NL] : []), element);
      continue;
    }
    parent.push(element);
    if (block.role === 'sectionHeading') {
      list = h('ul');
      lists.push(list);
      parent.push(list);
    }
    // The notes follow the closing and the sign-off, as at the end of a typed letter (filled in below).
    if (index === lastOfLetter) notesAt = out.length;
  }
  if (signatories) signatories.children = [NL, ...lines(signatories.children), NL];
  for (const each of lists) each.children = [NL, ...each.children, NL];
  // Notes are made after the letter so that every reference has been counted for back-links.
  const notes = notesSection(frame, ctx);
  if (notes) out.splice(notesAt >= 0 ? notesAt : out.length, 0, notes);
  return lines(out);
}

export function renderHtml(frame: LetterFrame): string {
  const latinNames = new Set(frame.fonts.serif.filter((f) => f.use === 'latin').map((f) => f.name));
  const ctx: Context = { frame, refs: new Map(), latin: latinNames.size > 0 ? { chain: fontChainFor(frame.fonts), names: latinNames, spans: false } : null };
  const letterhead = letterheadElement(frame);
  const main = [...(letterhead ? [letterhead, NL] : []), ...letterContent(frame, ctx)];
  const head: ElementContent[] = [
    h('meta', { charSet: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    // No request leaves the page: no scripts, and nothing loaded from anywhere (images, fonts, styles).
    // Images are inlined as data: URLs, allowed only when the letter has one.
    h('meta', { httpEquiv: 'Content-Security-Policy', content: `default-src 'none'; style-src 'unsafe-inline'${hasImages(frame) ? '; img-src data:' : ''}` }),
    ...(frame.author ? [h('meta', { name: 'author', content: frame.author })] : []),
    h('meta', { name: 'date', content: frame.date }),
    h('meta', { name: 'generator', content: 'letterpress' }),
    h('title', frame.title),
    h('style', `\n${stylesheet(frame, frame.body, ctx.latin?.spans === true)}\n`),
  ];
  const tree: Root = {
    type: 'root',
    children: [
      { type: 'doctype' },
      NL,
      h('html', { lang: frame.lang }, [
        NL,
        h('head', [NL, ...lines(head), NL]),
        NL,
        h('body', [NL, h('main', [NL, h('article', { className: ['letter'] }, [NL, ...main, NL]), NL]), NL]),
        NL,
      ]),
      NL,
    ],
  };
  return toHtml(tree, { upperDoctype: true, characterReferences: { useNamedReferences: true } });
}
