/**
 * The PDF-side mailing outputs, from the letter frame only: a copy of the letter for each
 * addressee with one print file of all copies, envelopes, and a sheet of address labels.
 *
 * Copies: each copy's frame (src/frame/mailing.ts copyDocument) is laid out with the same line
 * setter memo, so the body, the notes and the signatory list are shaped and broken once for all
 * copies; only the addressee blocks differ, and the pages are built again per copy (a longer
 * address may move a page break). The print file draws the copies' pages one after the other,
 * each copy starting on an odd page (a blank page between when a copy has an odd count), so that
 * a duplex print job never puts one copy on the back of another.
 *
 * Envelopes and labels set their addresses with the letter's font chain and line setter (the
 * same shaping, CJK punctuation and Han–Latin rules as the letter), each line unbroken; a block
 * that does not fit its area at the starting size is set smaller, down to a floor, and refused
 * (AddressDoesNotFit) below it — never drawn past its area.
 */
import type { LetterFrame, MailParty, MailSender } from '../../frame/index.js';
import type { SourceRef } from '../../diagnostics/index.js';
import { fontChainFor } from '../../fonts/fontChain.js';
import type { Line } from '../../typeset/lineBreak.js';
import { layoutPdf, letterDrawOptions } from './index.js';
import { LineSetter } from './layout/lineSetter.js';
import { loadHarfBuzz, withHarfBuzz } from '../../typeset/harfbuzz.js';
import { drawPdf, type DrawOptions } from './pdfkitDraw.js';
import { element, textMark, type ElementMark, type MarkedFlowLine, type MarkedLine, type MarkedPage, type RoleMark } from './marks.js';
import type { Geometry } from './layout/geometry.js';

/** Millimetres in points. */
export const mm = (value: number): number => (value * 72) / 25.4;

/** A rectangle in points from the page's top left. */
export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An address block that does not fit its area even at the smallest size allowed. */
export class AddressDoesNotFit extends Error {
  constructor(
    readonly who: string,
    readonly where: string,
    readonly longest: string,
    readonly minSize: number,
    readonly source?: SourceRef,
  ) {
    super(`The address of "${who}" does not fit ${where} even at ${minSize} pt.`);
  }
}

// ---- copies ---------------------------------------------------------------------------------

export interface RenderedCopies {
  /** One PDF per addressee, in the frames' order. */
  copies: Uint8Array[];
  /** All copies in one file, each starting on an odd page. */
  print: Uint8Array;
  /** Pages of each copy (without the blank pages of the print file). */
  pages: number[];
}

const BLANK_PAGE: MarkedPage = { body: [], notes: [], notesHeight: 0, noteNumbers: [] };

/** The copies for each addressee (one frame each, from src/frame/mailing.ts) and the print file of all of them. */
export async function renderCopies(frames: LetterFrame[]): Promise<RenderedCopies> {
  const laid = await withHarfBuzz(() => frames.map((frame) => ({ frame, laid: layoutPdf(frame) })));
  const copies: Uint8Array[] = [];
  for (const { frame, laid: l } of laid) copies.push(await drawPdf(l.pages, letterDrawOptions(frame, l)));
  const [first] = laid;
  if (!first) throw new Error('A letter has at least one addressee.');
  const pages: MarkedPage[] = [];
  const labels: Array<MarkedLine | null> = [];
  const firstPages: number[] = [];
  for (const { laid: l } of laid) {
    if (pages.length % 2 === 1) {
      pages.push(BLANK_PAGE);
      labels.push(null);
    }
    firstPages.push(pages.length);
    pages.push(...l.pages);
    labels.push(...l.pageLabels);
  }
  const options = letterDrawOptions(first.frame, first.laid);
  // The preflight facts of the print file say how many copies it holds (each with its own Note elements).
  const facts = JSON.parse(options.extraInfo.Letterpress ?? '{}') as object;
  const print = await drawPdf(pages, {
    ...options,
    extraInfo: { Letterpress: JSON.stringify({ ...facts, copies: frames.length }) },
    pageLabels: labels,
    structure: laid.map(({ laid: l }, copy) => ({ flow: l.layout.flow, notes: [...l.layout.notes.values()], firstPage: firstPages[copy] ?? 0 })),
  });
  return { copies, print, pages: laid.map(({ laid: l }) => l.pages.length) };
}

