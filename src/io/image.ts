/**
 * Images the letter or its template names (a letterhead, a signature), checked before any edition
 * uses them: the type is read from the bytes (a PNG named .svg is refused, not guessed), the file
 * must be whole (a PNG ends with IEND, a JPEG with EOI), its pixel size and byte size bounded (a
 * 20000 × 20000 header would make every PDF viewer decode 1.6 GB), and an SVG must be a drawing
 * only: no script, no event attribute, no foreignObject, no reference outside the file (href,
 * url(), @import), no DOCTYPE (entities). The editions then inline the bytes as they are: the
 * PDF draws the SVG as vectors (svg-to-pdfkit), the HTML edition puts it in an <img> data: URL
 * (where a browser never runs script), the Word copy gets a PNG or JPEG as a picture part.
 */
import { imageSize } from 'image-size';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { sizeText } from './readBounded.js';
import type { CheckedImage, ImageType } from '../model/types.js';

export type { CheckedImage, ImageType };

export type ImageCheck = { ok: true; image: CheckedImage } | { ok: false; reason: string; rule: string };

/** Largest image file read. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
/** Largest side and area of a raster image, in pixels (a letterhead at 600 dpi across A4 is 4960 wide). */
export const MAX_IMAGE_SIDE = 8000;
export const MAX_IMAGE_PIXELS = 30_000_000;
/** Most elements in an SVG drawing. */
export const MAX_SVG_ELEMENTS = 20_000;

const EXTENSIONS: Record<string, ImageType> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', svg: 'svg' };
const NAMES: Record<ImageType, string> = { png: 'PNG', jpeg: 'JPEG', svg: 'SVG' };

/** The type the file's name claims, or undefined for a name of another kind. */
export function typeOfName(name: string): ImageType | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  return ext ? EXTENSIONS[ext] : undefined;
}

/** The type the bytes are (magic numbers: PNG signature, JPEG SOI, an XML/SVG text start). */
export function sniffType(bytes: Uint8Array): ImageType | 'other' {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^[>]*(\[[\s\S]*?\])?\s*>\s*)?<svg[\s>]/i.test(head)) return 'svg';
  return 'other';
}

const fail = (reason: string, rule: string): ImageCheck => ({ ok: false, reason, rule });

/** Check an image's bytes against the name it was given (`name`, as the user wrote it). */
export function checkImage(bytes: Uint8Array, name: string): ImageCheck {
  const claimed = typeOfName(name);
  if (!claimed) return fail(`"${name}" is not an SVG, PNG or JPEG file name; a letterhead or signature is an .svg, .png or .jpg file.`, 'image-type');
  if (bytes.length > MAX_IMAGE_BYTES) return fail(`"${name}" is ${sizeText(bytes.length)}; an image may be at most ${sizeText(MAX_IMAGE_BYTES)}: export it smaller (a letterhead needs no more than 300 dpi).`, 'image-too-large');
  const actual = sniffType(bytes);
  if (actual === 'other') return fail(`"${name}" is not an image (its bytes are neither SVG, PNG nor JPEG); export the picture again as ${NAMES[claimed]}.`, 'image-type');
  if (actual !== claimed) return fail(`"${name}" is named as ${NAMES[claimed]} but holds a ${NAMES[actual]} image; rename it to end in .${actual === 'jpeg' ? 'jpg' : actual}.`, 'image-type');
  if (actual === 'svg') return checkSvg(bytes, name);
  if (!isWhole(actual, bytes)) return fail(`"${name}" is cut short (the ${NAMES[actual]} file has no end marker): copy or export it again.`, 'image-broken');
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch {
    return fail(`"${name}" cannot be read as ${NAMES[actual]}: export it again.`, 'image-broken');
  }
  const { width = 0, height = 0 } = size;
  if (width < 1 || height < 1) return fail(`"${name}" has no size in its header: export it again.`, 'image-broken');
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    return fail(`"${name}" is ${width} × ${height} pixels; an image may be at most ${MAX_IMAGE_SIDE} pixels a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels: scale it down (a letterhead needs no more than 300 dpi).`, 'image-too-large');
  }
  // PDF/A with an sRGB output intent admits no device CMYK (ISO 19005-2 §6.2.4.3): a CMYK JPEG is refused, not converted.
  if (actual === 'jpeg' && jpegComponents(bytes) === 4) return fail(`"${name}" is a CMYK JPEG; save it as RGB (sRGB) for the letter's PDF.`, 'image-type');
  return { ok: true, image: { type: actual, width, height } };
}

