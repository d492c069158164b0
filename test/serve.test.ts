/**
 * `letterpress serve`, its HTTP side (node, no browser): the token, Host and Origin guards, path
 * traversal, body limits, edits through the safe editor with their refusals, stale versions and
 * two pages editing at once. One server on a scratch copy of the seed letter for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';

import path from 'node:path';
import { startServer, type RunningServer } from '../src/cli/serve/server.js';
import { problemsOf } from '../src/cli/serve/session.js';
import { readForExcerpt } from '../src/io/readInput.js';
import { VFile } from 'vfile';
import type { AppState, EditResponse, ImportResponse } from '../src/cli/serve/protocol.js';
import { distReady, root, scratch } from './helpers.js';

let server: RunningServer;
let outer: string;
let project: string;
let data: string;
let cookie: string;

beforeAll(async () => {
  distReady(); // the page's browser modules come from dist/
  outer = scratch('letterpress-serve-');
  project = path.join(outer, 'project');
  cpSync(path.join(root, 'letter.md'), path.join(project, 'letter.md'));
  cpSync(path.join(root, 'signatories.yaml'), path.join(project, 'signatories.yaml'));
  data = path.join(project, 'signatories.yaml');
  server = await startServer({ letters: [path.join(project, 'letter.md')], port: 0, formats: ['txt'] }); // the cheapest edition: these tests are about HTTP and edits
  await server.ready;
  cookie = `${server.cookie}=${server.token}`;
});

afterAll(async () => {
  await server?.close();
});

/** A raw request (the path exactly as given, no URL normalisation), as a browser or an attacker could send it. */
function raw(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers: { host: url.host, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * A request that declares a body of `bytes` and sends none of it: the server must refuse it by
 * its Content-Length alone. (Streaming megabytes at a server that has already answered 413 and
 * closed the connection races the answer against the reset.)
 */
function declared(method: string, target: string, headers: Record<string, string>, bytes: number): Promise<number> {
  const url = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers: { host: url.host, ...headers, 'content-length': String(bytes) } }, (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      req.destroy();
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.flushHeaders();
  });
}

const page = (extra: Record<string, string> = {}) => ({ cookie, ...extra });
const post = (body: unknown, headers: Record<string, string> = {}) =>
  raw('POST', '/api/letters/0/signatories', page({ origin: server.origin, 'content-type': 'application/json', ...headers }), JSON.stringify(body));

async function state(): Promise<AppState> {
  const r = await raw('GET', '/api/state', page());
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as AppState;
}

async function edit(body: unknown): Promise<EditResponse> {
  const r = await post(body);
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body) as EditResponse;
}

async function version(): Promise<string> {
  return (await state()).letters[0]?.data?.version ?? '';
}