// ---- address setting ------------------------------------------------------------------------

interface AddressLine {
  text: string;
  bold?: boolean;
  /** Size as a share of the block's size (a name set larger). */
  scale?: number;
}

interface BlockSpec {
  lines: AddressLine[];
  area: Area;
  align: 'left' | 'right' | 'center';
  /** Starting size and the smallest the block may be set at (pt). */
  size: number;
  minSize: number;
  lineHeight: number;
  /** A line too long may break (left-aligned address blocks). */
  wrap?: boolean;
  /** Vertical place of a block shorter than its area. */
  valign?: 'top' | 'middle' | 'bottom';
  mark: RoleMark | ((line: number) => RoleMark);
  /** For the refusal: who, where (in words), and the party's place in the letter. */
  who: string;
  where: string;
  source?: SourceRef;
}

/** The measure of an unbroken line: wider than any page. */
const UNBROKEN = 100000;
/** Size steps when a block is set smaller to fit. */
const STEP = 0.5;
/** Share of its starting size below which a block that may wrap breaks a long line instead of shrinking on. */
const COMFORTABLE = 0.8;

class AddressSetter {
  private readonly setter: LineSetter;

  constructor(frame: LetterFrame) {
    this.setter = new LineSetter(fontChainFor(frame.fonts), frame.language, frame.notesStyle, UNBROKEN);
  }

  /** An address line set unbroken, or (`width`) broken at that measure, its later lines hanging 1 em. */
  private set(text: string, size: number, bold: boolean, source: SourceRef | undefined, width?: number): Line[] {
    const hang = width === undefined ? 0 : size;
    return this.setter.lines([{ text, style: { size, bold }, ...(source ? { source } : {}) }], {
      size, lineHeight: 1, align: 'left', firstIndent: 0, restIndent: hang, ...(width === undefined ? {} : { rightIndent: UNBROKEN - width }),
    });
  }

  /**
   * A block's lines placed in its area, at the largest size (in steps) at which it fits; else
   * AddressDoesNotFit. Each address line stays one line while the size is comfortable; below
   * COMFORTABLE of the starting size a block that may wrap (`wrap`) breaks a long line in two
   * rather than shrinking further.
   */
  block(spec: BlockSpec): MarkedLine[] {
    const lines = spec.lines.filter((l) => l.text.trim().length > 0);
    const { area } = spec;
    const attempt = (size: number, wrap: boolean) => {
      const set = lines.flatMap((l, n) => {
        const s = size * (l.scale ?? 1);
        return this.set(l.text, s, l.bold ?? false, spec.source, wrap ? area.width : undefined).map((line) => ({ s, line, n }));
      });
      const heights = set.map(({ s }) => s * spec.lineHeight);
      const total = heights.reduce((a, b) => a + b, 0);
      const widest = Math.max(0, ...set.map(({ line }) => line.width));
      return widest > area.width + 0.01 || total > area.height + 0.01 ? null : { set, heights, total };
    };
    for (let size = spec.size; size >= spec.minSize - 1e-6; size -= STEP) {
      const fitted = attempt(size, false) ?? (spec.wrap && size <= spec.size * COMFORTABLE ? attempt(size, true) : null);
      if (!fitted) continue;
      const free = area.height - fitted.total;
      let top = area.y + (spec.valign === 'middle' ? free / 2 : spec.valign === 'bottom' ? free : 0);
      const placed: MarkedLine[] = [];
      fitted.set.forEach(({ s, line, n }, k) => {
        const height = fitted.heights[k] ?? 0;
        const x = spec.align === 'left' ? area.x : spec.align === 'right' ? area.x + area.width - line.width : area.x + (area.width - line.width) / 2;
        const mark = typeof spec.mark === 'function' ? spec.mark(n) : spec.mark;
        // CJK text centred in its leading, on the ideographic em box (as the letter's lines).
        placed.push({ line, top, x, baseline: (height - s) / 2 + 0.88 * s, mark });
        top += height;
      });
      return placed;
    }
    const longest = lines.map((l) => l.text).reduce((a, b) => (b.length > a.length ? b : a), '');
    throw new AddressDoesNotFit(spec.who, spec.where, longest, spec.minSize, spec.source);
  }
}

/** Marks for a block: a Div under `parent`, each line a P of it. */
function paragraphs(parent: ElementMark): (line: number) => RoleMark {
  const div = element('Div', parent);
  const ps: RoleMark[] = [];
  return (n) => (ps[n] ??= textMark(element('P', div)));
}

