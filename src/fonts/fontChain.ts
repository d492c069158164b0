/**
 * Fonts for the PDF: a chain of faces searched in order for every character (a CJK serif for
 * the letter's language first, then fallbacks such as Noto Serif KR for Hangul and Noto Serif JP
 * for CJK Extension B). Faces come from npm packages or from files beside the template; nothing is
 * downloaded. Opened faces are kept in memory across builds (watch mode, tests).
 *
 * Fontsource packages split a family into many files by Unicode range; their CSS names the
 * ranges, so only the files holding characters the letter uses are opened.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fontkit, type Font } from './fontkit.js';
import type { FontEntry, Template } from '../template/schema.js';
import { FontProblem } from './errors.js';
import { resolveContained } from '../io/paths.js';
import { isWoff, sfntFromWoff } from './woff.js';

export { FontProblem };

const require = createRequire(import.meta.url);

export interface Face {
  /** Unique key: the pdfmake family name and cache key. */
  id: string;
  /** Human name, e.g. "Noto Serif SC". */
  name: string;
  /** Absolute path of the font file. */
  file: string;
  data: Buffer;
  font: Font;
  unitsPerEm: number;
  /** Ascender and descender in ems (descender negative). */
  ascent: number;
  descent: number;
}


const faceCache = new Map<string, Face>();

function openFace(file: string, name: string): Face {
  const cached = faceCache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) throw new FontProblem('Font file not found: is the font package installed? Run npm ci.', file);
  let data: Buffer;
  let opened: ReturnType<typeof fontkit.create>;
  try {
    const stored = readFileSync(file);
    // Unwrapped once here, for our shaping and the PDF's subsetter alike (see woff.ts).
    data = isWoff(stored) ? sfntFromWoff(stored) : stored;
    opened = fontkit.create(data);
  } catch {
    throw new FontProblem('Not a font file fontkit can read (TrueType, OpenType or WOFF).', file);
  }
  if (!('layout' in opened)) throw new FontProblem('This is a font collection; name one font file instead.', file);
  const font = opened as Font;
  // Glyph sanity at font load: WOFF2 transforms the glyf table and the PDF's font subsetter
  // copies glyf bytes as stored, so every glyph of a WOFF2 font would be drawn as garbage.
  if ((font as Font & { type?: string }).type === 'WOFF2') {
    throw new FontProblem('This is a WOFF2 font, which cannot be embedded in the PDF correctly; name its TTF, OTF or WOFF file.', file);
  }
  // pdfkit scales fonts to 1000 units; its ascender is hhea ascent scaled the same way.
  const face: Face = {
    id: `F${faceCache.size + 1}`,
    name,
    file,
    data,
    font,
    unitsPerEm: font.unitsPerEm,
    ascent: font.ascent / font.unitsPerEm,
    descent: font.descent / font.unitsPerEm,
  };
  faceCache.set(file, face);
  return face;
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

interface RangeFile {
  ranges: Array<[number, number]>;
  file: string;
}

/**
 * Parse a fontsource CSS file into (unicode ranges → font file). The WOFF (1.0) files are used,
 * not WOFF2: WOFF2 transforms the glyf table, and fontkit's subsetter (which pdfkit uses) copies
 * glyf bytes as stored, so a WOFF2 subset draws garbage. WOFF stores tables as they are.
 */
function fontsourceRanges(pkg: string, weight: number): RangeFile[] {
  const dir = packageDir(pkg);
  const cssPath = path.join(dir, `${weight}.css`);
  if (!existsSync(cssPath)) return [];
  const css = readFileSync(cssPath, 'utf8');
  const out: RangeFile[] = [];
  for (const block of css.split('@font-face').slice(1)) {
    const src = /url\(\.\/(files\/[^)]+\.woff)\)/.exec(block)?.[1];
    const range = /unicode-range:\s*([^;]+);/.exec(block)?.[1];
    if (!src || !range) continue;
    const ranges = range.split(',').map((part): [number, number] => {
      const [lo, hi] = part.trim().replace(/^U\+/i, '').split('-');
      const start = parseInt(lo ?? '0', 16);
      return [start, hi ? parseInt(hi, 16) : start];
    });
    out.push({ ranges, file: path.join(dir, src) });
  }
  return out;
}

interface ChainLink {
  name: string;
  faceFor(codePoint: number, bold: boolean): Face | null;
  /** The family's whole font files; absent for families split into files by Unicode range. */
  wholeFaces?(): WholeFaces;
}

/** A family that comes as whole font files: the regular face, and the bold one if it has its own file. */
export interface WholeFaces {
  regular: Face;
  bold: Face | null;
}

