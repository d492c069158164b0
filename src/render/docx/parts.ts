/**
 * The Word package's parts, for what the docx package cannot say: each XML part parsed once
 * (with @xmldom/xmldom) when first edited, edited as a DOM tree, and serialised once when the
 * package is zipped.
 *
 * @xmldom/xmldom rather than fast-xml-parser: WordprocessingML is namespaced and its elements
 * must stand in schema order, which a W3C DOM (insertBefore, namespaced attributes) expresses
 * directly; and it writes back an untouched part exactly as docx wrote it (attribute order,
 * namespace declarations, the XML declaration), where an object mapping would rebuild it.
 */
import { DOMImplementation, DOMParser, XMLSerializer, type Document, type Element, type Node } from '@xmldom/xmldom';
import { strFromU8, strToU8 } from 'fflate';

export const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
export const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
export const PACKAGE_RELATIONSHIPS = 'http://schemas.openxmlformats.org/package/2006/relationships';

export class PackageParts {
  private readonly parsed = new Map<string, Document>();

  constructor(private readonly files: Record<string, Uint8Array>) {}

  names(): string[] {
    return Object.keys(this.files);
  }

  /** The part as a DOM tree (parsed on first use), or undefined when the package has no such part. */
  xml(name: string): Document | undefined {
    const known = this.parsed.get(name);
    if (known) return known;
    const file = this.files[name];
    if (!file) return undefined;
    const doc = new DOMParser().parseFromString(strFromU8(file), 'text/xml');
    this.parsed.set(name, doc);
    return doc;
  }

  /** A new XML part: a root element in `namespace`, under the XML declaration docx writes. */
  create(name: string, namespace: string, qualifiedName: string): Document {
    const doc = new DOMImplementation().createDocument(namespace, qualifiedName, null);
    doc.insertBefore(doc.createProcessingInstruction('xml', 'version="1.0" encoding="UTF-8" standalone="yes"'), doc.firstChild);
    this.parsed.set(name, doc);
    return doc;
  }

  setBinary(name: string, data: Uint8Array): void {
    this.files[name] = data;
  }

  /** Every file of the package, the parsed parts serialised once. */
  finish(): Record<string, Uint8Array> {
    const serializer = new XMLSerializer();
    for (const [name, doc] of this.parsed) this.files[name] = strToU8(serializer.serializeToString(doc));
    return this.files;
  }
}

/** A new w: element with attributes (given without their w: prefix unless they carry one), in order. */
export function wElement(doc: Document, localName: string, attributes: Record<string, string> = {}): Element {
  const element = doc.createElementNS(W, `w:${localName}`);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('r:')) element.setAttributeNS(R, name, value);
    else element.setAttributeNS(W, name.includes(':') ? name : `w:${name}`, value);
  }
  return element;
}

/** The element children of `parent` called `qualifiedName` (e.g. "w:style"). */
export function childElements(parent: Element, qualifiedName?: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (isElement(node) && (qualifiedName === undefined || node.nodeName === qualifiedName)) out.push(node);
  }
  return out;
}

export function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** Every element below `root`, in document order. */
export function descendants(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (element: Element) => {
    for (const child of childElements(element)) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** The document element, or an error naming the part (docx always writes one). */
export function rootOf(doc: Document, name: string): Element {
  const root = doc.documentElement;
  if (!root) throw new Error(`The Word package part ${name} has no root element.`);
  return root;
}
