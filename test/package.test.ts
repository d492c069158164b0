/**
 * letterpress as a user installs it: the packed tarball installed into an empty folder outside
 * the repository (test/support/packedInstall.ts), its `letterpress` command run there (init, then
 * a build of every edition), and its library imported from there — by Node and by TypeScript.
 * One install per run; the commands run as child processes because that is what is tested.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { installPacked, type PackedProject } from './support/packedInstall.js';
import { distReady, scratch } from './helpers.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
let packed: PackedProject;
let letterDir: string;
let init: ReturnType<typeof spawnSync>;
/** The three slow steps run side by side (each is a process of its own): the build, the library, the type check. */
let build: Promise<Ran>, api: Promise<Ran>, typecheck: Promise<Ran>;

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

const start = (file: string, args: string[], cwd: string): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(file, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

beforeAll(() => {
  distReady(); // packed as compiled
  packed = installPacked(repo, scratch('letterpress-packed-'));
  letterDir = mkdtempSync(path.join(packed.dir, 'my-letter-'));
  init = run(['init', '--lang', 'en'], letterDir);
  build = start(packed.bin, ['build'], letterDir);
  api = start(process.execPath, [writeApiScript(), path.join(letterDir, 'letter.md')], packed.dir);
  const tsDir = writeTypeScriptUser();
  typecheck = start(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', tsDir], tsDir);
}, 240_000);

const run = (args: string[], cwd: string) => spawnSync(packed.bin, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('the packed package', () => {
  it('ships the compiled code, templates, starters and examples, and no tests or sources', () => {
    const tarball = readdirSync(packed.dir).find((f) => f.endsWith('.tgz')) as string;
    const files = execFileSync('tar', ['tzf', path.join(packed.dir, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const needed of ['package/dist/cli/main.js', 'package/dist/cli/letterpress.cjs', 'package/dist/cli/launch.json', 'package/dist/api/index.js', 'package/dist/api/index.d.ts', 'package/templates/zh-CN.yaml', 'package/starters/en.md', 'package/examples/letter.en.md', 'package/README.md']) {
      expect(files).toContain(needed);
    }
    // No sources: from src/ only the preview page's two static assets, which `serve` sends as they are.
    expect(files).toContain('package/src/cli/serve/client/index.html');
    expect(files.filter((f) => /^package\/test\//.test(f) || (/^package\/src\//.test(f) && !/^package\/src\/cli\/serve\/client\/(index\.html|style\.css)$/.test(f)) || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.endsWith('.map'))).toEqual([]);
    // The installed copy is this tarball (a kept install of the dependencies must not hide a stale one).
    expect(readFileSync(path.join(packed.dir, 'node_modules/letterpress/dist/api/index.js'), 'utf8')).toBe(readFileSync(path.join(repo, 'dist/api/index.js'), 'utf8'));
    // No warning at all: no engine warning on this Node (docx's nanoid comes bundled at a version
    // for Node 20), no install script waiting for approval.
    expect(packed.output).not.toMatch(/npm warn|EBADENGINE/i);
  });

  it('runs `letterpress init` in an empty folder and builds every edition there', async () => {
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(readdirSync(letterDir).sort()).toEqual(['.gitignore', 'letter.md', 'signatories.yaml']);
    expect(readFileSync(path.join(letterDir, '.gitignore'), 'utf8')).toMatch(/^out\/$/m);
    // no copy of the built-in templates
    expect(existsSync(path.join(letterDir, 'templates'))).toBe(false);

    const built = await build;
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const again = run(['init'], letterDir);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/letter\.md error This file is there already/);
    const out = path.join(letterDir, 'out');
    const pdf = readFileSync(path.join(out, 'letter.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const docx = unzipSync(readFileSync(path.join(out, 'letter.docx')));
    const documentXml = strFromU8(docx['word/document.xml'] as Uint8Array);
    expect(documentXml).toContain('What the letter is about');
    const text = readFileSync(path.join(out, 'letter.txt'), 'utf8');
    expect(text).toContain('Dear Minister,');
    expect(text).toContain('Title of a report'); // the footnote
    expect(text).toContain('Jane Example'); // a signatory from signatories.yaml
    expect(readFileSync(path.join(out, 'letter.html'), 'utf8')).toMatch(/<html[^>]*lang="en"/);
  });

  it('is a library: imported from the outside folder, it builds the letter into memory buffers', async () => {
    const result = await api;
    await build; // the text edition it is compared with
    expect(result.stderr).toBe('');
    const data = JSON.parse(result.stdout) as { sizes: Record<string, number>; text: string; pdfHead: string; bad: { ok: boolean; diagnostics: Array<{ line?: number; severity: string; rule?: string }> } };
    expect(Object.keys(data.sizes).sort()).toEqual(['pdf', 'txt']);
    expect(data.pdfHead).toBe('%PDF-');
    // The same text edition as the command line wrote.
    expect(data.text).toBe(readFileSync(path.join(letterDir, 'out', 'letter.txt'), 'utf8'));
    // Problems come back as data, with their lines, and nothing is printed.
    expect(data.bad.ok).toBe(false);
    expect(data.bad.diagnostics).toContainEqual(expect.objectContaining({ line: 3, severity: 'error', rule: 'front-matter-schema' }));
  });

  it('has type declarations a TypeScript program compiles against', async () => {
    const tsc = await typecheck;
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});

function writeApiScript(): string {
  const script = path.join(packed.dir, 'use-api.mjs');
  writeFileSync(
    script,
    `import { buildLetter, loadLetter } from 'letterpress';
const letter = process.argv[2];
const built = await buildLetter(letter, { formats: ['txt', 'pdf'] });
if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
const bad = await loadLetter({ path: letter, text: '---\\nlang: en\\ndate: 2024-02-30\\n---\\nHi' });
const sizes = Object.fromEntries(Object.entries(built.editions).map(([f, b]) => [f, b.byteLength]));
process.stdout.write(JSON.stringify({ sizes, text: new TextDecoder().decode(built.editions.txt), pdfHead: new TextDecoder().decode(built.editions.pdf.subarray(0, 5)), bad }));
`,
  );
  return script;
}

function writeTypeScriptUser(): string {
  const dir = mkdtempSync(path.join(packed.dir, 'ts-user-'));
  writeFileSync(
    path.join(dir, 'mail-merge.ts'),
    `import { buildLetter, type Diagnostic, type Format } from 'letterpress';
const formats: Format[] = ['pdf'];
const result = await buildLetter('letter.md', { formats });
if (result.ok) { const pdf: Uint8Array | undefined = result.editions.pdf; void pdf; }
else { const first: Diagnostic | undefined = result.diagnostics[0]; void first?.line; }
// @ts-expect-error: not an edition letterpress makes
const wrong: Format = 'odt';
void wrong;
`,
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [], skipLibCheck: true }, files: ['mail-merge.ts'] }),
  );
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}
