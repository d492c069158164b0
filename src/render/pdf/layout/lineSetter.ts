/**
 * Setting text into lines at the measure: shaping (src/typeset/shape.ts) and line breaking
 * (src/typeset/lineBreak.ts), with what was set kept per font chain so that paragraphs set once
 * are not shaped and broken again, in the same build or the next one (watch mode), nor in the
 * next process (the disk cache under these memos: ./storedLines.ts).
 */
import type { FontChain } from '../../../fonts/fontChain.js';
import type { LanguageFacts } from '../../../frame/types.js';
import { shape, shapeMany, type Piece, type ShapeOptions, type Span } from '../../../typeset/shape.js';
import { breakLines, type Align, type Line } from '../../../typeset/lineBreak.js';
import { BuildMemo } from '../../../typeset/memo.js';
import { buildContext } from '../../../context.js';

/** How one paragraph is broken into lines. */
export interface LineStyle {
  size: number;
  lineHeight: number;
  align: Align;
  firstIndent: number;
  restIndent: number;
  /** Narrower measure on the right (block quotes, list columns). */
  rightIndent?: number;
}

/**
 * Set lines and shaped list entries of one font chain: lines of a paragraph by its text and
 * styles, line spec and shaping options; shaped signatory entries by text, style and options,
 * and line-start labels by text and size;
 * lines of pre-shaped pieces (the entries) by line spec.
 */
export interface LayoutMemo {
  lines: BuildMemo<Line[]>;
  entries: BuildMemo<Piece[]>;
  entryLines: WeakMap<Piece[], Map<string, Line[]>>;
  /** Lines and entries read from the disk cache (./storedLines.ts), taken where the memo has none. */
  stored: StoredLayout | null;
  /** Something was set since the disk cache was last read or written that it does not have. */
  changed: boolean;
}

/** What the disk cache holds for a font chain and letter, under its key. */
export interface StoredLayout {
  key: string;
  lines: Map<string, Line[]>;
  entries: Map<string, Piece[]>;
  /** Read from the disk, or written there (false: the disk had none, or a damaged one). */
  onDisk: boolean;
  /** The entry as it is on disk (what a build that set something new appends to). */
  data: Uint8Array | null;
}

/** Memos per font chain (chains live across builds). */
const memos = buildContext.weakMap<FontChain, LayoutMemo>('layout memos');

/** The memo of a font chain. */
export function layoutMemoOf(fonts: FontChain): LayoutMemo {
  let memo = memos.get(fonts);
  if (!memo) memos.set(fonts, (memo = { lines: new BuildMemo(), entries: new BuildMemo(), entryLines: new WeakMap(), stored: null, changed: false }));
  return memo;
}

/** The memo of a font chain, started for a new build. */
function memoFor(fonts: FontChain): LayoutMemo {
  const memo = layoutMemoOf(fonts);
  memo.lines.nextBuild();
  memo.entries.nextBuild();
  return memo;
}

/** A cached line set handed out: callers may add pieces to a line (labels), so each gets its own list. */
const copyLines = (lines: Line[]): Line[] => lines.map((line) => ({ ...line, placed: [...line.placed] }));

/**
 * What set lines depend on in a span: its text or mark and style. Its source position (used only
 * to place an error about a character no font has) is left out, so text that moved keeps its lines.
 */
const spanKey = (span: Span) => ('text' in span ? [span.text, span.style] : [span.mark, span.style]);

export function isPieces(list: Span[] | Piece[]): list is Piece[] {
  const [first] = list;
  return first !== undefined && 'face' in first;
}

/** Split spans at hard line breaks ("\n"). */
function splitAtBreaks(spans: Span[]): Span[][] {
  const parts: Span[][] = [[]];
  const last = () => parts[parts.length - 1] ?? [];
  for (const span of spans) {
    if (!('text' in span)) {
      last().push(span);
      continue;
    }
    span.text.split('\n').forEach((text, index) => {
      if (index > 0) parts.push([]);
      if (text) last().push({ ...span, text });
    });
  }
  return parts.filter((part) => part.length > 0);
}

/** Labels are set as they stand: no Han–Latin space, no marks. */
const LABEL_OPTIONS: ShapeOptions = { hanLatinSpace: 0, markScale: 1, markRise: 0 };

