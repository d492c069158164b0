/**
 * What letterpress keeps in memory from one build to the next (watch mode, several letters in one
 * command, the tests): every cache is made here, under a name, by the module that fills it, so
 * that what a rebuild reuses is listed in one place (`buildContext.list()`) and can be dropped at
 * once (`buildContext.clear()`). A cache keyed by another's objects (a face, a font chain) is a
 * weak map: its entries go when the owning cache lets the key go.
 *
 * Kept between builds (module that fills it):
 * - templates: parsed template files, by path and text (load/template.ts)
 * - last letter: the last parsed letter, by its text (load/letter.ts)
 * - font faces: open font files (fonts/fontChain.ts; opened again when the file changes, keeping
 *   its id: replaced face ids); font chains: per template font list; face
 *   runs: texts cut into runs of one face, per chain (fonts/faceRuns.ts)
 * - font subsets: the Word copy's embedded subsets, by font and characters (fonts/subset.ts; also
 *   kept on disk, src/io/diskCache.ts); font file hashes: their disk cache keys, per font file's
 *   bytes; font file hashes by identity: the same, per file identity (also remembered on disk,
 *   src/fonts/subsetCache.ts)
 * - deflated package parts: the Word copy's zip entries as deflated, by part name and bytes
 *   (render/docx/zipCache.ts, which also keeps them on disk); patched Word styles: styles.xml as
 *   patched, by its input and the patch (render/docx/finish.ts)
 * - hyphenators: per language (typeset/hyphenate.ts)
 * - advances: shaped words and characters, per face (typeset/shape.ts)
 * - harfbuzz fonts: HarfBuzz's copy of each face, for shaping (typeset/harfbuzz.ts)
 * - collators: per language (signatories/sort.ts)
 * - layout memos: set lines and shaped entries, per font chain (render/pdf/layout/lineSetter.ts;
 *   also kept on disk with the sane glyphs, render/pdf/layout/storedLines.ts)
 * - space glyphs: per face (render/pdf/pdfkitDraw.ts); pdf fonts: each face's font as pdfkit
 *   embeds it, with its own glyph cache, each font subset's file as deflated (also kept on
 *   disk), and the last document's page content streams as deflated (render/pdf/pdfkitAdapter.ts)
 * - sane glyphs and sane texts: glyph checks already passed, per face (render/pdf/layoutCheck.ts)
 */

/** One kept cache as the context lists it. */
export interface KeptCache {
  name: string;
  /** How many entries it holds (null for a weak map, which cannot tell). */
  size: number | null;
}

/** A weak map the context can empty (a WeakMap cannot be cleared, so it is replaced). */
export class KeptWeakMap<K extends object, V> {
  private map = new WeakMap<K, V>();

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): this {
    this.map.set(key, value);
    return this;
  }

  clear(): void {
    this.map = new WeakMap<K, V>();
  }

  /** Empty it; the function returned puts back what it held. */
  setAside(): () => void {
    const kept = this.map;
    this.map = new WeakMap<K, V>();
    return () => {
      this.map = kept;
    };
  }
}

/** A single kept value (the last parsed letter). */
export class KeptSlot<T> {
  value: T | null = null;

  clear(): void {
    this.value = null;
  }
}

interface Registered {
  size: () => number | null;
  clear: () => void;
  /** Empty the cache; the function returned puts back what it held. */
  setAside: () => () => void;
}

export class BuildContext {
  private readonly caches = new Map<string, Registered>();

  private register(name: string, cache: Registered): void {
    if (this.caches.has(name)) throw new Error(`Two caches are called "${name}".`);
    this.caches.set(name, cache);
  }

  map<K, V>(name: string): Map<K, V> {
    const map = new Map<K, V>();
    this.register(name, {
      size: () => map.size,
      clear: () => map.clear(),
      setAside: () => {
        const kept = [...map];
        map.clear();
        return () => {
          map.clear();
          for (const [key, value] of kept) map.set(key, value);
        };
      },
    });
    return map;
  }

  weakMap<K extends object, V>(name: string): KeptWeakMap<K, V> {
    const map = new KeptWeakMap<K, V>();
    this.register(name, { size: () => null, clear: () => map.clear(), setAside: () => map.setAside() });
    return map;
  }

  slot<T>(name: string): KeptSlot<T> {
    const slot = new KeptSlot<T>();
    this.register(name, {
      size: () => (slot.value === null ? 0 : 1),
      clear: () => slot.clear(),
      setAside: () => {
        const kept = slot.value;
        slot.clear();
        return () => {
          slot.value = kept;
        };
      },
    });
    return slot;
  }

  /** Every kept cache, by name, with its size. */
  list(): KeptCache[] {
    return [...this.caches].map(([name, cache]) => ({ name, size: cache.size() }));
  }

  /**
   * Drop everything kept (or only the caches named): the next build reads, parses and sets
   * everything again.
   */
  clear(only?: string[]): void {
    const unknown = only?.find((name) => !this.caches.has(name));
    if (unknown) throw new Error(`No kept cache is called "${unknown}".`);
    for (const [name, cache] of this.caches) if (!only || only.includes(name)) cache.clear();
  }

  /**
   * Run `work` with nothing kept (or without the caches named), as in a new process, then put back
   * what was kept before (what `work` kept there is dropped): a cold build beside warm ones,
   * without making every later build of the process cold too (the tests that compare the two).
   */
  async cold<T>(work: () => Promise<T>, only?: string[]): Promise<T> {
    const unknown = only?.find((name) => !this.caches.has(name));
    if (unknown) throw new Error(`No kept cache is called "${unknown}".`);
    const putBack = [...this.caches].filter(([name]) => !only || only.includes(name)).map(([, cache]) => cache.setAside());
    try {
      return await work();
    } finally {
      for (const restore of putBack) restore();
    }
  }
}

/** The context of this process's builds. */
export const buildContext = new BuildContext();
