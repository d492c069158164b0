/**
 * The letter's logical structure for the tagged PDF (ISO 14289-1, PDF/UA-1; standard structure
 * types of ISO 32000-1 §14.8.4), built by the layout while it sets the lines, so each typeset
 * line can name the element that owns its text (LineTag in src/typeset/pages.ts).
 *
 * Reading order is the order of the tree, not of the content streams: a footnote's Note stands
 * right after the paragraph that references it, though it is drawn at the page foot.
 */
import type { LineTag } from '../../typeset/pages.js';

export type StructRole =
  | 'Document' | 'Div' | 'P' | 'H1' | 'H2' | 'H3' | 'H4' | 'H5' | 'H6'
  | 'L' | 'LI' | 'Lbl' | 'LBody' | 'BlockQuote' | 'Note';

export interface StructNode {
  id: number;
  role: StructRole;
  parent: number | null;
  children: number[];
  /** Language of the element when it differs from the document's (BCP 47). */
  lang?: string;
  /** The element starts an outline entry (level 1 = top). */
  bookmark?: { title: string; level: number };
  /** Note elements carry an ID (PDF/UA-1 §7.9). */
  noteNumber?: number;
}

export function headingRole(level: number): StructRole {
  return `H${Math.min(6, Math.max(1, level))}` as StructRole;
}

export class StructureTree {
  readonly nodes: StructNode[] = [{ id: 0, role: 'Document', parent: null, children: [] }];
  /** The node after which the next Note referenced from a node goes (notes in mark order). */
  private readonly noteAnchor = new Map<number, number>();

  get root(): number {
    return 0;
  }

  node(id: number): StructNode {
    const node = this.nodes[id];
    if (!node) throw new Error(`No structure node ${id}`);
    return node;
  }

  add(role: StructRole, parent = 0, extra: Partial<Pick<StructNode, 'lang' | 'bookmark' | 'noteNumber'>> = {}): number {
    const id = this.nodes.length;
    this.nodes.push({ id, role, parent, children: [], ...extra });
    this.node(parent).children.push(id);
    return id;
  }

  /**
   * A Note for footnote `number`, placed right after the element `referrer` whose text holds
   * its mark (after the notes that element referenced earlier), or at the document's end.
   */
  addNote(number: number, referrer: number | undefined): number {
    if (referrer === undefined) return this.add('Note', 0, { noteNumber: number });
    const anchor = this.noteAnchor.get(referrer) ?? referrer;
    const parent = this.node(this.node(anchor).parent ?? 0);
    const id = this.nodes.length;
    this.nodes.push({ id, role: 'Note', parent: parent.id, children: [], noteNumber: number });
    parent.children.splice(parent.children.indexOf(anchor) + 1, 0, id);
    this.noteAnchor.set(referrer, id);
    return id;
  }

  /** Depth-first, in reading order. */
  *walk(from = 0, depth = 0): Generator<{ node: StructNode; depth: number }> {
    const node = this.node(from);
    yield { node, depth };
    for (const child of node.children) yield* this.walk(child, depth + 1);
  }
}

/** A tag for lines whose text belongs to `node`, with `labelPieces` leading pieces in `labelNode`. */
export function lineTag(node: number, label?: { pieces: number; node: number }): LineTag {
  return label && label.pieces > 0 ? { node, label } : { node };
}