const recipientLines = (party: MailParty): AddressLine[] => [{ text: party.name }, ...party.address.map((text) => ({ text }))];
const senderLines = (sender: MailSender): AddressLine[] => [
  { text: sender.name, bold: true },
  ...sender.address.map((text) => ({ text })),
  ...(sender.contact ? [{ text: sender.contact }] : []),
];

/** Pages of absolutely placed lines (and boxes) → a tagged PDF, through the letter's drawing code. */
async function drawSheets(frame: LetterFrame, size: { width: number; height: number }, sheets: Array<{ lines: MarkedLine[]; boxes?: NonNullable<DrawOptions['artwork']>[number] }>, title: string): Promise<Uint8Array> {
  const geometry: Geometry = { pageWidth: size.width, pageHeight: size.height, left: 0, top: 0, textWidth: size.width, textHeight: size.height, bottomMargin: 0 };
  const pages: MarkedPage[] = sheets.map((s) => ({ body: s.lines, notes: [], notesHeight: 0, noteNumbers: [] }));
  const flow: MarkedFlowLine[] = sheets.flatMap((s) => s.lines.map((l) => ({ line: l.line, height: 0, baseline: l.baseline, spaceBefore: 0, keepWithNext: false, block: 'address', ...(l.mark ? { mark: l.mark } : {}) })));
  return drawPdf(pages, {
    geometry,
    noteSeparator: 0,
    noteRule: { length: 0, weight: 0 },
    pageLabels: pages.map(() => null),
    structure: [{ flow, notes: [] }],
    artwork: sheets.map((s) => s.boxes ?? []),
    info: { title, ...(frame.author ? { author: frame.author } : {}), subject: frame.title, creator: 'letterpress', producer: 'letterpress (pdfkit)', date: frame.created, lang: frame.lang },
    standard: frame.pdfStandard,
    // For `letterpress check`: text may use the whole sheet; there are no notes.
    extraInfo: { Letterpress: JSON.stringify({ pageWidth: size.width, textLeft: 0, textRight: size.width, markSize: 1, noteSize: 1, notes: 0 }) },
  });
}

// ---- envelopes ------------------------------------------------------------------------------

/** Envelope sizes in points: DL and C5 (ISO 269), and the Chinese DL of GB/T 1416 (the same 220 × 110 mm). */
export const ENVELOPES = {
  DL: { width: mm(220), height: mm(110) },
  C5: { width: mm(229), height: mm(162) },
  CN: { width: mm(220), height: mm(110) },
} as const;

/**
 * The address window of a DIN 680 window envelope, 90 × 45 mm, 20 mm from the left edge: on DL
 * 15 mm above the bottom edge; on C5 52 mm below the top (where the address field of a DIN 5008
 * letter, 45 mm below the top of the sheet, stands in an A4 folded once). The address is set
 * inside it, 5 mm in from the left as DIN 5008 asks and 3 mm from the other edges.
 */
export function envelopeWindow(format: 'DL' | 'C5'): Area {
  const top = format === 'DL' ? 110 - 15 - 45 : 52;
  return { x: mm(20), y: mm(top), width: mm(90), height: mm(45) };
}

export function addressArea(window: Area): Area {
  return { x: window.x + mm(5), y: window.y + mm(3), width: window.width - mm(8), height: window.height - mm(6) };
}

/**
 * The Chinese domestic envelope (GB/T 1416): six postcode boxes 8 × 10 mm, 2 mm apart, 20 mm from
 * the left and 10 mm from the top edge, in red; the stamp area at the top right; the recipient's
 * address below the boxes, the name (with 收) larger in the middle; the sender at the bottom right.
 */
export const CN_LAYOUT = {
  postcodeBox: (k: number): Area => ({ x: mm(20 + k * 10), y: mm(10), width: mm(8), height: mm(10) }),
  stamp: { x: mm(220 - 10 - 25), y: mm(8), width: mm(25), height: mm(30) } as Area,
  address: { x: mm(25), y: mm(27), width: mm(150), height: mm(26) } as Area,
  name: { x: mm(25), y: mm(54), width: mm(170), height: mm(22) } as Area,
  sender: { x: mm(90), y: mm(79), width: mm(120), height: mm(24) } as Area,
  boxColor: '#c8102e',
};

