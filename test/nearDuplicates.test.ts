/**
 * The near-duplicate index on long lists: a typo in a long name is found through its pieces, names
 * that differ in their numbers stay apart however close, the first matching name is the one
 * reported, and a piece shared by very many names is not compared through.
 */
import { describe, expect, it } from 'vitest';
import { remove as confusableSkeleton } from 'confusables';
import { duplicateKey, lookAlikeKey, NearDuplicateIndex, nearKey } from '../src/signatories/nearDuplicates.js';

function firstMatches(names: string[]): Array<[string, string, string] | null> {
  const index = new NearDuplicateIndex<string>((name) => name);
  return names.map((name) => {
    const match = index.findAndAdd(name);
    return match ? [name, match.item, match.reason] : null;
  });
}

describe('near-duplicate index', () => {
  it('finds a typo in a long name, whichever piece it is in', () => {
    const found = firstMatches(['Amnesty International Asia', 'Amnesty Internatonal Asia', 'Amnesty International Asai', 'Amnestyy International Asia']);
    expect(found).toEqual([
      null,
      ['Amnesty Internatonal Asia', 'Amnesty International Asia', 'typo'],
      ['Amnesty International Asai', 'Amnesty International Asia', 'typo'],
      // the first listed name it is close to
      ['Amnestyy International Asia', 'Amnesty Internatonal Asia', 'typo'],
    ]);
  });

  it('keeps numbered names apart, and matches a typo among names with the same numbers', () => {
    const names = Array.from({ length: 50 }, (_, i) => `Human Rights Network Region ${i}`);
    expect(firstMatches(names).every((m) => m === null)).toBe(true);
    const index = new NearDuplicateIndex<string>((name) => name);
    for (const name of names) index.add(name);
    expect(index.find('Human Rigths Network Region 17')).toEqual({ item: 'Human Rights Network Region 17', reason: 'typo' });
    expect(index.find('Human Rigths Network Region 99')).toBeNull();
  });

  it('reports the first listed of two names the typo is close to', () => {
    const found = firstMatches(['Refugee Support Centre Nordic 7', 'Refugee Support Centres Nordic 7', 'Refugee Suport Centre Nordic 7']);
    expect(found[1]).toEqual(['Refugee Support Centres Nordic 7', 'Refugee Support Centre Nordic 7', 'typo']);
    expect(found[2]).toEqual(['Refugee Suport Centre Nordic 7', 'Refugee Support Centre Nordic 7', 'typo']);
  });

  it('does not compare through a piece that more than 64 names share', () => {
    // 70 names of one length sharing their first two pieces: "…aqxyzq" is two edits from
    // "…aaxyzw", but only those shared pieces would lead to it (the documented limit of the index).
    const shared = Array.from({ length: 70 }, (_, i) => `Solidarity Forum ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}xyzw`);
    const index = new NearDuplicateIndex<string>((name) => name);
    for (const name of shared) index.add(name);
    expect(index.find('Solidarity Forum aaxyzw')).toEqual({ item: 'Solidarity Forum aaxyzw', reason: 'same-key' });
    expect(index.find('Solidarity Forum aqxyzq')).toBeNull();
  });
});

describe('near key', () => {
  // The key as the module comment defines it, step by step for any text (nearKey leaves out the
  // Unicode normalisation for ASCII names and reads ASCII punctuation with a plain class).
  const QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4`'\u201c\u201d\u201e\u201f\u2033"\u00ab\u00bb\u300c\u300d\u300e\u300f]/gu;
  function reference(name: string): string {
    let s = name.normalize('NFKC').toLowerCase().replace(QUOTES, '');
    s = s.replace(/\s*[([]\s*[^\s()[\]]{1,15}\s*[)\]]\s*$/u, '');
    s = s.normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
    return s.replace(/[\p{P}\p{S}\s]+/gu, ' ').trim().replace(/^the /u, '');
  }

  it('is the same for every ASCII character, alone, inside a word and in a trailing abbreviation', () => {
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      for (const text of [c, `a${c}b`, `The Forum ${c}`, `Forum (${c}HRW)`, `Forum [X${c}] `, `x${c}${c}y`]) expect(nearKey(text), JSON.stringify(text)).toBe(reference(text));
    }
  });

  it('of an ASCII name without look-alikes is its look-alike key too (the index takes it for granted)', () => {
    let checked = 0;
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      for (const text of [c, `A${c}b`, `The Forum ${c}`, `Forum (${c}HRW) `, ` Forum [X${c}]`, `x${c}${c}y `, `THE ${c}\tForum\n(HR${c})`]) {
        const folded = duplicateKey(text);
        if (confusableSkeleton(folded) !== folded) continue;
        expect(nearKey(lookAlikeKey(text)), JSON.stringify(text)).toBe(nearKey(text));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('is the same for names in other scripts and with full-width forms', () => {
    for (const text of ['Ｃｉｔｉｚｅｎｓ’ Alliance （NKHR）', 'Citizens\u2019 Alliance (NKHR)', 'Zürich Forum', 'Győr–Sopron', '人权观察（HRW）', '한국 인권 연대 12', 'Frère\u00a0Jacques ', 'the the']) {
      expect(nearKey(text), text).toBe(reference(text));
    }
  });
});
