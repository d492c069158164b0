/** What a process keeps between builds (src/context.ts): set aside for one cold build, then put back. */
import { describe, expect, it } from 'vitest';
import { BuildContext } from '../src/context.js';

describe('the build context', () => {
  it('runs work cold (every cache empty), then puts back what was kept and drops what the work kept', async () => {
    const context = new BuildContext();
    const map = context.map<string, number>('a map');
    const weak = context.weakMap<object, number>('a weak map');
    const slot = context.slot<string>('a slot');
    const key = {};
    map.set('kept', 1);
    weak.set(key, 2);
    slot.value = 'kept';
    const seen = await context.cold(async () => {
      const during = { map: [...map], weak: weak.has(key), slot: slot.value };
      map.set('cold', 3);
      weak.set(key, 4);
      slot.value = 'cold';
      return during;
    });
    expect(seen).toEqual({ map: [], weak: false, slot: null });
    expect([...map]).toEqual([['kept', 1]]);
    expect(weak.get(key)).toBe(2);
    expect(slot.value).toBe('kept');
    // Put back when the work fails too.
    await expect(context.cold(async () => {
      map.clear();
      throw new Error('failed');
    })).rejects.toThrow('failed');
    expect([...map]).toEqual([['kept', 1]]);
  });

  it('sets aside only the caches named, and refuses a name it does not know', async () => {
    const context = new BuildContext();
    const named = context.map<string, number>('named');
    const other = context.map<string, number>('other');
    named.set('a', 1);
    other.set('b', 2);
    const seen = await context.cold(async () => ({ named: [...named], other: [...other] }), ['named']);
    expect(seen).toEqual({ named: [], other: [['b', 2]] });
    expect([...named]).toEqual([['a', 1]]);
    await expect(context.cold(async () => 0, ['unknown'])).rejects.toThrow('No kept cache is called "unknown".');
  });
});
