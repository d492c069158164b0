/**
 * Bounds on the letter, checked before any typesetting, so that a careless or hostile input is
 * refused in milliseconds with its position instead of exhausting time, memory or the call stack.
 * Real letters are far inside them (the seed letter: 12 KB, longest paragraph 700 characters,
 * longest URL 120 characters, nesting 2).
 *
 * - A link's URL: the PDF gives each line of a broken URL its own link annotation carrying the
 *   whole URL, so the file grows with the square of the URL's length.
 * - A paragraph: line breaking and shaping are linear, but a 50,000-character paragraph already
 *   takes seconds; a letter's paragraph is a few hundred.
 * - Nesting (quotes, lists, emphasis): the Markdown parser's plug-ins and every renderer recurse.
 */
import type { Nodes, Root } from 'mdast';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import { at } from '../util/checked.js';

export const MAX_LETTER_BYTES = 256 * 1024;
export const MAX_URL_LENGTH = 2_000;
export const MAX_PARAGRAPH_LENGTH = 10_000;
export const MAX_NESTING = 32;
/** A run of emphasis marks longer than this nests deeper than MAX_NESTING. */
const MAX_MARK_RUN = 2 * MAX_NESTING;

/** Before parsing: runs of emphasis marks and quote markers that would nest past the limit. */
export function checkMarkdownText(file: VFile, text: string): boolean {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = at(lines, i);
    const run = new RegExp(`[*_~]{${MAX_MARK_RUN + 1},}`).exec(line);
    const quotes = /^(?:\s*>){33,}/.exec(line);
    if (run || quotes) {
      reportError(
        file,
        `Markdown nested more than ${MAX_NESTING} levels deep (quotes, lists or emphasis); no letter needs that.`,
        { line: i + 1, column: (run ? run.index : 0) + 1 },
        'letter-too-deep',
      );
      return false;
    }
  }
  return true;
}

/** Characters of text under `node` (iterative: the depth is checked in the same walk). */
function textLength(node: Nodes): number {
  let length = 0;
  const stack: Nodes[] = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Nodes;
    if ('value' in n && typeof n.value === 'string') length += n.value.length;
    if ('children' in n) stack.push(...(n.children as Nodes[]));
  }
  return length;
}

/** After parsing: depth, paragraph length and URL length, reported at the node. Iterative. */
export function checkTree(file: VFile, tree: Root): boolean {
  let ok = true;
  const stack: Array<{ node: Nodes; depth: number }> = [{ node: tree, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: Nodes; depth: number };
    if (depth > MAX_NESTING) {
      reportError(file, `Markdown nested more than ${MAX_NESTING} levels deep (quotes, lists or emphasis); no letter needs that.`, node.position, 'letter-too-deep');
      return false;
    }
    if (node.type === 'link' && node.url.length > MAX_URL_LENGTH) {
      reportError(file, `A link of ${node.url.length} characters: URLs are limited to ${MAX_URL_LENGTH} characters; shorten it (a link shortener, or the site's short link).`, node.position, 'url-too-long');
      ok = false;
    }
    if (node.type === 'paragraph' || node.type === 'heading') {
      const length = textLength(node);
      if (length > MAX_PARAGRAPH_LENGTH) {
        reportError(file, `A paragraph of ${length} characters: paragraphs are limited to ${MAX_PARAGRAPH_LENGTH}; split it.`, node.position, 'paragraph-too-long');
        ok = false;
      }
    }
    if ('children' in node) for (const child of node.children) stack.push({ node: child as Nodes, depth: depth + 1 });
  }
  return ok;
}
