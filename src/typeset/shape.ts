/**
 * Styled text → pieces: the units the line breaker places. An ideograph or CJK punctuation mark
 * is a piece of its own; a Latin word (or the part of a URL between two break opportunities) is
 * one piece; a footnote mark is one piece glued to what precedes it. Widths come from fontkit,
 * with the same fonts and metrics the PDF is drawn with; runs of more than one character are
 * shaped by HarfBuzz (src/typeset/harfbuzz.ts).
 *
 * Written here rather than taken from pdfmake because pdfmake breaks each inline on its own with
 * no clreq rules, no punctuation compression and no Han–Latin spacing (see shared typesetting
 * notes); no npm package does CJK line composition.
 */
import { FontChain, type Face } from '../fonts/fontChain.js';
import { hyphenationPoints } from './hyphenate.js';
import { BREAK_COST, breakOpportunities } from './breaks.js';
import { MissingGlyph } from './errors.js';
import { at } from '../util/checked.js';
import type { SourceRef } from '../diagnostics/index.js';

export { MissingGlyph };
import { FORMAT_CHARACTER, IDEOGRAPHIC, RIGHT_TO_LEFT, UNSPACED_CJK, WESTERN_ALNUM, characterTest, isLatinQuoteHere } from '../unicode/scripts.js';
import { buildContext } from '../context.js';
import { HarfBuzzNeeded, harfBuzzDeferred, harfBuzzLoaded, hbLayout, type ShapedText } from './harfbuzz.js';

/**
 * Shape a run with HarfBuzz once it is loaded (renderPdf loads it when something is left to
 * shape: withHarfBuzz), else with fontkit: both give
 * the same glyphs, advances and offsets (test/shaping.test.ts), HarfBuzz in about a third of the
 * time. fontkit stays for everything else about a font (character map, metrics, outlines).
 */
function layoutRun(face: Face, text: string, features?: string[]): ShapedText {
  if (harfBuzzDeferred()) throw new HarfBuzzNeeded();
  return harfBuzzLoaded() ? hbLayout(face, text, features) : face.font.layout(text, features);
}

export interface SpanStyle {
  size: number;
  bold: boolean;
  /** Markdown emphasis: italic where the face has an italic, else as ShapeOptions.emphasis says. */
  emphasis?: boolean;
  link?: string;
}

/** Styled text, and where it came from (for messages about a character no font has). */
export type Span = { text: string; style: SpanStyle; source?: SourceRef } | { mark: number; style: SpanStyle };

export type PieceKind = 'ideo' | 'open' | 'close' | 'cjkPunct' | 'latin' | 'mark';

/**
 * The glyphs a piece is drawn with, as shaped when the piece was measured, in font
 * units: the PDF draws exactly these (src/render/pdf/pdfkitDraw.ts), so nothing is shaped twice
 * and what is drawn is what the line breaker measured.
 */
export interface GlyphRun {
  ids: number[];
  /** The characters each glyph stands for (its cluster), for the PDF's ToUnicode map. */
  codePoints: number[][];
  advances: number[];
  xOffsets: number[];
  yOffsets: number[];
}

export interface Glue {
  width: number;
  shrink: number;
  stretch: number;
  kind: 'space' | 'hanLatin';
}

export interface Piece {
  text: string;
  face: Face;
  size: number;
  /** Baseline shift upwards (superscript marks). */
  rise: number;
  bold: boolean;
  link?: string;
  kind: PieceKind;
  /** Advance in points after punctuation compression. */
  width: number;
  /** Where the glyphs are drawn relative to the piece's position (compressed opening marks). */
  offset: number;
  /** The advance of the piece's glyphs as shaped (before compression). */
  drawnAdvance: number;
  glyphCount: number;
  /** The shaped glyphs (set when the piece is measured). */
  glyphs: GlyphRun;
  /** A line may break before this piece. */
  breakBefore: boolean;
  /** Demerits of a break before this piece (src/typeset/breaks.ts BREAK_COST), if any. */
  breakCost?: number;
  /** Space before this piece (dropped at a line start). */
  glueBefore: Glue | null;
  /** How much narrower the piece may get at a line end (closing punctuation to ½ em). */
  endShrink: number;
  /** How much narrower the piece may get inside a line, as a last resort (clreq squeeze). */
  midShrink: number;
  /** Width given back when the piece starts a line (a compressed opening mark is full width there). */
  startRestore: number;
  /** Footnote number, for marks. */
  note?: number;
  /** Emphasis dots under each character (clreq §3.3 着重号), for emphasis in a face with no italic. */
  dots?: boolean;
  /** A hyphenation point follows this piece: breaking there adds a hyphen (src/typeset/hyphenate.ts). */
  hyphen?: { width: number; glyphs: GlyphRun };
}

