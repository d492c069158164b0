/** Line-start labels: a note's number, a list item's bullet or number, set before the line's text. */
import type { Piece } from '../../../typeset/shape.js';
import type { Line } from '../../../typeset/lineBreak.js';

/** Put the label's pieces (LineSetter.label) at x = `at` on the line, before its text; returns how many pieces the label has (0 without a line). */
export function addLabel(pieces: Piece[], line: Line | undefined, at: number): number {
  if (!line) return 0;
  let x = at;
  line.placed.unshift(
    ...pieces.map((piece) => {
      const placed = { piece, x, width: piece.width, offset: piece.offset };
      x += piece.width;
      return placed;
    }),
  );
  return pieces.length;
}
