/**
 * Styled text → pieces: the units the line breaker places. An ideograph or CJK punctuation mark
 * is a piece of its own; a Latin word (or the part of a URL between two break opportunities) is
 * one piece; a footnote mark is one piece glued to what precedes it. Widths come from fontkit,
 * with the same fonts and metrics the PDF is drawn with.
 *
 * Written here rather than taken from pdfmake because pdfmake breaks each inline on its own with
 * no clreq rules, no punctuation compression and no Han–Latin spacing (see shared typesetting
 * notes); no npm package does CJK line composition.
 */
import { FontChain, type Face } from '../fonts/fontChain.js';
import { hyphenationPoints } from './hyphenate.js';
import { breakOpportunities } from './breaks.js';
import { MissingGlyph } from './errors.js';
import type { SourceRef } from '../diagnostics/index.js';

export { MissingGlyph };
import { IDEOGRAPHIC, UNSPACED_CJK, WESTERN_ALNUM } from '../unicode/scripts.js';

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
  /** The advance the PDF viewer will use when drawing `text` as one run. */
  drawnAdvance: number;
  glyphCount: number;
  /** A line may break before this piece. */
  breakBefore: boolean;
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
  hyphen?: { width: number };
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

/** Curly quotes are shared by Latin and CJK text (clreq §3.1.1): CJK marks only beside CJK text. */
const SHARED_QUOTES = new Set([...'“”‘’']);

function kindOf(ch: string, before = '', after = ''): PieceKind | 'space' | 'other' {
  if (ch === ' ' || ch === '\t' || ch === '\n') return 'space';
  if (SHARED_QUOTES.has(ch) && ![before, after].some((c) => UNSPACED_CJK.test(c) && !SHARED_QUOTES.has(c))) return 'other';
  if (OPENING.has(ch)) return 'open';
  if (CLOSING.has(ch)) return 'close';
  // Hangul syllables are full-width like ideographs: one piece each, so a justified Korean line
  // may spread between syllables as well as between words (keep-all still forbids a break there).
  if (IDEOGRAPHIC.test(ch) || HANGUL.test(ch)) return 'ideo';
  if (UNSPACED_CJK.test(ch)) return 'cjkPunct';
  return 'other';
}

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

/** fontkit's layout is costly per call and the same characters recur: memoise per face. */
const advances = new WeakMap<Face, Map<string, { units: number; glyphs: number }>>();

function advanceOf(face: Face, text: string, size: number): { width: number; glyphs: number } {
  let memo = advances.get(face);
  if (!memo) {
    memo = new Map();
    advances.set(face, memo);
  }
  let entry = memo.get(text);
  if (!entry && text.length <= 2 && [...text].length === 1) {
    // One character: its advance needs no shaping (no pair kerning, no ligature).
    const glyph = face.font.glyphForCodePoint(text.codePointAt(0) as number);
    entry = { units: glyph.advanceWidth, glyphs: 1 };
    memo.set(text, entry);
  }
  if (!entry) {
    const run = face.font.layout(text);
    let units = 0;
    for (const p of run.positions) units += p.xAdvance;
    entry = { units, glyphs: run.glyphs.length };
    memo.set(text, entry);
  }
  return { width: (entry.units / face.unitsPerEm) * size, glyphs: entry.glyphs };
}

export function shape(spans: Span[], fonts: FontChain, options: ShapeOptions): Piece[] {
  return finish(segment(spans, fonts, options), options);
}

/**
 * Shape many paragraphs at once (a long signatory list): their words are shaped in a few large
 * fontkit calls instead of one call per paragraph.
 */
export function shapeMany(paragraphs: Span[][], fonts: FontChain, options: ShapeOptions): Piece[][] {
  const segmented = paragraphs.map((spans) => segment(spans, fonts, options));
  prefetchAdvances(segmented.flat());
  return segmented.map((pieces) => finish(pieces, options));
}

