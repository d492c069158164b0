/**
 * Careless and hostile input, as a table: every case sets up a copy of a small project
 * (the English fixture letter, its CSV data and template, already built once) beside a folder
 * `outside/`, runs the CLI, and asserts the exit code, the message (file:line:col and wording),
 * and that nothing changed that should not have: for a refused run nothing at all (the previous
 * editions byte for byte), for an accepted one only the output folder or the edited file.
 *
 * The CLI runs in this process through its entry function (runCli); cases marked `process` (or
 * with an `env`) run the real executable, for what only a process shows: the exit code the shell
 * sees, a fault injected into the process, a stack trace. test/cli.test.ts has the others
 * (--version, a usage error, a refused build, Ctrl-C in watch, a closed pipe).
 */
import {
  chmodSync, cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { changed, distReady, fixture, root, runCli, runCliProcess, scratch, snapshot } from './helpers.js';

const HEADER = 'kind,name,country,title,sort_as,signed_on';

interface Ctx {
  /** The project folder (the letter's folder). */
  p: string;
  /** The folder holding the project and `outside/`. */
  t: string;
  write(rel: string, data: string | Uint8Array): void;
  edit(rel: string, change: (text: string) => string): void;
  read(rel: string): string;
}

interface Case {
  name: string;
  setup?: (c: Ctx) => void;
  args: string[];
  env?: NodeJS.ProcessEnv;
  code: number;
  /** Patterns the output (stderr, then stdout) must match. */
  expect: RegExp[];
  /** Patterns it must not match. */
  never?: RegExp[];
  /** Paths (relative to the case folder, prefixes) allowed to change; none when the run is refused. */
  changes?: string[];
  /** Further checks on the project after the run. */
  after?: (c: Ctx, out: string) => void;
  /** Run the real executable (always, when `env` is given). */
  process?: boolean;
}

const LETTER_SIGNATORIES = (ref: string) => (c: Ctx) => c.edit('project/letter.md', (t) => t.replace('signatories: people.csv', `signatories: ${ref}`));
const LETTER_TEMPLATE = (ref: string) => (c: Ctx) => c.edit('project/letter.md', (t) => t.replace('template: house.yaml', `template: ${ref}`));
const FIRST_FONT = (entry: string) => (c: Ctx) =>
  c.edit('project/house.yaml', (t) => t.replace('  serif:\n', `  serif:\n    - ${entry}\n`));
const DATA_YAML = (yaml: string | Uint8Array) => (c: Ctx) => {
  LETTER_SIGNATORIES('people.yaml')(c);
  c.write('project/people.yaml', yaml);
};
const CSV = (text: string | Uint8Array) => (c: Ctx) => c.write('project/people.csv', text);
const BODY = (body: string) => (c: Ctx) => c.edit('project/letter.md', (t) => `${t.slice(0, t.indexOf('---\n', 4) + 4)}\n${body}`);
const both = (...steps: Array<(c: Ctx) => void>) => (c: Ctx) => steps.forEach((s) => s(c));

const BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'];
const DEEP = `organizations: ${'['.repeat(100)}${']'.repeat(100)}\n`;
const OUT = ['project/out/'];
/** A fault injected into the CLI process: every collator throws (signatories are sorted with one). */
const INJECT_FAULT = '--import=data:text/javascript,Intl.Collator=function(){throw(TypeError(`injected_fault`))}';
const ADD = ['signatories', 'add', '--org', 'New Org', '--country', 'Chile', '--date', '2024-03-05'];
const BUILD = ['build', '--format', 'txt'];
/** A real font (a small one: every case copies and hashes the whole project). */
const FONT_FILE = path.join(root, 'node_modules', '@expo-google-fonts', 'source-serif-4', '400Regular', 'SourceSerif4_400Regular.ttf');

/** Layout facts as letterpress stores them in the PDF's Info dictionary, with one value spoiled. */
const GOOD_FACTS = { pageWidth: 595.28, textLeft: 70.87, textRight: 524.41, markSize: 6.3, noteSize: 9, notes: 1 };
const SPOILED_FACTS = { notes: { ...GOOD_FACTS, notes: 100_000_000 }, margin: { ...GOOD_FACTS, textRight: 'wide' } };
/** A PDF (made with pdfkit) carrying spoiled layout facts. */
const withFacts = (which: keyof typeof SPOILED_FACTS) => (c: Ctx) => c.write('project/facts.pdf', FACT_PDFS[which]);

const groups: Record<string, Case[]> = {
  '1 paths stay inside the project': [
    { name: 'data file ../outside', setup: LETTER_SIGNATORIES('../outside/x.yaml'), args: BUILD, code: 1, expect: [/letter\.md:10:1 error Signatory file "\.\.\/outside\/x\.yaml" lies outside the letter's folder/] },
    { name: 'data file by absolute path', setup: (c) => LETTER_SIGNATORIES(path.join(c.t, 'outside', 'x.yaml'))(c), args: BUILD, code: 1, expect: [/letter\.md:10:1 error Signatory file ".*outside\/x\.yaml" lies outside the letter's folder/] },
    { name: 'data file a symlink out', setup: (c) => { rmSync(path.join(c.p, 'people.csv')); symlinkSync('../outside/people.csv', path.join(c.p, 'people.csv')); }, args: BUILD, code: 1, expect: [/letter\.md:10:1 error Signatory file "people\.csv" lies outside the letter's folder \(it is a symbolic link to .*outside\/people\.csv\)/] },
    { name: 'template ../outside', setup: LETTER_TEMPLATE('../outside/house.yaml'), args: BUILD, code: 1, expect: [/letter\.md:11:1 error Template "\.\.\/outside\/house\.yaml" lies outside the letter's folder/] },
    { name: 'template a symlink out', setup: (c) => { rmSync(path.join(c.p, 'house.yaml')); symlinkSync('../outside/house.yaml', path.join(c.p, 'house.yaml')); }, args: BUILD, code: 1, expect: [/letter\.md:11:1 error Template "house\.yaml" lies outside the letter's folder \(it is a symbolic link/] },
    { name: 'templates/ folder a symlink out', setup: both(LETTER_TEMPLATE('house'), (c) => symlinkSync('../outside', path.join(c.p, 'templates'))), args: BUILD, code: 1, expect: [/letter\.md:11:1 error Template "templates\/house\.yaml" lies outside the letter's folder/] },
    { name: 'font file ../outside', setup: FIRST_FONT('{ file: "../outside/font.ttf", name: "Evil" }'), args: ['build', '--format', 'pdf'], code: 1, expect: [/^house\.yaml error Font file "\.\.\/outside\/font\.ttf" lies outside the project folder/m] },
    { name: 'font package entry climbing out', setup: FIRST_FONT('{ package: "@expo-google-fonts/noto-serif-sc", regular: "../../../../outside/font.ttf", name: "Evil" }'), args: ['build', '--format', 'pdf'], code: 1, expect: [/^house\.yaml error Font file of package @expo-google-fonts\/noto-serif-sc "\.\.\/\.\.\/\.\.\/\.\.\/outside\/font\.ttf" lies outside its package folder/m] },
    { name: 'font file a symlink out', setup: both(FIRST_FONT('{ file: "fonts/evil.ttf", name: "Evil" }'), (c) => { mkdirSync(path.join(c.p, 'fonts')); symlinkSync('../../outside/font.ttf', path.join(c.p, 'fonts', 'evil.ttf')); }), args: ['build', '--format', 'pdf'], code: 1, expect: [/^house\.yaml error Font file "fonts\/evil\.ttf" lies outside the project folder .*\(it is a symbolic link/m] },
    { name: 'signatories add to ../outside', setup: LETTER_SIGNATORIES('../outside/x.yaml'), args: ADD, code: 1, expect: [/letter\.md:10:1 error Signatory file "\.\.\/outside\/x\.yaml" lies outside the letter's folder/] },
    { name: 'signatories remove from ../outside', setup: LETTER_SIGNATORIES('../outside/x.yaml'), args: ['signatories', 'remove', 'Outside Org'], code: 1, expect: [/letter\.md:10:1 error Signatory file "\.\.\/outside\/x\.yaml" lies outside/] },
    { name: 'signatories list of ../outside', setup: LETTER_SIGNATORIES('../outside/x.yaml'), args: ['signatories', 'list'], code: 1, expect: [/letter\.md:10:1 error Signatory file "\.\.\/outside\/x\.yaml" lies outside/] },
    { name: 'signatories add through a symlink out', setup: (c) => { rmSync(path.join(c.p, 'people.csv')); symlinkSync('../outside/people.csv', path.join(c.p, 'people.csv')); }, args: ADD, code: 1, expect: [/letter\.md:10:1 error Signatory file "people\.csv" lies outside the letter's folder \(it is a symbolic link/] },
    { name: 'signatories add --file a symlink out', setup: (c) => { symlinkSync('../outside/people.csv', path.join(c.p, 'other.csv')); }, args: [...ADD, '--file', 'other.csv'], code: 1, expect: [/Signatory file "other\.csv" lies outside the letter's folder \(it is a symbolic link/] },
  ],
  '2 no stack trace: one diagnostic, exit 1; a bug exits 70': [
    { name: 'alias bomb in the data file', setup: DATA_YAML(`${BOMB.join('\n')}\n`), args: BUILD, code: 1, expect: [/people\.yaml:2:\d+ error Signatory file expands its aliases \(\*name\) into too many nodes/] },
    { name: 'alias bomb in the front matter', setup: (c) => c.edit('project/letter.md', (t) => t.replace('lang: en\n', `lang: en\n${BOMB.join('\n')}\n`)), args: BUILD, code: 1, expect: [/letter\.md:4:\d+ error Front matter expands its aliases/] },
    { name: 'alias bomb in the template', setup: (c) => c.edit('project/house.yaml', (t) => `${BOMB.join('\n')}\n${t}`), args: BUILD, code: 1, expect: [/house\.yaml:2:\d+ error Template expands its aliases/] },
    { name: 'YAML nested 100 deep in the data file', setup: DATA_YAML(DEEP), args: BUILD, code: 1, expect: [/people\.yaml:1:\d+ error Signatory file is nested more than 64 levels deep/] },
    { name: 'YAML nested 100 deep in the template', setup: (c) => c.edit('project/house.yaml', (t) => `${t}extra: ${'['.repeat(100)}${']'.repeat(100)}\n`), args: BUILD, code: 1, expect: [/house\.yaml:\d+:\d+ error Template is nested more than 64 levels deep/] },
    { name: 'Markdown quotes 5000 deep', setup: BODY(`${'> '.repeat(5000)}text\n`), args: BUILD, code: 1, expect: [/letter\.md:14:1 error Markdown nested more than 32 levels deep/] },
    { name: 'Markdown emphasis 20000 deep', setup: BODY(`${'*'.repeat(20000)}text${'*'.repeat(20000)}\n`), args: BUILD, code: 1, expect: [/letter\.md:14:1 error Markdown nested more than 32 levels deep/] },
    { name: 'a text file named as a font', setup: both(FIRST_FONT('{ file: "fonts/not-a-font.ttf", name: "Fake" }'), (c) => c.write('project/fonts/not-a-font.ttf', 'this is not a font\n')), args: ['build', '--format', 'pdf'], code: 1, expect: [/^fonts\/not-a-font\.ttf error Not a font file fontkit can read \(TrueType, OpenType or WOFF\)\.  font$/m] },
    { name: 'check a text file', args: ['check', 'letter.md'], code: 1, expect: [/^letter\.md error The file is not a PDF \(it has no %PDF- header\)\.  check-input/m] },
    { name: 'check an empty file', setup: (c) => c.write('project/empty.pdf', ''), args: ['check', 'empty.pdf'], code: 1, expect: [/^empty\.pdf error The file is empty; it is not a PDF\./m] },
    { name: 'check a truncated PDF', setup: (c) => c.write('project/cut.pdf', readFileSync(path.join(c.p, 'out', 'letter.pdf')).subarray(0, 3000)), args: ['check', 'cut.pdf'], code: 1, expect: [/^cut\.pdf error Cannot check the file: the (file is not a PDF, or is damaged|PDF is damaged)/m] },
    { name: 'check a password-protected PDF', setup: (c) => c.write('project/locked.pdf', LOCKED_PDF), args: ['check', 'locked.pdf'], code: 1, expect: [/^locked\.pdf error Cannot check the file: the PDF is password-protected/m] },
    { name: 'check a folder', args: ['check', 'out'], code: 1, expect: [/^out error Not a file; give the path of a PDF\./m] },
    { name: '--out naming a file', setup: (c) => c.write('project/notes.txt', 'a file\n'), args: [...BUILD, '--out', 'notes.txt'], code: 1, expect: [/notes\.txt\/letter\.txt error Cannot write the file: a file stands where a folder should go \(EEXIST\)\.  write-failed/] },
    { name: 'the letter is missing', args: ['build', 'nope.md', '--format', 'txt'], code: 1, expect: [/^nope\.md error Cannot read the file; check the path of the letter/m] },
    { name: 'the letter is a folder', setup: (c) => mkdirSync(path.join(c.p, 'dir.md')), args: ['build', 'dir.md', '--format', 'txt'], code: 1, expect: [/^dir\.md error This is a folder, not a file/m] },
    { name: 'a damaged manifest is ignored, the build goes on', setup: (c) => c.write('project/out/letter.manifest.json', '{"version":1,"organizations":7}'), args: BUILD, code: 0, expect: [/Changes: first build/], changes: OUT },
    { name: 'an internal error: one line, exit 70, no stack', env: { NODE_OPTIONS: INJECT_FAULT }, args: BUILD, code: 70, expect: [/^letterpress: internal error \(this is a bug in letterpress, please report it\): TypeError: injected_fault$/m, /Run again with --debug/], never: [/^\s+at /m] },
    { name: 'an internal error with --debug shows the stack', env: { NODE_OPTIONS: INJECT_FAULT }, args: [...BUILD, '--debug'], code: 70, expect: [/internal error .*injected_fault/, /^\s+at /m] },
  ],
  '3 encodings and CSV dialects': [
    { name: 'letter in GB18030', setup: (c) => { const t = c.read('project/letter.md').replace('We write', '我们写信'); c.write('project/letter.md', new Uint8Array(new TextEncoderGb().encode(t))); }, args: BUILD, code: 1, expect: [/letter\.md:14:1 error The file is not UTF-8 \(it looks like GB18030\/GBK or Big5\): save it as UTF-8\.  encoding/] },
    { name: 'CSV in GB18030', setup: (c) => c.write('project/people.csv', new TextEncoderGb().encode(`${HEADER}\norganization,中国人权,,,,\n`)), args: BUILD, code: 1, expect: [/people\.csv:2:14 error The file is not UTF-8 \(it looks like GB18030\/GBK or Big5\)/] },
    { name: 'template in Windows-1252', setup: (c) => c.write('project/house.yaml', Buffer.from(c.read('project/house.yaml').replace(/cc: .*/, 'cc: "Copie à"'), 'latin1')), args: BUILD, code: 1, expect: [/house\.yaml:\d+:\d+ error The file is not UTF-8 \(it looks like Windows-1252\/Latin-1\)/] },
    { name: 'data in Shift_JIS', setup: DATA_YAML(Buffer.from([...Buffer.from('organizations:\n  - name: '), 0x93, 0xfa, 0x96, 0x7b, 0x82, 0xcc, 0x89, 0xef, 10])), args: BUILD, code: 1, expect: [/people\.yaml:2:11 error The file is not UTF-8 \(it looks like Shift_JIS\)/] },
    { name: 'a NUL byte in the letter', setup: BODY('Text with a \u0000 NUL.\n'), args: BUILD, code: 1, expect: [/letter\.md:14:13 error The file contains a NUL byte/] },
    { name: 'UTF-16 with an odd byte', setup: CSV(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42])), args: BUILD, code: 1, expect: [/people\.csv error The file starts like UTF-16 \(UTF-16LE\) but is not valid UTF-16/] },
    { name: 'UTF-16LE CSV with BOM (Excel "Unicode text") is read', setup: (c) => c.write('project/people.csv', Buffer.from(`\ufeff${c.read('project/people.csv')}`, 'utf16le')), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('Zeta Watch / Norway') },
    { name: 'UTF-16BE YAML with BOM is read', setup: DATA_YAML(Buffer.from('\ufeffallowEmpty: false\norganizations:\n  - name: Big Endian Org\n', 'utf16le').swap16()), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('Big Endian Org') },
    { name: 'semicolon-separated CSV', setup: (c) => c.edit('project/people.csv', (t) => t.replace(/,/g, ';').replace('"Cape Verde"', 'Cape Verde')), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('alpha Rights / Cape Verde') },
    { name: 'tab-separated CSV', setup: (c) => c.edit('project/people.csv', (t) => t.replace(/,/g, '\t')), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('Kim Min-jun (김민준) / Lawyer') },
    { name: 'quoted header and trailing empty Excel rows', setup: (c) => c.edit('project/people.csv', (t) => `${t.replace(HEADER, HEADER.split(',').map((h) => `"${h}"`).join(','))},,,,,\n,,,,,\n`), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('Jane Roe / Professor') },
    { name: 'a semicolon row in a comma file', setup: CSV(`${HEADER}\norganization,A,,,,\norganization;B;;;;\n`), args: BUILD, code: 1, expect: [/people\.csv:3:1 error This row has 1 field\(s\), the header has 6 — this row seems separated by ";", the header by ","/] },
    { name: 'header with an unknown column', setup: CSV('kind,name,colour\norganization,A,red\n'), args: BUILD, code: 1, expect: [/people\.csv:1:11 error Unknown column "colour" in the header/] },
  ],
  '4 all errors at once': [
    { name: 'ten bad rows, ten messages', setup: CSV(`${HEADER}\n${Array.from({ length: 10 }, (_, i) => `company,Org ${i},,,,`).join('\n')}\n`), args: BUILD, code: 1, expect: [/people\.csv:2:1 error Unknown kind "company"/, /people\.csv:11:1 error Unknown kind "company"/, /✖ 10 errors/] },
    { name: 'sixty bad rows: fifty listed and the rest counted', setup: CSV(`${HEADER}\n${Array.from({ length: 60 }, (_, i) => `organization,Org ${i},,,,2023-13-0${i % 9 + 1}`).join('\n')}\n`), args: BUILD, code: 1, expect: [/people\.csv:51:\d+ error Malformed date/, /people\.csv error … and 10 more error\(s\) in this file, not listed\./, /✖ 51 errors/], never: [/people\.csv:52:/] },
    { name: 'an unclosed quote does not hide later rows', setup: CSV(`${HEADER}\norganization,A,,,,\norganization,"B,,,,\norganization,C,,,,2023-02-30\ncompany,D,,,,\n`), args: BUILD, code: 1, expect: [/people\.csv:3:14 error Not valid CSV: a double quote opened here is never closed/, /people\.csv:4:\d+ error Malformed date "2023-02-30"/, /people\.csv:5:1 error Unknown kind "company"/] },
    { name: 'text after a closing quote, and a duplicate further down', setup: CSV(`${HEADER}\norganization,"A"x,,,,\norganization,B,,,,\norganization,b,,,,\n`), args: BUILD, code: 1, expect: [/people\.csv:2:1 error Not valid CSV: text follows a closing double quote/, /people\.csv:4:14 error Duplicate organization "b": already listed as "B" on line 3/] },
    { name: 'YAML data: bad date, empty name and duplicate together', setup: DATA_YAML('organizations:\n  - name: A\n    signedOn: 2023-02-30\n  - name: ""\n  - name: B\n  - name: b\n'), args: BUILD, code: 1, expect: [/people\.yaml:3:15 error Malformed date/, /people\.yaml:4:11 error Empty name/, /people\.yaml:6:11 error Duplicate organization "b"/, /✖ 3 errors/] },
    { name: 'front matter: a missing field and an unknown one, each where it belongs', setup: (c) => c.edit('project/letter.md', (t) => t.replace('subject: A test letter in English\n', '').replace('closing:', 'colour: red\nclosing:')), args: BUILD, code: 1, expect: [/letter\.md:2:1 error Front matter field `subject`: is missing/, /letter\.md:8:1 error Front matter: unknown field `colour`/] },
    { name: 'YAML syntax error in the data file, positioned', setup: DATA_YAML('organizations:\n  - name: B\n  - name: A: B\n'), args: BUILD, code: 1, expect: [/people\.yaml:3:11 error Signatory file is not valid YAML: Nested mappings are not allowed in compact mappings/] },
    { name: 'YAML syntax error in the template, positioned', setup: (c) => c.edit('project/house.yaml', (t) => t.replace(/cc: .*/, 'cc: [unclosed')), args: BUILD, code: 1, expect: [/house\.yaml:\d+:\d+ error Template is not valid YAML/], never: [/house\.yaml error/] },
    { name: 'YAML syntax error in the front matter, at its line', setup: (c) => c.edit('project/letter.md', (t) => t.replace('subject: A test', 'subject: A: test')), args: BUILD, code: 1, expect: [/letter\.md:7:10 error Front matter is not valid YAML: Nested mappings are not allowed/], never: [/letter\.md:1:1 /] },
  ],
  '5 safe edits': [
    { name: 'add to a file that does not load', setup: CSV(`${HEADER}\norganization,A,,,,\ncompany,B,,,,\n`), args: ADD, code: 1, expect: [/people\.csv:3:1 error Unknown kind "company"/, /fix them first, nothing was changed/] },
    { name: 'add to a read-only file', setup: (c) => chmodSync(path.join(c.p, 'people.csv'), 0o444), args: ADD, code: 1, expect: [/^people\.csv error The file is read-only \(mode 444\); nothing was changed/m] },
    { name: 'add keeps the mode of the file', process: true, setup: (c) => chmodSync(path.join(c.p, 'people.csv'), 0o640), args: ADD, code: 0, expect: [/Added organization "New Org"/], changes: ['project/people.csv'], after: (c) => expect(statSync(path.join(c.p, 'people.csv')).mode & 0o777).toBe(0o640) },
    { name: 'add through a symlink inside the project edits its target', setup: (c) => { mkdirSync(path.join(c.p, 'data')); cpSync(path.join(c.p, 'people.csv'), path.join(c.p, 'data', 'people.csv')); rmSync(path.join(c.p, 'people.csv')); symlinkSync('data/people.csv', path.join(c.p, 'people.csv')); }, args: ADD, code: 0, expect: [/Added organization "New Org" to data\/people\.csv/], changes: ['project/data/people.csv'], after: (c) => expect(lstatSync(path.join(c.p, 'people.csv')).isSymbolicLink()).toBe(true) },
    { name: 'add to a quoted-header CSV writes a full row', setup: (c) => c.edit('project/people.csv', (t) => t.replace(HEADER, HEADER.split(',').map((h) => `"${h}"`).join(','))), args: ADD, code: 0, expect: [/Added organization/], changes: ['project/people.csv'], after: (c) => expect(c.read('project/people.csv').trimEnd().split('\n').at(-1)).toBe('"organization","New Org","Chile","","","2024-03-05"') },
    { name: 'add to a semicolon CSV writes semicolons', setup: (c) => c.edit('project/people.csv', (t) => t.replace(/,/g, ';').replace('"Cape Verde"', 'Cape Verde')), args: [...ADD.slice(0, 3), 'Org; with semicolon', ...ADD.slice(4)], code: 0, expect: [/Added organization/], changes: ['project/people.csv'], after: (c) => expect(c.read('project/people.csv').trimEnd().split('\n').at(-1)).toBe('organization;"Org; with semicolon";Chile;;;2024-03-05') },
    { name: 'add to a UTF-16 CSV keeps it UTF-16', setup: (c) => c.write('project/people.csv', Buffer.from(`\ufeff${c.read('project/people.csv')}`, 'utf16le')), args: ADD, code: 0, expect: [/Added organization/], changes: ['project/people.csv'], after: (c) => { const b = readFileSync(path.join(c.p, 'people.csv')); expect([b[0], b[1]]).toEqual([0xff, 0xfe]); expect(b.subarray(2).toString('utf16le')).toContain('organization,New Org,Chile,,,2024-03-05'); } },
    { name: 'add a date to a CSV with no signed_on column', setup: CSV('kind,name,country\norganization,A,X\n'), args: ADD, code: 1, expect: [/^people\.csv:1:1 error The file has no "signed_on" column for this value; add the column to the header row \(and the rows\), or leave the value out; nothing was changed\./m] },
    { name: 'add without --date to a CSV with no signed_on column', setup: CSV('kind,name,country\norganization,A,X\n'), args: ['signatories', 'add', '--org', 'B', '--country', 'Y'], code: 0, expect: [/Added organization "B"/], changes: ['project/people.csv'], after: (c) => expect(c.read('project/people.csv')).toBe('kind,name,country\norganization,A,X\norganization,B,Y\n') },
    { name: 'add --title to an organisation', args: [...ADD, '--title', 'Director'], code: 1, expect: [/--title applies to individual entries only/] },
    { name: 'add a name already listed', args: ['signatories', 'add', '--org', 'ZETA  watch'], code: 1, expect: [/^people\.csv:2:14 error "Zeta Watch" is already listed; nothing was changed\.  signatories-edit$/m] },
    { name: 'remove a name not listed', args: ['signatories', 'remove', 'Nobody'], code: 1, expect: [/^people\.csv error No organisation or individual is named "Nobody"/m] },
    { name: 'add to an empty YAML file', setup: DATA_YAML(''), args: ADD, code: 0, expect: [/Added organization/], changes: ['project/people.yaml'], after: (c) => expect(c.read('project/people.yaml')).toMatch(/organizations:\n {2}- name: New Org\n {4}country: Chile\n {4}signedOn: 2024-03-05/) },
  ],
  '6 the empty letter': [
    { name: 'an empty data file', setup: DATA_YAML(''), args: BUILD, code: 1, expect: [/^people\.yaml error The signatory file lists no signatories: the letter would be signed by nobody/m] },
    { name: 'a comment-only data file', setup: DATA_YAML('# to be filled in\n'), args: BUILD, code: 1, expect: [/^people\.yaml error The signatory file lists no signatories/m] },
    { name: 'a CSV with only its header', setup: CSV(`${HEADER}\n`), args: BUILD, code: 1, expect: [/^people\.csv error The signatory file lists no signatories/m] },
    { name: 'allowEmpty: true builds', setup: DATA_YAML('allowEmpty: true\n'), args: BUILD, code: 0, expect: [/Built 1 edition/, /−2 organisations/], changes: OUT },
    { name: 'dropping most signatories warns with the count', setup: CSV(`${HEADER}\norganization,Zeta Watch,Norway,,,2024-03-01\n`), args: BUILD, code: 0, expect: [/^people\.csv warning This build drops 3 of the previous build's 4 signatories \(now 1\)/m], changes: OUT },
  ],
  '7 bounded resources': [
    { name: 'a 200 KB autolink', setup: BODY(`See <https://example.org/${'a'.repeat(200_000)}>.\n`), args: BUILD, code: 1, expect: [/letter\.md:14:5 error A link of 200020 characters: URLs are limited to 2000 characters/] },
    { name: 'a 5 MB paragraph', setup: BODY(`${'Words and more words. '.repeat(240_000)}\n`), args: BUILD, code: 1, expect: [/^letter\.md error The file is 5\.0 MB; this input is limited to 256 KB\./m] },
    { name: 'a 20,000-character paragraph', setup: BODY(`${'我等特此致函，就此事表达关切。'.repeat(1334)}\n`), args: BUILD, code: 1, expect: [/letter\.md:14:1 error A paragraph of 20010 characters: paragraphs are limited to 10000; split it\./] },
    { name: 'check: a note count of 100,000,000 in the PDF', setup: withFacts('notes'), args: ['check', 'facts.pdf'], code: 1, expect: [/✖ The PDF's letterpress layout facts are invalid \(notes: /] },
    { name: 'check: a margin that is not a number', setup: withFacts('margin'), args: ['check', 'facts.pdf'], code: 1, expect: [/✖ The PDF's letterpress layout facts are invalid \(textRight: /] },
  ],
  '9 Unicode': [
    { name: 'a Cyrillic look-alike name warns', setup: (c) => c.edit('project/people.csv', (t) => `${t}organization,\u0430lpha Rights,,,,\n`), args: BUILD, code: 0, expect: [/people\.csv:6:14 warning "аlpha Rights" looks like "alpha Rights" \(line 4\): spelled with different characters \(а U\+0430\)/], changes: OUT },
    { name: 'a curly-apostrophe near-duplicate warns at build', setup: (c) => c.edit('project/people.csv', (t) => `${t}organization,Alpha Rights’,,,,\n`), args: BUILD, code: 0, expect: [/people\.csv:6:14 warning "Alpha Rights’" looks like "alpha Rights" \(line 4\): the same name apart from case, quotes/], changes: OUT },
    { name: 'decomposed accents are composed (NFC)', setup: (c) => c.edit('project/people.csv', (t) => `${t}individual,Jose\u0301 Marti\u0301,,,Marti\u0301,\n`), args: BUILD, code: 0, expect: [/Built 1 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('Jos\u00e9 Mart\u00ed') },
    { name: 'format characters (ZWJ, VS16, ZWSP, bidi isolates) in the PDF', setup: BODY('Zero\u200bwidth, joiner a\u200db, variation selector a\ufe0f b\ufe0e, isolate \u2066abc\u2069 and mark \u200e.\n'), args: ['build', '--format', 'pdf'], code: 0, expect: [/Built 1 edition/], never: [/No font has/], changes: OUT },
  ],
  '11 spreadsheet import: every refusal at once, nothing changed': [
    {
      name: 'bad rows: empty name, bad date, unknown type, near-duplicate, all reported',
      setup: (c) => c.write('project/signups.csv', 'Type;Organisation;Date signed;Contact email\r\norganisation;;26/09/2023;a@x\r\norganisation;Beta Org;31/02/2023;b@x\r\ncommittee;Gamma Org;27/09/2023;c@x\r\norganisation;ALPHA RIGHTS (AR);28/09/2023;d@x\r\n'),
      args: ['signatories', 'import', 'signups.csv'], code: 1,
      expect: [/signups\.csv:2:14 error This row has no name/, /signups\.csv:3:23 error Cannot read the date "31\/02\/2023": there is no such day/, /signups\.csv:4:1 error Unknown type "committee"/, /signups\.csv:5:14 error "ALPHA RIGHTS \(AR\)" looks like "alpha Rights" \(people\.csv:4:14\)/, /Nothing was changed/],
      never: [/a@x/],
    },
    { name: 'ambiguous dates ask for --date-order', setup: (c) => c.write('project/signups.csv', 'Organisation,Date\nBeta Org,03/04/2023\nGamma Org,05/06/2023\n'), args: ['signatories', 'import', 'signups.csv'], code: 1, expect: [/signups\.csv:2:10 error The date "03\/04\/2023" could be day-first or month-first.*--date-order dmy/, /signups\.csv:3:11 error/] },
    { name: 'no name column says which headers it found', setup: (c) => c.write('project/signups.csv', 'Email,Phone\na@x,1\n'), args: ['signatories', 'import', 'signups.csv'], code: 1, expect: [/signups\.csv:1:1 error No column for the names: .*found "Email", "Phone".*--map/] },
    { name: 'a text file named .xlsx', setup: (c) => c.write('project/signups.xlsx', 'Organisation\nBeta\n'), args: ['signatories', 'import', 'signups.xlsx'], code: 1, expect: [/^signups\.xlsx error The file is named \.xlsx but is not a workbook/m] },
    { name: 'a workbook with no such sheet', setup: (c) => cpSync(fixture('signatories', 'import', 'library.xlsx'), path.join(c.p, 'signups.xlsx')), args: ['signatories', 'import', 'signups.xlsx', '--sheet', 'Nope'], code: 1, expect: [/^signups\.xlsx error The workbook has no sheet "Nope"; its sheets are "Sheet1"/m] },
    { name: '--map naming no field', setup: (c) => c.write('project/signups.csv', 'Org\nBeta\n'), args: ['signatories', 'import', 'signups.csv', '--map', 'Org=organisation'], code: 1, expect: [/signups\.csv:1:1 error --map: "organisation" is not a field; the fields are name, country/] },
    { name: '--date-order neither dmy nor mdy', args: ['signatories', 'import', 'people.csv', '--date-order', 'ymd'], code: 1, expect: [/^command line error --date-order is dmy/m] },
    { name: 'an .xlsx named as the data file', setup: LETTER_SIGNATORIES('people.xlsx'), args: BUILD, code: 1, expect: [/^people\.xlsx:1:1 error A spreadsheet is not a data file: import it with `letterpress signatories import people\.xlsx`/m], never: [/not UTF-8/] },
    { name: 'a workbook saved under a .csv name', setup: (c) => cpSync(fixture('signatories', 'import', 'library.xlsx'), path.join(c.p, 'people.csv')), args: BUILD, code: 1, expect: [/^people\.csv:1:1 error This is a ZIP archive \(an Excel \.xlsx workbook.*letterpress signatories import FILE/m], never: [/not UTF-8/] },
    { name: 'import writes only the data file; contact details stay out', setup: (c) => c.write('project/signups.csv', '\ufeffOrganisation;Country;Contact email;Date signed\r\nBeta Org;Chile;beta@example.org;26/09/2023\r\n'), args: ['signatories', 'import', 'signups.csv'], code: 0, expect: [/Added \(1\):/, /columns ignored .*"Contact email"/], changes: ['project/people.csv'], after: (c) => { expect(c.read('project/people.csv')).toContain('organization,Beta Org,Chile,,,2023-09-26'); expect(c.read('project/people.csv')).not.toContain('example.org'); } },
  ],
  '10 notes from notes': [
    { name: 'a note referenced inside another note', setup: (c) => c.edit('project/letter.md', (t) => t.replace('[^first]: A first note.', '[^first]: A first note, see[^third].\n[^third]: Third.')), args: BUILD, code: 1, expect: [/letter\.md:19:28 error Footnote \[\^third\] is referenced inside another footnote; notes cannot have notes/] },
    { name: 'a note that references itself', setup: (c) => c.edit('project/letter.md', (t) => t.replace('[^first]: A first note.', '[^first]: A first note[^first].')), args: BUILD, code: 1, expect: [/letter\.md:19:23 error Footnote \[\^first\] refers to itself/] },
  ],
};

/** GB18030 encoding is not in Node's TextEncoder; encode through the decoder's inverse table. */
class TextEncoderGb {
  encode(text: string): Uint8Array {
    const bytes: number[] = [];
    for (const ch of text) {
      if (ch.charCodeAt(0) < 0x80) bytes.push(ch.charCodeAt(0));
      else bytes.push(...gbBytes(ch));
    }
    return new Uint8Array(bytes);
  }
}
let gbTable: Map<string, number[]> | null = null;
function gbBytes(ch: string): number[] {
  if (!gbTable) {
    gbTable = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const c = decoder.decode(new Uint8Array([lead, trail]));
        if (c.length === 1 && !gbTable.has(c)) gbTable.set(c, [lead, trail]);
      }
    }
  }
  const found = gbTable.get(ch);
  if (!found) throw new Error(`no GBK code for ${ch}`);
  return found;
}

type PdfKit = NodeJS.ReadableStream & { text(t: string): void; end(): void; info: Record<string, unknown> };

/** A small PDF made with pdfkit (a dependency of the PDF renderer). */
async function makePdf(options: object, info: Record<string, string> = {}): Promise<Buffer> {
  const { default: PDFDocument } = (await import('pdfkit')) as unknown as { default: new (o: object) => PdfKit };
  const doc = new PDFDocument(options);
  Object.assign(doc.info, info);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.text('a page');
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

let LOCKED_PDF: Buffer;
const FACT_PDFS = {} as Record<keyof typeof SPOILED_FACTS, Buffer>;
let golden: string;

beforeAll(async () => {
  golden = scratch('letterpress-bad-golden-');
  cpSync(fixture('letters', 'en-letter'), path.join(golden, 'project'), { recursive: true });
  mkdirSync(path.join(golden, 'outside'));
  writeFileSync(path.join(golden, 'outside', 'x.yaml'), 'organizations:\n  - name: Outside Org\n');
  cpSync(fixture('letters', 'en-letter', 'people.csv'), path.join(golden, 'outside', 'people.csv'));
  cpSync(fixture('letters', 'en-letter', 'house.yaml'), path.join(golden, 'outside', 'house.yaml'));
  cpSync(FONT_FILE, path.join(golden, 'outside', 'font.ttf'));
  const built = await runCli(['build', '--format', 'txt,pdf'], path.join(golden, 'project'));
  expect(built.code).toBe(0);
  LOCKED_PDF = await makePdf({ userPassword: 'secret', ownerPassword: 'owner', pdfVersion: '1.7' });
  for (const [key, facts] of Object.entries(SPOILED_FACTS)) FACT_PDFS[key as keyof typeof SPOILED_FACTS] = await makePdf({}, { Letterpress: JSON.stringify(facts) });
}, 120_000);

const table = Object.entries(groups).flatMap(([group, cases]) => cases.map((c) => `${group} › ${c.name}`));
/** Each case, once its last assertion has passed: how many assertions it made. */
const asserted = new Map<string, number>();

// Some cases run the compiled command: wait for it (compiled beside the first files under npm test)
// in a hook, not inside a case's own time limit.
beforeAll(() => distReady(), 300_000);

describe('bad input', () => {
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const assertionsBefore = expect.getState().assertionCalls;
          const t = scratch('letterpress-bad-');
          try {
            cpSync(golden, t, { recursive: true });
            const p = path.join(t, 'project');
            const ctx: Ctx = {
              p,
              t,
              write: (rel, data) => {
                mkdirSync(path.dirname(path.join(t, rel)), { recursive: true });
                writeFileSync(path.join(t, rel), data);
              },
              edit: (rel, change) => writeFileSync(path.join(t, rel), change(readFileSync(path.join(t, rel), 'utf8'))),
              read: (rel) => readFileSync(path.join(t, rel), 'utf8'),
            };
            c.setup?.(ctx);
            const before = snapshot(t);
            const result = c.process || c.env ? runCliProcess(c.args, p, c.env) : await runCli(c.args, p);
            const output = `${result.stderr}\n${result.stdout}`;
            const after = snapshot(t);
            expect({ code: result.code, output }).toMatchObject({ code: c.code });
            for (const pattern of c.expect) expect(output).toMatch(pattern);
            for (const pattern of c.never ?? []) expect(output).not.toMatch(pattern);
            if (!c.args.includes('--debug')) expect(output).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m); // never a stack trace
            const diff = changed(before, after);
            const allowed = c.changes ?? [];
            expect(diff.filter((d) => !allowed.some((a) => d === a.replace(/\/$/, '') || d.startsWith(a)))).toEqual([]);
            if (c.code !== 0) expect(diff).toEqual([]);
            c.after?.(ctx, output);
            asserted.set(`${group} › ${c.name}`, expect.getState().assertionCalls - assertionsBefore);
          } finally {
            rmSync(t, { recursive: true, force: true });
          }
        }, 60_000);
      }
    });
  }

  it(`every one of the ${table.length} table cases ran and made its assertions`, () => {
    expect(new Set(table).size).toBe(table.length); // no two cases share a name
    expect(table.filter((name) => !asserted.has(name))).toEqual([]);
    const cases = Object.entries(groups).flatMap(([group, list]) => list.map((c) => [`${group} › ${c.name}`, c] as const));
    for (const [name, c] of cases) {
      // exit code, each pattern, each forbidden pattern, no stack trace, what changed, nothing changed on refusal, the case's own checks
      const least = 1 + c.expect.length + (c.never?.length ?? 0) + (c.args.includes('--debug') ? 0 : 1) + 1 + (c.code !== 0 ? 1 : 0) + (c.after ? 1 : 0);
      expect(asserted.get(name), name).toBeGreaterThanOrEqual(least);
    }
    expect(table.length).toBeGreaterThanOrEqual(60);
  });
});

describe('concurrent edits', () => {
  it('ten `signatories add` run at once, from four processes and six calls in this one, keep all ten names', async () => {
    const { spawn } = await import('node:child_process');
    const { addSignatory } = await import('../src/signatories/edit.js');
    const t = scratch('letterpress-parallel-');
    cpSync(fixture('letters', 'en-letter'), t, { recursive: true });
    const name = (i: number) => `Parallel Org ${i}`;
    distReady();
    const processes = Array.from({ length: 4 }, (_, i) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'signatories', 'add', '--org', name(i), '--date', '2024-03-05'], { cwd: t, stdio: 'ignore' });
        child.on('close', resolve);
      }),
    );
    const calls = Array.from({ length: 6 }, (_, i) =>
      addSignatory(path.join(t, 'people.csv'), { kind: 'organization', name: name(4 + i), signedOn: '2024-03-05' }).then(() => 0),
    );
    expect(await Promise.all([...processes, ...calls])).toEqual(Array(10).fill(0));
    const csv = readFileSync(path.join(t, 'people.csv'), 'utf8');
    for (let i = 0; i < 10; i++) expect(csv).toContain(`organization,${name(i)},,,,2024-03-05`);
    expect(csv.trimEnd().split('\n')).toHaveLength(1 + 4 + 10);
    expect(readdirSync(t).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
