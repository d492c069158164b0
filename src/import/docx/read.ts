/**
 * Reading a Word copy back: the package (fflate) and its XML parts (@xmldom/xmldom) → paragraphs
 * with their named style, runs with the formatting letterpress writes (bold, italic, emphasis
 * dots, links, footnote references), footnotes, comments, tracked changes and everything that
 * has no place in a letter (tables, images, text boxes).
 *
 * Why a DOM (@xmldom/xmldom) rather than fast-xml-parser or saxes: WordprocessingML nests the
 * runs of a paragraph in tracked insertions, deletions, moves, hyperlinks, fields and content
 * controls, and their order matters; a namespace-aware tree walked in document order is the
 * plain way to read that (fast-xml-parser's ordered output loses namespaces, saxes would need a
 * tree built by hand).
 *
 * Tracked changes are resolved while reading (accepted, or rejected), and every one is listed
 * with its author and date (ECMA-376 Part 1 §17.13.5: w:ins, w:del, w:moveFrom, w:moveTo and the
 * paragraph mark's own w:ins/w:del in w:pPr/w:rPr).
 */
import { unzipSync, strFromU8 } from 'fflate';
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import { binaryKind } from '../../io/decode.js';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const ELEMENT_NODE = 1;

export interface RunFormat {
  bold: boolean;
  italics: boolean;
  /** Word's emphasis mark (w:em), letterpress's emphasis in Chinese and Japanese. */
  dots: boolean;
}

export type Piece =
  | { kind: 'text'; text: string; format: RunFormat; link?: string }
  | { kind: 'break'; link?: string }
  /** A real footnote reference (w:footnoteReference): the footnote's id in this package. */
  | { kind: 'noteRef'; id: string }
  /** A repeated note mark: the note's number as superscript text in the footnote-reference style. */
  | { kind: 'noteMark'; number: number };

export interface ReadParagraph {
  /** The letterpress style id this paragraph's style stands for, or null for a style letterpress does not write. */
  style: string | null;
  /** The style's name as the document gives it (for messages). */
  styleName: string;
  /** Direct paragraph spacing above of zero (letterpress's address lines). */
  noSpaceBefore: boolean;
  /** Directly centred (letterpress's section break). */
  centred: boolean;
  pieces: Piece[];
  /** Where the paragraph is, for messages: "paragraph 12" or "footnote 3". */
  where: string;
}

export type ChangeKind = 'insertion' | 'deletion' | 'moved away' | 'moved here' | 'paragraph inserted' | 'paragraph mark deleted' | 'formatting';

export interface TrackedChange {
  kind: ChangeKind;
  author: string;
  date: string;
  text: string;
  where: string;
}

export interface WordComment {
  id: string;
  author: string;
  date: string;
  text: string;
  /** The commented text (as read, after tracked changes are resolved). */
  anchor: string;
  where: string;
  /** The paragraph (of the body or a footnote) the comment starts in. */
  paragraph: ReadParagraph | null;
}

export interface Unmapped {
  what: string;
  where: string;
  text: string;
}

export interface ReadDocx {
  paragraphs: ReadParagraph[];
  /** Footnotes by id, each its paragraphs. */
  footnotes: Map<string, ReadParagraph[]>;
  changes: TrackedChange[];
  comments: WordComment[];
  unmapped: Unmapped[];
}

export type TrackedMode = 'accept' | 'reject';

/** A package or XML part that cannot be read: what is wrong, for the message. */
export class DocxUnreadable extends Error {}

/** Style ids letterpress writes (src/render/docx/styles.ts); matched by id or name, spaces and case ignored. */
export function styleKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

function parseXml(xml: string, part: string): Element {
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new DocxUnreadable(`${part} is not well-formed XML (${message.split('\n')[0]})`);
      },
    }).parseFromString(xml, 'application/xml');
    const root = doc.documentElement;
    if (!root) throw new DocxUnreadable(`${part} is empty`);
    return root;
  } catch (err) {
    if (err instanceof DocxUnreadable) throw err;
    throw new DocxUnreadable(`${part} is not well-formed XML (${(err as Error).message.split('\n')[0]})`);
  }
}

