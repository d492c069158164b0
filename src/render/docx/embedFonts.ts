/**
 * Fonts embedded in the Word copy, as Word does with "Embed fonts in the file" and "Embed only
 * the characters used in the document", so that the copy looks like the mailing PDF on machines
 * that do not have the template's fonts:
 * - each face (regular, bold, and italics where the family has them) a TrueType font, subset to the characters of the document plus what
 *   an editor is likely to type (template switch `docx.embedFonts: subset | full | none`),
 *   obfuscated (ECMA-376 Part 1 §17.8.1) in word/fonts/fontN.odttf;
 * - fontTable.xml: w:embedRegular / w:embedBold (/ w:embedItalic / w:embedBoldItalic) with r:id and w:fontKey (§17.8.3.3), and for
 *   machines that ignore embedded fonts the East Asian alternative name, PANOSE, charset and
 *   Unicode/code-page signature, so that Word substitutes a Song/Ming face, not a sans;
 * - word/_rels/fontTable.xml.rels, the .odttf content type, w:embedTrueTypeFonts and
 *   w:saveSubsetFonts in settings.xml (§17.15.1.41, §17.15.1.75).
 * A face whose licence (OS/2 fsType) does not allow editable embedding is not embedded; the build
 * says so, on the template's line.
 */
import { createHash } from 'node:crypto';
import type { VFile } from 'vfile';
import type { Document, Element } from '@xmldom/xmldom';
import { entryText, listMarker } from '../../frame/index.js';
import type { Block, Inline, LetterFrame } from '../../frame/types.js';
import { PACKAGE_RELATIONSHIPS, PackageParts, R, W, childElements, rootOf, wElement } from './parts.js';
import { templateWarning } from './warnings.js';
import { shownIfInside } from '../../io/paths.js';
import { fontChainFor, type Face } from '../../fonts/fontChain.js';
import { embeddingRights, subsetTrueType } from '../../fonts/subset.js';
import { at } from '../../util/checked.js';

const FONT_RELATIONSHIP = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/font';
const OBFUSCATED_FONT = 'application/vnd.openxmlformats-officedocument.obfuscatedFont';

/**
 * Characters an editor is likely to type into the letter besides those it holds: printable
 * ASCII, the general punctuation of Latin text, and the CJK punctuation of a Chinese keyboard
 * (ideographic space and marks, brackets, full-width punctuation and symbols).
 */
const EDITOR_CHARACTERS = ([
  [0x20, 0x7e],
  [0xa0, 0xa0], [0xa7, 0xa7], [0xb7, 0xb7], [0xd7, 0xd7], [0xf7, 0xf7],
  [0x2013, 0x2014], [0x2018, 0x2019], [0x201c, 0x201d], [0x2022, 0x2022], [0x2026, 0x2026], [0x2030, 0x2030],
  [0x3000, 0x3003], [0x3008, 0x3011], [0x3014, 0x3017], [0x301c, 0x301c],
  [0xff01, 0xff0f], [0xff1a, 0xff20], [0xff3b, 0xff40], [0xff5b, 0xff5e], [0xffe5, 0xffe5],
] satisfies Array<[number, number]>).flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));

// ── The characters of the document, regular and bold ────────────────────────────────────────

interface DocumentCharacters {
  all: Set<number>;
  bold: Set<number>;
}

/**
 * The code points the Word copy sets, and which of them bold, from the frame: every role's text
 * (bold where its style is), the body and the notes (headings and strong text bold, emphasis
 * where the language sets it bold), list markers, the section break and the page label.
 */
