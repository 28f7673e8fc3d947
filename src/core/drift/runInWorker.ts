import { Worker } from 'node:worker_threads';
import { cancelled } from '../errors';
import type { RunReply } from './driftWorker';
import { reviveError, workerScript } from './parallel';
import type { DriftResult } from './result';
import { type DriftProgress, runDrift, type RunRequest } from './run';

/**
 * A whole drift run in a worker thread: the extension host stays responsive while large files are read
 * and sorted, and cancelling terminates the worker at once. Runs inline when no worker script exists.
 */
export function runDriftInWorker(request: RunRequest, signal?: AbortSignal, onProgress?: (e: DriftProgress) => void): Promise<DriftResult> {
  const script = workerScript();
  if (!script) return runDrift({ ...request, signal, onProgress });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled('The drift comparison'));
    const worker = new Worker(script);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(cancelled('The drift comparison')));
    signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: RunReply) => {
      if (m.type === 'run-progress') onProgress?.(m.event);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else if (m.type === 'error') finish(() => reject(reviveError(m.error)));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`drift worker exited with code ${code}`))));
    worker.postMessage({ type: 'run', request });
  });
}
