import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli as runCliIn } from '../src/cli/program.js';
import { distReady, fixture, root, runCli, runCliProcess, scratch } from './helpers.js';

const sigintListeners = process.listenerCount('SIGINT');

// Some cases run the compiled command: wait for it (compiled beside the first files under npm test)
// in a hook, not inside a case's own time limit.
beforeAll(() => distReady(), 300_000);

describe('letterpress CLI', () => {
  it('prints help and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: letterpress \[options\] \[command\]$/m);
    expect(help.stdout).toMatch(/^ {2}build \[options\] \[letters\.\.\.\]/m);
    const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    // The executable answers --version without loading commander; the same line, exit 0.
    expect(runCliProcess(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('as a process: a usage error exits 1 with the help on stderr; a refused build exits 1', async () => {
    const usage = runCliProcess(['frobnicate']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^error: unknown command 'frobnicate'/);
    expect(usage.stderr).toMatch(/^Usage: letterpress/m);
    expect(usage.stdout).toBe('');
    const dir = scratch();
    cpSync(fixture('letters', 'bad', 'letter.md'), path.join(dir, 'letter.md'));
    const refused = runCliProcess(['build', '--format', 'txt'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/letter\.md:13:13\s+error\s+Footnote \[\^nowhere\] is referenced but never defined/);
    expect(refused.stderr).toContain('Nothing was written; the previous editions are unchanged.');
    expect(await runCli(['build', '--format', 'txt'], dir)).toEqual(refused); // in-process: the same code and words
  });

  it('in-process: watch builds and prints to the given streams until the caller\'s signal stops it, exit 0', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const stop = new AbortController();
    let stdout = '';
    let stderr = '';
    const stdoutStream = { write: (s: string) => {
      stdout += s;
      if (stdout.includes('Watching for changes')) stop.abort();
    } };
    const code = await runCliIn(['watch', '--format', 'txt'], { cwd: dir, stdout: stdoutStream, stderr: { write: (s: string) => (stderr += s) }, signal: stop.signal });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}txt {3}out\/letter\.txt /m);
    expect(stderr).toBe('');
    expect(process.cwd()).toBe(root); // the run's folder is given back
    expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
  });

  it('as a process: watch builds, then stops on Ctrl-C (SIGINT) with exit 0', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    distReady();
    const child = spawn(process.execPath, [path.join(root, 'dist', 'cli', 'main.js'), 'watch', '--format', 'txt'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('Watching for changes')) resolve();
      });
      void exited.then(() => reject(new Error(`watch ended before watching: ${stderr}`)));
    });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Built 1 edition\(s\)/);
    expect(stderr).toBe('');
    expect(readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8')).toContain('Re: A test letter in English');
  });

  it('a failed build exits 1 with file:line:column and leaves the previous edition byte-for-byte', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'bad', 'letter.md'), path.join(dir, 'letter.md'));
    const previous = 'the previous good edition\n';
    writeFileSync(path.join(dir, 'out.txt'), '');
    const out = path.join(dir, 'out');
    cpSync(path.join(dir, 'out.txt'), path.join(out, 'letter.txt'), { recursive: true });
    writeFileSync(path.join(out, 'letter.txt'), previous);
    const result = await runCli(['build', 'letter.md', '--format', 'txt'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/letter\.md:13:13\s+error\s+Footnote \[\^nowhere\] is referenced but never defined/);
    expect(readFileSync(path.join(out, 'letter.txt'), 'utf8')).toBe(previous);
    expect(readdirSync(out)).toEqual(['letter.txt']);
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    const dir = scratch('letterpress-pipe-');
    cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
    const rows = Array.from({ length: 5000 }, (_, i) => `organization,Org ${String(i).padStart(5, '0')},UK,,,2023-09-20`);
    writeFileSync(path.join(dir, 's.csv'), ['kind,name,country,title,sort_as,signed_on', ...rows, ''].join('\n'));
    writeFileSync(path.join(dir, 'letter.md'), readFileSync(path.join(dir, 'letter.md'), 'utf8').replace('signatories: signatories.yaml', 'signatories: s.csv'));
    const main = path.join(root, 'dist', 'cli', 'main.js');
    distReady();
    // 5,000 lines written after `head` has gone: every write but the first finds the pipe closed.
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${main}" signatories list | head -c 1`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/EPIPE|internal error/);
    expect(result.status).toBe(0);
  });

  it('names the letter\'s language line when no template exists for it', async () => {
    const dir = scratch('letterpress-lang-');
    writeFileSync(path.join(dir, 'lettre.md'), readFileSync(path.join(root, 'letter.md'), 'utf8').replace('lang: zh-CN', 'lang: fr').replace(/^template: .*\n/m, '').replace(/^signatories: .*\n/m, ''));
    const result = await runCli(['build', 'lettre.md', 'missing.md', '--format', 'txt'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lettre\.md:2:1 error There is no template "fr" \(built in: en, ja, ko, zh-CN, zh-TW;/);
    expect(result.stderr).toContain('Nothing was written for lettre.md; its previous editions are unchanged.');
    expect(result.stderr).not.toContain(root); // no path inside letterpress's own install
  });

  it('rejects an unknown format', async () => {
    const result = await runCli(['build', 'letter.md', '--format', 'odt']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Unknown format "odt"/);
  });

  it('builds another letter, with its own data file and template, without code changes', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const result = await runCli(['build', path.join(dir, 'letter.md'), '--format', 'txt'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const text = readFileSync(path.join(dir, 'out', 'letter.txt'), 'utf8');
    expect(text).toContain('5 March 2024');
    expect(text).toContain('Re: A test letter in English');
    expect(text).toContain('Signatories (as of 4 March 2024)');
    expect(text).toContain('Member organisations\nalpha Rights / Cape Verde\nZeta Watch / Norway');
    expect(text).toContain('Individuals\nKim Min-jun (김민준) / Lawyer\nJane Roe / Professor');
    expect(text).toContain('We write about a matter of some urgency[1] and ask for your attention. This sentence continues');
    expect(text).toContain('[2] A second note, https://example.org/very/long/path/name.');
    expect(text).toContain('with a link <https://example.org/a/b>.');
  });

  it('writes to --out and names the edition after the letter', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    const result = await runCli(['build', 'letter.md', '--format', 'txt', '--out', 'editions'], dir);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'editions', 'letter.txt'))).toBe(true);
  });
});