/** clreq §3.1.7: opening and closing marks, whose blank half may be compressed. */
const OPENING = new Set([...'“‘（《〈「『【〔〖［｛']);
const CLOSING = new Set([...'”’）》〉」』】〕〗］｝，。、；：？！']);


interface Item {
  ch: string;
  style: SpanStyle;
  mark?: number;
  /** Offset in the plain text (without marks). */
  at: number;
  source?: SourceRef;
}

type CharKind = PieceKind | 'space' | 'other';

function kindOf(ch: string, before = '', after = ''): CharKind {
  if (ch === ' ' || ch === '\t' || ch === '\n') return 'space';
  if (isLatinQuoteHere(ch, before, after)) return 'other';
  return kindAlone(ch);
}

/** The kind of a character whatever stands beside it, each character classified once (a long list repeats them). */
const kindsAlone = new Map<string, CharKind>();

function kindAlone(ch: string): CharKind {
  let kind = kindsAlone.get(ch);
  if (kind === undefined) {
    kind = OPENING.has(ch)
      ? 'open'
      : CLOSING.has(ch)
        ? 'close'
        : // Hangul syllables are full-width like ideographs: one piece each, so a justified Korean line
          // may spread between syllables as well as between words (keep-all still forbids a break there).
          IDEOGRAPHIC.test(ch) || HANGUL.test(ch)
          ? 'ideo'
          : UNSPACED_CJK.test(ch)
            ? 'cjkPunct'
            : 'other';
    kindsAlone.set(ch, kind);
  }
  return kind;
}

const isFormatCharacter = characterTest(FORMAT_CHARACTER);
const isRightToLeft = characterTest(RIGHT_TO_LEFT);

export interface ShapeOptions {
  /** Em fraction between Han and Latin (clreq §3.2.2; ¼ em). */
  hanLatinSpace: number;
  /** Set adjacent marks closer and let line-end marks go half width (false: Taiwan practice). */
  compressPunctuation?: boolean;
  markScale: number;
  markRise: number;
  /** Emphasis in a face with no italic (CJK): bold, or dots under the characters. */
  emphasis?: 'bold' | 'dots';
  /** Korean: break only at spaces and punctuation, never between the letters of a word. */
  keepAll?: boolean;
  /** Hyphenate Latin words with the patterns of this language (justified text only). */
  hyphenate?: string;
}

interface Shaped {
  units: number;
  glyphs: number;
  run: GlyphRun;
}

/** Shaping is costly per call and the same characters recur: memoise per face. */
const advances = buildContext.weakMap<Face, Map<string, Shaped>>('advances');

const EMPTY_RUN: GlyphRun = { ids: [], codePoints: [], advances: [], xOffsets: [], yOffsets: [] };