function elements(node: Node): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.nodeType === ELEMENT_NODE) out.push(child as Element);
  return out;
}

const isW = (el: Element, name: string) => el.namespaceURI === W && el.localName === name;
const child = (el: Element, name: string) => elements(el).find((c) => isW(c, name));
const wAttr = (el: Element | undefined, name: string) => el?.getAttributeNS(W, name) ?? null;

/** Every descendant w:<name>. */
function descendants(el: Element, name: string): Element[] {
  return [...el.getElementsByTagNameNS(W, name)] as Element[];
}

/** A toggle property (w:b, w:i): on unless w:val says off. */
function toggle(rPr: Element | undefined, name: string): boolean {
  const el = rPr ? child(rPr, name) : undefined;
  if (!el) return false;
  const val = wAttr(el, 'val');
  return !val || !['0', 'false', 'off', 'none'].includes(val);
}

function plainText(el: Element): string {
  return descendants(el, 't').map((t) => t.textContent ?? '').join('');
}

interface Styles {
  /** style id → letterpress style id (or null) and display name. */
  byId: Map<string, { letterpress: string | null; name: string }>;
}

function readStyles(xml: string | null, known: readonly string[]): Styles {
  const byKey = new Map(known.map((id) => [styleKey(id), id]));
  const byId = new Map<string, { letterpress: string | null; name: string }>();
  if (xml) {
    for (const style of descendants(parseXml(xml, 'word/styles.xml'), 'style')) {
      const id = wAttr(style, 'styleId') ?? '';
      const name = wAttr(child(style, 'name'), 'val') ?? id;
      byId.set(id, { letterpress: byKey.get(styleKey(id)) ?? byKey.get(styleKey(name)) ?? null, name });
    }
  }
  return { byId };
}

/** The relationship targets of a part (hyperlinks' addresses). */
function readRelationships(xml: string | null): Map<string, string> {
  const map = new Map<string, string>();
  if (!xml) return map;
  const root = parseXml(xml, 'relationships');
  for (const rel of [...root.getElementsByTagName('Relationship')] as Element[]) map.set(rel.getAttribute('Id') ?? '', rel.getAttribute('Target') ?? '');
  return map;
}

const FOOTNOTE_MARK_STYLES = new Set(['footnotereference', 'footnotecharacters', 'footnoteanchor', 'footnotesymbol']);

interface PartContext {
  mode: TrackedMode;
  styles: Styles;
  rels: Map<string, string>;
  out: ReadDocx;
  /** Comment ids open at this point of the reading, with the text seen so far. */
  openComments: Map<string, { text: string; paragraph: ReadParagraph; where: string }>;
  anchors: Map<string, { text: string; paragraph: ReadParagraph; where: string }>;
  /** Footnote text: the paragraph's w:footnoteRef is Word's own number, not content. */
  inNote: boolean;
  /** The change recorded last, while nothing else was read since (so that a split change is joined). */
  lastChange?: TrackedChange | undefined;
}

interface RunState {
  link?: string;
  /** Inside a tracked insertion (kept when accepting) or deletion (kept when rejecting). */
  tracked?: 'ins' | 'del';
  /** A complex field: instruction text gathered, and whether its result is being read. */
  field?: { instr: string; result: boolean; link?: string } | undefined;
}

/** Text of an element for a change list or a message (deleted text included). */
function changeText(el: Element): string {
  const parts: string[] = [];
  const walk = (node: Element) => {
    for (const c of elements(node)) {
      if (isW(c, 't') || isW(c, 'delText')) parts.push(c.textContent ?? '');
      else if (isW(c, 'footnoteReference')) parts.push('[footnote mark]');
      else if (isW(c, 'tab')) parts.push('\t');
      else walk(c);
    }
  };
  walk(el);
  return parts.join('');
}

/** A tracked change, listed once: pieces of one change by one author in one paragraph (Word splits them by run) are joined. */
function recordChange(ctx: PartContext, el: Element, kind: ChangeKind, where: string): void {
  const change = { kind, author: wAttr(el, 'author') ?? 'unknown author', date: wAttr(el, 'date') ?? '', text: changeText(el), where };
  const last = ctx.out.changes.at(-1);
  if (last && last.kind === change.kind && last.author === change.author && last.date === change.date && last.where === change.where && ctx.lastChange === last) {
    last.text += change.text;
    return;
  }
  ctx.out.changes.push(change);
  ctx.lastChange = change;
}

