/**
 * Checked access where TypeScript cannot follow what the code knows: an index in range
 * (`noUncheckedIndexedAccess`), a handler table keyed by a node's own type. Each answers the
 * compiler in one place, with a runtime check, instead of a cast at every use.
 */

/** The element at `index` (negative counts from the end), for an index the caller knows to be in range. */
export function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index < 0 ? items.length + index : index];
  if (item === undefined) throw new RangeError(`index ${index} outside 0..${items.length - 1}`);
  return item;
}

/** The last element of a list the caller knows is not empty. */
export function last<T>(items: ArrayLike<T>): T {
  return at(items, -1);
}

/**
 * Call the handler for a node's kind from a table with one handler per kind, each typed for its
 * own kind (`{ paragraph: (node: Paragraph) => …, list: (node: List) => … }`). The table's type
 * guarantees the handler fits the node; TypeScript cannot correlate the two, so this is the one
 * place that says so.
 */
export function dispatch<K extends string, N extends Record<F, K>, F extends string, A extends unknown[], R>(
  table: { [P in K]: (node: Extract<N, Record<F, P>>, ...args: A) => R },
  field: F,
  node: N,
  ...args: A
): R {
  const handler: (node: N, ...args: A) => R = table[node[field]] as (node: N, ...args: A) => R;
  return handler(node, ...args);
}

/** The keys of a record whose keys are a known union. */
export function keysOf<K extends string>(record: Record<K, unknown>): K[] {
  return Object.keys(record) as K[];
}