async function nextBuild(after: number): Promise<AppState> {
  for (let i = 0; i < 400; i++) {
    const s = await state();
    if ((s.letters[0]?.build ?? 0) > after && s.letters[0]?.status !== 'building') return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no rebuild');
}

describe('serve: who may ask', () => {
  it('listens on 127.0.0.1 only by default', () => {
    expect(new URL(server.origin).hostname).toBe('127.0.0.1');
  });

  it('refuses every request without the token, and a wrong token', async () => {
    for (const target of ['/', '/api/state', '/app/app.js', '/editions/0/pdf', '/api/events']) {
      expect((await raw('GET', target)).status, target).toBe(403);
      // One character off (never the same character: a token may end in any of them).
      const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('x') ? 'y' : 'x'}`;
      expect((await raw('GET', target, { cookie: `${server.cookie}=${wrong}` })).status, target).toBe(403);
    }
    expect((await raw('GET', '/?token=wrong')).status).toBe(403);
  });

  it('takes the token from the printed address once, then keeps it in an HttpOnly SameSite=Strict cookie', async () => {
    const r = await raw('GET', `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const set = String(r.headers['set-cookie']);
    expect(set).toContain(`${server.cookie}=${server.token}`);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    const home = await raw('GET', '/', page());
    expect(home.status).toBe(200);
    expect(home.body).toContain('<script type="module" src="/app/app.js">');
    expect(home.body).not.toMatch(/<script>(?!<)/); // no inline script
    const csp = String(home.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(home.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses another Host (DNS rebinding) and another Origin, even with the token', async () => {
    const port = new URL(server.origin).port;
    expect((await raw('GET', '/api/state', page({ host: `evil.example:${port}` }))).status).toBe(421);
    expect((await raw('GET', '/api/state', page({ host: `127.0.0.1:${Number(port) + 1}` }))).status).toBe(421);
    expect((await raw('GET', '/api/state', page({ origin: 'http://evil.example' }))).status).toBe(403);
    const before = readFileSync(data, 'utf8');
    const entry = { action: 'add', version: await version(), entry: { kind: 'organization', name: 'From Elsewhere' } };
    expect((await post(entry, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(entry, { origin: 'null' })).status).toBe(403);
    expect((await raw('POST', '/api/letters/0/signatories', page({ 'content-type': 'application/json' }), JSON.stringify(entry))).status).toBe(403); // no Origin
    expect((await post(entry, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(entry, { 'content-type': 'text/plain' })).status).toBe(415); // what a cross-site form could send
    expect(readFileSync(data, 'utf8')).toBe(before);
  });
});

describe('serve: what may be read', () => {
  it('serves only its own assets and the built editions, never a path from the request', async () => {
    const secret = readFileSync(path.join(root, 'package.json'), 'utf8').slice(0, 40);
    const attempts = [
      '/app/../package.json',
      '/app/..%2f..%2fpackage.json',
      '/app/%2e%2e/%2e%2e/package.json',
      '/vendor/../../package.json',
      '/editions/0/..%2f..%2fsignatories.yaml',
      '/editions/0/yaml',
      '/editions/0/pdf/../../letter.md',
      '/editions/-1/pdf',
      '/editions/7/pdf',
      '/editions/0x0/pdf',
      '/editions/0/%2e%2e%2fletter.md',
      '/letter.md',
      '/signatories.yaml',
      '/app/pages.js.map',
      '//etc/passwd',
      '/..\\..\\package.json',
    ];
    for (const target of attempts) {
      const r = await raw('GET', target, page());
      expect([400, 404], target).toContain(r.status);
      expect(r.body, target).not.toContain(secret);
      expect(r.body, target).not.toContain('organizations:');
    }
    const txt = await raw('GET', '/editions/0/txt', page());
    expect(txt.status).toBe(200);
    expect(txt.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(txt.headers['content-disposition']).toMatch(/attachment; filename="letter.txt"/);
    expect(txt.body).toBe(readFileSync(path.join(project, 'out', 'letter.txt'), 'utf8'));
    expect((await raw('GET', '/editions/0/pdf', page())).status).toBe(404); // not built by this server
    expect((await raw('GET', '/vendor/pdf.worker.mjs', page())).status).toBe(200);
    const report = await raw('GET', '/editions/0/changes.txt', page());
    expect(report.body).toMatch(/Since the build before:\n/);
    expect(report.body).toContain('No release is recorded');
  });

  it('refuses bodies over the limit before reading them, and malformed edits', async () => {
    const before = readFileSync(data, 'utf8');
    const big = JSON.stringify({ action: 'add', version: 'x', entry: { kind: 'organization', name: 'A'.repeat(200_000) } });
    expect((await post(JSON.parse(big))).status).toBe(413);
    expect((await raw('POST', '/api/letters/0/signatories', page({ origin: server.origin, 'content-type': 'application/json' }), '{not json')).status).toBe(400);
    expect((await post({ action: 'format-disk', version: 'x' })).status).toBe(400);
    expect((await post({ action: 'add', version: 'x', entry: { kind: 'organization', name: 'X' }, path: '/etc/passwd' })).status).toBe(400);
    expect((await raw('POST', '/api/letters/5/signatories', page({ origin: server.origin, 'content-type': 'application/json' }), '{}')).status).toBe(404);
    expect(readFileSync(data, 'utf8')).toBe(before);
  });
});

describe('serve: edits', () => {
  it('adds an organisation through the safe editor; the list, the version and then the editions follow', async () => {
    const s = await state();
    const build = s.letters[0]?.build ?? 0;
    const result = await edit({ action: 'add', version: s.letters[0]?.data?.version, entry: { kind: 'organization', name: 'Zephyr Rights Network', country: 'Norway' } });
    expect(result.ok).toBe(true);
    const text = readFileSync(data, 'utf8');
    expect(text.match(/Zephyr Rights Network/g)).toHaveLength(1);
    const after = await state();
    expect(after.letters[0]?.data?.version).not.toBe(s.letters[0]?.data?.version);
    if (result.ok) expect(after.letters[0]?.data?.version).toBe(result.version);
    expect(after.letters[0]?.data?.organizations.map((o) => o.name)).toContain('Zephyr Rights Network');
    await nextBuild(build);
    expect(readFileSync(path.join(project, 'out', 'letter.txt'), 'utf8')).toContain('Zephyr Rights Network');
  });

  it('refuses a bad value and a duplicate with the same positioned messages as the command line, changing nothing', async () => {
    const before = readFileSync(data, 'utf8');
    const v = await version();
    const bad = await edit({ action: 'add', version: v, entry: { kind: 'organization', name: 'Dated Wrongly', signedOn: '21/09/2023' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems[0]?.message).toMatch(/Malformed date "21\/09\/2023": write it as YYYY-MM-DD/);
    const dup = await edit({ action: 'add', version: v, entry: { kind: 'organization', name: '  think ' } });
    expect(dup.ok).toBe(false);
    if (!dup.ok) {
      const p = dup.problems[0];
      expect(p?.message).toMatch(/"THINK" is already listed; nothing was changed/);
      expect(p?.file).toMatch(/signatories\.yaml$/);
      expect(p?.line).toBeGreaterThan(1);
      expect(p?.source).toContain('THINK');
    }
    const wrongField = await edit({ action: 'add', version: v, entry: { kind: 'organization', name: 'Somebody', sortAs: 'X' } });
    expect(wrongField.ok).toBe(false);
    if (!wrongField.ok) expect(wrongField.problems[0]?.message).toMatch(/applies to individual entries only/);
    const empty = await edit({ action: 'add', version: v, entry: { kind: 'individual', name: '   ' } });
    expect(empty.ok).toBe(false);
    expect(readFileSync(data, 'utf8')).toBe(before);
  });

  it('refuses a name that looks like one already listed, and saves it when the page says "Save anyway"', async () => {
    const before = readFileSync(data, 'utf8');
    const entry = { kind: 'organization', name: 'Human Rights Watch' }; // listed as "Human Rights Watch (HRW)"
    const near = await edit({ action: 'add', version: await version(), entry });
    expect(near.ok).toBe(false);
    if (!near.ok) {
      expect(near.problems[0]).toMatchObject({ rule: 'signatories-near-duplicate', message: expect.stringContaining('choose "Save anyway"') });
      expect(near.problems[0]?.message).not.toContain('--force');
    }
    expect(readFileSync(data, 'utf8')).toBe(before);
    const forced = await edit({ action: 'add', version: await version(), entry, force: true });
    expect(forced.ok).toBe(true);
    expect(readFileSync(data, 'utf8').match(/Human Rights Watch$/gm)).toHaveLength(1);
    expect((await edit({ action: 'remove', version: await version(), name: 'Human Rights Watch' })).ok).toBe(true);
    expect(readFileSync(data, 'utf8')).toContain('Human Rights Watch (HRW)');
  });

  it('refuses an edit made on a list that changed on disk since the page loaded it', async () => {
    const old = await version();
    const ok = await edit({ action: 'update', version: old, name: 'Zephyr Rights Network', entry: { kind: 'organization', name: 'Zephyr Rights Network', country: 'Sweden' } });
    expect(ok.ok).toBe(true);
    const before = readFileSync(data, 'utf8');
    const stale = await edit({ action: 'remove', version: old, name: 'Zephyr Rights Network' });
    expect(stale).toMatchObject({ ok: false, stale: true });
    expect(readFileSync(data, 'utf8')).toBe(before);
    expect(before).toMatch(/name: Zephyr Rights Network\n\s+country: Sweden/);
  });

  it('two pages adding at once: one is saved, the other refused as stale and saved on retry; nothing lost', async () => {
    const v = await version();
    const [a, b] = await Promise.all([
      edit({ action: 'add', version: v, entry: { kind: 'individual', name: 'Page One Person', title: 'Editor' } }),
      edit({ action: 'add', version: v, entry: { kind: 'individual', name: 'Page Two Person', title: 'Editor' } }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = a.ok ? b : a;
    expect(refused).toMatchObject({ stale: true });
    const retryName = a.ok ? 'Page Two Person' : 'Page One Person';
    expect((await edit({ action: 'add', version: await version(), entry: { kind: 'individual', name: retryName } })).ok).toBe(true);
    const text = readFileSync(data, 'utf8');
    for (const name of ['Page One Person', 'Page Two Person', 'Zephyr Rights Network', 'THINK']) expect(text.match(new RegExp(name, 'g'))).toHaveLength(1);
    const remove = await edit({ action: 'remove', version: await version(), name: 'page one person' });
    expect(remove.ok).toBe(true);
    expect(readFileSync(data, 'utf8')).not.toContain('Page One Person');
  });

  it('imports a spreadsheet: the dry run changes nothing, then the import writes it in one edit; a stale import is refused', async () => {
    const sheet = 'Name,Country,Kind\nImported Alpha Group,Peru,organization\nImported Beta Fund,Chile,organization\nTHINK,,organization\n';
    const body = (dryRun: boolean, v: string, fileName = 'sign-ups.csv') => ({ fileName, data: Buffer.from(sheet).toString('base64'), dryRun, version: v });
    const send = async (b: unknown) => {
      const r = await raw('POST', '/api/letters/0/import', page({ origin: server.origin, 'content-type': 'application/json' }), JSON.stringify(b));
      expect(r.status, r.body).toBe(200);
      return JSON.parse(r.body) as ImportResponse;
    };
    const before = readFileSync(data, 'utf8');
    const v = await version();
    const dry = await send(body(true, v));
    expect(dry.ok).toBe(true);
    if (dry.ok) {
      expect(dry.written).toBe(false);
      expect(dry.plan.added.map((a) => a.values.name)).toEqual(['Imported Alpha Group', 'Imported Beta Fund']);
      expect(dry.plan.skipped.map((k) => k.name)).toEqual(['THINK']);
    }
    expect(readFileSync(data, 'utf8')).toBe(before);
    expect(await send(body(false, 'stale-version'))).toMatchObject({ ok: false, stale: true });
    expect(readFileSync(data, 'utf8')).toBe(before);
    // The file name is only a name: a path in it is never opened.
    const done = await send(body(false, v, '../../../../etc/passwd.csv'));
    expect(done).toMatchObject({ ok: true, written: true });
    const after = readFileSync(data, 'utf8');
    expect(after.match(/Imported (Alpha Group|Beta Fund)/g)).toHaveLength(2);
    expect((await state()).letters[0]?.data?.version).toBe(done.ok ? done.version : '');
    expect(await declared('POST', '/api/letters/0/import', page({ origin: server.origin, 'content-type': 'application/json' }), 12 * 1024 * 1024)).toBe(413);
  });

  it('wrote nothing outside the project', () => {
    expect(readdirSync(outer)).toEqual(['project']);
    expect(readdirSync(project).sort()).toEqual(['letter.md', 'out', 'signatories.yaml']);
  });
});

describe('serve: the line shown with a problem', () => {
  it('is the decoded line of a UTF-16 data file, as the message counts it', async () => {
    const file = path.join(scratch('letterpress-excerpt-'), 'signatories.yaml');
    const text = 'organizations:\n  - name: Ωmega Rights\n    country: Belgium\n';
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const message = new VFile({ path: file });
    message.message('"Ωmega Rights" is already listed', { line: 2, column: 11 });
    const excerpt = await readForExcerpt(file);
    const [problem] = problemsOf([message], (f) => (f === file ? excerpt : undefined));
    expect(problem?.source).toBe('  - name: Ωmega Rights');
  });
});