function advanceOf(face: Face, text: string, size: number): { width: number; glyphs: number; run: GlyphRun } {
  let memo = advances.get(face);
  if (!memo) {
    memo = new Map();
    advances.set(face, memo);
  }
  let entry = memo.get(text);
  if (!entry && text.length <= 2 && [...text].length === 1) {
    // One character: its advance needs no shaping (no pair kerning, no ligature).
    const glyph = face.font.glyphForCodePoint(text.codePointAt(0) ?? 0);
    entry = { units: glyph.advanceWidth, glyphs: 1, run: { ids: [glyph.id], codePoints: [[text.codePointAt(0) ?? 0]], advances: [glyph.advanceWidth], xOffsets: [0], yOffsets: [0] } };
    memo.set(text, entry);
  }
  if (!entry) {
    const run = layoutRun(face, text);
    entry = shapedOf(run.glyphs, run.positions);
    memo.set(text, entry);
  }
  return { width: (entry.units / face.unitsPerEm) * size, glyphs: entry.glyphs, run: entry.run };
}

type FontkitGlyph = { id: number; codePoints: number[] };
type FontkitPosition = { xAdvance: number; xOffset: number; yOffset: number };

function shapedOf(glyphs: FontkitGlyph[], positions: FontkitPosition[]): Shaped {
  const run: GlyphRun = { ids: [], codePoints: [], advances: [], xOffsets: [], yOffsets: [] };
  let units = 0;
  glyphs.forEach((glyph, g) => {
    const p = at(positions, g);
    run.ids.push(glyph.id);
    run.codePoints.push([...glyph.codePoints]);
    run.advances.push(p.xAdvance);
    run.xOffsets.push(p.xOffset);
    run.yOffsets.push(p.yOffset);
    units += p.xAdvance;
  });
  return { units, glyphs: glyphs.length, run };
}

export function shape(spans: Span[], fonts: FontChain, options: ShapeOptions): Piece[] {
  return finish(segment(spans, fonts, options), options);
}

/**
 * Shape many paragraphs at once (a long signatory list): their words are shaped in a few large
 * shaping calls instead of one call per paragraph.
 */
export function shapeMany(paragraphs: Span[][], fonts: FontChain, options: ShapeOptions): Piece[][] {
  const segmented = paragraphs.map((spans) => segment(spans, fonts, options));
  prefetchAdvances(segmented.flat());
  return segmented.map((pieces) => finish(pieces, options));
}

function finish(pieces: Piece[], options: ShapeOptions): Piece[] {
  measure(pieces);
  const compress = options.compressPunctuation !== false;
  if (compress) compressPunctuation(pieces);
  tightenMarks(pieces, compress);
  addHanLatinSpacing(pieces, options.hanLatinSpace);
  return options.hyphenate ? addHyphenationPoints(pieces, options.hyphenate) : pieces;
}

