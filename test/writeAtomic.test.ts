import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuildError } from '../src/diagnostics/index.js';
import { writeFilesAtomically } from '../src/io/writeAtomic.js';
import { scratch } from './helpers.js';

describe('writeFilesAtomically', () => {
  it('writes every file, in place of the old ones, and leaves no temporary file', async () => {
    const dir = scratch('letterpress-atomic-');
    const files = ['a.pdf', 'b.docx', 'c.txt', 'd.html', 'e.json', 'sub/f.pdf'].map((name, i) => ({ path: path.join(dir, name), data: `${name} ${'x'.repeat(i * 1000)}` }));
    writeFileSync(path.join(dir, 'b.docx'), 'old');
    await writeFilesAtomically(files);
    for (const f of files) expect(readFileSync(f.path, 'utf8')).toBe(f.data);
    expect(readdirSync(dir).sort()).toEqual(['a.pdf', 'b.docx', 'c.txt', 'd.html', 'e.json', 'sub']);
  });

  it('names the first file in order that cannot be written (they are written side by side), and changes none', async () => {
    const dir = scratch('letterpress-atomic-');
    for (const name of ['a.pdf', 'c.txt', 'e.json']) writeFileSync(path.join(dir, name), 'old');
    // Folders stand where b and d should go; b, written after a, may fail after d has.
    mkdirSync(path.join(dir, 'b.docx'));
    mkdirSync(path.join(dir, 'd.html'));
    const files = ['a.pdf', 'b.docx', 'c.txt', 'd.html', 'e.json'].map((name) => ({ path: path.join(dir, name), data: `new ${name}`.repeat(name === 'a.pdf' ? 50_000 : 1) }));
    const err = await writeFilesAtomically(files).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    const [file] = (err as BuildError).files;
    expect(file?.path).toMatch(/b\.docx$/);
    expect(file?.messages[0]?.ruleId).toBe('write-failed');
    for (const name of ['a.pdf', 'c.txt', 'e.json']) expect(readFileSync(path.join(dir, name), 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['a.pdf', 'b.docx', 'c.txt', 'd.html', 'e.json']);
  });
});