function linkFor(entry: FontEntry, templatePath: string): ChainLink {
  const templateDir = path.dirname(templatePath);
  if ('fontsource' in entry) {
    // The CSS (hundreds of ranges) is read when the chain first falls back to this font.
    let tables: { regular: RangeFile[]; bold: RangeFile[] } | null = null;
    const load = () => {
      const regular = fontsourceRanges(entry.fontsource, 400);
      if (regular.length === 0) throw new FontProblem(`Font package ${entry.fontsource} has no 400.css; is it installed? Run npm ci.`, templatePath);
      return { regular, bold: fontsourceRanges(entry.fontsource, 700) };
    };
    packageDir(entry.fontsource); // a missing package is still reported when the chain is made
    return {
      name: entry.name,
      faceFor(cp, wantBold) {
        const { regular, bold } = (tables ??= load());
        const table = wantBold && bold.length > 0 ? bold : regular;
        for (const rf of table) {
          if (rf.ranges.some(([lo, hi]) => cp >= lo && cp <= hi)) {
            const face = openFace(rf.file, entry.name);
            if (face.font.hasGlyphForCodePoint(cp)) return face;
          }
        }
        return null;
      },
    };
  }
  const base = 'package' in entry ? packageDir(entry.package) : templateDir;
  // Font files stay inside their package, or inside the project: the template's folder, or the
  // project folder that holds a `templates/` folder (so templates/zh-TW.yaml may name ../fonts/…).
  const root = 'package' in entry ? base : path.basename(templateDir) === 'templates' ? path.dirname(templateDir) : templateDir;
  const inside = (ref: string): string => {
    const contained = 'package' in entry
      ? resolveContained(root, base, ref, `Font file of package ${entry.package}`, 'its package folder')
      : resolveContained(root, base, ref, 'Font file', `the project folder (${root})`);
    if ('error' in contained) throw new FontProblem(contained.error, templatePath);
    return contained.path;
  };
  const regularFile = inside('package' in entry ? entry.regular : entry.file);
  const boldFile = entry.bold ? inside(entry.bold) : null;
  return {
    name: entry.name,
    faceFor(cp, wantBold) {
      const face = openFace(wantBold && boldFile ? boldFile : regularFile, entry.name);
      return face.font.hasGlyphForCodePoint(cp) ? face : null;
    },
    wholeFaces: () => ({ regular: openFace(regularFile, entry.name), bold: boldFile ? openFace(boldFile, entry.name) : null }),
  };
}

/** Characters that need no glyph of their own (drawn as space or not drawn at all). */
const INVISIBLE = /[\u0009\u000a\u000d\u200b-\u200d\u2060\ufe0e\ufe0f]/u;

export class FontChain {
  private readonly links: ChainLink[];
  private readonly memo = [new Map<number, Face | null>(), new Map<number, Face | null>()] as const;

  private readonly templatePath: string;

  constructor(template: Template) {
    this.templatePath = template.sourcePath;
    this.links = template.fonts.serif.map((entry) => linkFor(entry, template.sourcePath));
  }

  /** The primary face (first in the chain), used for spaces, marks and page numbers. */
  primary(bold = false): Face {
    const face = this.faceFor('中'.codePointAt(0) as number, bold);
    if (!face) throw new FontProblem('The first font of the chain has no Han characters.', this.templatePath);
    return face;
  }

  /** The first face in the chain that has a glyph for the code point, or null. */
  faceFor(codePoint: number, bold = false): Face | null {
    const memo = this.memo[bold ? 1 : 0];
    const known = memo.get(codePoint);
    if (known !== undefined) return known;
    let found: Face | null = null;
    for (const link of this.links) {
      found = link.faceFor(codePoint, bold);
      if (found) break;
    }
    memo.set(codePoint, found);
    return found;
  }

  /**
   * The font files of the family called `name` in the chain: its whole files, 'split' for a
   * family split into files by Unicode range (fontsource), undefined if the chain has no such family.
   */
  wholeFaces(name: string): WholeFaces | 'split' | undefined {
    const link = this.links.find((l) => l.name === name);
    if (!link) return undefined;
    return link.wholeFaces ? link.wholeFaces() : 'split';
  }

  static isInvisible(ch: string): boolean {
    return INVISIBLE.test(ch);
  }

  names(): string[] {
    return this.links.map((l) => l.name);
  }
}

const chains = new Map<string, FontChain>();

/** One font chain per template file and font list, kept across builds (fonts stay open in memory). */
export function fontChainFor(template: Template): FontChain {
  const key = JSON.stringify([template.sourcePath, template.fonts]);
  let chain = chains.get(key);
  if (!chain) {
    chain = new FontChain(template);
    chains.set(key, chain);
  }
  return chain;
}