function finish(pieces: Piece[], options: ShapeOptions): Piece[] {
  measure(pieces);
  measureUnspacedRuns(pieces);
  if (options.compressPunctuation !== false) compressPunctuation(pieces);
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
    for (const ch of span.text) {
      items.push({ ch, style: span.style, at: plain.length, ...(span.source ? { source: span.source } : {}) });
      plain += ch;
    }
  }
  const { allowed } = breakOpportunities(plain, { keepAll: options.keepAll === true });

  const pieces: Piece[] = [];
  let pendingSpace = false;
  let current: (Piece & { open: boolean }) | null = null;
  const close = () => {
    if (current) current.open = false;
  };

  items.forEach((item, index) => {
    if (item.mark !== undefined) {
      // Chosen by the glyphs a mark needs (digits), whatever comes first in the chain.
      const face = fonts.faceWith('0123456789');
      const size = item.style.size * options.markScale;
      const { width, glyphs } = advanceOf(face, item.ch, size);
      close();
      pieces.push({
        text: item.ch, face, size, rise: item.style.size * options.markRise, bold: false, kind: 'mark',
        width, offset: 0, drawnAdvance: width, glyphCount: glyphs, breakBefore: false, glueBefore: null,
        endShrink: 0, midShrink: 0, startRestore: 0, note: item.mark,
      });
      current = null;
      pendingSpace = false;
      return;
    }
    const kind = kindOf(item.ch, items[index - 1]?.ch, items[index + 1]?.ch);
    if (kind === 'space') {
      pendingSpace = true;
      close();
      current = null;
      return;
    }
    const cp = item.ch.codePointAt(0) as number;
    const { face, dots } = faceOf(fonts, cp, item.style, options);
    if (!face) throw new MissingGlyph(item.ch, item.source);
    const breakBefore = allowed.has(item.at);
    const extendable =
      current?.open === true &&
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
      current?.open === true && (item.ch === '—' || item.ch === '…') && current.text.endsWith(item.ch) && !pendingSpace;
    if (extendable || sameDash) {
      (current as Piece).text += item.ch;
      return;
    }
    const piece: Piece & { open: boolean } = {
      text: item.ch, face, size: item.style.size, rise: 0, bold: item.style.bold,
      kind: kind === 'other' ? 'latin' : kind,
      width: 0, offset: 0, drawnAdvance: 0, glyphCount: 1, breakBefore, glueBefore: null,
      endShrink: 0, midShrink: 0, startRestore: 0, open: true,
    };
    if (item.style.link) piece.link = item.style.link;
    if (dots) piece.dots = true;
    if (pendingSpace && pieces.length > 0) {
      // A word space in the face of the word after it, or in the first face that has a space.
      const spaceFace = face.font.hasGlyphForCodePoint(0x20) ? face : fonts.faceWith(' ');
      const space = advanceOf(spaceFace, ' ', item.style.size).width;
      piece.glueBefore = { width: space, shrink: space / 3, stretch: space / 2, kind: 'space' };
      // A break at a space is always allowed in Latin text even when the next word is CJK.
      piece.breakBefore = breakBefore || !NOT_START_AFTER_SPACE.test(item.ch);
    }
    pendingSpace = false;
    close();
    pieces.push(piece);
    current = piece;
  });

  return pieces.map((p) => {
    const { open: _open, ...rest } = p as Piece & { open?: boolean };
    return rest;
  });
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
    const { width, glyphs } = advanceOf(piece.face, piece.text, piece.size);
    piece.width = width;
    piece.drawnAdvance = width;
    piece.glyphCount = glyphs;
  }
}

/**
 * Latin pieces that touch (the parts of a URL between its break opportunities) are drawn as one
 * text run when they share a line, and the font kerns across their joins (Source Serif 4 sets
 * "https://undocs.org/A/77/522" 1 pt narrower than its parts): each part gets the width it adds
 * to the whole, so that what is drawn ends where the next piece starts.
 */
function measureUnspacedRuns(pieces: Piece[]): void {
  let start = 0;
  while (start < pieces.length) {
    let end = start;
    const first = pieces[start] as Piece;
    while (first.kind === 'latin' && end + 1 < pieces.length) {
      const next = pieces[end + 1] as Piece;
      if (next.kind !== 'latin' || next.glueBefore || next.face !== first.face || next.size !== first.size || next.link !== first.link) break;
      end++;
    }
    if (end > start) {
      let text = '';
      let before = 0;
      for (let k = start; k <= end; k++) {
        const piece = pieces[k] as Piece;
        text += piece.text;
        const upTo = advanceOf(piece.face, text, piece.size).width;
        piece.width = upTo - before;
        piece.drawnAdvance = piece.width;
        before = upTo;
      }
    }
    start = end + 1;
  }
}

/**
 * Shape the paragraph's new multi-character pieces of each face in one fontkit call (words
 * joined by spaces), since each call costs far more than the glyphs it shapes. Kerning and
 * ligatures inside each word are kept; glyphs are given back to words by the code points they
 * cover.
 */
