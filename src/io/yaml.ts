/**
 * YAML inputs (front matter, signatory files, templates): parsed with the yaml package so that
 * every node keeps its position, then validated with a zod schema; each problem is reported on
 * the file where it stands.
 */
import { isAlias, isCollection, isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { VFile } from 'vfile';
import { reportError } from '../diagnostics/index.js';
import type { Position } from '../diagnostics/index.js';
import { at, last } from '../util/checked.js';

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
  /** More to say about an issue; `key`: the unknown key the message is about. */
  hint?: (issue: z.core.$ZodIssue, key?: string) => string;
  /** Map a position in `text` to one in the file (front matter starts below the letter's first line). */
  shift?: (place: Position | undefined) => Position | undefined;
  /**
   * Validate without zod's compiled parsers: for a value with no long lists (a template, front
   * matter), where compiling them costs more than it saves (seed letter: 10 ms less CPU).
   */
  jitless?: boolean;
}

export interface YamlInput<T> {
  data: T;
  /** Where the node at `path` stands in the file. */
  place(path: PropertyKey[]): Position | undefined;
}

/** Limits against resource exhaustion ("billion laughs", nesting deeper than the call stack). */
export const MAX_ALIASES = 100;
export const MAX_DEPTH = 64;
/**
 * Characters of the document with every alias expanded: a few aliases of one big anchored
 * string multiply it as surely as many aliases of a small list do. An input is at most 2 MB.
 */
export const MAX_EXPANDED_CHARS = 4 * 1024 * 1024;

/**
 * The size of the document's value with aliases expanded (scalar characters plus one per node).
 * Memoised per node, so linear in the document however much the aliases multiply.
 */
function expandedSize(doc: Document): number {
  const memo = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  // Iterative post-order walk: a node's size is known once its children's are.
  const sizeOf = (root: unknown): number => {
    const stack: Array<{ node: unknown; children: unknown[] | null }> = [{ node: root, children: null }];
    let last = 0;
    while (stack.length > 0) {
      const top = at(stack, -1);
      const { node } = top;
      if (memo.has(node)) {
        last = memo.get(node) as number;
        stack.pop();
        continue;
      }
      if (isAlias(node)) {
        const target = node.resolve(doc);
        if (!target || inProgress.has(target)) {
          memo.set(node, 1);
          stack.pop();
          continue;
        }
        if (top.children === null) {
          top.children = [];
          stack.push({ node: target, children: null });
          continue;
        }
        const size = memo.get(target) ?? 1;
        memo.set(node, size);
        stack.pop();
        last = size;
        continue;
      }
      if (isScalar(node)) {
        const size = String(node.value ?? '').length + 1;
        memo.set(node, size);
        stack.pop();
        last = size;
        continue;
      }
      if (isCollection(node)) {
        if (top.children === null) {
          inProgress.add(node);
          top.children = node.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
          for (const child of top.children) if (child != null && !memo.has(child)) stack.push({ node: child, children: null });
          continue;
        }
        const size = 1 + top.children.reduce((n: number, child) => n + (child == null ? 0 : (memo.get(child) ?? 1)), 0);
        inProgress.delete(node);
        memo.set(node, size);
        stack.pop();
        last = size;
        continue;
      }
      memo.set(node, 1);
      stack.pop();
      last = 1;
    }
    return last;
  };
  return sizeOf(doc.contents);
}

/** The first node nested deeper than MAX_DEPTH, walked without recursion. */
function tooDeep(doc: Document): { range?: [number, number, number] | null } | null {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!isCollection(node)) continue;
    if (depth >= MAX_DEPTH) return node;
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return null;
}

/** Offset of the first flow bracket ([ or {) nested deeper than MAX_DEPTH, quotes and comments skipped. */
function firstTooDeepFlow(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      for (i++; i < text.length && text[i] !== ch; i++) if (ch === '"' && text[i] === '\\') i++;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '[' || ch === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** The first alias in the document (where an alias-count refusal is reported). */
function firstAlias(doc: Document): { range?: [number, number, number] | null } | null {
  let first: { range?: [number, number, number] | null } | null = null;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node) && (first === null || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0))) first = node;
    if (isMap(node)) for (const pair of node.items) stack.push(pair.value);
    else if (isCollection(node)) stack.push(...node.items);
  }
  return first;
}

/**
 * A value that matches none of a union's forms (`signature:` one signer or a list) is reported by
 * zod as "Invalid input"; the form the value has (a mapping, a list, a string) says which one was
 * meant, so that form's own issues are reported instead ("`signature.name`: is missing").
 */
function expandUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const shaped = issue.errors.filter((branch) => !branch.some((sub) => sub.path.length === 0 && (sub.code === 'invalid_type' || sub.code === 'invalid_value')));
    if (shaped.length !== 1) return [issue];
    return expandUnions((shaped[0] ?? []).map((sub) => ({ ...sub, path: [...issue.path, ...sub.path] }) as z.core.$ZodIssue));
  });
}

function missingField(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && /received undefined/.test(issue.message);
}

/** The value at `path` in parsed YAML; undefined when there is none. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** One parsed YAML input: the file its messages go to, its document (for positions) and its value. */
export interface YamlLayer {
  file: VFile;
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
  shift: (place: Position | undefined) => Position | undefined;
}

/**
 * What to do about the YAML mistakes people make by hand: a second ": " in a value
 * (`subject: Re: our letter`), a tab for indentation. Empty for the others.
 */
function yamlAdvice(code: string, line: string | undefined): string {
  if (code === 'TAB_AS_INDENT') return '; indent with spaces, not tabs';
  const value = line === undefined ? null : /^\s*(?:-\s+)?([^\s:#'"][^:#]*):\s+(.*:\s.*)$/u.exec(line);
  // `subject: [Draft] our letter` or `subject: [Draft`: YAML reads a value opened by [ or { as a list or a mapping.
  const bracketed = line === undefined ? null : /^\s*(?:-\s+)?([^\s:#'"\[{][^:#]*):\s+([[{].*)$/u.exec(line);
  if ((code === 'BAD_INDENT' || code === 'UNEXPECTED_TOKEN') && bracketed) {
    const [open, kind, close] = bracketed[2]?.[0] === '[' ? ['[', 'list', ']'] : ['{', 'mapping', '}'];
    const end = code === 'BAD_INDENT' ? `end the ${kind} with ${close} on its line, or if it is text, ` : '';
    return `; a value that begins with ${open} is read as a ${kind}: ${end}put it in quotes: ${bracketed[1]}: "${(bracketed[2] ?? '').trim().replace(/"/g, '\\"')}"`;
  }
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && value) {
    return `; a value that contains ": " must be in quotes: ${value[1]}: "${(value[2] ?? '').trim().replace(/"/g, '\\"')}"`;
  }
  return '';
}

/** The last line at or before `line` whose value opens a [ or { it does not close. */
function unclosedFlow(text: string, line: number): Position | undefined {
  const lines = text.split(/\r?\n/);
  for (let k = Math.min(line, lines.length); k >= 1; k--) {
    const value = /^(\s*(?:-\s+)?[^\s:#'"[{][^:#]*:\s+)([[{].*)$/u.exec(lines[k - 1] ?? '');
    if (!value?.[1] || !value[2]) continue;
    const count = (re: RegExp) => (value[2]?.match(re) ?? []).length;
    if (count(/[[{]/g) > count(/[\]}]/g)) return { line: k, column: value[1].length + 1 };
  }
  return undefined;
}

/**
 * Parse `text` (the content of `file`, or of a part of it: front matter) into a layer, within the
 * limits above; a syntax error or a refusal is reported on `file` and gives null.
 */
export function parseYamlLayer(file: VFile, text: string, options: Pick<YamlInputOptions, 'label' | 'rule' | 'shift'>): YamlLayer | null {
  const shift = options.shift ?? ((p: Position | undefined) => p);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.some((err) => /Maximum call stack size exceeded/.test(err.message))) {
    // The parser recursed past the stack before the depth check could run: say what it is.
    const offset = firstTooDeepFlow(text) ?? doc.errors[0]?.pos[0];
    reportError(file, `${options.label} is nested more than ${MAX_DEPTH} levels deep; no letterpress input needs that.`, shift(at(offset)), `${options.rule}-yaml-depth`);
    return null;
  }
  if (doc.errors.length > 0) {
    // One message per line: the parser's later complaints about a line follow from its first.
    const lines = new Set<number>();
    for (const err of doc.errors) {
      let place = at(err.pos[0]);
      // An unclosed [ or { is noticed on the line after it: point at the line that opened it.
      if (place && err.code === 'BAD_INDENT' && /^Flow (sequence|map)/.test(err.message)) place = unclosedFlow(text, place.line) ?? place;
      if (place && lines.has(place.line)) continue;
      if (place) lines.add(place.line);
      reportError(
        file,
        `${options.label} is not valid YAML: ${err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}${yamlAdvice(err.code, place ? text.split(/\r?\n/)[place.line - 1] : undefined)}`,
        shift(place),
        `${options.rule}-yaml`,
      );
    }
    return null;
  }
  const deep = tooDeep(doc);
  if (deep) {
    reportError(file, `${options.label} is nested more than ${MAX_DEPTH} levels deep; no letterpress input needs that.`, shift(at(deep.range?.[0])), `${options.rule}-yaml-depth`);
    return null;
  }
  const expanded = expandedSize(doc);
  if (expanded > MAX_EXPANDED_CHARS) {
    reportError(
      file,
      `${options.label} expands its aliases (*name) into ${expanded > 1e12 ? 'over a million MB' : `${(expanded / 1024 / 1024).toFixed(1)} MB`} of text (at most ${MAX_EXPANDED_CHARS / 1024 / 1024} MB); write the values out.`,
      shift(at(firstAlias(doc)?.range?.[0])),
      `${options.rule}-yaml-aliases`,
    );
    return null;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    reportError(
      file,
      `${options.label} expands its aliases (*name) into too many nodes (${err.message}); write the values out.`,
      shift(at(firstAlias(doc)?.range?.[0])),
      `${options.rule}-yaml-aliases`,
    );
    return null;
  }
  return { file, doc, lineCounter, value: value ?? {}, shift };
}

/** How deep `path` reaches into a layer's document: the length of its longest existing prefix. */
function reach(layer: YamlLayer, path: ReadonlyArray<PropertyKey>): number {
  for (let depth = path.length; depth > 0; depth--) {
    const node: unknown = layer.doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node)) return depth;
  }
  return 0;
}

/** Where a value at `path` of the merged layers was written: in the layer that reaches deepest (the later on a tie). */
export function locate(layers: readonly YamlLayer[], path: ReadonlyArray<PropertyKey>): { file: VFile; place: Position | undefined } {
  let best = last(layers);
  let bestDepth = -1;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = at(layers, i);
    const depth = reach(layer, path);
    if (depth > bestDepth) {
      best = layer;
      bestDepth = depth;
    }
  }
  return { file: best.file, place: best.shift(placeOfPath(best.doc, best.lineCounter, path)) };
}

/** A validated value that may have been merged from several layers (a shared file, a base template). */
export interface LayeredInput<T> extends YamlInput<T> {
  /** The file and place where the value at `path` was written. */
  where(path: PropertyKey[]): { file: VFile; place: Position | undefined };
}

/**
 * Validate `value` (the layers' values merged; later layers override earlier ones) against
 * `schema`; each problem is reported in the file and at the line where its value was written.
 */
export function validateLayers<S extends z.ZodType>(layers: readonly YamlLayer[], value: unknown, schema: S, options: YamlInputOptions): LayeredInput<z.infer<S>> | null {
  // zod compiles a fast parser (`new Function`) for each object schema on its first parse: worth it
  // for a list of a thousand signatories, not for a value parsed once (options.jitless).
  const parsed = schema.safeParse(value ?? {}, { jitless: options.jitless === true });
  if (!parsed.success) {
    for (const issue of expandUnions(parsed.error.issues)) {
      const path = issue.path as PropertyKey[];
      if (issue.code === 'unrecognized_keys') {
        // one message per unknown key, at the key itself, in the file that has it
        for (const key of issue.keys) {
          const { file, place } = locate(layers, [...path, key]);
          const layer = layers.find((l) => l.file === file) as YamlLayer;
          const parent: unknown = layer.doc.getIn(path as unknown[], true);
          const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
          const keyNode = pair && isNode(pair.key) ? pair.key : undefined;
          const keyPos = keyNode?.range ? layer.lineCounter.linePos(keyNode.range[0]) : undefined;
          const keyPlace = keyPos ? layer.shift({ line: keyPos.line, column: keyPos.col }) : undefined;
          reportError(file, `${options.label}: unknown field \`${[...path, key].join('.')}\`${options.hint?.(issue, key) ?? ''}`, keyPlace ?? place, `${options.rule}-schema`);
        }
        continue;
      }
      const where = path.join('.') || '(top level)';
      // `closing:` with nothing after it reads as null: say it is empty, not "received null".
      const reason = missingField(issue) ? 'is missing' : valueAt(value, path) === null ? 'is empty: write its value after the colon' : issue.message;
      const { file, place } = locate(layers, path);
      reportError(file, `${options.label} field \`${where}\`: ${reason}${options.hint?.(issue) ?? ''}`, place, `${options.rule}-schema`);
    }
    return null;
  }
  return { data: parsed.data, place: (path) => locate(layers, path).place, where: (path) => locate(layers, path) };
}

export function readYaml<S extends z.ZodType>(file: VFile, text: string, schema: S, options: YamlInputOptions): YamlInput<z.infer<S>> | null {
  const layer = parseYamlLayer(file, text, options);
  if (!layer) return null;
  return validateLayers([layer], layer.value, schema, options);
}
