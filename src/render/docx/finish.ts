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
 *   entry with a fixed time, so the same inputs give the same bytes (zipped once, ./zip.ts, with
 *   the deflated entries kept in memory and on disk, ./zipCache.ts).
 */
import type { VFile } from 'vfile';
import type { Document, Element } from '@xmldom/xmldom';
import type { LetterFrame } from '../../frame/types.js';
import { STYLE } from './styles.js';
import { embedFonts, type FaceUse } from './embedFonts.js';
import { buildContext } from '../../context.js';
import { PackageParts, W, childElements, descendants, rootOf, wElement } from './parts.js';
import { sameBytes, zipPackage } from './zip.js';
import { cachedDeflate } from './zipCache.js';
import { storeStyles, storedStyles } from './stylesCache.js';

const FIXED_TIME = new Date('1980-01-01T00:00:00Z');
/** The package's parts that change with the letter's text, notes, date or signatories. */
const LETTER_PARTS = new Set(['word/document.xml', 'word/footnotes.xml', 'word/endnotes.xml', 'docProps/core.xml', 'docProps/app.xml', 'docProps/custom.xml']);

/** The patched styles.xml of earlier builds, by patch: the part docx wrote and the part patched. */
const patchedStyles = buildContext.map<string, { input: Uint8Array; output: Uint8Array }>('patched Word styles');

/** The paragraph style with this id. */
function paragraphStyle(styles: Element, id: string): Element | undefined {
  return childElements(styles, 'w:style').find((s) => s.getAttributeNS(W, 'type') === 'paragraph' && s.getAttributeNS(W, 'styleId') === id);
}

/** What the styles are patched with: everything patchStyles reads (the key of the patched styles kept). */
interface StylesPatch {
  /** The first-line indent of body and closing, in hundredths of a character. */
  firstLineChars: number;
  keepAll: boolean;
}

function patchStyles(doc: Document, patch: StylesPatch): void {
  const styles = rootOf(doc, 'styles.xml');
  const chars = patch.firstLineChars;
  // Normal: East Asian line breaking and spacing on, no grid. Korean (keep-all): w:wordWrap on,
  // so Word moves a whole word to the next line (MS-OI29500 §2.1.67).
  const normal = paragraphStyle(styles, 'Normal');
  if (normal) {
    const names = ['kinsoku', ...(patch.keepAll ? ['wordWrap'] : []), 'overflowPunct', 'autoSpaceDE', 'autoSpaceDN'];
    const settings = [...names.map((name) => wElement(doc, name, { val: '1' })), wElement(doc, 'snapToGrid', { val: '0' })];
    let pPr = childElements(normal, 'w:pPr')[0];
    if (!pPr) {
      pPr = wElement(doc, 'pPr');
      normal.insertBefore(pPr, childElements(normal, 'w:rPr')[0] ?? null);
    }
    const first = pPr.firstChild;
    for (const element of settings) pPr.insertBefore(element, first);
  }
  // Body and closing: the first-line indent in characters.
  for (const id of [STYLE.body, STYLE.closing]) {
    const style = paragraphStyle(styles, id);
    const ind = style ? descendants(style).find((e) => e.nodeName === 'w:ind') : undefined;
    if (ind?.hasAttributeNS(W, 'firstLine')) ind.setAttributeNS(W, 'w:firstLineChars', String(chars));
  }
}

/** Insert `elements` into settings after the child called `after` (schema order), or before `before`, or at the end. */
function insertIntoSettings(settings: Element, elements: Element[], place: { after?: string; before?: string }): void {
  const children = childElements(settings);
  const anchor = place.after ? children.find((e) => e.nodeName === place.after) : undefined;
  const reference = anchor ? anchor.nextSibling : place.before ? (children.find((e) => e.nodeName === place.before) ?? null) : null;
  for (const element of elements) settings.insertBefore(element, reference);
}

function patchSettings(doc: Document, frame: LetterFrame): void {
  const settings = rootOf(doc, 'settings.xml');
  if (descendants(settings).some((e) => e.nodeName === 'w:characterSpacingControl')) return;
  // Hyphenated letters (English): Word hyphenates with its own patterns for w:lang, never words
  // in capitals (names), as the PDF does. Schema order: right after w:defaultTabStop.
  if (frame.language.hyphenate && childElements(settings, 'w:defaultTabStop').length > 0) {
    insertIntoSettings(settings, [wElement(doc, 'autoHyphenation'), wElement(doc, 'doNotHyphenateCaps')], { after: 'w:defaultTabStop' });
  }
  // Taiwan and Korean practice: punctuation not compressed (the frame's switch).
  // Schema order: characterSpacingControl follows w:defaultTabStop… and precedes w:compat.
  const control = wElement(doc, 'characterSpacingControl', { val: frame.language.punctuationCompression ? 'compressPunctuation' : 'doNotCompress' });
  insertIntoSettings(settings, [control], { before: 'w:compat' });
}

