/**
 * The letter's logical structure for the tagged PDF (ISO 14289-1, PDF/UA-1; standard structure
 * types of ISO 32000-1 §14.8.4), built where the PDF is drawn from the role marks the layout put
 * on each line (src/render/pdf/marks.ts): elements in the order their text first appears, each
 * under the parent the layout named.
 *
 * Reading order is the order of the tree, not of the content streams: a footnote's Note stands
 * right after the element whose text holds its mark, though it is drawn at the page foot.
 */
import { element, type ElementMark, type MarkedFlowLine, type MarkedNoteLines, type RoleMark, type StructRole } from './marks.js';

export { headingRole, type StructRole } from './marks.js';

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
  /** A Figure's alternative text (PDF/UA-1 §7.3). */
  alt?: string;
  /** The copy (0-based) of a file of several copies of the letter the node belongs to: its note IDs are the copy's own. */
  copy?: number;
}

export class StructureTree {
  readonly nodes: StructNode[] = [{ id: 0, role: 'Document', parent: null, children: [] }];
  /** Each copy's letterhead Figure, first in that copy (none when the letterhead is decoration). */
  readonly letterheads: number[] = [];
  /** The node of each element the layout named. */
  private readonly ids = new Map<ElementMark, number>();
  /** The node after which the next Note referenced from a node goes (notes in mark order). */
  private readonly noteAnchor = new Map<number, number>();

  /**
   * The tree of a laid-out letter: the flow's elements in reading order, then each note's Note
   * after the element whose text first holds its mark (or at the document's end).
   */
  static fromLayout(flow: MarkedFlowLine[], notes: MarkedNoteLines[], letterheadAlt?: string): StructureTree {
    return StructureTree.fromLayouts([{ flow, notes }], letterheadAlt);
  }

  /**
   * The tree of several laid-out copies one after the other (a print file): each copy's notes after
   * their own marks. A letterhead with alternative text is the first Figure of each copy (it is read
   * first); without, it is decoration.
   */
  static fromLayouts(parts: Array<{ flow: MarkedFlowLine[]; notes: MarkedNoteLines[] }>, letterheadAlt?: string): StructureTree {
    const tree = new StructureTree();
    parts.forEach(({ flow, notes }, copy) => {
      const first = tree.nodes.length;
      if (letterheadAlt) tree.letterheads.push(tree.idOf(element('Figure', null, { alt: letterheadAlt })));
      tree.addLayout(flow, notes);
      if (copy > 0) for (const node of tree.nodes.slice(first)) node.copy = copy;
    });
    return tree;
  }

  private addLayout(flow: MarkedFlowLine[], notes: MarkedNoteLines[]): void {
    const referrers = new Map<number, number>();
    for (const line of flow) {
      const owner = this.ownerOf(line.mark);
      if (owner === null) continue;
      for (const n of line.line.notes) if (!referrers.has(n)) referrers.set(n, owner);
    }
    for (const note of notes) {
      const first = note.lines[0]?.mark;
      const noteElement = first && 'element' in first ? first.element.parent : null;
      if (noteElement?.role === 'Note') this.placeNote(noteElement, referrers.get(note.number));
      for (const line of note.lines) this.ownerOf(line.mark);
    }
  }

  get root(): number {
    return 0;
  }

  node(id: number): StructNode {
    const node = this.nodes[id];
    if (!node) throw new Error(`No structure node ${id}`);
    return node;
  }

  /** The node of an element the layout named, added (with its ancestors) when first seen. */
  idOf(mark: ElementMark): number {
    const known = this.ids.get(mark);
    if (known !== undefined) return known;
    const parent = mark.parent ? this.idOf(mark.parent) : this.root;
    const id = this.nodes.length;
    const node: StructNode = { id, role: mark.role, parent, children: [] };
    if (mark.bookmark) node.bookmark = mark.bookmark;
    if (mark.note !== undefined) node.noteNumber = mark.note;
    if (mark.alt) node.alt = mark.alt;
    this.nodes.push(node);
    this.node(parent).children.push(id);
    this.ids.set(mark, id);
    return id;
  }

  /** The node that owns a line's text (its label's element added first), or null for an artifact. */
  ownerOf(mark: RoleMark | undefined): number | null {
    if (!mark || 'artifact' in mark) return null;
    if (mark.label) this.idOf(mark.label.element);
    return this.idOf(mark.element);
  }

  /**
   * A Note placed right after the element `referrer` whose text holds its mark (after the notes
   * that element referenced earlier), or at the document's end.
   */
  private placeNote(mark: ElementMark, referrer: number | undefined): void {
    if (referrer === undefined) {
      this.idOf(mark);
      return;
    }
    const anchor = this.noteAnchor.get(referrer) ?? referrer;
    const parent = this.node(this.node(anchor).parent ?? 0);
    const id = this.nodes.length;
    this.nodes.push({ id, role: 'Note', parent: parent.id, children: [], ...(mark.note !== undefined ? { noteNumber: mark.note } : {}) });
    parent.children.splice(parent.children.indexOf(anchor) + 1, 0, id);
    this.ids.set(mark, id);
    this.noteAnchor.set(referrer, id);
  }

  /** Depth-first, in reading order (a list, not a recursive generator: a list of 10,000 names has 20,000 nodes). */
  walk(from = 0, depth = 0): Array<{ node: StructNode; depth: number }> {
    const out: Array<{ node: StructNode; depth: number }> = [];
    const stack: Array<{ id: number; depth: number }> = [{ id: from, depth }];
    for (let next = stack.pop(); next; next = stack.pop()) {
      const node = this.node(next.id);
      out.push({ node, depth: next.depth });
      for (let c = node.children.length - 1; c >= 0; c--) stack.push({ id: node.children[c] as number, depth: next.depth + 1 });
    }
    return out;
  }
}
