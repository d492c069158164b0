import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixture, runCli } from './helpers.js';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'letterpress-'));

describe('letterpress CLI', () => {
  it('prints help and version', () => {
    expect(runCli(['--help']).stdout).toMatch(/build/);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a failed build exits 1 with file:line:column and leaves the previous edition byte-for-byte', () => {
    const dir = scratch();
    cpSync(fixture('letters', 'bad', 'letter.md'), path.join(dir, 'letter.md'));
    const previous = 'the previous good edition\n';
    writeFileSync(path.join(dir, 'out.txt'), '');
    const out = path.join(dir, 'out');
    cpSync(path.join(dir, 'out.txt'), path.join(out, 'letter.txt'), { recursive: true });
    writeFileSync(path.join(out, 'letter.txt'), previous);
    const result = runCli(['build', 'letter.md', '--format', 'txt'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/letter\.md:13:13\s+error\s+Footnote \[\^nowhere\] is referenced but never defined/);
    expect(readFileSync(path.join(out, 'letter.txt'), 'utf8')).toBe(previous);
    expect(readdirSync(out)).toEqual(['letter.txt']);
  });

  it('rejects an unknown format', () => {
    const result = runCli(['build', 'letter.md', '--format', 'odt']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unknown format "odt"/);
  });

  it('builds another letter, with its own data file and template, without code changes', () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const result = runCli(['build', path.join(dir, 'letter.md'), '--format', 'txt'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8');
    expect(text).toContain('5 March 2024');
    expect(text).toContain('Re: A test letter in English');
    expect(text).toContain('Signatories (as of 4 March 2024)');
    expect(text).toContain('Member organisations\n\nalpha Rights / Cape Verde\nZeta Watch / Norway');
    expect(text).toContain('Individuals\n\nKim Min-jun (김민준) / Lawyer\nJane Roe / Professor');
    expect(text).toContain('We write about a matter of some urgency[1] and ask for your attention. This sentence continues');
    expect(text).toContain('[2] A second note, https://example.org/very/long/path/name.');
    expect(text).toContain('with a link <https://example.org/a/b>.');
  });

  it('writes to --out and names the edition after the letter', () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const result = runCli(['build', 'letter.md', '--format', 'txt', '--out', 'editions'], dir);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'editions', 'letter.txt'))).toBe(true);
  });
});
