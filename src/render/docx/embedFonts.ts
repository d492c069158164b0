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
import { readBoundedSync } from '../../io/readBounded.js';
import { MAX_INPUT_BYTES } from '../../io/readInput.js';
import path from 'node:path';
import { strFromU8, strToU8 } from 'fflate';
import { LineCounter, parseDocument } from 'yaml';
import { VFile } from 'vfile';
import type { LetterDocument } from '../../model/types.js';
import type { Template } from '../../template/schema.js';
import { reportWarning } from '../../diagnostics/index.js';
import { placeOfPath } from '../../io/yaml.js';
import { fontChainFor, type Face } from '../../fonts/fontChain.js';
import { embeddingRights, subsetTrueType } from '../../fonts/subset.js';

type Files = Record<string, Uint8Array>;

const FONT_RELATIONSHIP = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/font';
const OBFUSCATED_FONT = 'application/vnd.openxmlformats-officedocument.obfuscatedFont';

/**
 * Characters an editor is likely to type into the letter besides those it holds: printable
 * ASCII, the general punctuation of Latin text, and the CJK punctuation of a Chinese keyboard
 * (ideographic space and marks, brackets, full-width punctuation and symbols).
 */
const EDITOR_CHARACTERS = [
  [0x20, 0x7e],
  [0xa0, 0xa0], [0xa7, 0xa7], [0xb7, 0xb7], [0xd7, 0xd7], [0xf7, 0xf7],
  [0x2013, 0x2014], [0x2018, 0x2019], [0x201c, 0x201d], [0x2022, 0x2022], [0x2026, 0x2026], [0x2030, 0x2030],
  [0x3000, 0x3003], [0x3008, 0x3011], [0x3014, 0x3017], [0x301c, 0x301c],
  [0xff01, 0xff0f], [0xff1a, 0xff20], [0xff3b, 0xff40], [0xff5b, 0xff5e], [0xffe5, 0xffe5],
].flatMap(([lo, hi]) => Array.from({ length: (hi as number) - (lo as number) + 1 }, (_, i) => (lo as number) + i));

// ── The characters of the document, regular and bold ────────────────────────────────────────

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-f]+|#\d+);/gi, (_m, name: string) =>
    name.startsWith('#x') || name.startsWith('#X') ? String.fromCodePoint(parseInt(name.slice(2), 16))
      : name.startsWith('#') ? String.fromCodePoint(parseInt(name.slice(1), 10))
        : XML_ENTITIES[name] ?? '');
}

/** `<w:b/>` in a run-properties element: true, false (w:val off) or not said. */
function boldIn(rPr: string | undefined): boolean | undefined {
  const m = rPr ? /<w:b(?:\s+w:val="([^"]*)")?\s*\/>/.exec(rPr) : null;
  if (!m) return undefined;
  return m[1] === undefined || /^(1|true|on)$/.test(m[1]);
}

interface StyleSheet {
  /** Bold as a style and the styles it is based on say (nearest first). */
  bold(styleId: string | undefined): boolean | undefined;
  defaultParagraphStyle: string | undefined;
  defaultBold: boolean;
}

function readStyleSheet(xml: string): StyleSheet {
  const styles = new Map<string, { basedOn: string | undefined; bold: boolean | undefined }>();
  let defaultParagraphStyle: string | undefined;
  for (const m of xml.matchAll(/<w:style\s([^>]*)>(.*?)<\/w:style>/gs)) {
    const attrs = m[1] as string;
    const body = m[2] as string;
    const id = /w:styleId="([^"]+)"/.exec(attrs)?.[1];
    if (!id) continue;
    if (/w:type="paragraph"/.test(attrs) && /w:default="(1|true)"/.test(attrs)) defaultParagraphStyle = id;
    styles.set(id, { basedOn: /<w:basedOn w:val="([^"]+)"/.exec(body)?.[1], bold: boldIn(/<w:rPr>(.*?)<\/w:rPr>/s.exec(body)?.[1]) });
  }
  const bold = (id: string | undefined): boolean | undefined => {
    for (let depth = 0; id && depth < 20; depth++) {
      const style = styles.get(id);
      if (!style) return undefined;
      if (style.bold !== undefined) return style.bold;
      id = style.basedOn;
    }
    return undefined;
  };
  const defaultBold = boldIn(/<w:rPrDefault>(.*?)<\/w:rPrDefault>/s.exec(xml)?.[1]) ?? false;
  return { bold, defaultParagraphStyle, defaultBold };
}

interface DocumentCharacters {
  all: Set<number>;
  bold: Set<number>;
}