const RED_BOX = { weight: 0.8, color: CN_LAYOUT.boxColor };

export async function renderEnvelopes(frame: LetterFrame): Promise<Uint8Array> {
  await loadHarfBuzz(); // addresses are shaped as the letter is (src/typeset/shape.ts)
  const { mailing } = frame;
  const format = mailing.envelope;
  const setter = new AddressSetter(frame);
  const sheets = mailing.parties.map((party) => {
    const envelope = element('Div', null);
    const lines: MarkedLine[] = [];
    const boxes: NonNullable<DrawOptions['artwork']>[number] = [];
    const source = party.source ? { source: party.source } : {};
    if (format === 'CN') {
      const digits = [...(party.postcode ?? '').replace(/\s|-/g, '')].slice(0, 6);
      for (let k = 0; k < 6; k++) {
        const box = CN_LAYOUT.postcodeBox(k);
        boxes.push({ ...box, ...RED_BOX });
        const digit = digits[k];
        if (digit) lines.push(...setter.block({ lines: [{ text: digit }], area: box, align: 'center', size: 18, minSize: 12, lineHeight: 1.2, valign: 'middle', mark: { artifact: 'Layout' }, who: party.name, where: 'a postcode box', ...source }));
      }
      boxes.push({ ...CN_LAYOUT.stamp, weight: 0.5, color: '#666666' });
      lines.push(...setter.block({ lines: [{ text: '贴邮票处' }], area: CN_LAYOUT.stamp, align: 'center', size: 7, minSize: 5, lineHeight: 1.2, valign: 'middle', mark: { artifact: 'Layout' }, who: party.name, where: 'the stamp area' }));
      // Read as drawn: the address lines, then the name (the postcode digits are artifacts).
      const marks = paragraphs(envelope);
      const addressLines = party.address.map((text) => ({ text }));
      lines.push(...setter.block({ lines: addressLines, area: CN_LAYOUT.address, align: 'left', wrap: true, size: 12, minSize: 7, lineHeight: 1.35, valign: 'top', mark: marks, who: party.name, where: 'the address area of the envelope (150 × 26 mm)', ...source }));
      lines.push(...setter.block({ lines: [{ text: `${party.name}${mailing.recipientSuffix ? `  ${mailing.recipientSuffix}` : ''}` }], area: CN_LAYOUT.name, align: 'center', size: 20, minSize: 10, lineHeight: 1.2, valign: 'middle', mark: () => marks(addressLines.length), who: party.name, where: 'the name line of the envelope (170 mm)', ...source }));
      if (mailing.sender) {
        const sender = mailing.sender;
        const senderMarks = paragraphs(envelope);
        const ordered = [...sender.address.map((text) => ({ text })), { text: sender.name }, ...(sender.contact ? [{ text: sender.contact }] : [])];
        lines.push(...setter.block({ lines: ordered, area: CN_LAYOUT.sender, align: 'right', size: 10, minSize: 6, lineHeight: 1.3, valign: 'bottom', mark: senderMarks, who: sender.name, where: 'the sender area of the envelope (120 × 24 mm)', ...(sender.source ? { source: sender.source } : {}) }));
      }
      return { lines, boxes };
    }
    if (mailing.sender) {
      const sender = mailing.sender;
      lines.push(...setter.block({ lines: senderLines(sender), area: { x: mm(10), y: mm(8), width: mm(95), height: mm(format === 'DL' ? 28 : 36) }, align: 'left', size: 8.5, minSize: 6, lineHeight: 1.3, valign: 'top', mark: paragraphs(envelope), who: sender.name, where: 'the sender area of the envelope', ...(sender.source ? { source: sender.source } : {}) }));
    }
    const area = addressArea(envelopeWindow(format));
    lines.push(...setter.block({ lines: recipientLines(party), area, align: 'left', wrap: true, size: 11, minSize: 7, lineHeight: 1.3, valign: 'top', mark: paragraphs(envelope), who: party.name, where: `the address window of a ${format} envelope (82 × 39 mm)`, ...source }));
    return { lines, boxes };
  });
  return drawSheets(frame, ENVELOPES[format], sheets, `${frame.title} — envelopes`);
}

// ---- labels ---------------------------------------------------------------------------------

