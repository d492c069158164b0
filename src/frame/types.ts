/**
 * The letter frame: the model and the template turned into the ordered, role-tagged blocks that
 * every edition shows — date, recipients, copies, subject, salutation, the body, closing, the
 * signatory list — each with its layout resolved to points from the template's `layout:`, and
 * the facts of the letter's language and house style resolved once (CJK or not, how emphasis is
 * set, heading levels, list markers, page size, page label). The build command makes one frame
 * per letter and hands it to every edition; renderers are tables from role or node type to
 * output, read nothing but the frame and hold no house-style number of their own.
 */
import type { Block, BlockOf, BlockType, ImageType, Inline, InlineOf, InlineType, Note } from '../model/types.js';
import type { Position, SourceRef } from '../diagnostics/index.js';
import type { FontSpec } from '../fonts/fontChain.js';
import type { Mailing } from './mailing.js';

export type { SourceRef, Block, BlockOf, BlockType, Inline, InlineOf, InlineType, Note };

export type Align = 'left' | 'right' | 'center' | 'justify';

/** A block's layout, resolved from the template: all lengths in points. */
export interface BlockStyle {
  size: number;
  /** Line height as a multiple of the size. */
  lineHeight: number;
  bold: boolean;
  align: Align;
  /** Left indent of every line. */
  indent: number;
  /** Extra indent of the first line. */
  firstIndent: number;
  /** Extra indent of the lines after the first (hanging indent). */
  hang: number;
  /** Space above this block. */
  spaceBefore: number;
  keepWithNext: boolean;
}

/** The body's own layout (model blocks inside the letter): points. */
export interface BodyStyle {
  paragraph: BlockStyle;
  /** The first-line indent of a paragraph in characters (ems of its size), as Word counts it. */
  firstIndentEms: number;
  /** Space between paragraphs of the body. */
  paragraphSpacing: number;
  headingSpaceBefore: number;
  quoteIndent: number;
  listIndent: number;
  bulletAt: number;
  sectionBreak: string;
}

export type TextRole =
  | 'date'
  | 'ccLabel'
  | 'subject'
  | 'salutation'
  | 'closing'
  | 'signatoriesHeading';
export type PartyRole = 'recipient' | 'ccRecipient';
/** An image as the editions place it: its checked bytes and its size on the page in points. */
export interface FrameImage {
  type: ImageType;
  data: Uint8Array;
  width: number;
  height: number;
  /** Alternative text; absent: decoration (a PDF artifact, alt="" on the web). */
  alt?: string;
  /** The file as messages name it. */
  path: string;
}

/**
 * The letterhead, placed: `x` from the page's left edge and `top` from its top edge (points), on
 * the first page or every page. The frame makes room for it: with `pages: all` the top margin of
 * every page is at least its foot (`page.margins.top` already holds that); with `pages: first`
 * the first page's text starts `firstPageDrop` lower.
 */
export interface Letterhead {
  image: FrameImage;
  x: number;
  top: number;
  align: 'left' | 'center' | 'right';
  pages: 'first' | 'all';
  /** Space between its foot and the text below it (the web page keeps it too). */
  gap: number;
  firstPageDrop: number;
}
export type SignatorySection = 'organizations' | 'individuals';

/**
 * What every role block carries: its style (the role's own, `LetterFrame.roles`, with what differs
 * for this block applied), whether it is the first block of its role in a row, and the space
 * above it when that differs from the role's own (a second recipient: `spaceBetween`).
 */
interface RoleBlock {
  style: BlockStyle;
  first: boolean;
  /** Set when this block's space above is not its role's (`style.spaceBefore` holds it too). */
  spaceOverride?: number;
  source?: SourceRef;
}

export type FrameBlock =
  | ({ role: TextRole; text: string } & RoleBlock)
  /** A recipient or copy: a name and address lines. */
  | ({ role: PartyRole; lines: string[] } & RoleBlock)
  /** The sender: organisation, address lines, contact line. */
  | ({ role: 'sender'; lines: string[] } & RoleBlock)
  /** A signer: the signature image (if any) above the name and title lines. */
  | ({ role: 'signature'; lines: string[]; image?: FrameImage } & RoleBlock)
  | { role: 'body'; blocks: Block[]; style: BodyStyle }
  | ({ role: 'sectionHeading'; section: SignatorySection; text: string } & RoleBlock)
  /** A signatory: the name, the separator the template puts before the detail, and the detail (country, title). */
  | ({ role: 'signatoryEntry'; section: SignatorySection; name: string; separator: string; detail?: string } & RoleBlock);

export type Role = FrameBlock['role'];
/** The roles set in a style of their own (all but the body). */
export type StyledRole = Exclude<Role, 'body'>;
/** The block type of one role (distributes over the union, so `'date'` finds the text block). */
export type FrameBlockOf<R extends Role> = FrameBlock extends infer B
  ? B extends { role: infer Rs }
    ? R extends Rs
      ? Omit<B, 'role'> & { role: R }
      : never
    : never
  : never;

