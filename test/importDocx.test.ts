import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLetter } from '../src/load/letter.js';
import { renderDocx } from '../src/render/docx/index.js';
import { importDocx } from '../src/import/docx/index.js';
import { root } from './helpers.js';

const letters = ['letter.md', 'examples/letter.en.md', 'examples/letter.ja.md', 'examples/letter.ko.md', 'examples/letter.zh-TW.md'];

describe('import-docx: round trip of an untouched Word copy', () => {
  for (const name of letters) {
    it(`${name} comes back byte for byte`, async () => {
      const file = path.join(root, name);
      const text = readFileSync(file, 'utf8');
      const { document } = await loadLetter(file);
      const docx = await renderDocx(document);
      const result = await importDocx(text, document, docx, { tracked: 'accept' });
      expect(result.unmapped).toEqual([]);
      expect(result.signatories).toEqual([]);
      expect(result.fields).toEqual([]);
      expect(result.notes.every((n) => n.state === 'unchanged')).toBe(true);
      expect(result.text).toBe(text);
    });
  }
});
