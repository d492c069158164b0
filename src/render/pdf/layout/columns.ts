/**
 * The column rule of the signatory list: a long list (the frame's `signatoryColumns.minEntries`)
 * most of whose entries (`minFitting`) fit half the measure flows in two columns; entries too
 * long for half the measure (as most of the seed letter's organisation names are) keep the full
 * width.
 */
import type { SignatoryColumns } from '../../../frame/types.js';
import type { Piece } from '../../../typeset/shape.js';
import type { FlowLine } from '../../../typeset/pages.js';

/** Width of pieces set on one line at their natural spacing. */
export function naturalWidth(pieces: Piece[]): number {
  return pieces.reduce((sum, p, k) => sum + p.width + (k > 0 ? (p.glueBefore?.width ?? 0) : 0), 0);
}

/** The columns the list flows in, or undefined for the full measure. */
export function listColumns(entries: Piece[][], rule: SignatoryColumns, measure: number): FlowLine['columns'] {
  const { minEntries, minFitting, gap } = rule;
  const width = (measure - gap) / 2;
  const fitting = entries.filter((pieces) => naturalWidth(pieces) <= width).length;
  return entries.length >= minEntries && fitting >= minFitting * entries.length ? { count: 2, width, gap } : undefined;
}