export class LineSetter {
  readonly shapeOptions: ShapeOptions;
  /** The letter's language, when justified text is hyphenated. */
  private readonly hyphenation: string | null;
  private readonly memo: LayoutMemo;

  constructor(
    readonly fonts: FontChain,
    language: LanguageFacts,
    markStyle: { markScale: number; markRise: number },
    private readonly measure: number,
  ) {
    this.shapeOptions = {
      hanLatinSpace: language.hanLatinSpace, compressPunctuation: language.punctuationCompression, markScale: markStyle.markScale, markRise: markStyle.markRise,
      emphasis: language.emphasisWithoutItalic, keepAll: language.keepAll,
    };
    this.hyphenation = language.hyphenate ? language.lang : null;
    this.memo = memoFor(fonts);
  }

  lines(spans: Span[] | Piece[], style: LineStyle): Line[] {
    const width = this.measure - (style.rightIndent ?? 0);
    if (!isPieces(spans) && spans.some((s) => 'text' in s && s.text.includes('\n'))) {
      // A hard line break (Markdown "  " or "\\" at a line end): each part is set as its own
      // paragraph, the part before the break not stretched, the parts after not indented.
      return splitAtBreaks(spans).flatMap((part, index) => this.lines(part, index === 0 ? style : { ...style, firstIndent: style.restIndent }));
    }
    const spec = { width, firstIndent: style.firstIndent, restIndent: style.restIndent, align: style.align };
    if (isPieces(spans)) {
      let bySpec = this.memo.entryLines.get(spans);
      if (!bySpec) this.memo.entryLines.set(spans, (bySpec = new Map()));
      const specKey = JSON.stringify(spec);
      const lines = bySpec.get(specKey) ?? breakLines(spans, spec);
      bySpec.set(specKey, lines);
      return copyLines(lines);
    }
    // Justified text is hyphenated where the frame asks, in the letter's language.
    const hyphenate = style.align === 'justify' && this.hyphenation ? { hyphenate: this.hyphenation } : {};
    const options = { ...this.shapeOptions, ...hyphenate };
    const key = JSON.stringify([spans.map(spanKey), spec, options]);
    const lines = this.memo.lines.get(key) ?? this.memo.lines.set(key, this.memo.stored?.lines.get(key) ?? this.setAfresh(() => breakLines(shape(spans, this.fonts, options), spec)));
    return copyLines(lines);
  }

  /** Set what neither memo had: the disk cache is written again after this build. */
  private setAfresh<T>(set: () => T): T {
    const made = set();
    this.memo.changed = true;
    return made;
  }

  /** A line-start label (a note's number, a list marker) shaped, from the memo where it has it. */
  label(text: string, size: number): Piece[] {
    const key = `label ${JSON.stringify([text, size])}`;
    const kept = this.memo.entries.get(key) ?? this.memo.stored?.entries.get(key);
    return this.memo.entries.set(key, kept ?? this.setAfresh(() => shape([{ text, style: { size, bold: false } }], this.fonts, LABEL_OPTIONS)));
  }

  /** One-line texts (signatory entries) shaped, from the memo where it has them; the rest in one batch. */
  shapeEntries(entries: Array<{ spans: Span[]; key: string }>): Piece[][] {
    // JSON.stringify([e.key, this.shapeOptions]), the options written once for the whole list
    const options = `,${JSON.stringify(this.shapeOptions)}]`;
    const keys = entries.map((e) => `[${JSON.stringify(e.key)}${options}`);
    const stored = this.memo.stored?.entries;
    const found = keys.map((key) => {
      const kept = this.memo.entries.get(key);
      if (kept !== undefined) return kept;
      const read = stored?.get(key);
      return read === undefined ? undefined : this.memo.entries.set(key, read);
    });
    const missing = entries.filter((_, i) => found[i] === undefined);
    const shaped = missing.length > 0 ? this.setAfresh(() => shapeMany(missing.map((e) => e.spans), this.fonts, this.shapeOptions)) : [];
    let next = 0;
    return found.map((pieces, i) => pieces ?? this.memo.entries.set(keys[i] ?? '', shaped[next++] ?? []));
  }
}
