/**
 * Preflight of the tags, read with pdfjs-dist: every text-showing operator stands inside marked
 * content tied to the structure tree (an MCID the page's structure names) or inside an artifact
 * (ISO 14289-1 §7.1: content is either real content or an artifact); every link annotation is a
 * kid of a Link element (§7.18.5); each footnote is a Note whose number is its Lbl.
 */
import './pdfjsEnv.js'; // before pdfjs-dist
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface StructNode {
  role?: string;
  type?: string;
  id?: string;
  children?: StructNode[];
}

export interface PageTags {
  /** Text-showing operators outside tied marked content and artifacts. */
  untagged: number;
  /** Link annotations that no Link element owns. */
  untiedLinks: number;
  /** Notes whose label (Lbl) is drawn on this page. */
  notes: number;
  links: number;
}

function* walk(node: StructNode): Generator<StructNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

const ANNOTATION_PREFIX = 'pdfjs_internal_id_';

/**
 * `pageId` is pdfjs's id of the page object ("12R"): structure kids name content as
 * `p12R_mc3`, objects it owns through OBJR (annotations) as `40R` (or `pdfjs_internal_id_40R`).
 */
export function checkPageTags(
  tree: StructNode | null,
  pageId: string,
  ops: { fnArray: number[]; argsArray: unknown[] },
  annotations: Array<{ subtype?: string; id?: string }>,
): PageTags {
  const prefix = `p${pageId}_mc`;
  const mcids = new Set<number>();
  const linkAnnotations = new Set<string>();
  let notes = 0;
  for (const node of tree ? walk(tree) : []) {
    for (const kid of node.children ?? []) {
      if (kid.type === 'content' && kid.id?.startsWith(prefix)) mcids.add(Number(kid.id.slice(prefix.length)));
      if ((kid.type === 'annotation' || kid.type === 'object') && node.role === 'Link' && kid.id) linkAnnotations.add(kid.id.replace(ANNOTATION_PREFIX, ''));
    }
    if (node.role === 'Note') {
      const label = node.children?.find((c) => c.role === 'Lbl');
      if (label?.children?.some((c) => c.type === 'content' && c.id?.startsWith(prefix))) notes++;
    }
  }
  const stack: Array<{ tag: string; mcid: number | null }> = [];
  let untagged = 0;
  ops.fnArray.forEach((fn, i) => {
    const args = (ops.argsArray[i] ?? []) as unknown[];
    if (fn === OPS.beginMarkedContent) stack.push({ tag: String(args[0]), mcid: null });
    else if (fn === OPS.beginMarkedContentProps) stack.push({ tag: String(args[0]), mcid: typeof args[1] === 'number' ? args[1] : null });
    else if (fn === OPS.endMarkedContent) stack.pop();
    else if (fn === OPS.showText || fn === OPS.showSpacedText || fn === OPS.nextLineShowText || fn === OPS.nextLineSetSpacingShowText) {
      const tied = stack.some((m) => m.tag === 'Artifact' || (m.mcid !== null && mcids.has(m.mcid)));
      if (!tied) untagged++;
    }
  });
  const links = annotations.filter((a) => a.subtype === 'Link');
  return {
    untagged,
    untiedLinks: links.filter((a) => !a.id || !linkAnnotations.has(a.id)).length,
    notes,
    links: links.length,
  };
}
