/**
 * The layers of src/ import each other in one direction only: no file imports itself back
 * through others, and no top-level folder of src/ (model, load, render, …) imports another that
 * imports it back. Read from the sources' import statements (static and dynamic).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, scratch } from './helpers.js';

const SRC = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** `import … from './x.js'`, `export … from './x.js'`, `import './x.js'` and `import('./x.js')`. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|(?:^|\n)\s*import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

function importGraph(dir = SRC): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const match of text.matchAll(IMPORT)) {
      const spec = (match[1] ?? match[2] ?? match[3]) as string;
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
    expect(graph.size).toBe(sourceFiles(SRC).length);
    // This very folder's entry point: its static and dynamic imports are all read.
    expect(graph.get(path.join(SRC, 'cli', 'main.ts'))).toEqual([path.join(SRC, 'cli', 'codeCache.ts'), path.join(SRC, 'cli', 'start.ts')]);
    expect(graph.get(path.join(SRC, 'cli', 'start.ts'))).toEqual([path.join(SRC, 'cli', 'program.ts'), path.join(SRC, 'cli', 'internal.ts'), path.join(SRC, 'build', 'worker', 'rule.ts'), path.join(SRC, 'build', 'worker', 'thread.ts')]);
  });

  it('finds and names a cycle planted in a source tree, through every form of import', () => {
    const dir = scratch('letterpress-imports-');
    const write = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    };
    // a → b (multi-line static) → c (type-only re-export) → d (side effect) → a (dynamic): one cycle;
    // e imports a but nothing imports e back; f.d.ts and the comment's import are not sources.
    write('model/a.ts', "import {\n  one,\n  two,\n} from '../load/b.js';\nexport const a = one + two;\n");
    write('load/b.ts', "export type { C } from './deep/c.js';\nexport const one = 1, two = 2;\n");
    write('load/deep/c.ts', "import '../../render/d.js';\nexport interface C { c: number }\n");
    write('render/d.ts', "// a note: import { x } from './nowhere.js' is prose here\nexport const later = () => import('../model/a.js');\n");
    write('render/e.ts', "import { a } from '../model/a.js';\nexport const e = a;\n");
    write('render/f.d.ts', "import { e } from './e.js';\n");
    const planted = importGraph(dir);
    expect([...planted.keys()].map((f) => path.relative(dir, f)).sort()).toEqual(['load/b.ts', 'load/deep/c.ts', 'model/a.ts', 'render/d.ts', 'render/e.ts']);
    expect(cycles(planted).map((c) => c.map((f) => path.relative(dir, f)))).toEqual([['load/b.ts', 'load/deep/c.ts', 'model/a.ts', 'render/d.ts']]);
    // Cut one link (the dynamic import) and the cycle is gone.
    write('render/d.ts', 'export const later = () => 0;\n');
    expect(cycles(importGraph(dir))).toEqual([]);
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
