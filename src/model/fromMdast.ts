/**
 * mdast → document model, through two typed handler tables (one for flow content, one for
 * phrasing content), as mdast-util-to-hast does: the compiler rejects a table that forgets a node
 * type, and every type is either converted or rejected with a positioned, actionable message.
 *
 * Footnotes are numbered here, once, in order of first reference in the body; renderers only
 * read the numbers. A note may not reference a note (itself or another): the PDF keeps a note on
 * the page of its mark, which a mark inside a note cannot promise, so such a reference is refused
 * where it stands.
 */
import type {
  Definition,
  FootnoteDefinition,
  Nodes,
  PhrasingContent,
  PhrasingContentMap,
  Root,
  RootContent,
  RootContentMap,
  Text,
} from 'mdast';
import type { VFile } from 'vfile';
import { reportError, reportWarning, type SourcePoint } from '../diagnostics/index.js';
import type { Block, Inline, Note } from './types.js';
import { UNSPACED_CJK } from '../unicode/scripts.js';
import { at } from '../util/checked.js';

type FlowType = Exclude<keyof RootContentMap, keyof PhrasingContentMap> | 'html';
type PhrasingType = keyof PhrasingContentMap;

interface Context {
  file: VFile;
  definitions: Map<string, Definition>;
  footnotes: Map<string, FootnoteDefinition>;
  /** identifier → note number, in order of first reference */
  numbers: Map<string, number>;
  /** The note being converted, if any. */
  inNote?: string;
}

type FlowHandlers = { [K in FlowType]: (node: RootContentMap[K], ctx: Context) => Block[] };
type PhrasingHandlers = { [K in PhrasingType]: (node: PhrasingContentMap[K], ctx: Context) => Inline[] };

function reject(ctx: Context, node: Nodes, what: string, advice: string): [] {
  reportError(ctx.file, `${what} is not supported in a letter: ${advice}`, node.position, `unsupported-${node.type}`);
  return [];
}

/** The start of a node in the letter, as a model `at` field (nothing when the parser gave none). */
function pointOf(node: Nodes): { at?: SourcePoint } {
  const start = node.position?.start;
  return start ? { at: { line: start.line, column: start.column, ...(start.offset !== undefined ? { offset: start.offset } : {}) } } : {};
}

/** Links are emitted only with schemes that are safe in every edition. */
const SAFE_URL = /^(https?:\/\/|mailto:)/i;

const phrasing: PhrasingHandlers = {
  text: (node, ctx) => {
    reportUndefinedFootnotes(node, ctx);
    return [{ type: 'text', value: node.value, ...pointOf(node) }];
  },
  emphasis: (node, ctx) => [{ type: 'emphasis', children: convertPhrasing(node.children, ctx) }],
  strong: (node, ctx) => [{ type: 'strong', children: convertPhrasing(node.children, ctx) }],
  inlineCode: (node) => [{ type: 'code', value: node.value }],
  break: () => [{ type: 'break' }],
  link: (node, ctx) => linkTo(node.url, convertPhrasing(node.children, ctx), node, ctx),
  linkReference: (node, ctx) => {
    const definition = ctx.definitions.get(node.identifier);
    const children = convertPhrasing(node.children, ctx);
    if (!definition) {
      reportError(ctx.file, `Link [${node.label ?? node.identifier}] has no definition; add "[${node.label ?? node.identifier}]: https://…".`, node.position, 'undefined-link');
      return children;
    }
    return linkTo(definition.url, children, node, ctx);
  },
  footnoteReference: (node, ctx) => {
    if (!ctx.footnotes.has(node.identifier)) {
      reportError(
        ctx.file,
        `Footnote [^${node.label ?? node.identifier}] is referenced but never defined; add a line "[^${node.label ?? node.identifier}]: …" below the letter.`,
        node.position,
        'undefined-footnote',
      );
      return [];
    }
    if (ctx.inNote !== undefined) {
      const label = `[^${node.label ?? node.identifier}]`;
      reportError(
        ctx.file,
        node.identifier === ctx.inNote
          ? `Footnote ${label} refers to itself; remove the reference from its own text.`
          : `Footnote ${label} is referenced inside another footnote; notes cannot have notes: reference it from the letter's text, or merge the two notes.`,
        node.position,
        node.identifier === ctx.inNote ? 'self-referencing-footnote' : 'nested-footnote',
      );
      return [];
    }
    let number = ctx.numbers.get(node.identifier);
    if (number === undefined) {
      number = ctx.numbers.size + 1;
      ctx.numbers.set(node.identifier, number);
    }
    return [{ type: 'noteRef', number, ...pointOf(node) }];
  },
  delete: (node, ctx) => reject(ctx, node, 'Strikethrough (~~…~~)', 'remove the tildes or the struck text.'),
  html: (node, ctx) => reject(ctx, node, 'Raw HTML', 'write the text in Markdown instead.'),
  image: (node, ctx) => reject(ctx, node, 'An image', 'remove it; letters are text only for now.'),
  imageReference: (node, ctx) => reject(ctx, node, 'An image', 'remove it; letters are text only for now.'),
};

