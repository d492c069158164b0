/**
 * Setting text into lines at the measure: shaping (src/typeset/shape.ts) and line breaking
 * (src/typeset/lineBreak.ts), with what was set kept per font chain so that paragraphs set once
 * are not shaped and broken again, in the same build or the next one (watch mode).
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
 * styles, line spec and shaping options; shaped signatory entries by text, style and options;
 * lines of pre-shaped pieces (the entries) by line spec.
 */
export interface LayoutMemo {
  lines: BuildMemo<Line[]>;
  entries: BuildMemo<Piece[]>;
  entryLines: WeakMap<Piece[], Map<string, Line[]>>;
}

/** Memos per font chain (chains live across builds). */
const memos = buildContext.weakMap<FontChain, LayoutMemo>('layout memos');

/** The memo of a font chain, started for a new build. */
function memoFor(fonts: FontChain): LayoutMemo {
  let memo = memos.get(fonts);
  if (!memo) memos.set(fonts, (memo = { lines: new BuildMemo(), entries: new BuildMemo(), entryLines: new WeakMap() }));
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
    const lines = this.memo.lines.get(key) ?? this.memo.lines.set(key, breakLines(shape(spans, this.fonts, options), spec));
    return copyLines(lines);
  }

  /** One-line texts (signatory entries) shaped, from the memo where it has them; the rest in one batch. */
  shapeEntries(entries: Array<{ spans: Span[]; key: string }>): Piece[][] {
    // JSON.stringify([e.key, this.shapeOptions]), the options written once for the whole list
    const options = `,${JSON.stringify(this.shapeOptions)}]`;
    const keys = entries.map((e) => `[${JSON.stringify(e.key)}${options}`);
    const found = keys.map((key) => this.memo.entries.get(key));
    const missing = entries.filter((_, i) => found[i] === undefined);
    const shaped = missing.length > 0 ? shapeMany(missing.map((e) => e.spans), this.fonts, this.shapeOptions) : [];
    let next = 0;
    return found.map((pieces, i) => pieces ?? this.memo.entries.set(keys[i] ?? '', shaped[next++] ?? []));
  }
}
