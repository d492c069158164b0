import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadLetter, loadLetterFromText } from '../src/load/letter.js';
import { layoutPdf } from '../src/render/pdf/index.js';
import { root } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';

const letterPath = path.join(root, 'letter.md');

describe('lines kept across builds (watch mode)', () => {
  it('a second layout reuses the shaped pieces but hands out its own lines, labels added once', async () => {
    const { document } = await loadLetter(letterPath);
    const first = layoutPdf(buildFrame(document)).layout;
    const second = layoutPdf(buildFrame(document)).layout;
    expect(second.flow.length).toBe(first.flow.length);
    const a = first.flow[10]!.line;
    const b = second.flow[10]!.line;
    // (booleans compared: a failed match of these objects would print whole fonts)
    expect(b === a).toBe(false);
    expect(b.placed === a.placed).toBe(false);
    // the same shaped pieces, not shaped again
    expect(b.placed.length).toBe(a.placed.length);
    expect(b.placed.every((p, i) => p.piece === a.placed[i]!.piece)).toBe(true);
    // each note's first line carries its number once, however often the note was laid out
    for (const layout of [first, second]) {
      for (const [number, note] of layout.notes) {
        const first = note.lines[0]!.line.placed;
        expect(first.filter((p) => p.x === 0 && p.piece.text === String(number)).length, `note ${number}`).toBe(1);
      }
    }
  });

  it('a changed signatory list is set anew, the letter\'s lines are the same', async () => {
    const { document } = await loadLetter(letterPath);
    const before = layoutPdf(buildFrame(document)).layout;
    const text = (await import('node:fs')).readFileSync(letterPath, 'utf8');
    const changed = await loadLetterFromText({ letterPath, text });
    changed.document.signatories!.organizations.unshift({ name: 'Aardvark Rights Watch', country: 'Kenya' });
    const after = layoutPdf(buildFrame(changed.document)).layout;
    const list = (l: typeof before) => l.flow.filter((f) => f.block === 'listEntry').map((f) => f.line.placed.map((p) => p.piece.text).join(''));
    expect(list(after)).toContain('Aardvark Rights Watch / Kenya'.replace(/ /g, ''));
    expect(list(after).length).toBe(list(before).length + 1);
    const body = (l: typeof before) => l.flow.filter((f) => f.block === 'body').map((f) => f.line.placed.map((p) => `${p.piece.text}@${p.x.toFixed(3)}`).join(''));
    expect(body(after)).toEqual(body(before));
  });
});
