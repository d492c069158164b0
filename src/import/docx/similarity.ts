/** How alike two texts are, for matching notes and names that were corrected rather than replaced. */

/** Character bigram similarity (Dice), 0…1: how alike two notes or names are. */
export function similarity(a: string, b: string): number {
  const grams = (s: string) => {
    const chars = [...s.replace(/\s+/g, ' ')];
    const map = new Map<string, number>();
    for (let i = 0; i < chars.length - 1; i++) {
      const g = `${chars[i]}${chars[i + 1]}`;
      map.set(g, (map.get(g) ?? 0) + 1);
    }
    return map;
  };
  const x = grams(a);
  const y = grams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    common += Math.min(n, y.get(g) ?? 0);
    total += n;
  }
  for (const n of y.values()) total += n;
  return total === 0 ? (a === b ? 1 : 0) : (2 * common) / total;
}
