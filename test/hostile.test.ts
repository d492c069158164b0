/**
 * Hostile input, second round: a table like badInput.test.ts (a copy of a small built project
 * beside `outside/`, the CLI run, the exit code, the message, and a snapshot of the whole tree
 * before and after: a refused run changes nothing), run in this process through `runCli`.
 * Cases that need another user (ownership, a shared output folder) run the compiled CLI through
 * `runuser` as a non-root user, created here when the tests run as root (CI does); elsewhere they
 * print SKIPPED with the reason. They run together, one process of that user for all of them
 * (test/support/runMany.mjs), each in its own copy prepared beforehand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync,
  truncateSync, utimesSync, writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { changed, distReady, fixture, root, snapshot } from './helpers.js';

const RUN_MANY = path.join(root, 'test', 'support', 'runMany.mjs');
const BUILD = ['build', '--format', 'txt,html'];
const ADD = ['signatories', 'add', '--org', 'New Org', '--country', 'Chile', '--date', '2024-03-05'];
const OUT = ['project/out/'];
const TEST_USER = 'lp-hostile-test';
const FONT_FILE = path.join(root, 'node_modules', '@expo-google-fonts', 'noto-serif-sc', '400Regular', 'NotoSerifSC_400Regular.ttf');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in this process (output collected). */
async function cli(args: string[], cwd: string): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** Commands run by the compiled CLI as the non-root test user, all in one process of that user. */
function cliAsMany(user: string, jobs: Array<{ args: string[]; cwd: string }>): Result[] {
  const r = spawnSync('runuser', ['-u', user, '--', process.execPath, RUN_MANY, JSON.stringify(jobs)], { cwd: '/', encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${RUN_MANY} as ${user} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Result[];
}

interface Ctx {
  p: string;
  t: string;
  write(rel: string, data: string | Uint8Array): void;
  edit(rel: string, change: (text: string) => string): void;
  read(rel: string): string;
  /** Undone after the case (immutable flags, servers). */
  cleanup: Array<() => void>;
}

type Needs = 'chattr' | 'user';

interface Case {
  name: string;
  needs?: Needs;
  setup?: (c: Ctx) => void | Promise<void>;
  args: string[] | ((c: Ctx) => string[]);
  /** Run as the non-root test user (real process). */
  asUser?: boolean;
  code: number;
  expect: RegExp[];
  never?: RegExp[];
  /** Paths (relative to the case folder, prefixes) allowed to change; none when the run is refused. */
  changes?: string[];
  after?: (c: Ctx, out: string) => void;
}

const LETTER_FIELD = (field: string, value: string) => (c: Ctx) => c.edit('project/letter.md', (t) => t.replace(new RegExp(`^${field}: .*$`, 'm'), `${field}: ${value}`));
const BODY = (body: string) => (c: Ctx) => c.edit('project/letter.md', (t) => `${t.slice(0, t.indexOf('---\n', 4) + 4)}\n${body}`);
const NEW_TEXT = (c: Ctx) => c.edit('project/letter.md', (t) => t.replace('We write', 'Today we write'));
const both = (...steps: Array<(c: Ctx) => void | Promise<void>>) => async (c: Ctx) => {
  for (const s of steps) await s(c);
};
const fifo = (rel: string) => (c: Ctx) => {
  rmSync(path.join(c.t, rel), { force: true });
  execFileSync('mkfifo', [path.join(c.t, rel)]);
};
const immutable = (rel: string) => (c: Ctx) => {
  execFileSync('chattr', ['+i', path.join(c.t, rel)]);
  c.cleanup.push(() => execFileSync('chattr', ['-i', path.join(c.t, rel)]));
};
/** The project readable by the test user, its data folder writable by anyone (a shared folder). */
const shared = (c: Ctx) => {
  chmodSync(path.dirname(c.t), 0o711); // the run's private temporary folder: passable, not listable
  chmodSync(c.t, 0o755);
  chmodSync(c.p, 0o777);
};
const deadPid = () => {
  for (let pid = 32_000; pid > 2; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid');
};
const HOURS_AGO = (h: number) => new Date(Date.now() - h * 3600_000);

// ── Crafted PDFs ───────────────────────────────────────────────────────────────────────────────

function pdf(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(length);
    const part = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), typeof o === 'string' ? Buffer.from(o, 'latin1') : o, Buffer.from('\nendobj\n')]);
    parts.push(part);
    length += part.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}