function describe(para: ReadParagraph): string {
  const text = para.pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  return `${para.where}${text ? ` "${text.length > 30 ? `${text.slice(0, 30)}…` : text}"` : ''}`;
}

function readParagraph(p: Element, where: string, ctx: PartContext): { para: ReadParagraph; markInserted: boolean; markDeleted: boolean } {
  const pPr = child(p, 'pPr');
  const styleId = wAttr(pPr ? child(pPr, 'pStyle') : undefined, 'val') ?? 'Normal';
  const style = ctx.styles.byId.get(styleId);
  const spacing = pPr ? child(pPr, 'spacing') : undefined;
  const jc = wAttr(pPr ? child(pPr, 'jc') : undefined, 'val');
  const para: ReadParagraph = {
    style: style?.letterpress ?? null,
    styleName: style?.name ?? styleId,
    noSpaceBefore: wAttr(spacing, 'before') === '0',
    centred: jc === 'center',
    pieces: [],
    where: `${where} (${style?.name ?? styleId})`,
  };
  const markRPr = pPr ? child(pPr, 'rPr') : undefined;
  const markIns = markRPr ? child(markRPr, 'ins') : undefined;
  const markDel = markRPr ? child(markRPr, 'del') : undefined;
  if (markIns) recordChange(ctx, markIns, 'paragraph inserted', para.where);
  if (markDel) recordChange(ctx, markDel, 'paragraph mark deleted', para.where);
  if (pPr && child(pPr, 'pPrChange')) recordChange(ctx, child(pPr, 'pPrChange') as Element, 'formatting', para.where);
  readInline(elements(p), para, {}, ctx);
  return { para, markInserted: Boolean(markIns), markDeleted: Boolean(markDel) };
}

function addText(para: ReadParagraph, text: string, format: RunFormat, state: RunState, ctx: PartContext): void {
  if (!text) return;
  if (!state.tracked) ctx.lastChange = undefined;
  for (const open of ctx.openComments.values()) open.text += text;
  const last = para.pieces.at(-1);
  const link = state.link ?? state.field?.link;
  if (last?.kind === 'text' && last.link === link && last.format.bold === format.bold && last.format.italics === format.italics && last.format.dots === format.dots) {
    last.text += text;
    return;
  }
  para.pieces.push({ kind: 'text', text, format, ...(link ? { link } : {}) });
}

function visible(state: RunState, ctx: PartContext): boolean {
  if (state.tracked === 'ins') return ctx.mode === 'accept';
  if (state.tracked === 'del') return ctx.mode === 'reject';
  return true;
}

