/**
 * `letterpress serve`: a local page that shows the mailing PDF as it will print (pdf.js), the
 * problems of the last build, the signatory list with forms, and the downloads; rebuilt in this
 * process on every change and pushed to the page with server-sent events.
 *
 * HTTP with Hono on @hono/node-server: routing, cookies, body limits and server-sent events are
 * solved there, in a few small modules with no dependencies of their own. Nothing the page sends
 * is ever used as a file path: assets come from a fixed table loaded at start, editions from the
 * last build's own list, looked up by a number and a format id.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { readForExcerpt, readInput } from '../../io/readInput.js';
import { overlaps } from '../../build/worker/rule.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { VFile } from 'vfile';
import { ALL_FORMATS, type Format } from '../../render/index.js';
import { BuildError } from '../../diagnostics/index.js';
import { addSignatory, importSignatories, removeSignatory, updateSignatory, type EditOptions } from '../../signatories/edit.js';
import type { ImportPlan } from '../../signatories/import/plan.js';
import { formatOf, readAndCheck } from '../../signatories/index.js';
import { FIELDS, newSignatory, type NewSignatory } from '../../signatories/schema.js';
import { LetterSession, problemsOf } from './session.js';
import { allowedHosts, guard, headers, newToken } from './security.js';
import type { AppState, EditResponse, FieldInfo, ImportResponse, ImportSummary } from './protocol.js';
import type { CliOutput } from '../io.js';
import { today } from '../../model/types.js';
import { shownPath } from '../../io/paths.js';

/** Edits are a few hundred bytes; anything far larger is not from the page. */
export const MAX_JSON_BYTES = 64 * 1024;
/** A sign-up sheet sent from the page (the command line takes larger files). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

export interface ServeOptions {
  letters: string[];
  host?: string;
  /** 0: any free port. */
  port?: number;
  outDir?: string;
  formats?: Format[];
  wrap?: number;
  /** Where an internal error of a request is reported (default: process.stderr). */
  log?: CliOutput;
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  cookie: string;
  sessions: LetterSession[];
  /** Resolves after every letter's first build (the page shows "building" until then). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);

interface Asset {
  body: Uint8Array;
  type: string;
}

/** Browser modules compiled from src/cli/serve/client by the project's build (tsconfig.client.json). */
const CLIENT_MODULES = ['app', 'dom', 'i18n', 'pages', 'signatories', 'problems'];

/** The app's own files, read once: the page, its style, its modules, and pdf.js with its worker. */
function loadAssets(): Map<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const table: Array<[string, string, string]> = [
    ['/', path.join(packageRoot, 'src', 'cli', 'serve', 'client', 'index.html'), 'text/html; charset=utf-8'],
    ['/app/style.css', path.join(packageRoot, 'src', 'cli', 'serve', 'client', 'style.css'), 'text/css; charset=utf-8'],
    ...CLIENT_MODULES.map((m): [string, string, string] => [`/app/${m}.js`, path.join(packageRoot, 'dist', 'cli', 'serve', 'client', `${m}.js`), js]),
    ['/vendor/pdf.mjs', require.resolve('pdfjs-dist/legacy/build/pdf.min.mjs'), js],
    ['/vendor/pdf.worker.mjs', require.resolve('pdfjs-dist/legacy/build/pdf.worker.min.mjs'), js],
  ];
  const assets = new Map<string, Asset>();
  for (const [route, file, type] of table) {
    try {
      assets.set(route, { body: readFileSync(file), type });
    } catch {
      throw new Error(`The preview page's file ${path.relative(packageRoot, file)} is missing; run "npm run compile" in ${packageRoot}.`);
    }
  }
  return assets;
}

const CONTENT_TYPES: Record<Format, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const importSchema = z
  .object({
    fileName: z.string().max(1000),
    /** The file's bytes, base64. */
    data: z.string(),
    dryRun: z.boolean(),
    version: z.string().max(100),
    force: z.boolean().optional(),
  })
  .strict();