/** The code points of the text of every story (body, notes, headers, footers), and which are set bold. */
function documentCharacters(files: Files): DocumentCharacters {
  const sheet = readStyleSheet(files['word/styles.xml'] ? strFromU8(files['word/styles.xml']) : '');
  const all = new Set<number>();
  const bold = new Set<number>();
  const stories = Object.keys(files).filter((name) => /^word\/(document|footnotes|endnotes|comments|header\d*|footer\d*)\.xml$/.test(name)).sort();
  for (const name of stories) {
    const xml = strFromU8(files[name] as Uint8Array);
    for (const p of xml.matchAll(/<w:p(?:\s[^>]*)?>(.*?)<\/w:p>/gs)) {
      const paragraph = p[1] as string;
      const paragraphStyle = /<w:pPr>.*?<w:pStyle w:val="([^"]+)"/s.exec(paragraph)?.[1] ?? sheet.defaultParagraphStyle;
      for (const r of paragraph.matchAll(/<w:r(?:\s[^>]*)?>(.*?)<\/w:r>/gs)) {
        const run = r[1] as string;
        const rPr = /<w:rPr>(.*?)<\/w:rPr>/s.exec(run)?.[1];
        const runStyle = rPr ? /<w:rStyle w:val="([^"]+)"/.exec(rPr)?.[1] : undefined;
        const isBold = boldIn(rPr) ?? sheet.bold(runStyle) ?? sheet.bold(paragraphStyle) ?? sheet.defaultBold;
        for (const t of run.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)) {
          for (const ch of unescapeXml(t[1] as string)) {
            const cp = ch.codePointAt(0) as number;
            all.add(cp);
            if (isBold) bold.add(cp);
          }
        }
      }
    }
  }
  return { all, bold };
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
  for (let i = 0; i < 32 && i < out.length; i++) out[i] = (out[i] as number) ^ (key[i % 16] as number);
  return out;
}

// ── Font table entries ──────────────────────────────────────────────────────────────────────