function readRun(r: Element, para: ReadParagraph, state: RunState, ctx: PartContext): void {
  const rPr = child(r, 'rPr');
  if (rPr && child(rPr, 'rPrChange')) recordChange(ctx, child(rPr, 'rPrChange') as Element, 'formatting', para.where);
  const rStyle = wAttr(rPr ? child(rPr, 'rStyle') : undefined, 'val');
  const rStyleName = rStyle ? (ctx.styles.byId.get(rStyle)?.name ?? rStyle) : '';
  const markStyle = rStyle !== null && (FOOTNOTE_MARK_STYLES.has(styleKey(rStyle)) || FOOTNOTE_MARK_STYLES.has(styleKey(rStyleName)));
  const emphasis = wAttr(rPr ? child(rPr, 'em') : undefined, 'val');
  const format: RunFormat = { bold: toggle(rPr, 'b'), italics: toggle(rPr, 'i'), dots: emphasis !== null && emphasis !== 'none' };
  const shown = visible(state, ctx);
  for (const el of elements(r)) {
    if (el.namespaceURI !== W) {
      if (el.localName === 'AlternateContent') unmappedObject(el, para, ctx);
      continue;
    }
    switch (el.localName) {
      case 'fldChar': {
        const type = wAttr(el, 'fldCharType');
        if (type === 'begin') state.field = { instr: '', result: false };
        else if (type === 'separate' && state.field) {
          state.field.result = true;
          const target = /HYPERLINK\s+"([^"]+)"/.exec(state.field.instr)?.[1];
          if (target) state.field.link = target;
        } else if (type === 'end') state.field = undefined;
        break;
      }
      case 'instrText':
        if (state.field) state.field.instr += el.textContent ?? '';
        break;
      case 't':
      case 'delText': {
        if (!shown || (state.field && !state.field.result)) break;
        const text = el.textContent ?? '';
        if (markStyle && /^\d+$/.test(text.trim())) para.pieces.push({ kind: 'noteMark', number: Number(text.trim()) });
        else addText(para, text, format, state, ctx);
        break;
      }
      case 'tab':
        if (shown) addText(para, '\t', format, state, ctx);
        break;
      case 'noBreakHyphen':
        if (shown) addText(para, '\u2011', format, state, ctx);
        break;
      case 'br':
      case 'cr':
        if (shown && wAttr(el, 'type') !== 'page' && wAttr(el, 'type') !== 'column') para.pieces.push({ kind: 'break', ...(state.link ? { link: state.link } : {}) });
        break;
      case 'footnoteReference':
        if (shown) para.pieces.push({ kind: 'noteRef', id: wAttr(el, 'id') ?? '' });
        break;
      case 'endnoteReference':
        ctx.out.unmapped.push({ what: 'an endnote (letters have footnotes only)', where: para.where, text: '' });
        break;
      case 'drawing':
      case 'pict':
      case 'object':
        unmappedObject(el, para, ctx);
        break;
      default:
        break;
    }
  }
}

/** An image, a text box or an embedded object inside a run: reported with its text, never read as the letter's. */
function unmappedObject(el: Element, para: ReadParagraph, ctx: PartContext): void {
  const boxes = descendants(el, 'txbxContent');
  const text = boxes.map((box) => descendants(box, 'p').map(plainText).join(' ')).join(' ').trim();
  const what = boxes.length > 0 ? 'a text box' : el.localName === 'object' ? 'an embedded object' : 'an image';
  ctx.out.unmapped.push({ what, where: describe(para), text });
}

function readInline(nodes: Element[], para: ReadParagraph, state: RunState, ctx: PartContext): void {
  for (const el of nodes) {
    if (el.namespaceURI !== W) {
      if (el.localName === 'AlternateContent') unmappedObject(el, para, ctx);
      continue;
    }
    switch (el.localName) {
      case 'r':
        readRun(el, para, state, ctx);
        break;
      case 'hyperlink': {
        const id = el.getAttributeNS(R, 'id');
        const target = id ? ctx.rels.get(id) : undefined;
        readInline(elements(el), para, target ? { ...state, link: target } : state, ctx);
        break;
      }
      case 'ins':
      case 'moveTo':
        recordChange(ctx, el, el.localName === 'ins' ? 'insertion' : 'moved here', para.where);
        readInline(elements(el), para, { ...state, tracked: 'ins' }, ctx);
        break;
      case 'del':
      case 'moveFrom':
        recordChange(ctx, el, el.localName === 'del' ? 'deletion' : 'moved away', para.where);
        readInline(elements(el), para, { ...state, tracked: 'del' }, ctx);
        break;
      case 'fldSimple': {
        const target = /HYPERLINK\s+"([^"]+)"/.exec(wAttr(el, 'instr') ?? '')?.[1];
        readInline(elements(el), para, target ? { ...state, link: target } : state, ctx);
        break;
      }
      case 'smartTag':
      case 'customXml':
        readInline(elements(el), para, state, ctx);
        break;
      case 'sdt': {
        const content = child(el, 'sdtContent');
        if (content) readInline(elements(content), para, state, ctx);
        break;
      }
      case 'commentRangeStart': {
        const id = wAttr(el, 'id') ?? '';
        ctx.openComments.set(id, { text: '', paragraph: para, where: para.where });
        break;
      }
      case 'commentRangeEnd': {
        const id = wAttr(el, 'id') ?? '';
        const open = ctx.openComments.get(id);
        if (open) {
          ctx.anchors.set(id, open);
          ctx.openComments.delete(id);
        }
        break;
      }
      default:
        break; // bookmarks, proofing marks, permissions: no content
    }
  }
  // A comment with only a reference mark (no range) is anchored where the mark is.
  for (const ref of nodes.flatMap((el) => (isW(el, 'r') ? descendants(el, 'commentReference') : []))) {
    const id = wAttr(ref, 'id') ?? '';
    if (!ctx.anchors.has(id) && !ctx.openComments.has(id)) ctx.anchors.set(id, { text: '', paragraph: para, where: para.where });
  }
}