/** The plan as the page shows it. */
function summary(plan: ImportPlan): ImportSummary {
  const values = (entry: Record<string, unknown>) => Object.fromEntries(Object.entries(entry).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    source: plan.source,
    columns: plan.columns.map((c) => ({ header: c.header, field: c.field })),
    added: plan.added.map((a) => ({ line: a.row.line, kind: a.entry.kind, values: values(a.entry) })),
    updated: plan.updated.map((u) => ({ line: u.row.line, name: u.name, changes: u.changes.map((ch) => ({ field: ch.field, ...(ch.from !== undefined ? { from: ch.from } : {}), to: ch.to })) })),
    skipped: plan.skipped.map((k) => ({ line: k.row.line, name: k.name, reason: k.reason })),
    refused: plan.refused.length,
    problems: problemsOf([plan.report]),
  };
}

const editSchema = z
  .object({
    action: z.enum(['add', 'update', 'remove']),
    version: z.string().max(100),
    name: z.string().max(2000).optional(),
    entry: z.record(z.string(), z.string().max(2000)).optional(),
    force: z.boolean().optional(),
  })
  .strict();

/** The page's values as an entry of the schema; a field the kind does not have is refused, as on the command line. */
/** The page's form as a new entry: a field left empty is not given. */
function entryOf(values: Record<string, string>): NewSignatory {
  const { kind = '', name = '', ...fields } = values;
  return newSignatory(kind, name, Object.fromEntries(Object.entries(fields).filter(([, value]) => value.trim() !== '')));
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const assets = loadAssets();
  const host = options.host ?? '127.0.0.1';
  const token = newToken();
  let port = options.port ?? 0;
  const cookie = () => `letterpress_${port}`;

  const subscribers = new Set<() => void>();
  let pushTimer: NodeJS.Timeout | null = null;
  const push = () => {
    if (pushTimer) clearTimeout(pushTimer);
    pushTimer = null;
    for (const s of subscribers) s();
  };
  // Changes close together go out as one event, within 5 ms; a new PDF goes out at once.
  const changed = (now = false) => {
    if (now) push();
    else pushTimer ??= setTimeout(push, 5);
  };

  // The PDF first: the page shows it while the other editions are made.
  const formats = [...(options.formats ?? ALL_FORMATS)].sort((a, b) => Number(b === 'pdf') - Number(a === 'pdf'));
  // One worker thread for every letter's editions beside the PDF (src/build/worker/host.ts), warm
  // for the server's life: a watch of its own per letter would hold a copy of the fonts each.
  const editionWorker = overlaps(formats) ? new (await import('../../build/worker/host.js')).EditionWorker() : undefined;
  editionWorker?.start();
  const buildOptions = { formats, outDir: options.outDir, wrap: options.wrap, ...(editionWorker ? { editionWorker } : {}) };
  const sessions = options.letters.map((letter, i) => new LetterSession(i, letter, buildOptions, { changed }));

  const fields: FieldInfo[] = FIELDS.map((f) => ({ key: f.key, kinds: [...f.kinds], type: f.type, required: 'required' in f && f.required === true }));
  const state = (): AppState => ({ letters: sessions.map((s) => s.snapshot()), fields, importAvailable: true });

  const sessionOf = (c: Context): LetterSession | null => {
    const id = c.req.param('id') ?? '';
    return /^\d{1,3}$/.test(id) ? (sessions[Number(id)] ?? null) : null;
  };

  const app = new Hono();
  app.use('*', headers());
  app.use('*', guard({ token, cookie, hosts: () => allowedHosts(port, host) }));
  const tooLarge = (c: Context) => c.text('The request is too large.', 413);
  app.use('/api/letters/:id/signatories', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }));
  // A spreadsheet, base64 in JSON: a third larger than the file.
  app.use('/api/letters/:id/import', bodyLimit({ maxSize: Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + MAX_JSON_BYTES, onError: tooLarge }));
  app.use('*', bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge }));
  app.onError((err, c) => {
    (options.log ?? process.stderr).write(`letterpress serve: ${err.stack ?? err.message}\n`);
    return c.text('Internal error; see the terminal.', 500);
  });
  app.notFound((c) => c.text('Not found.', 404));

  for (const [route, asset] of assets) {
    app.get(route, (c) => {
      c.header('content-type', asset.type);
      return c.body(asset.body as Uint8Array<ArrayBuffer>);
    });
  }

  app.get('/api/state', (c) => c.json(state()));

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let dirty = true;
      let wake: (() => void) | null = null;
      const notify = () => {
        dirty = true;
        wake?.();
      };
      subscribers.add(notify);
      stream.onAbort(() => {
        subscribers.delete(notify);
        wake?.();
      });
      let id = 0;
      while (!stream.aborted) {
        if (!dirty) {
          // Wait for a change; a comment every 20 s keeps the connection open.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 20_000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
        }
        if (stream.aborted) break;
        if (dirty) {
          dirty = false;
          await stream.writeSSE({ event: 'state', data: JSON.stringify(state()), id: String(++id) });
        } else {
          await stream.write(': keep-alive\n\n');
        }
      }
    }),
  );

  app.get('/editions/:id/changes.txt', (c) => {
    const session = sessionOf(c);
    if (!session) return c.text('No such letter.', 404);
    const { changes, letter, builtAt, sinceRelease } = session.snapshot();
    c.header('content-disposition', 'attachment; filename="changes.txt"');
    const lines = [`${letter}, built ${builtAt ?? '(not yet)'}`, '', 'Since the build before:', ...(changes.length ? changes : ['No changes.'])];
    if (sinceRelease) lines.push('', `Since the release "${sinceRelease.name}" (${sinceRelease.recordedAt.slice(0, 10)}):`, ...(sinceRelease.changes.length ? sinceRelease.changes : ['No changes.']));
    else lines.push('', 'No release is recorded (letterpress release), so there is no change report since one.');
    return c.text(`${lines.join('\n')}\n`);
  });

  app.get('/editions/:id/:format', async (c) => {
    const session = sessionOf(c);
    if (session && c.req.param('format') === 'pdf' && c.req.query('view') !== undefined) {
      const shown = session.pdfToShow();
      if (!shown) return c.text('No pages yet.', 404);
      c.header('content-type', CONTENT_TYPES.pdf);
      return c.body(shown as Uint8Array<ArrayBuffer>);
    }
    const format = ALL_FORMATS.find((f) => f === c.req.param('format'));
    const file = session && format ? session.editionFile(format) : null;
    if (!session || !format || !file) return c.text('No such edition.', 404);
    const body = await readFile(file);
    c.header('content-type', CONTENT_TYPES[format]);
    if (c.req.query('view') === undefined) c.header('content-disposition', `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`);
    return c.body(body);
  });

  /** The letter, the checked JSON body and the letter's data file of a write; or the response refusing it. */
  async function readRequest<T>(c: Context, schema: z.ZodType<T>, what: string): Promise<Response | { data: T; file: string }> {
    const session = sessionOf(c);
    if (!session) return c.text('No such letter.', 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.text('The request is not JSON.', 400);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return c.text(`Malformed ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 400);
    if (!session.dataPath) {
      const message = 'The letter names no signatory file (add `signatories: signatories.yaml` to its front matter), or it has not been built yet.';
      return c.json<EditResponse>({ ok: false, stale: false, problems: [{ severity: 'error', file: session.snapshot().letter, message }] });
    }
    return { data: parsed.data, file: session.dataPath };
  }

  app.post('/api/letters/:id/signatories', async (c) => {
    const read = await readRequest(c, editSchema, 'edit');
    if (read instanceof Response) return read;
    const { data: edit, file } = read;
    let version = '';
    const guardOptions: EditOptions = { expectVersion: edit.version, onWritten: (v) => (version = v) };
    const nearOptions = { force: edit.force === true, forceAdvice: 'choose "Save anyway"' };
    let newName: string | null = null;
    try {
      if (edit.action === 'add') {
        const entry = entryOf(edit.entry ?? {});
        newName = entry.name;
        await addSignatory(file, entry, { ...guardOptions, ...nearOptions, defaultSignedOn: today() });
      } else if (edit.action === 'update') {
        const entry = entryOf(edit.entry ?? {});
        newName = entry.name;
        await updateSignatory(file, edit.name ?? '', entry, { ...guardOptions, ...nearOptions });
      } else {
        await removeSignatory(file, edit.name ?? '', guardOptions);
      }
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      const text = await readForExcerpt(file);
      const problems = problemsOf(err.files, (f) => (path.resolve(f) === file ? text : undefined));
      for (const s of sessions) if (s.dataPath === file) await s.refreshData();
      return c.json<EditResponse>({ ok: false, stale: problems.some((p) => p.rule === 'signatories-stale'), problems });
    }
    for (const s of sessions) if (s.dataPath === file) await s.refreshData();
    return c.json<EditResponse>({ ok: true, version, warnings: newName ? await warningsAbout(file, newName) : [] });
  });

  app.post('/api/letters/:id/import', async (c) => {
    const read = await readRequest(c, importSchema, 'import');
    if (read instanceof Response) return read;
    const { data: request, file } = read;
    // The uploaded file's name only names it in messages (and gives its type): it is never opened.
    const name = path.basename(request.fileName.replace(/\\/g, '/')).slice(0, 200) || 'upload.csv';
    const bytes = new Uint8Array(Buffer.from(request.data, 'base64'));
    let version = '';
    try {
      const { plan, written } = await importSignatories(
        file,
        { path: name, bytes },
        {
          dryRun: request.dryRun,
          defaultSignedOn: today(),
          ...(request.force ? { force: true } : {}),
          ...(request.dryRun ? {} : { expectVersion: request.version, onWritten: (v: string) => (version = v) }),
        },
      );
      if (written) for (const s of sessions) if (s.dataPath === file) await s.refreshData();
      return c.json<ImportResponse>({ ok: true, written, version, plan: summary(plan) });
    } catch (err) {
      if (!(err instanceof BuildError)) throw err;
      const problems = problemsOf(err.files);
      return c.json<ImportResponse>({ ok: false, stale: problems.some((p) => p.rule === 'signatories-stale'), problems });
    }
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostPart}:${port}`;
  const ready = Promise.all(sessions.map((s) => s.start())).then(() => undefined);
  return {
    ready,
    url: `${origin}/?token=${token}`,
    origin,
    token,
    cookie: cookie(),
    sessions,
    close: async () => {
      subscribers.clear();
      if (pushTimer) clearTimeout(pushTimer);
      await ready.catch(() => undefined);
      await Promise.all(sessions.map((s) => s.close()));
      await editionWorker?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Warnings the data file now has about `name` (a look-alike of another entry, …). */
async function warningsAbout(file: string, name: string): Promise<ReturnType<typeof problemsOf>> {
  const format = formatOf(file);
  if (!format) return [];
  let vfile: VFile;
  try {
    // Read as the build reads it (bounded, any BOM or UTF-16 decoded, NFC).
    vfile = new VFile({ path: shownPath(file), value: await readInput(file, 'the data file was just written.', 'signatories-missing') });
    readAndCheck(vfile, format, { requireSignatories: false });
  } catch {
    return [];
  }
  const key = name.normalize('NFC').trim();
  return problemsOf([vfile]).filter((p) => p.severity === 'warning' && p.message.includes(key));
}