function patchCore(doc: Document, frame: LetterFrame): void {
  const stamp = frame.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const element of descendants(rootOf(doc, 'core.xml'))) {
    if (element.nodeName === 'dcterms:created' || element.nodeName === 'dcterms:modified') element.textContent = stamp;
  }
}

/** Renumber relationship ids (docx draws some at random) in order of appearance, per part. */
function renumberRelationships(parts: PackageParts): void {
  for (const relsPath of parts.names().filter((p) => p.endsWith('.rels'))) {
    const rels = parts.xml(relsPath);
    if (!rels) continue;
    const relationships = childElements(rootOf(rels, relsPath));
    const ids = relationships.map((r) => r.getAttribute('Id') ?? '');
    if (!ids.some((id) => !/^rId\d+$/.test(id))) continue;
    const mapping = new Map<string, string>();
    ids.forEach((id, index) => mapping.set(id, `lpRel${index + 1}`));
    for (const r of relationships) r.setAttribute('Id', mapping.get(r.getAttribute('Id') ?? '') ?? '');
    const part = parts.xml(relsPath.replace(/_rels\/(.*)\.rels$/, '$1'));
    if (!part) continue;
    for (const element of descendants(rootOf(part, relsPath))) {
      for (const name of ['r:id', 'r:embed']) {
        const id = element.getAttribute(name);
        if (id !== null && mapping.has(id)) element.setAttribute(name, mapping.get(id) ?? id);
      }
    }
  }
}

/**
 * The package's files as docx made them (unzipped: src/render/docx/compile.ts); its XML parts
 * edited as trees; fonts embedded; zipped once, with fixed times and in a fixed order.
 */
export async function finishDocx(files: Record<string, Uint8Array>, frame: LetterFrame, used: FaceUse, diagnostics?: VFile[], cache = true): Promise<Uint8Array> {
  const parts = new PackageParts(files);
  const edit = (name: string, fn: (doc: Document) => void) => {
    const doc = parts.xml(name);
    if (doc) fn(doc);
  };
  // styles.xml: docx writes the same styles for the same template, so the patched part of the
  // build before is taken when its input and the patch are the same (a rebuild after a data edit).
  const stylesPatch: StylesPatch = { firstLineChars: Math.round(frame.body.firstIndentEms * 100), keepAll: frame.language.keepAll };
  const stylesKey = JSON.stringify(stylesPatch);
  const stylesInput = files['word/styles.xml'];
  // A first build in this process takes them from the disk cache (./stylesCache.ts) instead.
  const keptStyles = patchedStyles.get(stylesKey);
  const stylesKept = stylesInput !== undefined && keptStyles !== undefined && sameBytes(keptStyles.input, stylesInput);
  const storedOutput = !stylesKept && cache && stylesInput !== undefined ? await storedStyles(stylesKey, stylesInput) : undefined;
  if (stylesKept) parts.setBinary('word/styles.xml', keptStyles.output);
  else if (storedOutput) parts.setBinary('word/styles.xml', storedOutput);
  else edit('word/styles.xml', (doc) => patchStyles(doc, stylesPatch));
  edit('word/settings.xml', (doc) => patchSettings(doc, frame));
  await embedFonts(parts, frame, used, diagnostics, cache);
  edit('docProps/core.xml', (doc) => patchCore(doc, frame));
  renumberRelationships(parts);
  const finished = parts.finish();
  const stylesOutput = finished['word/styles.xml'];
  if (!stylesKept && stylesInput && stylesOutput) patchedStyles.set(stylesKey, { input: stylesInput, output: stylesOutput });
  if (!stylesKept && !storedOutput && cache && stylesInput && stylesOutput) await storeStyles(stylesKey, stylesInput, stylesOutput);
  const names = Object.keys(finished).sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a.localeCompare(b)));
  // Font files gain little from harder compression and a whole CJK font is 15 MB: the fastest
  // level. Entries deflated before (zipCache.ts) go in as they are; the parts that hold the
  // letter itself are kept in memory only (on disk, they would leave an entry in the cache folder
  // for every edit of the letter or its signatories).
  const entries = [];
  for (const name of names) {
    const level = name.startsWith('word/fonts/') ? 1 : 6;
    const data = finished[name] as Uint8Array;
    entries.push({ name, data: await cachedDeflate(name, data, level, cache && !LETTER_PARTS.has(name)), level, mtime: FIXED_TIME } as const);
  }
  return zipPackage(entries);
}
