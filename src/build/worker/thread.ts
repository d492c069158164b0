/**
 * The edition worker's side: a thread that makes the editions a build hands it (the Word copy)
 * from the frame alone, while the build's own thread makes the PDF. It reads what the renderers
 * read in the build's thread — the font files the frame names, the cache folder — and keeps its
 * own memos between builds (watch, serve), as the build's thread keeps its own. Its replies are
 * the edition's bytes or the reason it has none; the build then makes that edition itself, so an
 * error is reported exactly as a build without a worker reports it.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { VFile } from 'vfile';
import { editions } from '../../render/index.js';
import { fileData, frameOf, type EditionReply, type EditionRequest } from './protocol.js';

/** Answer the build's requests, one after the other, each edition as soon as it is made. */
export function serveEditions(): void {
  const port = parentPort;
  if (!port) throw new Error('serveEditions runs in a worker thread.');
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: EditionRequest) => {
    // A reply that cannot be sent leaves the build waiting for its time (then it makes the
    // edition itself); the next request is answered all the same.
    queue = queue.then(() => answer(request, (reply) => port.postMessage(reply))).catch(() => undefined);
  });
  // Loaded while the build's thread sets its first letter, not when the first frame comes.
  void import('../../render/docx/index.js').catch(() => undefined);
  void import('../../render/html/index.js').catch(() => undefined);
}

async function answer(request: EditionRequest, reply: (r: EditionReply) => void): Promise<void> {
  const { id } = request;
  let frame;
  try {
    frame = frameOf(request);
  } catch (err) {
    for (const format of request.formats) reply({ id, format, ok: false, reason: reasonOf(err) });
    return;
  }
  for (const format of request.formats) {
    const started = performance.now();
    const warnings: VFile[] = [];
    try {
      const data = await editions[format].render(frame, { ...request.options, diagnostics: warnings });
      reply({ id, format, ok: true, data, ms: performance.now() - started, warnings: warnings.map(fileData) });
    } catch (err) {
      reply({ id, format, ok: false, reason: reasonOf(err) });
    }
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