/** Split styled text into unmeasured pieces, with break opportunities and word spaces. */
function segment(spans: Span[], fonts: FontChain, options: ShapeOptions): Piece[] {
  const items: Item[] = [];
  let plain = '';
  for (const span of spans) {
    if ('mark' in span) {
      items.push({ ch: String(span.mark), style: span.style, mark: span.mark, at: plain.length });
      continue;
    }
    const { style, source } = span;
    let offset = plain.length;
    for (const ch of span.text) {
      items.push(source ? { ch, style, at: offset, source } : { ch, style, at: offset });
      offset += ch.length;
    }
    plain += span.text;
  }
  const { allowed, costs } = breakOpportunities(plain, { keepAll: options.keepAll === true, inWordBreaks: true });

  const pieces: Piece[] = [];
  let pendingSpace = false;
  let current: Piece | null = null;
  /** `current` may still take the next character. */
  let open = false;
  const close = () => {
    open = false;
  };

  const kinds = items.map((item, index) => (item.mark !== undefined ? 'mark' : kindOf(item.ch, items[index - 1]?.ch, items[index + 1]?.ch)));
  const wordFaces = wordFacesOf(items, kinds, fonts, options);

  items.forEach((item, index) => {
    if (item.mark !== undefined) {
      // Chosen by the glyphs a mark needs (digits), whatever comes first in the chain.
      const face = fonts.faceWith('0123456789');
      const size = item.style.size * options.markScale;
      const { width, glyphs, run } = advanceOf(face, item.ch, size);
      close();
      pieces.push({
        text: item.ch, face, size, rise: item.style.size * options.markRise, bold: false, kind: 'mark',
        width, offset: 0, drawnAdvance: width, glyphCount: glyphs, glyphs: run, breakBefore: false, glueBefore: null,
        endShrink: 0, midShrink: 0, startRestore: 0, note: item.mark,
      });
      current = null;
      pendingSpace = false;
      return;
    }
    const kind = at(kinds, index);
    if (kind === 'space') {
      pendingSpace = true;
      close();
      current = null;
      return;
    }
    if (isFormatCharacter(item.ch)) return; // invisible: no glyph, no width
    if (isRightToLeft(item.ch)) throw new MissingGlyph(item.ch, item.source, 'right-to-left');
    const cp = item.ch.codePointAt(0) ?? 0;
    const word = wordFaces[index];
    const { face, dots } = word ?? faceOf(fonts, cp, item.style, options);
    if (!face) throw new MissingGlyph(item.ch, item.source);
    const breakBefore = allowed.has(item.at);
    const extendable =
      open &&
      current !== null &&
      kind === 'other' &&
      current.kind === 'latin' &&
      !pendingSpace &&
      !breakBefore &&
      current.face === face &&
      current.size === item.style.size &&
      current.link === item.style.link &&
      (current.dots ?? false) === dots;
    // —— and …… are one unit each (clreq: never split, never stretched inside).
    const sameDash =
      open && current !== null && (item.ch === '—' || item.ch === '…') && current.text.endsWith(item.ch) && !pendingSpace;
    if (extendable || sameDash) {
      (current as Piece).text += item.ch;
      return;
    }
    const piece: Piece = {
      text: item.ch, face, size: item.style.size, rise: 0, bold: item.style.bold,
      kind: kind === 'other' ? 'latin' : kind,
      width: 0, offset: 0, drawnAdvance: 0, glyphCount: 1, glyphs: EMPTY_RUN, breakBefore, glueBefore: null,
      endShrink: 0, midShrink: 0, startRestore: 0,
    };
    if (item.style.link) piece.link = item.style.link;
    if (dots) piece.dots = true;
    const cost = breakBefore ? costs.get(item.at) : undefined;
    if (cost !== undefined) piece.breakCost = cost;
    if (pendingSpace && pieces.length > 0) {
      // A word space in the face of the word after it, or in the first face that has a space.
      const spaceFace = face.font.hasGlyphForCodePoint(0x20) ? face : fonts.faceWith(' ');
      const space = advanceOf(spaceFace, ' ', item.style.size).width;
      // klreq: Korean (keep-all) justifies at its word spaces first, which may double before
      // any syllable is letter-spaced; Latin word spaces stretch by half.
      piece.glueBefore = { width: space, shrink: space / 3, stretch: options.keepAll ? space : space / 2, kind: 'space' };
      // A break at a space is always allowed in Latin text even when the next word is CJK.
      piece.breakBefore = breakBefore || !NOT_START_AFTER_SPACE.test(item.ch);
    }
    pendingSpace = false;
    pieces.push(piece);
    current = piece;
    open = true;
  });

  return pieces;
}

/**
 * One face per word: a run of non-CJK characters (Latin, Greek, Cyrillic letters, digits, and the
 * punctuation and curly quotes among them) in one style, between spaces, CJK characters and note
 * marks, is drawn in the first face that has all of it, so no word mixes two designs. Undefined
 * for characters outside such a word, or where no one face has the whole word.
 */
function wordFacesOf(items: Item[], kinds: Array<PieceKind | 'space' | 'other'>, fonts: FontChain, options: ShapeOptions): Array<{ face: Face; dots: boolean } | undefined> {
  const out: Array<{ face: Face; dots: boolean } | undefined> = new Array(items.length);
  let from = 0;
  while (from < items.length) {
    if (kinds[from] !== 'other') {
      from++;
      continue;
    }
    const style = at(items, from).style;
    let to = from;
    let text = '';
    while (to < items.length && kinds[to] === 'other' && sameStyle(at(items, to).style, style)) {
      const ch = at(items, to).ch;
      if (!isFormatCharacter(ch)) text += ch;
      to++;
    }
    const chosen = wordFaceOf(fonts, text, style, options);
    if (chosen) for (let i = from; i < to; i++) out[i] = chosen;
    from = to;
  }
  return out;
}