function prefetchAdvances(pieces: Piece[]): void {
  // fontkit picks the script from the text, and digits are set differently in Latin script than
  // alone: words with letters and words without are shaped in separate batches, so each gets
  // the advances it gets when shaped alone.
  const batches = new Map<string, { face: Face; set: Set<string> }>();
  for (const p of pieces) {
    if (p.kind === 'mark' || [...p.text].length < 2 || p.text.includes(' ')) continue;
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

/** The script fontkit would choose for a word: that of its first letter (none for digits). */
function scriptKey(text: string): string {
  const letter = /\p{L}/u.exec(text)?.[0];
  if (!letter) return 'common';
  for (const script of ['Latin', 'Hangul', 'Han', 'Cyrillic', 'Greek', 'Hiragana', 'Katakana']) {
    if (new RegExp(`\\p{Script=${script}}`, 'u').test(letter)) return script;
  }
  return 'other';
}

function prefetchBatch(face: Face, words: string[]): void {
  if (words.length < 2) return;
  const run = face.font.layout(words.join(' '));
  let memo = advances.get(face);
  if (!memo) advances.set(face, (memo = new Map()));
  let word = 0;
  let units = 0;
  let glyphs = 0;
  let left = [...(words[0] as string)].length;
  run.glyphs.forEach((glyph, g) => {
    if (left === 0) {
      // the space between two words
      memo.set(words[word] as string, { units, glyphs });
      word++;
      units = 0;
      glyphs = 0;
      left = [...(words[word] ?? '')].length;
      return;
    }
    units += run.positions[g]?.xAdvance ?? 0;
    glyphs++;
    left -= glyph.codePoints.length || 1;
  });
  if (word < words.length) memo.set(words[word] as string, { units, glyphs });
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
    while (j + 1 < pieces.length && isCompressible(pieces[j + 1]) && sameFont(pieces[i] as Piece, pieces[j + 1] as Piece) && !(pieces[j + 1] as Piece).glueBefore) j++;
    const run = pieces.slice(i, j + 1);
    if (run.length > 1) {
      const first = run[0] as Piece;
      const shaped = first.face.font.layout(run.map((p) => p.text).join(''), ['chws']);
      if (shaped.positions.length === run.length) {
        run.forEach((p, k) => {
          const pos = shaped.positions[k];
          if (!pos) return;
          const scale = p.size / p.face.unitsPerEm;
          p.width = pos.xAdvance * scale;
          p.offset = pos.xOffset * scale;
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
    const a = pieces[k - 1] as Piece;
    const b = pieces[k] as Piece;
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
      const { width, glyphs } = advanceOf(piece.face, ch, piece.size);
      return {
        ...piece,
        text: ch,
        width,
        drawnAdvance: width,
        glyphCount: glyphs,
        breakBefore: index === 0 ? piece.breakBefore : true,
        glueBefore: index === 0 ? piece.glueBefore : null,
      };
    });
  });
}

/**
 * Knuth–Liang hyphenation points (src/typeset/hyphenate.ts) as break opportunities: a Latin word
 * is split into fragments that may break between them, the fragment before each point carrying
 * the hyphen's width and the demerits the total-fit breaker adds when it breaks there. No
 * hyphenation in links and URLs or in the last word of the paragraph (it would leave a fragment
 * alone on the last line). Fragment widths are differences of prefix widths, so an unbroken word
 * keeps exactly its shaped width (kerning inside it included).
 */
function addHyphenationPoints(pieces: Piece[], lang: string): Piece[] {
  const lastWord = pieces.findLastIndex((p) => p.kind === 'latin');
  return pieces.flatMap((piece, index) => {
    if (piece.kind !== 'latin' || piece.link || index === lastWord || piece.dots) return [piece];
    const points = hyphenationPoints(piece.text, lang);
    if (points.length === 0) return [piece];
    const hyphen = advanceOf(piece.face, '-', piece.size).width;
    const cuts = [0, ...points, piece.text.length];
    const prefix = cuts.map((at) => (at === 0 ? 0 : advanceOf(piece.face, piece.text.slice(0, at), piece.size).width));
    return cuts.slice(1).map((end, k): Piece => {
      const text = piece.text.slice(cuts[k], end);
      const width = (prefix[k + 1] as number) - (prefix[k] as number);
      const fragment: Piece = {
        ...piece,
        text,
        width,
        drawnAdvance: width,
        glyphCount: [...text].length,
        breakBefore: k === 0 ? piece.breakBefore : true,
        glueBefore: k === 0 ? piece.glueBefore : null,
      };
      if (end < piece.text.length) fragment.hyphen = { width: hyphen };
      return fragment;
    });
  });
}

/** A piece that ends a line at a hyphenation point, with its hyphen. */
export function withHyphen(piece: Piece): Piece {
  if (!piece.hyphen) return piece;
  const { hyphen, ...rest } = piece;
  const width = piece.width + hyphen.width;
  return { ...rest, text: `${piece.text}-`, width, drawnAdvance: width, glyphCount: piece.glyphCount + 1 };
}