export function documentCharacters(frame: LetterFrame): DocumentCharacters {
  const all = new Set<number>();
  const bold = new Set<number>();
  const add = (text: string, isBold: boolean) => {
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      all.add(cp);
      if (isBold) bold.add(cp);
    }
  };
  const inlines = (nodes: Inline[], isBold: boolean): void => {
    for (const node of nodes) {
      if (node.type === 'text' || node.type === 'code') add(node.value, isBold);
      else if (node.type === 'noteRef') add(String(node.number), isBold);
      else if (node.type === 'strong') inlines(node.children, true);
      else if (node.type === 'emphasis') inlines(node.children, isBold || frame.language.emphasis === 'bold');
      else if (node.type === 'link') inlines(node.children, isBold);
    }
  };
  const blocks = (list: Block[]): void => {
    for (const block of list) {
      if (block.type === 'paragraph') inlines(block.children, false);
      else if (block.type === 'heading') inlines(block.children, true);
      else if (block.type === 'blockquote') blocks(block.children);
      else if (block.type === 'thematicBreak') add(frame.body.sectionBreak, false);
      else {
        block.items.forEach((_item, index) => add(listMarker(frame.listMarkers, block, index), false));
        block.items.forEach(blocks);
      }
    }
  };
  for (const block of frame.blocks) {
    if (block.role === 'body') blocks(block.blocks);
    else if (block.role === 'signatoryEntry') add(entryText(block), frame.roles.signatoryEntry.bold);
    else if ('lines' in block) block.lines.forEach((line) => add(line, frame.roles[block.role].bold));
    else add(block.text, frame.roles[block.role].bold);
  }
  for (const note of frame.notes) blocks(note.blocks);
  add(frame.furniture.pageLabel.pattern.replace(/\{pages?\}/g, ''), false);
  return { all, bold };
}

/**
 * The characters the Word copy sets in each family, regular and bold, as its runs name them
 * (src/render/docx/index.ts): the faces past the template's two Word fonts (a Hangul name in a
 * Chinese letter in Noto Serif KR) are embedded with these.
 */
export class FaceUse {
  readonly families = new Map<string, DocumentCharacters>();

  add(family: string, text: string, bold: boolean): void {
    let chars = this.families.get(family);
    if (!chars) this.families.set(family, (chars = { all: new Set(), bold: new Set() }));
    for (const ch of text) {
      if (/\s/u.test(ch)) continue;
      const cp = ch.codePointAt(0) ?? 0;
      chars.all.add(cp);
      if (bold) chars.bold.add(cp);
    }
  }
}

// ── Obfuscation (ECMA-376 Part 1 §17.8.1) ───────────────────────────────────────────────────

/**
 * A font key derived from the font's bytes (not drawn at random, so rebuilds give the same
 * file), written as a GUID: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}.
 */
