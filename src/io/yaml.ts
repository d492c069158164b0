/**
 * YAML inputs (front matter, signatory files, templates): parsed with the yaml package so that
 * every node keeps its position, then validated with a zod schema; each problem is reported on
 * the file where it stands.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import type { Position } from '../diagnostics/index.js';

/** The source position of the YAML node at `path` (or of its closest existing parent). */
export function placeOfPath(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): Position | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}

export interface YamlInputOptions {
  /** How messages name the input: "Front matter", "Template", "Signatory file". */
  label: string;
  /** Prefix of the rule ids: `${rule}-yaml`, `${rule}-schema`. */
  rule: string;
  /** Extra advice for a schema issue (e.g. the allowed fields). */
  hint?: (issue: z.core.$ZodIssue) => string;
  /** Map a position in `text` to one in the file (front matter starts below the letter's first line). */
  shift?: (place: Position | undefined) => Position | undefined;
}

export interface YamlInput<T> {
  data: T;
  /** Where the node at `path` stands in the file. */
  place(path: PropertyKey[]): Position | undefined;
}

export function readYaml<S extends z.ZodType>(file: VFile, text: string, schema: S, options: YamlInputOptions): YamlInput<z.infer<S>> | null {
  const shift = options.shift ?? ((p: Position | undefined) => p);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const pos = err.linePos?.[0];
      reportError(
        file,
        `${options.label} is not valid YAML: ${err.message.split('\n')[0]}`,
        shift(pos ? { line: pos.line, column: pos.col } : undefined),
        `${options.rule}-yaml`,
      );
    }
    return null;
  }
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.join('.') || '(top level)';
      reportError(
        file,
        `${options.label} field \`${where}\`: ${issue.message}${options.hint?.(issue) ?? ''}`,
        shift(placeOfPath(doc, lineCounter, issue.path as PropertyKey[])),
        `${options.rule}-schema`,
      );
    }
    return null;
  }
  return { data: parsed.data, place: (path) => shift(placeOfPath(doc, lineCounter, path)) };
}