/** The number of colour components of a JPEG (its SOF segment), or undefined. */
function jpegComponents(bytes: Uint8Array): number | undefined {
  let at = 2;
  while (at + 9 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1] ?? 0;
    const length = ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[at + 9];
    at += 2 + length;
  }
  return undefined;
}

/** A PNG ends with its IEND chunk; a JPEG with the EOI marker (some writers pad a few bytes after it). */
function isWhole(type: 'png' | 'jpeg', bytes: Uint8Array): boolean {
  if (type === 'png') {
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    return iend.every((b, i) => bytes[bytes.length - 8 + i] === b);
  }
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 64); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/**
 * Elements an SVG letterhead may not hold: they run code, embed other documents or show other
 * content; or, the animation elements, set an attribute to any value at all (`<set
 * attributeName="href" to="https://…">`), which the attribute checks below never see as a link.
 */
const FORBIDDEN_ELEMENTS = new Set(['script', 'foreignobject', 'iframe', 'embed', 'object', 'audio', 'video', 'canvas', 'handler', 'listener', 'set', 'animate', 'animatemotion', 'animatetransform', 'animatecolor']);

function checkSvg(bytes: Uint8Array, name: string): ImageCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return fail(`"${name}" is not UTF-8 text; save the SVG as UTF-8.`, 'image-broken');
  }
  // A DOCTYPE may declare entities (billion laughs, external files): a drawing needs none.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return fail(`"${name}" has a DOCTYPE or entity declaration; remove it (an SVG drawing needs none).`, 'image-unsafe');
  // A style-sheet processing instruction loads another file, and the element walk below never sees it.
  if (/<\?xml-stylesheet/i.test(text)) return fail(`"${name}" links a style sheet (<?xml-stylesheet ...?>), another file; remove that line (an SVG drawing needs none).`, 'image-unsafe');
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') errors.push(message); } }).parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (errors.length > 0 || !root || root.localName !== 'svg') return fail(`"${name}" is not well-formed SVG${errors[0] ? ` (${errors[0].split('\n')[0]})` : ''}: export it again.`, 'image-broken');
  let count = 0;
  const problem = (element: Element): string | undefined => {
    const tag = (element.localName ?? element.nodeName).toLowerCase();
    if (FORBIDDEN_ELEMENTS.has(tag)) return `a <${element.nodeName}> element`;
    // Text in an SVG would need a font the PDF does not embed (PDF/A): the drawing must carry its letters as outlines.
    if (tag === 'text') return 'text set in a font (convert the text to outlines: Inkscape Path ▸ Object to Path, Illustrator Type ▸ Create Outlines)';
    if (tag === 'style' && /@import|url\(\s*['"]?(?!#)/i.test(element.textContent ?? '')) return 'a style sheet that loads another file';
    for (let i = 0; i < element.attributes.length; i++) {
      const attribute = element.attributes.item(i);
      if (!attribute) continue;
      const attr = attribute.localName?.toLowerCase() ?? attribute.name.toLowerCase();
      const value = attribute.value.trim();
      if (attr.startsWith('on')) return `an event attribute (${attribute.name})`;
      if (attr === 'href' && !value.startsWith('#')) return `a reference to "${value.slice(0, 60)}" (${attribute.name})`;
      if (/url\(\s*['"]?(?!#)/i.test(value)) return `a reference to another file in ${attribute.name}`;
    }
    return undefined;
  };
  const walk = (element: Element): string | undefined => {
    if (++count > MAX_SVG_ELEMENTS) return `more than ${MAX_SVG_ELEMENTS} elements`;
    const found = problem(element);
    if (found) return found;
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 1) {
        const inner = walk(child as Element);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  const found = walk(root);
  if (found) return fail(`"${name}" holds ${found}; a letterhead SVG must be a drawing only (no script, no links or files outside it, no embedded pages): remove it, or export the picture as PNG.`, 'image-unsafe');
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch {
    size = {};
  }
  const { width = 0, height = 0 } = size;
  if (!(width > 0 && height > 0)) return fail(`"${name}" says nothing of its size: give its <svg> element a viewBox (or width and height).`, 'image-broken');
  return { ok: true, image: { type: 'svg', width, height } };
}