/**
 * The paragraphs of a story (the body, one footnote), tracked paragraph marks resolved: a
 * paragraph whose mark is deleted (accepting) or inserted (rejecting) joins the next one.
 */
function readStory(container: Element, where: (n: number) => string, ctx: PartContext, tables: boolean): ReadParagraph[] {
  const out: ReadParagraph[] = [];
  let carry: ReadParagraph | null = null;
  let n = 0;
  const visit = (nodes: Element[]) => {
    for (const el of nodes) {
      if (isW(el, 'p')) {
        n += 1;
        const { para, markInserted, markDeleted } = readParagraph(el, where(n), ctx);
        if (carry) {
          // The joined paragraph keeps the first one's style, as Word does.
          para.pieces = [...carry.pieces, ...para.pieces];
          para.style = carry.style;
          para.styleName = carry.styleName;
          para.where = carry.where;
          carry = null;
        }
        if ((ctx.mode === 'accept' && markDeleted) || (ctx.mode === 'reject' && markInserted)) carry = para;
        else out.push(para);
      } else if (isW(el, 'tbl')) {
        const text = descendants(el, 'tc').map((cell) => descendants(cell, 'p').map(plainText).join(' ')).filter(Boolean).join(' | ');
        const after = out.at(-1);
        ctx.out.unmapped.push({ what: tables ? 'a table' : 'a table in a note', where: after ? `after ${describe(after)}` : 'at the start', text });
      } else if (isW(el, 'sdt')) {
        const content = child(el, 'sdtContent');
        if (content) visit(elements(content));
      } else if (isW(el, 'customXml')) visit(elements(el));
    }
  };
  visit(elements(container));
  if (carry) out.push(carry);
  return out;
}

function readComments(xml: string | null, ctx: PartContext): void {
  if (!xml) return;
  for (const c of descendants(parseXml(xml, 'word/comments.xml'), 'comment')) {
    const id = wAttr(c, 'id') ?? '';
    const anchor = ctx.anchors.get(id) ?? ctx.openComments.get(id);
    ctx.out.comments.push({
      id,
      author: wAttr(c, 'author') ?? 'unknown author',
      date: wAttr(c, 'date') ?? '',
      text: descendants(c, 'p').map(plainText).join('\n').trim(),
      anchor: anchor?.text ?? '',
      where: anchor?.where ?? 'no anchor',
      paragraph: anchor?.paragraph ?? null,
    });
  }
}

/** The parts the import reads; nothing else is decompressed (embedded fonts, images). */
const PARTS = new Set([
  'word/document.xml',
  'word/styles.xml',
  'word/footnotes.xml',
  'word/comments.xml',
  'word/_rels/document.xml.rels',
  'word/_rels/footnotes.xml.rels',
]);

/** A letter's largest part is well under a megabyte; a part far larger is not a letter (or is a zip bomb). */
const MAX_PART_BYTES = 32 * 1024 * 1024;

const SAVE_AS_DOCX = 'open it in Word or LibreOffice and save it as .docx (Word: File ▸ Save As ▸ Word Document; LibreOffice: File ▸ Save As ▸ Word 2007–365), then import that';

/** What a file that is no zip package is, by its first bytes, and what to do. */
function notZip(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'the file is empty (0 bytes); ask for the Word copy again';
  if (strFromU8(bytes.subarray(0, 5)) === '{\\rtf') return `this is an RTF file, not a Word document (.docx); ${SAVE_AS_DOCX}`;
  const kind = binaryKind(bytes);
  if (kind?.includes('.doc')) return `this is ${kind}, not a .docx; ${SAVE_AS_DOCX}`;
  if (kind) return `this is ${kind}, not a Word document (.docx); ask for the Word copy itself`;
  return 'the file is not a Word document (a .docx file is a zip package; this one does not start like one)';
}

