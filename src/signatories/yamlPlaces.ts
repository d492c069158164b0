import { isNode, type Document, type LineCounter } from 'yaml';
import type { Position } from '../model/types.js';

/** The source position of the YAML node at `path` (or of its closest existing parent). */
export function placeOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: ReadonlyArray<PropertyKey>,
): Position | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}
