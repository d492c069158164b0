/**
 * The letter frame: the model and the template turned into the ordered, role-tagged blocks that
 * every edition shows — date, recipients, copies, subject, salutation, the body, closing, the
 * signatory list — each with its layout resolved to points from the template's `layout:`.
 * Renderers are tables from role to output; none of them builds the frame or holds a house-style
 * number of its own.
 */
import type { Block, Note } from '../model/types.js';
import type { SourceRef } from '../diagnostics/index.js';

export type { SourceRef };

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
export type SignatorySection = 'organizations' | 'individuals';

export type FrameBlock =
  | { role: TextRole; text: string; style: BlockStyle; source?: SourceRef }
  /** A recipient or copy: a name and address lines. */
  | { role: PartyRole; lines: string[]; style: BlockStyle; source?: SourceRef }
  | { role: 'body'; blocks: Block[]; style: BodyStyle }
  | { role: 'sectionHeading'; section: SignatorySection; text: string; style: BlockStyle; source?: SourceRef }
  | { role: 'signatoryEntry'; section: SignatorySection; name: string; detail?: string; text: string; style: BlockStyle; source?: SourceRef };

export type Role = FrameBlock['role'];
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

export interface LetterFrame {
  lang: string;
  /** The frame's blocks in reading order. */
  blocks: FrameBlock[];
  notes: Note[];
  notesStyle: NotesStyle;
  furniture: PageFurniture;
  /** When the signatory list may flow in two columns (editions with pages decide). */
  signatoryColumns: SignatoryColumns;
  /** Title and author for document metadata. */
  title: string;
  author?: string;
  /** ISO date of the letter. */
  date: string;
}
