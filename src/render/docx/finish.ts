/**
 * What the docx package cannot say, set on the package's XML, and reproducible bytes:
 * - Normal style: kinsoku (line-breaking rules), autoSpaceDE/DN (Han–Latin spacing), no snap to
 *   the document grid (which would inflate CJK line heights); body and closing first-line indents
 *   in characters (w:firstLineChars="200", 2 characters whatever the font size).
 * - settings.xml: punctuation compression (w:characterSpacingControl = compressPunctuation).
 * - fontTable and embedded fonts (src/render/docx/embedFonts.ts): the CJK face with an
 *   alternative name, PANOSE and the language's charset (GB2312 for zh-CN, Big5 for zh-TW), so
 *   Word substitutes a Chinese serif (宋体, 新細明體) on machines without it; the faces embedded
 *   as subsets unless the template says otherwise.
 * - core.xml dates from the letter's date; relationship ids renumbered in order; every zip
 *   entry with a fixed time, so the same inputs give the same bytes.
 */
import type { VFile } from 'vfile';
import { unzipSync, zipSync, strFromU8, strToU8, type Zippable } from 'fflate';
import type { LetterFrame } from '../../frame/types.js';
import { STYLE } from './styles.js';
import { embedFonts } from './embedFonts.js';

const FIXED_TIME = new Date('1980-01-01T00:00:00Z');

function patchStyles(xml: string, frame: LetterFrame): string {
  const chars = Math.round(frame.body.firstIndentEms * 100);
  // Korean (keep-all): w:wordWrap on, so Word moves a whole word to the next line (MS-OI29500 §2.1.67).
  const wordWrap = frame.language.keepAll ? '<w:wordWrap w:val="1"/>' : '';
  const eastAsianPPr = `<w:kinsoku w:val="1"/>${wordWrap}<w:overflowPunct w:val="1"/><w:autoSpaceDE w:val="1"/><w:autoSpaceDN w:val="1"/><w:snapToGrid w:val="0"/>`;
  // Normal: East Asian line breaking and spacing on, no grid.
  xml = xml.replace(/(<w:style w:type="paragraph" w:styleId="Normal"[^>]*>(?:(?!<\/w:style>).)*?)(<w:rPr>|<\/w:style>)/s, (_m, head: string, tail: string) => {
    if (head.includes('<w:pPr>')) return head.replace('<w:pPr>', `<w:pPr>${eastAsianPPr}`) + tail;
    return `${head}<w:pPr>${eastAsianPPr}</w:pPr>${tail}`;
  });
  // Body and closing: the first-line indent in characters.
  for (const id of [STYLE.body, STYLE.closing]) {
    const re = new RegExp(`(<w:style w:type="paragraph" w:styleId="${id}"(?:(?!</w:style>).)*?<w:ind )([^/]*?)(/>)`, 's');
    xml = xml.replace(re, (_m, head: string, attrs: string, tail: string) => `${head}${attrs.replace(/w:firstLine="\d+"/, (a) => `${a} w:firstLineChars="${chars}"`)}${tail}`);
  }
  return xml;
}

function patchSettings(xml: string, frame: LetterFrame): string {
  if (xml.includes('characterSpacingControl')) return xml;
  // Hyphenated templates (English): Word hyphenates with its own patterns for w:lang, never
  // words in capitals (names), as the PDF does. Schema order: right after w:defaultTabStop.
  if (frame.language.hyphenate) xml = xml.replace(/(<w:defaultTabStop[^>]*\/>)/, '$1<w:autoHyphenation/><w:doNotHyphenateCaps/>');
  // Taiwan and Korean practice: punctuation not compressed (the template's switch).
  const control = `<w:characterSpacingControl w:val="${frame.language.punctuationCompression ? 'compressPunctuation' : 'doNotCompress'}"/>`;
  // Schema order: characterSpacingControl follows w:defaultTabStop… and precedes w:compat.
  if (xml.includes('<w:compat>')) return xml.replace('<w:compat>', `${control}<w:compat>`);
  return xml.replace('</w:settings>', `${control}</w:settings>`);
}

function patchCore(xml: string, frame: LetterFrame): string {
  const stamp = frame.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return xml
    .replace(/(<dcterms:created[^>]*>)[^<]*(<\/dcterms:created>)/, `$1${stamp}$2`)
    .replace(/(<dcterms:modified[^>]*>)[^<]*(<\/dcterms:modified>)/, `$1${stamp}$2`);
}

/** Renumber relationship ids (docx draws some at random) in order of appearance, per part. */
function renumberRelationships(files: Record<string, Uint8Array>): void {
  for (const relsPath of Object.keys(files).filter((p) => p.endsWith('.rels'))) {
    const partPath = relsPath.replace(/_rels\/(.*)\.rels$/, '$1');
    const part = files[partPath];
    let rels = strFromU8(files[relsPath] as Uint8Array);
    const ids = [...rels.matchAll(/Id="([^"]+)"/g)].map((m) => m[1] as string);
    if (!ids.some((id) => !/^rId\d+$/.test(id))) continue;
    let body = part ? strFromU8(part) : '';
    const mapping = new Map<string, string>();
    ids.forEach((id, index) => mapping.set(id, `lpRel${index + 1}`));
    rels = rels.replace(/Id="([^"]+)"/g, (_m, id: string) => `Id="${mapping.get(id) ?? id}"`);
    body = body.replace(/r:id="([^"]+)"/g, (_m, id: string) => `r:id="${mapping.get(id) ?? id}"`);
    body = body.replace(/r:embed="([^"]+)"/g, (_m, id: string) => `r:embed="${mapping.get(id) ?? id}"`);
    files[relsPath] = strToU8(rels);
    if (part) files[partPath] = strToU8(body);
  }
}

export async function finishDocx(bytes: Uint8Array, frame: LetterFrame, diagnostics?: VFile[]): Promise<Uint8Array> {
  const files = unzipSync(bytes);
  const edit = (name: string, fn: (xml: string) => string) => {
    const file = files[name];
    if (file) files[name] = strToU8(fn(strFromU8(file)));
  };
  edit('word/styles.xml', (xml) => patchStyles(xml, frame));
  edit('word/settings.xml', (xml) => patchSettings(xml, frame));
  await embedFonts(files, frame, diagnostics);
  edit('docProps/core.xml', (xml) => patchCore(xml, frame));
  renumberRelationships(files);
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a.localeCompare(b)))) {
    zippable[name] = [files[name] as Uint8Array, { mtime: FIXED_TIME, level: 6 }];
  }
  return zipSync(zippable);
}