function fontKeyOf(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const hex = hash.digest('hex').slice(0, 32).toUpperCase();
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}}`;
}

/**
 * §17.8.1: the key is the GUID's 16 bytes read from its last hex pair to its first; the first 32
 * bytes of the font are XORed with it, twice over. The same operation undoes it.
 */
function obfuscateFont(font: Uint8Array, fontKey: string): Uint8Array {
  const hex = fontKey.replace(/[{}-]/g, '');
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) throw new Error(`Not a font key: ${fontKey}`);
  const key = Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(30 - 2 * i, 32 - 2 * i), 16));
  const out = new Uint8Array(font);
  for (let i = 0; i < 32 && i < out.length; i++) out[i] = at(out, i) ^ at(key, i % 16);
  return out;
}

// ── Font table entries ──────────────────────────────────────────────────────────────────────

/** The character set of a fallback face, by the characters it sets: Hangul, kana, else the letter's. */
function charsetOfCharacters(used: Set<number>, lang: string): string {
  const text = String.fromCodePoint(...used);
  if (/\p{Script=Hangul}/u.test(text)) return '81';
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)) return '80';
  if (/[\p{Script=Han}]/u.test(text)) return charsetOf(lang);
  return '00';
}

/** Windows character sets Word uses to pick a substitute font: GB2312, Big5, Shift-JIS, Hangul. */
function charsetOf(lang: string): string {
  if (/^zh-(TW|HK|MO|Hant)/i.test(lang)) return '88'; // hex 88 = 136, CHINESEBIG5_CHARSET
  if (/^ja/i.test(lang)) return '80'; // 128, SHIFTJIS_CHARSET
  if (/^ko/i.test(lang)) return '81'; // 129, HANGUL_CHARSET
  return '86'; // 134, GB2312_CHARSET
}

const hex8 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

interface Embedded {
  style: 'Regular' | 'Bold' | 'Italic' | 'BoldItalic';
  relId: string;
  fontKey: string;
  subsetted: boolean;
}

interface FontTableEntry {
  name: string;
  altName?: string;
  charset: string;
  face: Face | null;
  embedded: Embedded[];
}

/** A w:font element in schema order (CT_Font: altName, panose1, charset, family, pitch, sig, embed…). */
function fontElement(doc: Document, entry: FontTableEntry): Element {
  const os2 = entry.face?.font['OS/2'];
  const panose = os2?.panose && os2.panose.some((b) => b !== 0) ? os2.panose.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('') : null;
  const usb = os2?.ulCharRange;
  const csb = os2?.codePageRange;
  const font = wElement(doc, 'font', { name: entry.name });
  const children = [
    ...(entry.altName ? [wElement(doc, 'altName', { val: entry.altName })] : []),
    ...(panose ? [wElement(doc, 'panose1', { val: panose })] : []),
    wElement(doc, 'charset', { val: entry.charset }),
    wElement(doc, 'family', { val: 'roman' }),
    wElement(doc, 'pitch', { val: 'variable' }),
    ...(usb && csb
      ? [wElement(doc, 'sig', {
          usb0: hex8(usb[0] ?? 0), usb1: hex8(usb[1] ?? 0), usb2: hex8(usb[2] ?? 0), usb3: hex8(usb[3] ?? 0), csb0: hex8(csb[0] ?? 0), csb1: hex8(csb[1] ?? 0),
        })]
      : []),
    ...entry.embedded.map((e) => wElement(doc, `embed${e.style}`, { 'r:id': e.relId, fontKey: e.fontKey, ...(e.subsetted ? { subsetted: '1' } : {}) })),
  ];
  for (const child of children) font.appendChild(child);
  return font;
}

/** The font table with these entries (replacing docx's entries of the same names). */
function patchFontTable(doc: Document, entries: FontTableEntry[]): void {
  const fonts = rootOf(doc, 'fontTable.xml');
  const names = new Set(entries.map((e) => e.name));
  for (const font of childElements(fonts, 'w:font')) if (names.has(font.getAttributeNS(W, 'name') ?? '')) fonts.removeChild(font);
  if (!fonts.hasAttribute('xmlns:r')) fonts.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns:r', R);
  for (const entry of entries) fonts.appendChild(fontElement(doc, entry));
}

/** Settings elements that come before w:embedTrueTypeFonts in CT_Settings (§17.15.1.78). */
const SETTINGS_BEFORE = ['writeProtection', 'view', 'zoom', 'removePersonalInformation', 'removeDateAndTime', 'doNotDisplayPageBoundaries', 'displayBackgroundShape', 'printPostScriptOverText', 'printFractionalCharacterWidth', 'printFormsData'];

function patchSettings(doc: Document, subsetted: boolean): void {
  const settings = rootOf(doc, 'settings.xml');
  const before = childElements(settings).filter((e) => SETTINGS_BEFORE.includes(e.localName ?? ''));
  const reference = before.length > 0 ? (before[before.length - 1]?.nextSibling ?? null) : settings.firstChild;
  for (const element of [wElement(doc, 'embedTrueTypeFonts'), ...(subsetted ? [wElement(doc, 'saveSubsetFonts')] : [])]) settings.insertBefore(element, reference);
}

function patchContentTypes(doc: Document): void {
  const types = rootOf(doc, '[Content_Types].xml');
  if (childElements(types, 'Default').some((d) => d.getAttribute('Extension') === 'odttf')) return;
  const entry = doc.createElementNS(types.namespaceURI, 'Default');
  entry.setAttribute('Extension', 'odttf');
  entry.setAttribute('ContentType', OBFUSCATED_FONT);
  types.appendChild(entry);
}

// ── Embedding ───────────────────────────────────────────────────────────────────────────────

/**
 * Write the font table (names, PANOSE, charset) and, unless the template says `none`, embed the
 * faces the Word copy names. Warnings (a face that may not or cannot be embedded) are added to
 * `diagnostics` as messages on the template.
 */
export async function embedFonts(parts: PackageParts, frame: LetterFrame, used: FaceUse, diagnostics?: VFile[], cache = true): Promise<void> {
  const docx = frame.word;
  const mode = docx.embedFonts;
  const chain = fontChainFor(frame.fonts);
  const characters = mode === 'none' ? null : documentCharacters(frame);
  const warn = (field: string, reason: string) => diagnostics?.push(templateWarning(frame, ['docx', field], reason));
  // A face's own problem (its licence, its family name) is on its entry of fonts.serif, where its file is named.
  const warnOnFace = (name: string, reason: string) => {
    const index = frame.fonts.names.indexOf(name);
    diagnostics?.push(templateWarning(frame, index >= 0 ? ['fonts', 'serif', String(index)] : ['fonts', 'serif'], reason));
  };

  const roles: Array<{ name: string; field: string; eastAsian: boolean; used?: DocumentCharacters }> = [{ name: docx.eastAsiaFont, field: 'eastAsiaFont', eastAsian: true }];
  if (docx.latinFont !== docx.eastAsiaFont) roles.push({ name: docx.latinFont, field: 'latinFont', eastAsian: false });
  // Every other face a run is set in (fallbacks of the chain), with the characters it sets there.
  for (const [name, chars] of used.families) {
    if (name !== docx.eastAsiaFont && name !== docx.latinFont) roles.push({ name, field: 'fonts', eastAsian: false, used: chars });
  }

  const entries: FontTableEntry[] = [];
  const relationships: Array<{ id: string; target: string }> = [];
  let anySubset = false;
  for (const role of roles) {
    const whole = chain.wholeFaces(role.name);
    const entry: FontTableEntry = {
      name: role.name,
      ...(role.eastAsian ? { altName: docx.fallbackEastAsiaFont } : {}),
      charset: role.eastAsian ? charsetOf(frame.lang) : role.used ? charsetOfCharacters(role.used.all, frame.lang) : '00',
      face: whole ? whole.regular : null,
      embedded: [],
    };
    entries.push(entry);
    if (!characters) continue;
    if (whole === undefined) {
      warn(role.field, `"${role.name}" is not among the template's fonts (fonts.serif), so the Word copy names it without embedding it.`);
      continue;
    }
    // A fallback face: the characters set in it (the editor's typing goes to the template's fonts).
    const own = role.used;
    const faces: Array<[Embedded['style'], Face, Set<number>]> = [['Regular', whole.regular, own ? own.all : characters.all]];
    if (whole.bold && (!own || own.bold.size > 0)) faces.push(['Bold', whole.bold, own ? own.bold : characters.bold]);
    // Italics (Source Serif 4 of the English template), cut to every character of the document:
    // italic runs are not told apart here, and a Latin face's subset stays small.
    if (whole.italic) faces.push(['Italic', whole.italic, characters.all]);
    if (whole.boldItalic) faces.push(['BoldItalic', whole.boldItalic, characters.bold]);
    for (const [style, face, chars] of faces) {
      const rights = embeddingRights(face.font);
      if (!rights.editable) {
        warnOnFace(role.name, `${shownIfInside(face.file)} (${role.name} ${style}) is not embedded in the Word copy: ${rights.refusal}.`);
        continue;
      }
      if (face.font.familyName !== role.name) {
        warnOnFace(role.name, `${shownIfInside(face.file)} calls its family "${face.font.familyName}", not "${role.name}": Word may not use the embedded font for this name.`);
      }
      let subsetted = mode === 'subset';
      if (subsetted && rights.noSubsetting) {
        warn('embedFonts', `${shownIfInside(face.file)} (${role.name} ${style}) may only be embedded whole (OS/2 fsType: no subsetting), so the Word copy carries the full font.`);
        subsetted = false;
      }
      const data = subsetted ? await subsetTrueType(face, own ? [...chars, 0x20] : [...chars, ...EDITOR_CHARACTERS], { cache }) : new Uint8Array(face.data);
      anySubset ||= subsetted;
      const index = relationships.length + 1;
      const relId = `rId${index}`;
      const fontKey = fontKeyOf(role.name, style, data);
      parts.setBinary(`word/fonts/font${index}.odttf`, obfuscateFont(data, fontKey));
      relationships.push({ id: relId, target: `fonts/font${index}.odttf` });
      entry.embedded.push({ style, relId, fontKey, subsetted });
    }
  }

  const fontTable = parts.xml('word/fontTable.xml');
  if (fontTable) patchFontTable(fontTable, entries);
  if (relationships.length === 0) return;
  const rels = parts.create('word/_rels/fontTable.xml.rels', PACKAGE_RELATIONSHIPS, 'Relationships');
  const root = rootOf(rels, 'fontTable.xml.rels');
  for (const { id, target } of relationships) {
    const relationship = rels.createElementNS(PACKAGE_RELATIONSHIPS, 'Relationship');
    relationship.setAttribute('Id', id);
    relationship.setAttribute('Type', FONT_RELATIONSHIP);
    relationship.setAttribute('Target', target);
    root.appendChild(relationship);
  }
  const settings = parts.xml('word/settings.xml');
  if (settings) patchSettings(settings, anySubset);
  const types = parts.xml('[Content_Types].xml');
  if (types) patchContentTypes(types);
}