/** Windows character sets Word uses to pick a substitute font: GB2312, Big5, Shift-JIS, Hangul. */
function charsetOf(lang: string): string {
  if (/^zh-(TW|HK|MO|Hant)/i.test(lang)) return '88'; // hex 88 = 136, CHINESEBIG5_CHARSET
  if (/^ja/i.test(lang)) return '80'; // 128, SHIFTJIS_CHARSET
  if (/^ko/i.test(lang)) return '81'; // 129, HANGUL_CHARSET
  return '86'; // 134, GB2312_CHARSET
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
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
function fontElement(entry: FontTableEntry): string {
  const os2 = entry.face?.font['OS/2'];
  const panose = os2?.panose && os2.panose.some((b) => b !== 0) ? os2.panose.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('') : null;
  const usb = os2?.ulCharRange;
  const csb = os2?.codePageRange;
  return [
    `<w:font w:name="${escapeXml(entry.name)}">`,
    entry.altName ? `<w:altName w:val="${escapeXml(entry.altName)}"/>` : '',
    panose ? `<w:panose1 w:val="${panose}"/>` : '',
    `<w:charset w:val="${entry.charset}"/><w:family w:val="roman"/><w:pitch w:val="variable"/>`,
    usb && csb ? `<w:sig w:usb0="${hex8(usb[0] ?? 0)}" w:usb1="${hex8(usb[1] ?? 0)}" w:usb2="${hex8(usb[2] ?? 0)}" w:usb3="${hex8(usb[3] ?? 0)}" w:csb0="${hex8(csb[0] ?? 0)}" w:csb1="${hex8(csb[1] ?? 0)}"/>` : '',
    ...entry.embedded.map((e) => `<w:embed${e.style} r:id="${e.relId}" w:fontKey="${e.fontKey}"${e.subsetted ? ' w:subsetted="1"' : ''}/>`),
    '</w:font>',
  ].join('');
}

function patchFontTable(xml: string, entries: FontTableEntry[]): string {
  const elements = entries.map(fontElement).join('');
  // Entries for the same names that docx wrote are replaced by these.
  for (const entry of entries) xml = xml.replace(new RegExp(`<w:font w:name="${escapeXml(entry.name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">.*?</w:font>`, 's'), '');
  if (!/xmlns:r=/.test(xml)) xml = xml.replace(/<w:fonts\b/, '<w:fonts xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"');
  if (xml.includes('</w:fonts>')) return xml.replace('</w:fonts>', `${elements}</w:fonts>`);
  return xml.replace(/<w:fonts([^>]*?)\/>/, `<w:fonts$1>${elements}</w:fonts>`);
}

/** Settings elements that come before w:embedTrueTypeFonts in CT_Settings (§17.15.1.78). */
const SETTINGS_BEFORE = ['writeProtection', 'view', 'zoom', 'removePersonalInformation', 'removeDateAndTime', 'doNotDisplayPageBoundaries', 'displayBackgroundShape', 'printPostScriptOverText', 'printFractionalCharacterWidth', 'printFormsData'];

function patchSettings(xml: string, subsetted: boolean): string {
  const elements = `<w:embedTrueTypeFonts/>${subsetted ? '<w:saveSubsetFonts/>' : ''}`;
  let at = xml.indexOf('>', xml.indexOf('<w:settings')) + 1;
  for (const name of SETTINGS_BEFORE) {
    const m = new RegExp(`<w:${name}\\b[^>]*?(/>|>.*?</w:${name}>)`, 's').exec(xml);
    if (m) at = Math.max(at, m.index + m[0].length);
  }
  return xml.slice(0, at) + elements + xml.slice(at);
}

function patchContentTypes(xml: string): string {
  if (/Extension="odttf"/.test(xml)) return xml;
  return xml.replace('</Types>', `<Default Extension="odttf" ContentType="${OBFUSCATED_FONT}"/></Types>`);
}

// ── Warnings, on the template's line ────────────────────────────────────────────────────────

function templateWarning(template: Template, field: string[], reason: string): VFile {
  const read = readBoundedSync(template.sourcePath, MAX_INPUT_BYTES);
  const text = read.ok ? new TextDecoder().decode(read.bytes) : '';
  const lineCounter = new LineCounter();
  const place = placeOfPath(parseDocument(text, { lineCounter }), lineCounter, field);
  const relative = path.relative(process.cwd(), template.sourcePath);
  const file = new VFile({ path: relative && !relative.startsWith('..') ? relative : template.sourcePath, value: text });
  reportWarning(file, reason, place, 'docx-embed-font');
  return file;
}

// ── Embedding ───────────────────────────────────────────────────────────────────────────────

/**
 * Write the font table (names, PANOSE, charset) and, unless the template says `none`, embed the
 * faces the Word copy names. Warnings (a face that may not or cannot be embedded) are added to
 * `diagnostics` as messages on the template.
 */
export async function embedFonts(files: Files, document: LetterDocument, diagnostics?: VFile[]): Promise<void> {
  const { template } = document;
  const { docx } = template;
  const mode = docx.embedFonts;
  const chain = fontChainFor(template);
  const characters = mode === 'none' ? null : documentCharacters(files);
  const warn = (field: string, reason: string) => diagnostics?.push(templateWarning(template, ['docx', field], reason));

  const roles: Array<{ name: string; field: string; eastAsian: boolean }> = [{ name: docx.eastAsiaFont, field: 'eastAsiaFont', eastAsian: true }];
  if (docx.latinFont !== docx.eastAsiaFont) roles.push({ name: docx.latinFont, field: 'latinFont', eastAsian: false });

  const entries: FontTableEntry[] = [];
  const relationships: string[] = [];
  let anySubset = false;
  for (const role of roles) {
    const whole = chain.wholeFaces(role.name);
    const entry: FontTableEntry = {
      name: role.name,
      ...(role.eastAsian ? { altName: docx.fallbackEastAsiaFont } : {}),
      charset: role.eastAsian ? charsetOf(template.lang) : '00',
      face: whole ? whole.regular : null,
      embedded: [],
    };
    entries.push(entry);
    if (!characters) continue;
    if (whole === undefined) {
      warn(role.field, `"${role.name}" is not among the template's fonts (fonts.serif), so the Word copy names it without embedding it.`);
      continue;
    }
    const faces: Array<[Embedded['style'], Face, Set<number>]> = [['Regular', whole.regular, characters.all]];
    if (whole.bold) faces.push(['Bold', whole.bold, characters.bold]);
    // Italics (Source Serif 4 of the English template), cut to every character of the document:
    // italic runs are not told apart here, and a Latin face's subset stays small.
    if (whole.italic) faces.push(['Italic', whole.italic, characters.all]);
    if (whole.boldItalic) faces.push(['BoldItalic', whole.boldItalic, characters.bold]);
    for (const [style, face, used] of faces) {
      const rights = embeddingRights(face.font);
      if (!rights.editable) {
        warn(role.field, `${face.file} (${role.name} ${style}) is not embedded in the Word copy: ${rights.refusal}.`);
        continue;
      }
      if (face.font.familyName !== role.name) {
        warn(role.field, `${face.file} calls its family "${face.font.familyName}", not "${role.name}": Word may not use the embedded font for this name.`);
      }
      let subsetted = mode === 'subset';
      if (subsetted && rights.noSubsetting) {
        warn('embedFonts', `${face.file} (${role.name} ${style}) may only be embedded whole (OS/2 fsType: no subsetting), so the Word copy carries the full font.`);
        subsetted = false;
      }
      const data = subsetted ? await subsetTrueType(face.file, face.data, [...used, ...EDITOR_CHARACTERS]) : new Uint8Array(face.data);
      anySubset ||= subsetted;
      const index = relationships.length + 1;
      const relId = `rId${index}`;
      const fontKey = fontKeyOf(role.name, style, data);
      files[`word/fonts/font${index}.odttf`] = obfuscateFont(data, fontKey);
      relationships.push(`<Relationship Id="${relId}" Type="${FONT_RELATIONSHIP}" Target="fonts/font${index}.odttf"/>`);
      entry.embedded.push({ style, relId, fontKey, subsetted });
    }
  }

  const edit = (name: string, fn: (xml: string) => string) => {
    const file = files[name];
    if (file) files[name] = strToU8(fn(strFromU8(file)));
  };
  edit('word/fontTable.xml', (xml) => patchFontTable(xml, entries));
  if (relationships.length === 0) return;
  files['word/_rels/fontTable.xml.rels'] = strToU8(
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relationships.join('')}</Relationships>`,
  );
  edit('word/settings.xml', (xml) => patchSettings(xml, anySubset));
  edit('[Content_Types].xml', patchContentTypes);
}
