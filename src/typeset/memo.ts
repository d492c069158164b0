/**
 * Results kept from one build to the next (watch mode), and shared between paragraphs of one
 * build: a rebuild after a signatory change sets again only the list entries that changed, not
 * the letter. An entry is keyed by everything its result depends on; entries the last build did
 * not use are dropped when the next one starts, so memory stays that of one build.
 */
export class BuildMemo<V> {
  private readonly entries = new Map<string, { value: V; generation: number }>();
  private generation = 0;

  /** Start a new build: drop what the previous build did not use. */
  nextBuild(): void {
    for (const [key, entry] of this.entries) if (entry.generation < this.generation) this.entries.delete(key);
    this.generation++;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.generation = this.generation;
    return entry.value;
  }

  set(key: string, value: V): V {
    this.entries.set(key, { value, generation: this.generation });
    return value;
  }

  /** The entries this build has used or set, in the order they were first set. */
  used(): Array<[string, V]> {
    const out: Array<[string, V]> = [];
    for (const [key, entry] of this.entries) if (entry.generation === this.generation) out.push([key, entry.value]);
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}
