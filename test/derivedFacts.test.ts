/**
 * Facts of a letter that follow its data: the list's as-of date moves with the latest signedOn
 * (a pinned asOf older than a signature is warned about, where the signature stands), and the
 * counts in the editions' metadata come from the list after every add and remove.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { signatoriesFromText } from '../src/signatories/index.js';
import { addSignatory, removeSignatory } from '../src/signatories/edit.js';
import { loadLetter } from '../src/load/letter.js';
import { buildFrame } from '../src/frame/index.js';
import { renderHtml } from '../src/render/html/index.js';
import { scratch } from './helpers.js';

const DATA = 'organizations:\n  - name: Alpha Association\n    signedOn: 2023-09-21\n  - name: Beta League\n    signedOn: 2023-09-28\nindividuals:\n  - name: Jane Example\n    sortAs: Example\n';

describe('the as-of date', () => {
  it('follows an added signedOn when the file does not pin it', async () => {
    const dir = scratch('letterpress-asof-');
    const file = path.join(dir, 'signatories.yaml');
    writeFileSync(file, DATA);
    const asOf = () => signatoriesFromText(file, readFileSync(file, 'utf8'), 'en', '2023-09-01').list.asOf;
    expect(asOf()).toBe('2023-09-28');
    await addSignatory(file, { kind: 'organization', name: 'Gamma Group', signedOn: '2023-09-29' });
    expect(readFileSync(file, 'utf8')).not.toMatch(/asOf/);
    expect(asOf()).toBe('2023-09-29');
  });

  it('is warned about where a signature is later than a pinned asOf', () => {
    const text = `asOf: 2023-09-28\n${DATA.replace('2023-09-28', '2023-09-29')}`;
    const { list, file } = signatoriesFromText('signatories.yaml', text, 'en', '2023-09-01');
    expect(list.asOf).toBe('2023-09-28');
    const warnings = file.messages.map((m) => `${m.line}:${m.column} ${m.fatal === false ? 'warning' : 'error'} ${m.ruleId} ${m.reason}`);
    expect(warnings).toEqual([expect.stringMatching(/^6:15 warning signatories-stale-as-of Beta League signed on 2023-09-29, after asOf 2023-09-28: .*Move asOf to 2023-09-29, or delete the asOf line/)]);
    // Pinned and up to date: no warning.
    expect(signatoriesFromText('signatories.yaml', `asOf: 2023-09-28\n${DATA}`, 'en', '2023-09-01').file.messages).toEqual([]);
  });
});

describe('counts in the metadata', () => {
  it('come from the list after every add and remove', async () => {
    const dir = scratch('letterpress-counts-');
    writeFileSync(path.join(dir, 'signatories.yaml'), DATA);
    const letter = path.join(dir, 'letter.md');
    writeFileSync(letter, '---\nlang: en\ndate: 2023-09-21\nto:\n  - name: Recipient\nsubject: Counts\nsalutation: Dear Sir,\nclosing: Yours,\nauthor: "Joint letter of {organisations} organisations and {individuals} individuals"\nsignatories: signatories.yaml\ntemplate: en\n---\n\nText.\n');
    const author = async () => {
      const frame = buildFrame((await loadLetter(letter)).document);
      const html = renderHtml(frame);
      expect(html).toContain(`<meta name="author" content="${frame.author ?? ''}">`);
      return frame.author;
    };
    expect(await author()).toBe('Joint letter of 2 organisations and 1 individuals');
    await addSignatory(path.join(dir, 'signatories.yaml'), { kind: 'organization', name: 'Gamma Group' });
    await addSignatory(path.join(dir, 'signatories.yaml'), { kind: 'individual', name: 'John Sample', sortAs: 'Sample' });
    expect(await author()).toBe('Joint letter of 3 organisations and 2 individuals');
    await removeSignatory(path.join(dir, 'signatories.yaml'), 'Alpha Association');
    expect(await author()).toBe('Joint letter of 2 organisations and 2 individuals');
  });
});