/**
 * remark-gfm leaves a reference to an undefined footnote as literal text "[^label]"; find such
 * text and report it where it stands (position counted from the text node's start).
 */
function reportUndefinedFootnotes(node: Text, ctx: Context): void {
  for (const match of node.value.matchAll(/\[\^([^\]\s]+)\]/g)) {
    const label = match[1] as string;
    const before = node.value.slice(0, match.index).split('\n');
    const start = node.position?.start;
    const place = start
      ? {
          line: start.line + before.length - 1,
          column: before.length === 1 ? start.column + (before[0]?.length ?? 0) : (before.at(-1)?.length ?? 0) + 1,
        }
      : undefined;
    reportError(
      ctx.file,
      `Footnote [^${label}] is referenced but never defined; add a line "[^${label}]: …" below the letter.`,
      place,
      'undefined-footnote',
    );
  }
}

function linkTo(url: string, children: Inline[], node: Nodes, ctx: Context): Inline[] {
  if (!SAFE_URL.test(url.trim())) {
    reportWarning(ctx.file, `Link to "${url}" is not emitted (only http, https and mailto links are); its text is kept.`, node.position, 'unsafe-link');
    return children;
  }
  return [{ type: 'link', url: url.trim(), children }];
}

const flow: FlowHandlers = {
  paragraph: (node, ctx) => [{ type: 'paragraph', children: resolveSoftBreaks(convertPhrasing(node.children, ctx)) }],
  heading: (node, ctx) => [{ type: 'heading', depth: node.depth, children: resolveSoftBreaks(convertPhrasing(node.children, ctx)) }],
  blockquote: (node, ctx) => [{ type: 'blockquote', children: convertFlow(node.children, ctx) }],
  list: (node, ctx) => [
    {
      type: 'list',
      ordered: node.ordered === true,
      start: node.start ?? 1,
      items: node.children.map((item) => convertFlow(item.children, ctx)),
    },
  ],
  listItem: (node, ctx) => convertFlow(node.children, ctx),
  thematicBreak: () => [{ type: 'thematicBreak' }],
  // Consumed elsewhere: definitions resolve link references; footnote definitions become notes;
  // the YAML block is the front matter.
  definition: () => [],
  footnoteDefinition: () => [],
  yaml: () => [],
  code: (node, ctx) => reject(ctx, node, 'A code block', 'indent it less than four spaces or remove the ``` fences.'),
  html: (node, ctx) => reject(ctx, node, 'Raw HTML', 'write the text in Markdown instead.'),
  table: (node, ctx) => reject(ctx, node, 'A table', 'write it as a list for now.'),
  tableRow: (node, ctx) => reject(ctx, node, 'A table', 'write it as a list for now.'),
  tableCell: (node, ctx) => reject(ctx, node, 'A table', 'write it as a list for now.'),
};

function isPhrasing(node: RootContent): node is PhrasingContent {
  return node.type in phrasing && node.type !== 'html';
}

function convertPhrasing(nodes: PhrasingContent[], ctx: Context): Inline[] {
  return nodes.flatMap((node) => {
    const handler = phrasing[node.type] as (n: typeof node, c: Context) => Inline[];
    return handler(node, ctx);
  });
}

function convertFlow(nodes: RootContent[], ctx: Context): Block[] {
  return nodes.flatMap((node) => {
    if (isPhrasing(node)) {
      // mdast never puts phrasing content directly in flow content; be safe if a plugin does.
      const children = convertPhrasing([node], ctx);
      return children.length > 0 ? [{ type: 'paragraph' as const, children }] : [];
    }
    const handler = flow[node.type as FlowType] as (n: typeof node, c: Context) => Block[];
    return handler(node, ctx);
  });
}