/** A sheet of address labels: its page, a grid of cells with no gaps, and the text's distance from a cell's edges. */
export interface LabelSheet {
  /** What the sheet is, for messages. */
  name: string;
  page: { width: number; height: number };
  columns: number;
  rows: number;
  cell: (k: number) => Area;
  /** Text stays this far inside a label's edges (a printer's tolerance). */
  padding: { x: number; y: number };
}

const IN = 72;

/** The label sheet for each paper size: the labels of the paper the letter is printed on. */
export const LABEL_SHEETS: Record<'A4' | 'Letter', LabelSheet> = {
  // A4, 3 × 8 labels of 70 × 37 mm with no gaps (the sheet's half-millimetre rest above and below).
  A4: {
    name: 'a 70 × 37 mm label',
    page: { width: mm(210), height: mm(297) },
    columns: 3,
    rows: 8,
    cell: (k: number): Area => ({ x: mm((k % 3) * 70), y: mm(0.5 + (Math.floor(k / 3) % 8) * 37), width: mm(70), height: mm(37) }),
    padding: { x: mm(6), y: mm(4) },
  },
  // US Letter, 3 × 10 labels of 2⅝ × 1 in (the common "30 per sheet" layout): ½ in above,
  // 3⁄16 in at the sides, ⅛ in between the columns.
  Letter: {
    name: 'a 2⅝ × 1 in label',
    page: { width: 8.5 * IN, height: 11 * IN },
    columns: 3,
    rows: 10,
    cell: (k: number): Area => ({ x: (3 / 16) * IN + (k % 3) * 2.75 * IN, y: 0.5 * IN + (Math.floor(k / 3) % 10) * IN, width: 2.625 * IN, height: IN }),
    padding: { x: mm(3), y: mm(1.5) },
  },
};

/** A length in points as whole millimetres, for messages. */
const wholeMm = (points: number) => Math.round(points / mm(1));

export async function renderLabels(frame: LetterFrame): Promise<Uint8Array> {
  await loadHarfBuzz(); // addresses are shaped as the letter is (src/typeset/shape.ts)
  const { mailing } = frame;
  const setter = new AddressSetter(frame);
  const labels = LABEL_SHEETS[frame.page.name];
  const perSheet = labels.columns * labels.rows;
  const sheets: Array<{ lines: MarkedLine[] }> = [];
  mailing.parties.forEach((party, index) => {
    if (index % perSheet === 0) sheets.push({ lines: [] });
    const sheet = sheets[sheets.length - 1];
    if (!sheet) return;
    const cell = labels.cell(index % perSheet);
    const inner = { x: cell.x + labels.padding.x, y: cell.y + labels.padding.y, width: cell.width - 2 * labels.padding.x, height: cell.height - 2 * labels.padding.y };
    const label = element('Div', null);
    const source = party.source ? { source: party.source } : {};
    let top = inner.y;
    const sender = mailing.sender;
    if (sender) {
      // The return address: one small line above the recipient.
      const full = [sender.name, ...sender.address].join(frame.language.cjk ? ' ' : ', ');
      const area = { ...inner, height: 6 * 1.3 };
      let placed: MarkedLine[];
      try {
        placed = setter.block({ lines: [{ text: full }], area, align: 'left', size: 6, minSize: 5, lineHeight: 1.3, mark: paragraphs(label), who: sender.name, where: 'a label' });
      } catch (err) {
        if (!(err instanceof AddressDoesNotFit)) throw err;
        placed = setter.block({ lines: [{ text: sender.name }], area, align: 'left', size: 6, minSize: 4.5, lineHeight: 1.3, mark: paragraphs(label), who: sender.name, where: `the return-address line of a label (${wholeMm(inner.width)} mm)`, ...(sender.source ? { source: sender.source } : {}) });
      }
      sheet.lines.push(...placed);
      top += area.height + mm(1.5);
    }
    const area = { ...inner, y: top, height: inner.y + inner.height - top };
    sheet.lines.push(...setter.block({ lines: recipientLines(party), area, align: 'left', wrap: true, size: 10, minSize: 6, lineHeight: 1.25, valign: 'middle', mark: paragraphs(label), who: party.name, where: `an address label (${wholeMm(inner.width)} × ${wholeMm(inner.height)} mm inside ${labels.name})`, ...source }));
  });
  return drawSheets(frame, labels.page, sheets, `${frame.title} — address labels`);
}
