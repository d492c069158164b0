/**
 * Role marks: what the layout says about each typeset line's text, for the drawing side to build
 * the tagged PDF's logical structure from (src/render/pdf/structure.ts). A line's text belongs
 * to an element — a role (P, H2, LBody, …) under a parent element — and its leading label pieces
 * (a list bullet, a note's number) to another; or the line is an artifact (page furniture,
 * ornaments). The layout only names elements; it builds no tree.
 */
import type { FlowLine, NoteLines, Page, PlacedLine } from '../../typeset/pages.js';
import type { FrameImage } from '../../frame/types.js';

export type StructRole =
  | 'Document' | 'Div' | 'P' | 'H1' | 'H2' | 'H3' | 'H4' | 'H5' | 'H6'
  | 'L' | 'LI' | 'Lbl' | 'LBody' | 'BlockQuote' | 'Note' | 'Figure';

/** One logical element, named by the layout: its role, its parent (null: the document) and what it carries. */
export interface ElementMark {
  role: StructRole;
  parent: ElementMark | null;
  /** The element starts an outline entry (level 1 = top). */
  bookmark?: { title: string; level: number };
  /** The footnote a Note element holds. */
  note?: number;
  /** Alternative text of a Figure. */
  alt?: string;
}

/** A picture that a flow line stands for (its box is the line's): `x` from the left of the text area. */
export interface ImageMark {
  image: FrameImage;
  x: number;
}

export type RoleMark =
  | { element: ElementMark; label?: { pieces: number; element: ElementMark }; image?: ImageMark }
  | { artifact: 'Pagination' | 'Layout'; image?: ImageMark };

export type MarkedFlowLine = FlowLine<RoleMark>;
export type MarkedNoteLines = NoteLines<RoleMark>;
export type MarkedPage = Page<RoleMark>;
export type MarkedLine = PlacedLine<RoleMark>;

/** A new element of `role` under `parent`. */
export function element(role: StructRole, parent: ElementMark | null, extra: Pick<ElementMark, 'bookmark' | 'note' | 'alt'> = {}): ElementMark {
  return { role, parent, ...extra };
}

/** The mark of lines whose text belongs to `owner`, with `pieces` leading label pieces in `label`. */
export function textMark(owner: ElementMark, label?: { pieces: number; element: ElementMark }): RoleMark {
  return label && label.pieces > 0 ? { element: owner, label } : { element: owner };
}

export function headingRole(level: number): StructRole {
  const roles: StructRole[] = ['H1', 'H2', 'H3', 'H4', 'H5', 'H6'];
  return roles[Math.min(6, Math.max(1, level)) - 1] ?? 'H6';
}