/**
 * A soft line break between two unspaced CJK characters becomes nothing (pandoc's
 * east_asian_line_breaks; clreq: Chinese has no inter-word space); anywhere else it becomes a
 * space. Hangul is spaced between words, so a break next to Hangul stays a space.
 */
export function resolveSoftBreaks(inlines: Inline[]): Inline[] {
  const leaves: Array<{ node: { value: string } | null; start: number }> = [];
  let flat = '';
  const walk = (nodes: Inline[]) => {
    for (const node of nodes) {
      if (node.type === 'text') {
        leaves.push({ node, start: flat.length });
        flat += node.value;
      } else if (node.type === 'emphasis' || node.type === 'strong' || node.type === 'link') {
        walk(node.children);
      } else if (node.type === 'code') {
        flat += node.value;
      } else {
        flat += '\u0000'; // a mark or a hard break: neither CJK nor a space
      }
    }
  };
  walk(inlines);
  for (const { node, start } of leaves) {
    if (!node || !node.value.includes('\n')) continue;
    let out = '';
    for (let i = 0; i < node.value.length; i++) {
      const ch = node.value[i];
      if (ch !== '\n') {
        out += ch;
        continue;
      }
      const before = flat.slice(0, start + i).trimEnd().slice(-2);
      const after = flat.slice(start + i + 1).trimStart().slice(0, 2);
      const prevChar = [...before].at(-1) ?? '';
      const nextChar = [...after][0] ?? '';
      out += UNSPACED_CJK.test(prevChar) && UNSPACED_CJK.test(nextChar) ? '' : ' ';
    }
    node.value = out;
  }
  return inlines;
}

export interface ConvertedBody {
  body: Block[];
  notes: Note[];
}

export function convertTree(tree: Root, file: VFile): ConvertedBody {
  const ctx: Context = { file, definitions: new Map(), footnotes: new Map(), numbers: new Map() };
  for (const node of tree.children) {
    if (node.type === 'definition' && !ctx.definitions.has(node.identifier)) ctx.definitions.set(node.identifier, node);
    if (node.type === 'footnoteDefinition') {
      const first = ctx.footnotes.get(node.identifier);
      if (first) {
        reportError(
          file,
          `Footnote [^${node.label ?? node.identifier}] is defined twice (first on line ${first.position?.start.line ?? '?'}); keep one definition.`,
          node.position,
          'duplicate-footnote',
        );
      } else {
        ctx.footnotes.set(node.identifier, node);
      }
    }
  }
  // A definition inside another block (a note, a quote, a list item) would be dropped: say so.
  const stack: Array<{ node: Nodes; top: boolean }> = tree.children.map((node) => ({ node, top: true }));
  while (stack.length > 0) {
    const { node, top } = stack.pop() as { node: Nodes; top: boolean };
    if (node.type === 'footnoteDefinition' && !top) {
      reportError(
        file,
        `Footnote [^${node.label ?? node.identifier}] is defined inside another block (a note, a quote or a list); start its definition at the beginning of a line, outside other blocks.`,
        node.position,
        'nested-footnote-definition',
      );
    }
    if ('children' in node) for (const child of node.children as Nodes[]) stack.push({ node: child, top: false });
  }
  const body = convertFlow(tree.children, ctx);
  // Notes in number order.
  const notes: Note[] = [];
  const converted = new Set<string>();
  for (let index = 0; index < ctx.numbers.size; index++) {
    const identifier = at([...ctx.numbers.keys()], index);
    if (converted.has(identifier)) continue;
    converted.add(identifier);
    const definition = ctx.footnotes.get(identifier) as FootnoteDefinition;
    const blocks = convertFlow(definition.children, { ...ctx, inNote: identifier });
    notes.push({ number: ctx.numbers.get(identifier) as number, label: definition.label ?? identifier, blocks });
  }
  for (const [identifier, definition] of ctx.footnotes) {
    if (!ctx.numbers.has(identifier)) {
      reportWarning(
        file,
        `Footnote [^${definition.label ?? identifier}] is defined but never referenced; it is left out of every edition.`,
        definition.position,
        'unused-footnote',
      );
    }
  }
  return { body, notes };
}