function sameStyle(a: SpanStyle, b: SpanStyle): boolean {
  return a.size === b.size && a.bold === b.bold && (a.emphasis ?? false) === (b.emphasis ?? false) && a.link === b.link;
}

/** faceOf for a whole word: emphasis takes the italic, or bold where the face has no italic. */
function wordFaceOf(fonts: FontChain, word: string, style: SpanStyle, options: ShapeOptions): { face: Face; dots: boolean } | undefined {
  if (!word) return undefined;
  if (!style.emphasis) {
    const face = fonts.faceForWord(word, { bold: style.bold });
    return face ? { face, dots: false } : undefined;
  }
  const italic = fonts.faceForWord(word, { bold: style.bold, italic: true });
  if (!italic) return undefined;
  if (italic.italic || options.emphasis === 'dots') return { face: italic, dots: false };
  const bold = fonts.faceForWord(word, { bold: true });
  return bold ? { face: bold, dots: false } : undefined;
}

/**
 * The face for a character in a style. Emphasis takes the chain's italic; a face with no italic
 * (every CJK face) sets it as the template says: bold, or dots under the characters.
 */
function faceOf(fonts: FontChain, cp: number, style: SpanStyle, options: ShapeOptions): { face: Face | null; dots: boolean } {
  if (!style.emphasis) return { face: fonts.faceFor(cp, { bold: style.bold }), dots: false };
  const italic = fonts.faceFor(cp, { bold: style.bold, italic: true });
  if (!italic || italic.italic || FontChain.isInvisible(String.fromCodePoint(cp))) return { face: italic, dots: false };
  if (options.emphasis === 'dots') return { face: italic, dots: IDEOGRAPHIC.test(String.fromCodePoint(cp)) || HANGUL.test(String.fromCodePoint(cp)) };
  return { face: fonts.faceFor(cp, { bold: true }), dots: false };
}

const HANGUL = /\p{Script=Hangul}/u;

const NOT_START_AFTER_SPACE = /[、，。．：；？！”’）》〉」』】〕〗］｝·),.:;?!\]}]/u;

function measure(pieces: Piece[]): void {
  prefetchAdvances(pieces);
  for (const piece of pieces) {
    if (piece.kind === 'mark') continue;
    const { width, glyphs, run } = advanceOf(piece.face, piece.text, piece.size);
    piece.width = width;
    piece.drawnAdvance = width;
    piece.glyphCount = glyphs;
    piece.glyphs = run;
  }
}

/**
 * Shape the paragraph's new multi-character pieces of each face in one shaping call (words
 * joined by spaces), since each call costs far more than the glyphs it shapes. Kerning and
 * ligatures inside each word are kept; glyphs are given back to words by the code points they
 * cover.
 */
