/**
 * The build's side of the edition worker: a worker thread (thread.ts) that makes the Word copy
 * while the build's own thread makes the PDF, so the two overlap on a second core. A watch or
 * serve process keeps one for its life (warm across rebuilds, with memos of its own); a one-off
 * build starts one only where that measured faster (rule.ts).
 *
 * The worker runs what the build's thread runs: the bundle through the V8 code cache when the
 * command line runs the bundle (src/cli/worker.ts, its launcher), else the modules of dist/. It
 * never decides an outcome: an edition it cannot make — an error, a crash, no answer in time — is
 * made by the build's thread as if there were no worker, so a failure is reported exactly as it
 * would be without one, and nothing waits forever.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { VFile } from 'vfile';
import type { Format, RenderOptions } from '../../render/index.js';
import type { LetterFrame } from '../../frame/types.js';
import { fileOf, requestOf, type EditionReply } from './protocol.js';
import { warnedFields } from '../../render/docx/warnings.js';
import { workerStarted } from './rule.js';

/** Set by scripts/bundle.mjs in the bundle: the worker then starts from the bundle too. */
declare const LETTERPRESS_BUNDLE: boolean | undefined;

/** An edition the worker made. */
export interface WorkerEdition {
  data: Uint8Array;
  /** The worker's time making it. */
  ms: number;
  warnings: VFile[];
}

/** The worker's launcher: compiled beside this module's compiled copy (from the sources, as in the tests: dist's). */
function launcherUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../../dist/cli/worker.js', import.meta.url) : new URL('../../cli/worker.js', import.meta.url);
}

export interface EditionWorkerOptions {
  /** False: the worker reads no code cache (the command's `--no-cache`). */
  cache?: boolean;
  /** Another launcher (tests: one that crashes or never answers). */
  script?: URL;
  /**
   * How long the build waits for an edition once its own are made, at least: then the worker is
   * ended and the edition made in the build's thread. The wait is also at least twice the time
   * since the request (a slow machine makes both threads slow).
   */
  patienceMs?: number;
}

/** Workers lost in a row after which a build makes every edition itself. */
const MAX_LOST = 3;

interface Waiting {
  resolve: (edition: WorkerEdition | null) => void;
  requested: number;
}

export class EditionWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<string, Waiting>();
  /** Editions the build had to make itself (a failure, a crash, no answer in time). */
  fallbacks = 0;
  /** Workers lost in a row (died, or stopped answering); after MAX_LOST, no new one is started. */
  private lost = 0;

  constructor(private readonly options: EditionWorkerOptions = {}) {}

  /** Start the thread now (a watch process: before its first build), if not running. */
  start(): void {
    if (this.worker || this.lost >= MAX_LOST) return;
    const bundled = typeof LETTERPRESS_BUNDLE === 'boolean' && LETTERPRESS_BUNDLE;
    let worker: Worker;
    try {
      worker = new Worker(this.options.script ?? launcherUrl(), { workerData: { bundled, cache: this.options.cache !== false } });
    } catch {
      this.lost++;
      return;
    }
    workerStarted.value = true;
    worker.on('message', (reply: EditionReply) => this.received(reply));
    // A worker that dies, or whose message cannot be read, answers nothing more: its editions
    // are made by the build's thread, and the next build starts a new worker (up to MAX_LOST in
    // a row: one that cannot start at all is not started before every build).
    const gone = () => {
      if (this.worker === worker) {
        this.worker = null;
        this.lost++;
      }
      this.settleAll();
    };
    worker.on('error', gone);
    worker.on('messageerror', () => void worker.terminate());
    worker.on('exit', gone);
    worker.unref();
    this.worker = worker;
  }

  /**
   * Hand these editions of the frame to the worker. Each promise gives the edition, or null
   * when the build must make it itself (call `wait` to bound the wait).
   */
  request(frame: LetterFrame, formats: readonly Format[], options: RenderOptions): Map<Format, Promise<WorkerEdition | null>> {
    this.start();
    const worker = this.worker;
    const id = this.nextId++;
    const requested = performance.now();
    const replies = new Map<Format, Promise<WorkerEdition | null>>();
    for (const format of formats) replies.set(format, new Promise((resolve) => this.waiting.set(`${id}:${format}`, { resolve, requested })));
    try {
      if (!worker) throw new Error('no worker');
      worker.postMessage(requestOf(id, frame, [...formats], options, warnedFields(frame)));
    } catch {
      // No worker, or a frame that cannot cross (a function in it that should not be there): made here.
      for (const format of formats) this.settle(`${id}:${format}`, null);
      return replies;
    }
    // Kept alive while an answer is due (idle, the worker never holds the process open).
    worker.ref();
    return replies;
  }

  /**
   * The edition, or null once the worker has had its time: then it is ended (its editions made by
   * the build's thread; the next request starts a new one).
   */
  async wait(reply: Promise<WorkerEdition | null>): Promise<WorkerEdition | null> {
    const pending = [...this.waiting.values()];
    const since = Math.min(...pending.map((w) => w.requested), performance.now());
    const patience = Math.max(this.options.patienceMs ?? 10_000, 2 * (performance.now() - since));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), patience)));
    const edition = await Promise.race([reply, late]);
    clearTimeout(timer);
    if (edition !== 'late') {
      if (edition === null) this.fallbacks++;
      return edition;
    }
    const worker = this.worker;
    this.worker = null;
    this.lost++;
    this.settleAll();
    await worker?.terminate();
    this.fallbacks++;
    return null;
  }

  /** End the thread (a watch process closing, a one-off build done). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.settleAll();
    await worker?.terminate();
  }

  private received(reply: EditionReply): void {
    if (reply.ok) this.lost = 0;
    const key = `${reply.id}:${reply.format}`;
    this.settle(key, reply.ok ? { data: reply.data, ms: reply.ms, warnings: reply.warnings.map(fileOf) } : null);
  }

  private settle(key: string, edition: WorkerEdition | null): void {
    const waiting = this.waiting.get(key);
    if (!waiting) return;
    this.waiting.delete(key);
    waiting.resolve(edition);
    if (this.waiting.size === 0) this.worker?.unref();
  }

  private settleAll(): void {
    for (const key of [...this.waiting.keys()]) this.settle(key, null);
  }
}