export interface NotesStyle {
  size: number;
  lineHeight: number;
  hang: number;
  /** Space between the body and the notes; the rule sits midway. */
  separator: number;
  ruleLength: number;
  ruleWeight: number;
  minLines: number;
  /** Footnote marks in running text: size and rise as shares of the text size. */
  markScale: number;
  markRise: number;
}

export interface PageFurniture {
  /** The page label pattern ("第{page}页，共{pages}页"), its size and its distance above the page foot. */
  pageLabel: { pattern: string; size: number; fromBottom: number };
}

export interface SignatoryColumns {
  minEntries: number;
  minFitting: number;
  gap: number;
}

/** The facts of the letter's language, decided once for every edition. */
export interface LanguageFacts {
  /** BCP 47 tag of the letter. */
  lang: string;
  /** Chinese, Japanese or Korean: no italic, East Asian line breaking and fonts. */
  cjk: boolean;
  /**
   * How Markdown emphasis is set in the letter's script: italic (Latin), or for CJK bold or a dot
   * under each character (clreq §3.3 着重号), as the template says.
   */
  emphasis: 'italic' | 'bold' | 'dots';
  /** What emphasis becomes in a face that has no italic design (the PDF decides per face). */
  emphasisWithoutItalic: 'bold' | 'dots';
  /** keep-all: no break between the letters of a word (Korean). */
  keepAll: boolean;
  /** Hyphenate justified text with the patterns of the letter's language. */
  hyphenate: boolean;
  /** clreq §3.1.6: punctuation compressed to half width where marks meet. */
  punctuationCompression: boolean;
  /** Space between Han and Latin letters, in ems (0 = none). */
  hanLatinSpace: number;
}

/**
 * Heading levels, one scheme for every edition: the subject is the top heading (or a paragraph,
 * template `pdf.subjectRole`); the signatory list's heading, its section headings and the
 * letter's own headings (`level = bodyBase + depth`) follow below it.
 */
export interface HeadingLevels {
  subject: 'H1' | 'P';
  signatories: number;
  sections: number;
  bodyBase: number;
}

/** Markers of list items: bullets, and the pattern of a number ("{n}."). */
export interface ListMarkers {
  bullet: string;
  /** The bullet of the plain-text edition (ASCII). */
  plainBullet: string;
  ordered: string;
}

/** The page in points (the Word copy derives twips from these). */
export interface PageSize {
  /** The CSS / paper name of the size. */
  name: 'A4' | 'Letter';
  width: number;
  height: number;
  margins: { top: number; right: number; bottom: number; left: number };
}

/** The plain-text edition's own settings. */
export interface PlainText {
  noteMarks: 'superscript' | 'brackets';
  wrap: number;
  notesRule: string;
}

/** The Word copy's fonts and embedding. */
export interface WordFonts {
  eastAsiaFont: string;
  latinFont: string;
  fallbackEastAsiaFont: string;
  embedFonts: 'subset' | 'full' | 'none';
}

/**
 * The template as the loader read it: for a field, the file that wrote its value (a template may
 * extend another), that file's text and the field's place in it (for warnings).
 */
export interface TemplateSource {
  where(field: string[]): { path: string; text: string; place: Position | undefined };
}

export interface LetterFrame {
  lang: string;
  language: LanguageFacts;
  headings: HeadingLevels;
  listMarkers: ListMarkers;
  page: PageSize;
  /** Each styled role's own style (a block's `first` and `spaceOverride` say what differs). */
  roles: Record<StyledRole, BlockStyle>;
  /** The frame's blocks in reading order. */
  blocks: FrameBlock[];
  /** The body's layout (also that of a letter with no body blocks). */
  body: BodyStyle;
  /** Notes in number order, each as blocks (a note holding a list or quote keeps it). */
  notes: Note[];
  notesStyle: NotesStyle;
  furniture: PageFurniture;
  /** The letterhead image, if the template or the letter names one. */
  letterhead?: Letterhead;
  /** When the signatory list may flow in two columns (editions with pages decide). */
  signatoryColumns: SignatoryColumns;
  /** Colour of links on screen (#RRGGBB). */
  linkColor: string;
  /** The fonts: the chain the PDF sets with (and the Word copy embeds from), and their names. */
  fonts: FontSpec & { names: string[] };
  word: WordFonts;
  text: PlainText;
  /** Identify the PDF as PDF/A-2a and PDF/UA-1. */
  pdfStandard: boolean;
  /** Title (the subject) and author for document metadata. */
  title: string;
  author?: string;
  /** ISO date of the letter. */
  date: string;
  /** The creation date of every edition: SOURCE_DATE_EPOCH if set, else the letter's date. */
  created: Date;
  /** The input files, for messages that point into them. */
  sources: { letter?: string; template?: TemplateSource };
  /** Who the letter goes to, the sender and the envelope layout (copies, envelopes, labels). */
  mailing: Mailing;
}