function prefetchAdvances(pieces: Piece[]): void {
  // The shaper picks the script from the text (fontkit and HarfBuzz alike), and digits are set differently in Latin script than
  // alone: words with letters and words without are shaped in separate batches, so each gets
  // the advances it gets when shaped alone.
  const batches = new Map<string, { face: Face; set: Set<string> }>();
  for (const p of pieces) {
    if (p.kind === 'mark' || oneCharacter(p.text) || p.text.includes(' ')) continue;
    if (advances.get(p.face)?.has(p.text)) continue;
    const key = `${p.face.id}:${scriptKey(p.text)}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = { face: p.face, set: new Set() }));
    batch.set.add(p.text);
  }
  for (const { face, set } of batches.values()) {
    const all = [...set];
    for (let from = 0; from < all.length; from += 2000) prefetchBatch(face, all.slice(from, from + 2000));
  }
}

/** At most one character (`[...text].length < 2` without the array). */
function oneCharacter(text: string): boolean {
  return text.length < 2 || (text.length === 2 && (text.codePointAt(0) ?? 0) > 0xffff);
}

/** The script the shaper would choose for a word: that of its first letter (none for digits). */
function scriptKey(text: string): string {
  const letter = /\p{L}/u.exec(text)?.[0];
  if (!letter) return 'common';
  let script = letterScripts.get(letter);
  if (script === undefined) {
    script = SCRIPTS.find(([, test]) => test.test(letter))?.[0] ?? 'other';
    letterScripts.set(letter, script);
  }
  return script;
}

const SCRIPTS = ['Latin', 'Hangul', 'Han', 'Cyrillic', 'Greek', 'Hiragana', 'Katakana'].map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const);
/** The script of each letter met (a list of 10,000 names asks for the same letters again and again). */
const letterScripts = new Map<string, string>();

function prefetchBatch(face: Face, words: string[]): void {
  if (words.length < 2) return;
  const run = layoutRun(face, words.join(' '));
  let memo = advances.get(face);
  if (!memo) advances.set(face, (memo = new Map()));
  let word = 0;
  let from = 0;
  let left = [...at(words, 0)].length;
  run.glyphs.forEach((glyph, g) => {
    if (left === 0) {
      // the space between two words
      memo.set(at(words, word), shapedOf(run.glyphs.slice(from, g), run.positions.slice(from, g)));
      word++;
      from = g + 1;
      left = [...(words[word] ?? '')].length;
      return;
    }
    left -= glyph.codePoints.length || 1;
  });
  if (word < words.length) memo.set(at(words, word), shapedOf(run.glyphs.slice(from), run.positions.slice(from)));
}

/**
 * clreq §3.1.4 / jlreq 3.1.4: adjacent punctuation marks are set closer: the font's own `chws`
 * feature (contextual half-width spacing) gives each mark of a run its advance and placement, as
 * a typographer would set "”，“" in 2 ems and "。”" in 1.5. A closing mark at a line end may lose
 * its blank half too (`halt`); that is kept as `endShrink` for the line breaker.
 */
function compressPunctuation(pieces: Piece[]): void {
  let i = 0;
  while (i < pieces.length) {
    if (!isCompressible(pieces[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < pieces.length && isCompressible(pieces[j + 1]) && sameFont(at(pieces, i), at(pieces, j + 1)) && !at(pieces, j + 1).glueBefore) j++;
    const run = pieces.slice(i, j + 1);
    if (run.length > 1) {
      const first = at(run, 0);
      const shaped = layoutRun(first.face, run.map((p) => p.text).join(''), ['chws']);
      if (shaped.positions.length === run.length) {
        run.forEach((p, k) => {
          const pos = shaped.positions[k];
          if (!pos) return;
          const scale = p.size / p.face.unitsPerEm;
          p.width = pos.xAdvance * scale;
          p.offset = pos.xOffset * scale;
          // the same glyph, drawn at the offset and set in the width chws gives it
          const glyph = shaped.glyphs[k];
          if (glyph) p.glyphs = { ids: [glyph.id], codePoints: [[...glyph.codePoints]], advances: [pos.xAdvance], xOffsets: [0], yOffsets: [pos.yOffset] };
          if (p.kind === 'open' && p.offset < 0) p.startRestore = -p.offset;
        });
      }
    }
    for (const p of run) {
      const em = p.size;
      if (p.kind === 'close' && p.width > em * 0.75) {
        p.endShrink = p.width - em / 2;
        p.midShrink = p.endShrink;
      }
      if (p.kind === 'open' && p.width > em * 0.75) p.midShrink = p.width - em / 2;
    }
    i = j + 1;
  }
}

/**
 * jlreq 3.1.4 (as for a closing bracket before ruby or a mark): a footnote mark after a closing
 * mark (”。」）) sits against its glyph, not after its blank: the blank, measured from the glyph's
 * ink, moves after the mark, where it still separates the next character (and goes at a line
 * end). Before another closing mark, where punctuation is compressed, it goes, as between two
 * adjacent marks ("”¹²。" is set as "”。" is, in 1½ em).
 */
function tightenMarks(pieces: Piece[], compress: boolean): void {
  for (let k = 1; k < pieces.length; k++) {
    const before = at(pieces, k - 1);
    if (at(pieces, k).kind !== 'mark' || before.kind !== 'close' || before.glyphs.ids.length !== 1) continue;
    const scale = before.size / before.face.unitsPerEm;
    const ink = before.offset + before.face.font.getGlyph(before.glyphs.ids[0] as number).bbox.maxX * scale;
    // a little air is left between the glyph and the mark
    const blank = Math.min(before.width - ink - MARK_AIR * before.size, before.width - before.size / 2);
    if (blank < before.size / 4) continue;
    before.width -= blank;
    before.endShrink = Math.max(0, before.endShrink - blank);
    before.midShrink = Math.max(0, before.midShrink - blank);
    let last = k;
    while (pieces[last + 1]?.kind === 'mark') last++;
    const mark = at(pieces, last);
    if (compress && pieces[last + 1]?.kind === 'close') continue;
    mark.width += blank;
    mark.endShrink += blank;
    mark.midShrink += blank;
  }
}

/** Space left between a closing mark's glyph and a footnote mark set against it, in ems. */
const MARK_AIR = 0.06;

function isCompressible(p: Piece | undefined): boolean {
  return p !== undefined && (p.kind === 'open' || p.kind === 'close');
}

function sameFont(a: Piece, b: Piece): boolean {
  return a.face === b.face && a.size === b.size;
}

/**
 * clreq §3.2.2: about ¼ em between an ideograph and a Latin letter or digit, whether or not the
 * source has a space there; none next to punctuation or a footnote mark. It may shrink to ⅛ em
 * and stretch to 5⁄16 em when a line is justified, before the rest is spread over every gap (a
 * wider gap around numbers shows more than the same space spread between all characters).
 */
function addHanLatinSpacing(pieces: Piece[], em: number): void {
  for (let k = 1; k < pieces.length; k++) {
    const a = at(pieces, k - 1);
    const b = at(pieces, k);
    // Ideographs and kana only: Hangul words are separated by real spaces, which stay.
    const aIdeo = a.kind === 'ideo' && IDEOGRAPHIC.test(a.text);
    const bIdeo = b.kind === 'ideo' && IDEOGRAPHIC.test(b.text);
    const aWest = a.kind === 'latin' && WESTERN_ALNUM.test([...a.text].at(-1) ?? '');
    const bWest = b.kind === 'latin' && WESTERN_ALNUM.test([...b.text][0] ?? '');
    if ((aIdeo && bWest) || (aWest && bIdeo)) {
      const size = Math.max(a.size, b.size);
      b.glueBefore = { width: em * size, shrink: (em / 2) * size, stretch: (em / 4) * size, kind: 'hanLatin' };
    }
  }
}

/**
 * Last resort for a Latin piece wider than a whole line (a URL segment with no separator, a very
 * long word): split it into characters that may break anywhere, so no line runs past the margin.
 */
export function splitOversized(pieces: Piece[], maxWidth: number): Piece[] {
  if (!pieces.some((p) => p.width > maxWidth && p.kind === 'latin')) return pieces;
  return pieces.flatMap((piece) => {
    if (piece.width <= maxWidth || piece.kind !== 'latin') return [piece];
    return [...piece.text].map((ch, index): Piece => {
      const { width, glyphs, run } = advanceOf(piece.face, ch, piece.size);
      return {
        ...piece,
        text: ch,
        width,
        drawnAdvance: width,
        glyphCount: glyphs,
        glyphs: run,
        breakBefore: index === 0 ? piece.breakBefore : true,
        glueBefore: index === 0 ? piece.glueBefore : null,
        ...(index === 0 ? {} : { breakCost: BREAK_COST.urlLetters }),
      };
    });
  });
}

/**
 * Knuth–Liang hyphenation points (src/typeset/hyphenate.ts) as break opportunities: a Latin word
 * is split into fragments that may break between them, the fragment before each point carrying
 * the hyphen the line gets when it breaks there (the total-fit breaker adds its demerits). No
 * hyphenation in links and URLs or in the last word of the paragraph (it would leave a fragment
 * alone on the last line). Each fragment takes the glyphs of the word as shaped whole, so an
 * unbroken word is drawn exactly as before (kerning inside it kept); a point inside a ligature is
 * skipped.
 */
function addHyphenationPoints(pieces: Piece[], lang: string): Piece[] {
  const lastWord = pieces.findLastIndex((p) => p.kind === 'latin');
  return pieces.flatMap((piece, index) => {
    if (piece.kind !== 'latin' || piece.link || index === lastWord || piece.dots) return [piece];
    const cuts = glyphCuts(piece.glyphs, hyphenationPoints(piece.text, lang));
    if (cuts.length === 0) return [piece];
    const hyphen = advanceOf(piece.face, '-', piece.size);
    const scale = piece.size / piece.face.unitsPerEm;
    const bounds = [{ glyph: 0, at: 0 }, ...cuts, { glyph: piece.glyphs.ids.length, at: piece.text.length }];
    return bounds.slice(1).map((end, k): Piece => {
      const from = bounds[k] as { glyph: number; at: number };
      const glyphs = sliceRun(piece.glyphs, from.glyph, end.glyph);
      const width = glyphs.advances.reduce((sum, a) => sum + a, 0) * scale;
      const { breakCost: _cost, ...word } = piece;
      const fragment: Piece = {
        ...(k === 0 ? piece : word),
        text: piece.text.slice(from.at, end.at),
        width,
        drawnAdvance: width,
        glyphCount: glyphs.ids.length,
        glyphs,
        breakBefore: k === 0 ? piece.breakBefore : true,
        glueBefore: k === 0 ? piece.glueBefore : null,
      };
      if (end.at < piece.text.length) fragment.hyphen = { width: hyphen.width, glyphs: hyphen.run };
      return fragment;
    });
  });
}

/**
 * Glyph indices where a word's shaped run may be cut at the given UTF-16 offsets: only where a
 * glyph starts exactly there (not inside a ligature or cluster).
 */
function glyphCuts(run: GlyphRun, points: number[]): Array<{ glyph: number; at: number }> {
  const starts = new Map<number, number>();
  let at = 0;
  run.codePoints.forEach((cps, g) => {
    starts.set(at, g);
    at += cps.reduce((n, cp) => n + (cp > 0xffff ? 2 : 1), 0);
  });
  return points.flatMap((point) => {
    const glyph = starts.get(point);
    return glyph !== undefined && glyph > 0 ? [{ glyph, at: point }] : [];
  });
}

function sliceRun(run: GlyphRun, from: number, to: number): GlyphRun {
  return {
    ids: run.ids.slice(from, to),
    codePoints: run.codePoints.slice(from, to),
    advances: run.advances.slice(from, to),
    xOffsets: run.xOffsets.slice(from, to),
    yOffsets: run.yOffsets.slice(from, to),
  };
}

/** A piece that ends a line at a hyphenation point, with its hyphen (text, width and glyph). */
export function withHyphen(piece: Piece): Piece {
  if (!piece.hyphen) return piece;
  const { hyphen, ...rest } = piece;
  const width = piece.width + hyphen.width;
  const glyphs: GlyphRun = {
    ids: [...piece.glyphs.ids, ...hyphen.glyphs.ids],
    codePoints: [...piece.glyphs.codePoints, ...hyphen.glyphs.codePoints],
    advances: [...piece.glyphs.advances, ...hyphen.glyphs.advances],
    xOffsets: [...piece.glyphs.xOffsets, ...hyphen.glyphs.xOffsets],
    yOffsets: [...piece.glyphs.yOffsets, ...hyphen.glyphs.yOffsets],
  };
  return { ...rest, text: `${piece.text}-`, width, drawnAdvance: width, glyphCount: glyphs.ids.length, glyphs };
}