describe('change report, diff and check', () => {
  it('diff says what changed in the data since the last build, and the next build reports it', async () => {
    const dir = scratch();
    cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.md'));
    cpSync(path.join(root, 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
    expect((await runCli(['build', '--format', 'txt'], dir)).stdout).toContain('Changes: first build');
    expect((await runCli(['diff'], dir)).stdout.trim()).toBe('No changes since the last build.');
    expect((await runCli(['signatories', 'add', '--org', 'Aardvark Rights Watch', '--date', '2023-09-30'], dir)).code).toBe(0);
    expect((await runCli(['signatories', 'remove', 'THINK'], dir)).code).toBe(0);
    const diff = (await runCli(['diff'], dir)).stdout;
    expect(diff).toContain('+1 organisation (Aardvark Rights Watch)');
    expect(diff).toContain('−1 organisation (THINK)');
    expect(diff).toContain('as-of 2023-09-21 → 2023-09-30');
    const build = await runCli(['build', '--format', 'txt'], dir);
    expect(build.stdout).toMatch(/Changes: \+1 organisation \(Aardvark Rights Watch\); −1 organisation \(THINK\); as-of 2023-09-21 → 2023-09-30/);
    expect(build.stdout).toMatch(/txt\s+out\/letter\.txt\s+[\d.]+ KB\s+\d+ ms/);
  });

  it('diff and release without a letter take the folder\'s only letter, and ask which one when there are several', async () => {
    const dir = scratch();
    cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.en.md'));
    cpSync(path.join(root, 'signatories.yaml'), path.join(dir, 'signatories.yaml'));
    expect((await runCli(['build', '--format', 'txt'], dir)).code).toBe(0);
    expect((await runCli(['diff'], dir)).stdout.trim()).toBe('No changes since the last build.');
    const release = await runCli(['release', 'first'], dir);
    expect(release.code).toBe(0);
    expect(existsSync(path.join(dir, 'letter.en.releases.json'))).toBe(true);
    cpSync(path.join(root, 'letter.md'), path.join(dir, 'letter.ko.md'));
    const ambiguous = await runCli(['diff'], dir);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('There are 2 letters here (letter.en.md, letter.ko.md)');
    expect((await runCli(['diff', 'letter.en.md'], dir)).stdout.trim()).toBe('No changes since the last build.');
  });

  it('check passes a letterpress PDF and fails a PDF it cannot vouch for', async () => {
    const dir = scratch();
    cpSync(fixture('letters', 'en-letter'), dir, { recursive: true });
    expect((await runCli(['build', '--format', 'pdf'], dir)).code).toBe(0);
    const ok = await runCli(['check', 'out/letter.pdf'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/out\/letter\.pdf: 1 page\(s\)[\s\S]*notes: 1→p\.1 2→p\.1[\s\S]*✓ preflight passed/);
    // the same PDF with its layout facts removed: nothing to check margins and notes against
    const stripped = readFileSync(path.join(dir, 'out', 'letter.pdf')).toString('latin1').replace(/\/Letterpress \d+ 0 R/, '/Xetterpress 0 0 R');
    writeFileSync(path.join(dir, 'other.pdf'), Buffer.from(stripped, 'latin1'));
    const bad = await runCli(['check', 'other.pdf'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/carries no letterpress layout facts/);
  });
});