const stream = (dict: string, data: Buffer) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
const CATALOG = '<< /Type /Catalog /Pages 2 0 R >>';
const ONE_PAGE = (extra = '') => ['<< /Type /Pages /Kids [3 0 R] /Count 1 >>', `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] ${extra}>>`];
let zeros: Buffer | null = null;
/** 40 MB of spaces, deflated (made once). */
const BOMB = () => (zeros ??= deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20)));
const PDFS: Record<string, () => Buffer> = {
  circular: () => pdf([CATALOG, '<< /Type /Pages /Kids [2 0 R] /Count 1 >>']),
  circular2: () => pdf([CATALOG, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>']),
  deepArray: () => pdf([`<< /Type /Catalog /Pages 2 0 R /X ${'['.repeat(100_000)}${']'.repeat(100_000)} >>`, ...ONE_PAGE()]),
  deepDict: () => pdf([`<< /Type /Catalog /Pages 2 0 R /X ${'<< /A '.repeat(20_000)}1${' >>'.repeat(20_000)} >>`, ...ONE_PAGE()]),
  contentBomb: () => pdf([CATALOG, ...ONE_PAGE('/Contents 4 0 R '), stream('/Filter /FlateDecode', BOMB())]),
  objStmBomb: () => pdf([CATALOG, ...ONE_PAGE(), stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', BOMB())]),
  manyStreams: () => {
    const s = stream('/Filter /FlateDecode', deflateSync(Buffer.alloc(24 * 1024 * 1024, 0x20)));
    return pdf([CATALOG, ...ONE_PAGE(), s, s, s]);
  },
  deepContent: () => pdf([CATALOG, ...ONE_PAGE('/Contents 4 0 R '), stream('/Filter /FlateDecode', deflateSync(Buffer.from(`${'['.repeat(50_000)}${']'.repeat(50_000)} TJ`)))]),
};

/** EUC-KR bytes of `text` (Node encodes no legacy encoding; the decoder's table, inverted). */
function eucKr(text: string): Buffer {
  const decoder = new TextDecoder('euc-kr');
  const table = new Map<string, number[]>();
  for (let lead = 0xb0; lead <= 0xc8; lead++) for (let trail = 0xa1; trail <= 0xfe; trail++) table.set(decoder.decode(new Uint8Array([lead, trail])), [lead, trail]);
  return Buffer.from([...text].flatMap((ch) => table.get(ch) ?? [...Buffer.from(ch)]));
}

let golden: string;
let userProblem: string | null = null;
let chattrProblem: string | null = null;
let server: Server | null = null;

/** Make (or find) the non-root test user; null when done, else why not. */
function ensureUser(): string | null {
  if (process.getuid?.() !== 0) return 'the tests do not run as root, so no other user can be created';
  if (spawnSync('id', ['-u', TEST_USER]).status === 0) return null;
  const made = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', TEST_USER], { encoding: 'utf8' });
  if (made.error || made.status !== 0) return `useradd failed: ${made.error?.message ?? made.stderr.trim()}`;
  // The project's package.json, not dist/ (compiled beside the first tests under npm test): the CLI reads it too.
  const project = path.join(root, 'package.json');
  const reach = spawnSync('runuser', ['-u', TEST_USER, '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(project)})`]);
  return reach.status === 0 ? null : `the user ${TEST_USER} cannot read ${project}`;
}

function chattrWorks(): string | null {
  const probe = path.join(golden, 'probe');
  writeFileSync(probe, '');
  const r = spawnSync('chattr', ['+i', probe], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `chattr +i is not possible here (${r.error?.message ?? r.stderr.trim()})`;
  spawnSync('chattr', ['-i', probe]);
  rmSync(probe);
  return null;
}

const id = (user: string) => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());

const groups: Record<string, Case[]> = {
  '1 all or nothing': [
    { name: 'an immutable letter.html: the text edition already renamed is put back', needs: 'chattr', setup: both(NEW_TEXT, immutable('project/out/letter.html')), args: BUILD, code: 1, expect: [/^out\/letter\.html error Cannot write the file: permission denied .*\(EPERM\)\.  write-failed$/m, /Nothing was written; the previous editions are unchanged\./] },
    { name: 'an immutable manifest: every edition is put back', needs: 'chattr', setup: both(NEW_TEXT, immutable('project/out/letter.manifest.json')), args: BUILD, code: 1, expect: [/^out\/letter\.manifest\.json error Cannot write the file: permission denied/m] },
    { name: 'a folder where letter.html goes', setup: both(NEW_TEXT, (c) => { rmSync(path.join(c.p, 'out', 'letter.html')); mkdirSync(path.join(c.p, 'out', 'letter.html')); }), args: BUILD, code: 1, expect: [/^out\/letter\.html error Cannot write the file: a folder stands where the file should go/m] },
    { name: 'a shared out/ (sticky, like /tmp) holding another user\'s letter.html', needs: 'user', asUser: true, setup: both(NEW_TEXT, shared, (c) => chmodSync(path.join(c.p, 'out'), 0o1777)), args: BUILD, code: 1, expect: [/^out\/letter\.txt error The file belongs to another user \(uid 0\); replacing it would make it yours, so nothing was changed\./m, /Nothing was written; the previous editions are unchanged\./] },
    { name: 'a read-only out/ as another user', needs: 'user', asUser: true, setup: both(NEW_TEXT, shared, (c) => { for (const f of readdirSync(path.join(c.p, 'out'))) rmSync(path.join(c.p, 'out', f)); }), args: BUILD, code: 1, expect: [/^out\/letter\.txt error Cannot write the file: permission denied \(EACCES\)/m] },
  ],
  '2 temporary files': [
    { name: 'a link planted at the old predictable temporary name is never opened', setup: (c) => symlinkSync('../../outside/victim.txt', path.join(c.p, 'out', `.letter.txt.${process.pid}.tmp`)), args: BUILD, code: 0, expect: [/Built 2 edition/], changes: OUT, after: (c) => { expect(c.read('outside/victim.txt')).toBe('victim\n'); expect(lstatSync(path.join(c.p, 'out', 'letter.txt')).isFile()).toBe(true); expect(lstatSync(path.join(c.p, 'out', `.letter.txt.${process.pid}.tmp`)).isSymbolicLink()).toBe(true); } },
    { name: 'an edition that is a link out of the project is replaced, not followed', setup: (c) => { rmSync(path.join(c.p, 'out', 'letter.txt')); symlinkSync('../../outside/victim.txt', path.join(c.p, 'out', 'letter.txt')); }, args: BUILD, code: 0, expect: [/Built 2 edition/], changes: OUT, after: (c) => { expect(c.read('outside/victim.txt')).toBe('victim\n'); expect(lstatSync(path.join(c.p, 'out', 'letter.txt')).isFile()).toBe(true); } },
    { name: 'signatories add: a link at the old temporary name is never opened', setup: (c) => symlinkSync('../outside/victim.txt', path.join(c.p, `.people.csv.${process.pid}.tmp`)), args: ADD, code: 0, expect: [/Added organization "New Org"/], changes: ['project/people.csv'], after: (c) => { expect(c.read('outside/victim.txt')).toBe('victim\n'); expect(c.read('project/people.csv')).toContain('New Org'); } },
    {
      name: 'stale temporary files of a killed run are removed; others are left',
      setup: (c) => {
        const pid = deadPid();
        const out = path.join(c.p, 'out');
        writeFileSync(path.join(out, `.letter.txt.${pid}-0123456789abcdef.tmp`), 'half');
        writeFileSync(path.join(out, `.letter.pdf.${pid}-fedcba9876543210.old`), 'kept');
        for (const f of readdirSync(out).filter((n) => n.startsWith('.'))) utimesSync(path.join(out, f), HOURS_AGO(2), HOURS_AGO(2));
        writeFileSync(path.join(out, `.letter.html.${pid}-00000000000000aa.tmp`), 'fresh'); // too recent to be sure
        writeFileSync(path.join(out, '.letter.txt.notours.tmp'), 'someone else');
        symlinkSync('../../outside/victim.txt', path.join(out, `.letter.docx.${pid}-00000000000000bb.tmp`));
      },
      args: BUILD,
      code: 0,
      expect: [/Built 2 edition/],
      changes: OUT,
      after: (c) => {
        const names = readdirSync(path.join(c.p, 'out')).filter((n) => n.startsWith('.')).map((n) => n.replace(/\.\d+-/, '.PID-')).sort();
        expect(names).toEqual(['.letter.docx.PID-00000000000000bb.tmp', '.letter.html.PID-00000000000000aa.tmp', '.letter.txt.notours.tmp']);
      },
    },
    { name: 'a successful build leaves no temporary or kept file', setup: NEW_TEXT, args: BUILD, code: 0, expect: [/Built 2 edition/], changes: OUT, after: (c) => expect(readdirSync(path.join(c.p, 'out')).sort()).toEqual(['letter.html', 'letter.manifest.json', 'letter.txt']) },
  ],
  '3 ownership': [
    { name: 'add as another user to a 644 file in a writable folder is refused', needs: 'user', asUser: true, setup: shared, args: ADD, code: 1, expect: [/^people\.csv error The file belongs to another user \(uid 0\); replacing it would make it yours, so nothing was changed\./m] },
    { name: 'add as another user to a shared 666 file is refused', needs: 'user', asUser: true, setup: both(shared, (c) => chmodSync(path.join(c.p, 'people.csv'), 0o666)), args: ADD, code: 1, expect: [/^people\.csv error The file belongs to another user \(uid 0\)/m] },
    { name: 'add by the file\'s owner (not root) keeps owner and mode', needs: 'user', asUser: true, setup: both(shared, (c) => { chownSync(path.join(c.p, 'people.csv'), id(TEST_USER), 0); chmodSync(path.join(c.p, 'people.csv'), 0o640); }), args: ADD, code: 0, expect: [/Added organization "New Org"/], changes: ['project/people.csv'], after: (c) => { const st = statSync(path.join(c.p, 'people.csv')); expect([st.uid, st.mode & 0o777]).toEqual([id(TEST_USER), 0o640]); } },
    { name: 'add as root keeps another owner\'s file theirs', setup: (c) => chownSync(path.join(c.p, 'people.csv'), 4242, 4343), args: ADD, code: 0, expect: [/Added organization "New Org"/], changes: ['project/people.csv'], after: (c) => { const st = statSync(path.join(c.p, 'people.csv')); expect([st.uid, st.gid]).toEqual(process.getuid?.() === 0 ? [4242, 4343] : [st.uid, st.gid]); } },
  ],
  '4 bounded reads': [
    { name: 'a FIFO as the letter', setup: fifo('project/pipe.md'), args: ['build', 'pipe.md', '--format', 'txt'], code: 1, expect: [/^pipe\.md error This is a named pipe \(FIFO\), not a regular file; check the path of the letter/m] },
    { name: 'a FIFO as the data file', setup: fifo('project/people.csv'), args: BUILD, code: 1, expect: [/^people\.csv error This is a named pipe \(FIFO\), not a regular file/m] },
    { name: 'a FIFO as the template', setup: fifo('project/house.yaml'), args: BUILD, code: 1, expect: [/house\.yaml error This is a named pipe \(FIFO\), not a regular file/m] },
    { name: 'a FIFO as a font', setup: both((c) => c.edit('project/house.yaml', (t) => t.replace('  serif:\n', '  serif:\n    - { file: "font.ttf", name: "Piped" }\n')), fifo('project/font.ttf')), args: ['build', '--format', 'pdf'], code: 1, expect: [/^font\.ttf error This is a named pipe \(FIFO\), not a font file\./m] },
    { name: 'a FIFO as the data file for signatories add', setup: fifo('project/people.csv'), args: ADD, code: 1, expect: [/^people\.csv error (Not a regular file|This is a named pipe)/m] },
    { name: 'a socket as the data file', setup: (c) => new Promise<void>((resolve) => { rmSync(path.join(c.p, 'people.csv')); server = createServer().listen(path.join(c.p, 'people.csv'), resolve); c.cleanup.push(() => server?.close()); }), args: BUILD, code: 1, expect: [/^people\.csv error This is a socket/m] },
    { name: '/dev/zero as the letter', args: ['build', '/dev/zero', '--format', 'txt'], code: 1, expect: [/^\/dev\/zero error This is a device, not a regular file/m] },
    { name: 'a FIFO as the old manifest is set aside and replaced', setup: fifo('project/out/letter.manifest.json'), args: BUILD, code: 0, expect: [/Changes: first build/], changes: OUT, after: (c) => expect(lstatSync(path.join(c.p, 'out', 'letter.manifest.json')).isFile()).toBe(true) },
    { name: 'a 1 GB sparse old manifest is not read', setup: (c) => truncateSync(path.join(c.p, 'out', 'letter.manifest.json'), 1024 ** 3), args: BUILD, code: 0, expect: [/Changes: first build/], changes: OUT, after: (c) => expect(statSync(path.join(c.p, 'out', 'letter.manifest.json')).size).toBeLessThan(10_000) },
    { name: 'one big anchored string aliased 98 times (1.3 MB, inside the count limit)', setup: both(LETTER_FIELD('signatories', 'people.yaml'), (c) => c.write('project/people.yaml', `organizations:\n  - name: &big "${'x'.repeat(1_300_000)}"\n${Array.from({ length: 98 }, () => '  - name: *big\n').join('')}`)), args: BUILD, code: 1, expect: [/^people\.yaml:3:\d+ error Signatory file expands its aliases \(\*name\) into \d+\.\d MB of text \(at most 4 MB\); write the values out\./m] },
    { name: 'aliases of a big list in the template', setup: (c) => c.edit('project/house.yaml', (t) => `x: &l [${Array.from({ length: 2000 }, () => '"' + 'y'.repeat(200) + '"').join(',')}]\nz: [${Array(60).fill('*l').join(',')}]\n${t}`), args: BUILD, code: 1, expect: [/^house\.yaml:2:\d+ error Template expands its aliases \(\*name\) into \d+\.\d MB of text/m] },
  ],
  '6 CSV': [
    { name: 'a header with name twice', setup: (c) => c.write('project/people.csv', 'kind,name,country,name\norganization,Real Org,Chile,Contact Person 1\n'), args: BUILD, code: 1, expect: [/^people\.csv:1:19 error The column "name" is in the header twice \(columns 2 and 4, both "name"\); remove or rename one\./m] },
    { name: 'a header with the same column spelled two ways', setup: (c) => c.write('project/people.csv', 'kind,name,signed_on,Signed On\norganization,A,2024-01-01,2024-01-02\n'), args: BUILD, code: 1, expect: [/^people\.csv:1:\d+ error The column "Signed On" is in the header twice/m] },
    { name: 'remove a quoted name holding a line break', setup: (c) => c.edit('project/people.csv', (t) => `${t}organization,"Multi\nLine Org",Chile,,,2024-01-01\norganization,Last Org,,,,\n`), args: ['signatories', 'remove', 'Multi Line Org'], code: 0, expect: [/Removed organization "Multi Line Org"/], changes: ['project/people.csv'], after: (c) => expect(c.read('project/people.csv')).toBe(`${readFileSync(path.join(golden, 'project', 'people.csv'), 'utf8')}organization,Last Org,,,,\n`) },
    { name: 'remove a quoted name holding CRLF line breaks', setup: (c) => c.edit('project/people.csv', (t) => `${t}organization,"Two\r\nBreak\r\nOrg",Chile,,,\r\norganization,Last Org,,,,\n`), args: ['signatories', 'remove', 'Two Break Org'], code: 0, expect: [/Removed organization/], changes: ['project/people.csv'], after: (c) => expect(c.read('project/people.csv')).toBe(`${readFileSync(path.join(golden, 'project', 'people.csv'), 'utf8')}organization,Last Org,,,,\n`) },
  ],
  '8 Markdown': [
    { name: 'quotes 30 deep and a list 15 deep lay out in the PDF', setup: BODY(`${'> '.repeat(30)}Deep quoted text that has to wrap over more than one line of the narrowest measure left.\n\n${Array.from({ length: 15 }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n')}\n`), args: ['build', '--format', 'pdf'], code: 0, expect: [/Built 1 edition/], never: [/preflight/], changes: OUT },
    { name: 'a note defined inside another note', setup: BODY('Text[^a] and more[^b].\n\n[^a]: Outer note.\n\n    [^b]: Inner note, indented into the outer one.\n'), args: BUILD, code: 1, expect: [/^letter\.md:18:5 error Footnote \[\^b\] is defined inside another block \(a note, a quote or a list\)/m] },
    { name: 'a note defined inside a quote', setup: BODY('Text[^q].\n\n> [^q]: Quoted note.\n'), args: BUILD, code: 1, expect: [/^letter\.md:16:3 error Footnote \[\^q\] is defined inside another block/m] },
    { name: 'sixty errors in the letter: fifty listed and the rest counted', setup: BODY(`${Array.from({ length: 60 }, (_, i) => `Ref[^missing${i}].`).join('\n\n')}\n`), args: BUILD, code: 1, expect: [/^letter\.md error … and 10 more error\(s\) in this file, not listed\.  too-many-errors$/m, /✖ 51 errors/], after: (_c, out) => expect(out.match(/^letter\.md:\d+:\d+ error/gm)).toHaveLength(50) },
  ],
  '11 smaller points': [
    { name: 'UTF-16LE without a BOM', setup: (c) => c.write('project/people.csv', Buffer.from(`${c.read('project/people.csv')}organization,Café Org,,,,\n`, 'utf16le')), args: BUILD, code: 1, expect: [/^people\.csv error The file looks like UTF-16LE without a byte-order mark \(every other byte is 0\): save it as UTF-8\./m] },
    { name: 'UTF-16BE without a BOM', setup: (c) => c.write('project/people.csv', Buffer.from(`${c.read('project/people.csv')}organization,Café Org,,,,\n`, 'utf16le').swap16()), args: BUILD, code: 1, expect: [/looks like UTF-16BE without a byte-order mark/] },
    { name: 'EUC-KR is named as EUC-KR', setup: (c) => c.write('project/people.csv', Buffer.concat([Buffer.from('kind,name,country\norganization,'), eucKr('북한인권시민연합'), Buffer.from(',\nindividual,'), eucKr('김민준'), Buffer.from(',\n')])), args: BUILD, code: 1, expect: [/^people\.csv:2:14 error The file is not UTF-8 \(it looks like EUC-KR\): save it as UTF-8\./m] },
    { name: 'mixed LF and lone CR line ends', setup: (c) => c.edit('project/letter.md', (t) => t.split('\n').map((l, i) => (i % 3 === 1 ? `${l}\r` : `${l}\n`)).join('').replace(/\r$/, '')), args: BUILD, code: 0, expect: [/Built 2 edition/], changes: OUT, after: (c) => expect(c.read('project/out/letter.txt')).toContain('A test letter in English') },
    { name: 'a signing date in 2999', setup: (c) => c.edit('project/people.csv', (t) => t.replace('2024-03-01', '2999-12-31')), args: BUILD, code: 1, expect: [/^people\.csv:2:\d+ error The signing date 2999-12-31 is in the future; check the year/m] },
    { name: 'asOf in the future', setup: both(LETTER_FIELD('signatories', 'people.yaml'), (c) => c.write('project/people.yaml', 'asOf: 2999-01-01\norganizations:\n  - name: A\n')), args: BUILD, code: 1, expect: [/^people\.yaml:1:\d+ error The date asOf 2999-01-01 is in the future/m] },
    { name: 'an organisation row with a title and sort_as warns', setup: (c) => c.edit('project/people.csv', (t) => t.replace('organization,Zeta Watch,Norway,,,', 'organization,Zeta Watch,Norway,Director,Watch,')), args: BUILD, code: 0, expect: [/^people\.csv:2:\d+ warning An organization has no title: the value "Director" is not printed/m, /^people\.csv:2:\d+ warning An organization has no sort_as/m], changes: OUT },
    { name: 'an individual row with a country warns', setup: (c) => c.edit('project/people.csv', (t) => t.replace('individual,Jane Roe,,', 'individual,Jane Roe,Peru,')), args: BUILD, code: 0, expect: [/^people\.csv:3:\d+ warning An individual has no country: the value "Peru" is not printed/m], changes: OUT },
    { name: 'YAML flow nested 5,000 deep', setup: both(LETTER_FIELD('signatories', 'people.yaml'), (c) => c.write('project/people.yaml', `organizations: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)), args: BUILD, code: 1, expect: [/^people\.yaml:1:80 error Signatory file is nested more than 64 levels deep/m], never: [/call stack/] },
    { name: 'YAML flow maps nested 5,000 deep in the template', setup: (c) => c.edit('project/house.yaml', (t) => `${t}x: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`), args: BUILD, code: 1, expect: [/house\.yaml:\d+:\d+ error Template is nested more than 64 levels deep/], never: [/call stack/] },
  ],
  '7 check on crafted PDFs': [
    { name: 'a page tree that contains itself', setup: (c) => c.write('project/x.pdf', PDFS.circular!()), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: the PDF is malformed \(Pages tree contains circular reference\)\./m] },
    { name: 'a page tree cycle of two', setup: (c) => c.write('project/x.pdf', PDFS.circular2!()), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: the PDF is malformed/m] },
    { name: 'an array nested 100,000 deep', setup: (c) => c.write('project/x.pdf', PDFS.deepArray!()), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: the PDF nests arrays or dictionaries more than 64 levels deep/m] },
    { name: 'dictionaries nested 20,000 deep', setup: (c) => c.write('project/x.pdf', PDFS.deepDict!()), args: ['check', 'x.pdf'], code: 1, expect: [/more than 64 levels deep/] },
    { name: 'page content inflating to 40 MB', setup: (c) => c.write('project/x.pdf', PDFS.contentBomb!()), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: stream 1 of the PDF inflates to more than 32 MB/m] },
    { name: 'an object stream inflating to 40 MB', setup: (c) => c.write('project/x.pdf', PDFS.objStmBomb!()), args: ['check', 'x.pdf'], code: 1, expect: [/inflates to more than 32 MB/] },
    { name: 'three streams of 24 MB each', setup: (c) => c.write('project/x.pdf', PDFS.manyStreams!()), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: the PDF's streams inflate to more than 64 MB in all/m] },
    { name: 'page content nested 50,000 deep', setup: (c) => c.write('project/x.pdf', PDFS.deepContent!()), args: ['check', 'x.pdf'], code: 1, expect: [/more than 64 levels deep/] },
    { name: '3.9 MB of /FontName after %%EOF of a good PDF still checks', setup: (c) => c.write('project/x.pdf', Buffer.concat([readFileSync(path.join(golden, 'letter.pdf')), Buffer.from('/FontName /x '.repeat(300_000))])), args: ['check', 'x.pdf'], code: 0, expect: [/✓ preflight passed/] },
    { name: '3.9 MB of font descriptors after %%EOF of a good PDF still checks', setup: (c) => c.write('project/x.pdf', Buffer.concat([readFileSync(path.join(golden, 'letter.pdf')), Buffer.from('/FontName /x /FontFile2 1 0 R '.repeat(130_000))])), args: ['check', 'x.pdf'], code: 0, expect: [/✓ preflight passed/] },
    { name: 'a FIFO given to check', setup: fifo('project/x.pdf'), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Not a file \(a named pipe \(FIFO\)\); give the path of a PDF\./m] },
  ],
  '10 outputs over inputs, terminal output': [
    { name: 'a data file named like the manifest, with --out .', setup: both(LETTER_FIELD('signatories', 'letter.manifest.json'), (c) => c.write('project/letter.manifest.json', '{"organizations":[{"name":"A"}]}\n')), args: [...BUILD, '--out', '.'], code: 1, expect: [/^letter\.md:10:1 error This build would write letter\.manifest\.json over the signatory file letter\.manifest\.json; nothing was written\./m] },
    { name: 'a font file named like the text edition, with --out .', setup: both((c) => c.edit('project/house.yaml', (t) => t.replace('  serif:\n', '  serif:\n    - { file: "letter.txt", name: "Odd" }\n')), (c) => cpSync(FONT_FILE, path.join(c.p, 'letter.txt'))), args: ['build', '--format', 'txt', '--out', '.'], code: 1, expect: [/^letter\.txt error This build would write letter\.txt over a font file letter\.txt; nothing was written\./m] },
    { name: 'an escape sequence in a file name is shown escaped', args: ['build', 'evil\u001b[2J\u001b]0;pwned\u0007.md'], code: 1, expect: [/^evil\\x1b\[2J\\x1b\]0;pwned\\x07\.md error Cannot read the file/m], never: [/[\u001b\u0007]/] },
    { name: 'a bidi override in a CSV cell is shown escaped', setup: (c) => c.edit('project/people.csv', (t) => `${t}comp\u202eany,Evil,,,,\n`), args: BUILD, code: 1, expect: [/^people\.csv:6:1 error Unknown kind "comp\\u\{202e\}any"/m], never: [/\u202e/] },
    { name: 'an escape sequence in a CSV cell is refused at its column', setup: (c) => c.edit('project/people.csv', (t) => `${t}organization,Evil\u001b[2J Org,,,,\n`), args: BUILD, code: 1, expect: [/^people\.csv:6:18 error The file contains a control character \(U\+001B\), which no edition can show/m], never: [/\u001b/] },
    { name: 'a name with an escape sequence given to add is refused', args: ['signatories', 'add', '--org', 'Good Org\u001b[1A\u001b[2KFake line'], code: 1, expect: [/A value contains a control character \(U\+001B\), which no edition can show/], never: [/\u001b/] },
    { name: 'two letters whose editions share names', setup: (c) => { for (const d of ['a', 'b']) { mkdirSync(path.join(c.p, d)); for (const f of ['letter.md', 'people.csv', 'house.yaml']) cpSync(path.join(c.p, f), path.join(c.p, d, f)); } }, args: ['build', 'a/letter.md', 'b/letter.md', '--out', 'o', '--format', 'txt'], code: 1, expect: [/^b\/letter\.md error This letter's editions would have the same names as those of a\/letter\.md \(o\/letter\.\*\)/m] },
  ],
  'sweep: new variants': [
    { name: 'an out/ link planted to a folder outside the project', setup: (c) => { rmSync(path.join(c.p, 'out'), { recursive: true }); symlinkSync('../outside', path.join(c.p, 'out')); }, args: BUILD, code: 1, expect: [/^out error The output folder is a link to .*outside, outside the letter's folder; nothing was written\./m] },
    { name: 'an out/ link planted, but --out names it: the user\'s choice', setup: (c) => { rmSync(path.join(c.p, 'out'), { recursive: true }); symlinkSync('../outside', path.join(c.p, 'out')); }, args: [...BUILD, '--out', 'out'], code: 0, expect: [/Built 2 edition/], changes: ['outside/'] },
    { name: 'the same letter named twice is built once', args: ['build', 'letter.md', './letter.md', '--format', 'txt'], code: 0, expect: [/Built 1 edition/], never: [/same names/], changes: OUT, after: (_c, out) => expect(out.match(/Built /g)).toHaveLength(1) },
    { name: 'a.md and a.markdown in one folder', setup: (c) => { cpSync(path.join(c.p, 'letter.md'), path.join(c.p, 'a.md')); cpSync(path.join(c.p, 'letter.md'), path.join(c.p, 'a.markdown')); }, args: ['build', 'a.md', 'a.markdown', '--format', 'txt'], code: 1, expect: [/^a\.markdown error This letter's editions would have the same names as those of a\.md/m] },
    { name: 'the letter a link to /dev/urandom', setup: (c) => symlinkSync('/dev/urandom', path.join(c.p, 'random.md')), args: ['build', 'random.md', '--format', 'txt'], code: 1, expect: [/^random\.md error This is a device, not a regular file/m] },
    { name: 'the data file a folder', setup: (c) => { rmSync(path.join(c.p, 'people.csv')); mkdirSync(path.join(c.p, 'people.csv')); }, args: BUILD, code: 1, expect: [/^people\.csv error This is a folder, not a file/m] },
    { name: 'a FIFO as the data file for signatories list', setup: fifo('project/people.csv'), args: ['signatories', 'list'], code: 1, expect: [/^people\.csv error This is a named pipe \(FIFO\)/m] },
    { name: 'check: 200,000 page references to one page', setup: (c) => c.write('project/x.pdf', pdf([CATALOG, `<< /Type /Pages /Kids [${'3 0 R '.repeat(200_000)}] /Count 200000 >>`, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>'])), args: ['check', 'x.pdf'], code: 1, expect: [/^x\.pdf error Cannot check the file: the PDF has 200000 pages/m] },
    { name: 'check: nesting hidden in an object stream', setup: (c) => c.write('project/x.pdf', pdf([`${CATALOG.slice(0, -2)}/X 4 0 R >>`, ...ONE_PAGE(), stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', deflateSync(Buffer.from(`4 0 ${'['.repeat(50_000)}${']'.repeat(50_000)}`)))])), args: ['check', 'x.pdf'], code: 1, expect: [/more than 64 levels deep/] },
    { name: 'an edition of another user rewritten by root keeps its owner', setup: (c) => chownSync(path.join(c.p, 'out', 'letter.txt'), 4242, 4343), args: [...BUILD], code: 0, expect: [/Built 2 edition/], changes: OUT, after: (c) => { const st = statSync(path.join(c.p, 'out', 'letter.txt')); expect([st.uid, st.gid]).toEqual(process.getuid?.() === 0 ? [4242, 4343] : [st.uid, st.gid]); } },
    { name: 'as another user, a manifest of root beside the user\'s own editions', needs: 'user', asUser: true, setup: both(NEW_TEXT, shared, (c) => { chmodSync(path.join(c.p, 'out'), 0o1777); for (const f of ['letter.txt', 'letter.html']) chownSync(path.join(c.p, 'out', f), id(TEST_USER), id(TEST_USER)); }), args: BUILD, code: 1, expect: [/^out\/letter\.manifest\.json error The file belongs to another user \(uid 0\)/m] },
    { name: 'a YAML name with escape sequences is echoed escaped in a warning', setup: both(LETTER_FIELD('signatories', 'people.yaml'), (c) => c.write('project/people.yaml', 'organizations:\n  - name: "Alpha\\e[31m Org"\n  - name: "Alpha\\e[31m Org"\n')), args: BUILD, code: 1, expect: [/Duplicate organization "Alpha\\x1b\[31m Org"/], never: [/\u001b/] },
  ],
};

beforeAll(async () => {
  golden = mkdtempSync(path.join(tmpdir(), 'letterpress-hostile-golden-'));
  cpSync(fixture('letters', 'en-letter'), path.join(golden, 'project'), { recursive: true });
  mkdirSync(path.join(golden, 'outside'));
  writeFileSync(path.join(golden, 'outside', 'victim.txt'), 'victim\n');
  const built = await cli([...BUILD], path.join(golden, 'project'));
  expect(built.code).toBe(0);
  // A good PDF for the check cases, built once beside (not inside) the copied project.
  const pdfBuild = await cli(['build', '--format', 'pdf', '--out', '..'], path.join(golden, 'project'));
  expect(pdfBuild.code).toBe(0);
  rmSync(path.join(golden, 'letter.manifest.json'));
  userProblem = ensureUser();
  chattrProblem = chattrWorks();
  if (userProblem && process.env.CI === 'true') throw new Error(`CI must run the other-user cases: ${userProblem}`);
  // The other-user cases run the compiled command: wait for it here (under npm test it is
  // compiled beside the first files), not inside a case's own time limit.
  if (!userProblem) distReady();
}, 120_000);

afterAll(() => {
  if (golden) rmSync(golden, { recursive: true, force: true });
});

interface Prepared {
  ctx: Ctx;
  args: string[];
  before: Map<string, string>;
}

/** A case's own copy of the project and outside/, set up, and its snapshot before the run. */
async function prepare(c: Case): Promise<Prepared> {
  const t = mkdtempSync(path.join(tmpdir(), 'letterpress-hostile-'));
  cpSync(path.join(golden, 'project'), path.join(t, 'project'), { recursive: true });
  cpSync(path.join(golden, 'outside'), path.join(t, 'outside'), { recursive: true });
  const p = path.join(t, 'project');
  const ctx: Ctx = {
    p,
    t,
    cleanup: [],
    write: (rel, data) => {
      mkdirSync(path.dirname(path.join(t, rel)), { recursive: true });
      writeFileSync(path.join(t, rel), data);
    },
    edit: (rel, change) => writeFileSync(path.join(t, rel), change(readFileSync(path.join(t, rel), 'utf8'))),
    read: (rel) => readFileSync(path.join(t, rel), 'utf8'),
  };
  prepared.push(ctx);
  await c.setup?.(ctx);
  const args = typeof c.args === 'function' ? c.args(ctx) : c.args;
  return { ctx, args, before: snapshot(t) };
}

/** Every folder prepare() made: removed after their case, and at the end whatever a failure left. */
const prepared: Ctx[] = [];
function release(ctx: Ctx): void {
  for (const undo of ctx.cleanup.splice(0)) undo();
  rmSync(ctx.t, { recursive: true, force: true });
}
afterAll(() => {
  for (const ctx of prepared.splice(0)) release(ctx);
});

/** The other-user cases, prepared and run as one process of the test user on first need. */
let asUser: Promise<Map<Case, { prep: Prepared; result: Result }>> | undefined;
const runAsUser = () =>
  (asUser ??= (async () => {
    const cases = Object.values(groups).flat().filter((c) => c.asUser);
    const preps: Prepared[] = [];
    for (const c of cases) preps.push(await prepare(c));
    const results = cliAsMany(TEST_USER, preps.map((prep) => ({ args: prep.args, cwd: prep.ctx.p })));
    expect(results).toHaveLength(cases.length);
    return new Map(cases.map((c, i) => [c, { prep: preps[i] as Prepared, result: results[i] as Result }]));
  })());

describe('hostile input, second round', () => {
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, async () => {
          const problem = c.needs === 'user' ? userProblem : c.needs === 'chattr' ? chattrProblem : null;
          if (problem) {
            console.log(`SKIPPED ${c.name}: ${problem}`);
            return;
          }
          let ctx: Ctx | undefined;
          try {
            let prep: Prepared;
            let result: Result;
            if (c.asUser) ({ prep, result } = (await runAsUser()).get(c) as { prep: Prepared; result: Result });
            else {
              prep = await prepare(c);
              result = await cli(prep.args, prep.ctx.p);
            }
            ctx = prep.ctx;
            const output = `${result.stderr}\n${result.stdout}`;
            const after = snapshot(ctx.t);
            expect({ code: result.code, output }).toMatchObject({ code: c.code });
            for (const pattern of c.expect) expect(output).toMatch(pattern);
            for (const pattern of c.never ?? []) expect(output).not.toMatch(pattern);
            expect(output).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m); // never a stack trace
            const diff = changed(prep.before, after);
            const allowed = c.changes ?? [];
            expect(diff.filter((d) => !allowed.some((a) => d === a.replace(/\/$/, '') || d.startsWith(a)))).toEqual([]);
            if (c.code !== 0) expect(diff).toEqual([]);
            c.after?.(ctx, output);
          } finally {
            if (ctx) release(ctx);
          }
        }, c.asUser ? 90_000 : 30_000); // the first other-user case runs them all
      }
    });
  }
});
