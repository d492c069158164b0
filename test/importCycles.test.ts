/**
 * The layers of src/ import each other in one direction only: no file imports itself back
 * through others, and no top-level folder of src/ (model, load, render, …) imports another that
 * imports it back. Read from the sources' import statements (static and dynamic).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2]) as string;
      targets.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle's members (Tarjan's strongly connected components of size > 1, or self-loops). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

const layer = (file: string) => path.relative(SRC, file).split(path.sep)[0] as string;

describe('import structure', () => {
  const graph = importGraph();

  it('reads the imports of every source file', () => {
    expect(graph.size).toBeGreaterThan(40);
    const edges = [...graph.values()].reduce((n, list) => n + list.length, 0);
    expect(edges).toBeGreaterThan(100);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph).map((c) => c.map((f) => path.relative(SRC, f)))).toEqual([]);
  });

  it('has no import cycle between the folders of src/', () => {
    const folders = new Map<string, string[]>();
    for (const [file, targets] of graph) {
      const from = layer(file);
      const list = folders.get(from) ?? [];
      for (const target of targets) if (layer(target) !== from) list.push(layer(target));
      folders.set(from, list);
    }
    expect(cycles(folders)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const fake = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(fake)).toEqual([['a', 'b', 'c']]);
  });

  it('keeps renderers on the frame: no file under src/render imports the template, the model or the loaders, or builds a frame', () => {
    let renderers = 0;
    for (const [file, targets] of graph) {
      if (layer(file) !== 'render') continue;
      renderers++;
      for (const target of targets) expect(['template', 'model', 'load'], `${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`).not.toContain(layer(target));
      expect(readFileSync(file, 'utf8')).not.toMatch(/\bbuildFrame\(|\btemplate\.[a-z]/);
    }
    expect(renderers).toBeGreaterThan(15);
  });

  it('keeps the model pure: src/model imports no loading, rendering or command code', () => {
    for (const [file, targets] of graph) {
      if (layer(file) !== 'model') continue;
      for (const target of targets) expect(['model', 'diagnostics', 'unicode', 'template', 'util']).toContain(layer(target));
    }
  });
});
