/**
 * One diagnostic family: problems found while rendering (a PDF preflight failure, a font that
 * cannot be used) reach the user as positioned `file:line:col severity message  rule` lines,
 * printed by the same function as input errors.
 */
import { describe, expect, it } from 'vitest';
import { VFile } from 'vfile';
import { loadLetter } from '../src/load/letter.js';
import { BuildError, errorAt, formatDiagnostics } from '../src/diagnostics/index.js';
import { PreflightFailed } from '../src/render/errors.js';
import { FontProblem } from '../src/fonts/errors.js';
import { fixture } from './helpers.js';
import { buildFrame } from '../src/frame/index.js';
import path from 'node:path';
import { shownIfInside } from '../src/io/paths.js';

const features = await loadLetter(fixture('letters', 'features', 'letter.md'));

describe('diagnostics from rendering', () => {
  it('reports a preflight problem about a note at that note’s first mark in the letter', () => {
    const report = { pages: 1, fonts: [], notes: [], maxRight: 0, problems: [{ note: 2, message: 'Footnote mark 2 not found' }, { message: 'Font X is not embedded' }] };
    const error = new PreflightFailed(report, buildFrame(features.document));
    expect(error).toBeInstanceOf(BuildError);
    const text = String(features.files[0]?.value);
    const line = text.split('\n').findIndex((l) => l.includes('不推回原则[^quote]')) + 1;
    const column = [...(text.split('\n')[line - 1] as string).slice(0, (text.split('\n')[line - 1] as string).indexOf('[^quote]'))].length + 1;
    const lines = formatDiagnostics(error.files).split('\n');
    expect(lines[0]).toMatch(new RegExp(`letter\\.md:${line}:${column} error The PDF failed its preflight check: Footnote mark 2 not found\\..*pdf-preflight$`));
    expect(lines[1]).toMatch(/letter\.md error The PDF failed its preflight check: Font X is not embedded\..*pdf-preflight$/);
  });

  it('reports an unusable font on the font file, in the same format', () => {
    const error = new FontProblem('Font file not found: is the font package installed? Run npm ci.', '/nowhere/Font.ttf');
    expect(error).toBeInstanceOf(BuildError);
    expect(formatDiagnostics(error.files)).toMatch(/Font\.ttf error Font file not found: is the font package installed\? Run npm ci\.  font/);
  });

  it('places a character at its own line and column, searching from where its text starts', () => {
    const file = new VFile({ path: 'letter.md', value: 'ab😀\ncd😀ef\n' });
    const fromSecondLine = errorAt([file], { path: 'letter.md', at: { line: 2, column: 1, offset: 5 } }, '😀', 'No font', 'missing-glyph');
    expect(formatDiagnostics(fromSecondLine.files)).toMatch(/^letter\.md:2:3 error No font  missing-glyph/);
    const noSource = errorAt([new VFile({ path: 'letter.md', value: 'ab😀\n' })], undefined, '😀', 'No font', 'missing-glyph');
    expect(formatDiagnostics(noSource.files)).toMatch(/^letter\.md:1:3 error/);
    const elsewhere = errorAt([file], { path: 'templates/zh-CN.yaml' }, '😀', 'No font', 'missing-glyph');
    expect(formatDiagnostics(elsewhere.files)).toMatch(/templates\/zh-CN\.yaml error No font/);
  });
});

describe('the printed list', () => {
  it('counts the errors past fifty in a file right after that file\'s lines, before the next file', () => {
    const letter = new VFile({ path: 'letter.md', value: '' });
    for (let i = 1; i <= 53; i++) letter.message(`problem ${i}`, { line: i, column: 1 }).fatal = true;
    const data = new VFile({ path: 'signatories.yaml', value: '' });
    data.message('a data problem', { line: 2, column: 3 }).fatal = true;
    const lines = formatDiagnostics([letter, data]).split('\n');
    expect(lines.filter((l) => /^letter\.md:\d+:1 error problem/.test(l))).toHaveLength(50);
    expect(lines[50]).toBe('letter.md error … and 3 more error(s) in this file, not listed.  too-many-errors');
    expect(lines[51]).toMatch(/^signatories\.yaml:2:3 error a data problem/);
    expect(lines.at(-1)).toBe('✖ 52 errors');
  });
});

describe('paths in messages', () => {
  it('are shown relative to the working folder when inside it, else whole', () => {
    expect(shownIfInside(path.join(process.cwd(), 'fonts', 'House.ttf'))).toBe(path.join('fonts', 'House.ttf'));
    expect(shownIfInside(path.join(path.dirname(process.cwd()), 'elsewhere', 'House.ttf'))).toBe(path.join(path.dirname(process.cwd()), 'elsewhere', 'House.ttf'));
    expect(shownIfInside(path.join(process.cwd(), '..foo', 'x.ttf'))).toBe(path.join('..foo', 'x.ttf'));
  });
});