/** What a zip package without word/document.xml is (OpenDocument, Excel), and what to do. */
function notWordPackage(files: Record<string, Uint8Array>): string {
  const mimetype = files.mimetype ? strFromU8(files.mimetype).trim() : '';
  if (mimetype === 'application/vnd.oasis.opendocument.text') {
    return `this is an OpenDocument text (.odt, LibreOffice Writer), not a .docx; ${SAVE_AS_DOCX} (or run: soffice --headless --convert-to docx FILE.odt)`;
  }
  if (mimetype.startsWith('application/vnd.oasis.opendocument.')) return `this is an OpenDocument file (${mimetype.slice('application/vnd.oasis.opendocument.'.length)}), not a Word document; give the edited Word copy (.docx)`;
  if (files['xl/workbook.xml']) return 'this is an Excel workbook, not a Word document; give the edited Word copy (.docx)';
  return 'the zip package has no word/document.xml: it is not a Word document (an .odt or .xlsx renamed?)';
}

/** The parts of a DOCX package the import reads; throws DocxUnreadable when it is not one. */
export function unpack(bytes: Uint8Array): Record<string, Uint8Array> {
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new DocxUnreadable(notZip(bytes));
  let files: Record<string, Uint8Array>;
  let tooLarge: string | null = null;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        if (file.name === 'mimetype' || file.name === 'xl/workbook.xml') return file.originalSize < 4096;
        if (!PARTS.has(file.name)) return false;
        if (file.originalSize > MAX_PART_BYTES) tooLarge = file.name;
        return tooLarge === null;
      },
    });
  } catch (err) {
    throw new DocxUnreadable(`the zip package cannot be read (${(err as Error).message}); is the file complete?`);
  }
  if (tooLarge !== null) throw new DocxUnreadable(`its part ${tooLarge} is larger than ${MAX_PART_BYTES / 1024 / 1024} MB: this is not a letter's Word copy`);
  if (!files['word/document.xml']) throw new DocxUnreadable(notWordPackage(files));
  return files;
}

/**
 * Read a DOCX package. `known`: the style ids letterpress writes; `mode`: whether tracked
 * changes are accepted or rejected.
 */
export function readDocx(bytes: Uint8Array, known: readonly string[], mode: TrackedMode): ReadDocx {
  const files = unpack(bytes);
  const text = (name: string) => {
    const file = files[name];
    return file ? strFromU8(file) : null;
  };
  const out: ReadDocx = { paragraphs: [], footnotes: new Map(), changes: [], comments: [], unmapped: [] };
  const styles = readStyles(text('word/styles.xml'), known);
  const base = { mode, styles, out, openComments: new Map(), anchors: new Map(), inNote: false };
  const documentRoot = parseXml(text('word/document.xml') as string, 'word/document.xml');
  const body = child(documentRoot, 'body');
  if (!body) throw new DocxUnreadable('word/document.xml has no body');
  const docCtx: PartContext = { ...base, rels: readRelationships(text('word/_rels/document.xml.rels')) };
  out.paragraphs = readStory(body, (n) => `paragraph ${n}`, docCtx, true);
  const notesXml = text('word/footnotes.xml');
  if (notesXml) {
    const noteCtx: PartContext = { ...base, rels: readRelationships(text('word/_rels/footnotes.xml.rels')), inNote: true };
    for (const note of descendants(parseXml(notesXml, 'word/footnotes.xml'), 'footnote')) {
      const type = wAttr(note, 'type');
      if (type && type !== 'normal') continue; // separators
      const id = wAttr(note, 'id') ?? '';
      out.footnotes.set(id, readStory(note, (n) => `footnote (id ${id})${n > 1 ? `, paragraph ${n}` : ''}`, noteCtx, false));
    }
  }
  readComments(text('word/comments.xml'), base as PartContext);
  return out;
}
