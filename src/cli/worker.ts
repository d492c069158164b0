/**
 * The edition worker's launcher (src/build/worker/host.ts starts it): the worker runs what the
 * build's thread runs — the bundle through the V8 code cache when the command line runs the
 * bundle (it reads the cache, the command's own run writes it), else the modules of dist/.
 */
import { workerData } from 'node:worker_threads';

const data = (workerData ?? {}) as { bundled?: boolean; cache?: boolean };
let serveEditions: (() => void | Promise<void>) | undefined;
if (data.bundled === true) {
  const { launchInfo, compileBundle } = await import('./codeCache.js');
  const launch = launchInfo(new URL('./launch.json', import.meta.url));
  serveEditions = (launch && compileBundle(launch, new URL(`./${launch.bundle}`, import.meta.url), { cache: data.cache !== false })?.exports.serveEditions) || undefined;
}
await (serveEditions ?? (await import('../build/worker/thread.js')).serveEditions)();
