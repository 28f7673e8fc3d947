import { Worker } from 'node:worker_threads';
import { cancelled, MlopsError } from '../errors';

/** What a reply means to the caller: progress (undefined), the result, or a failure. */
export type ReplyOutcome<T> = undefined | { result: T } | { error: Error };

/**
 * Sends one request to a fresh worker and settles on the first reply that `interpret` turns into a
 * result or an error; an abort, a crash or an early exit reject. The worker is always terminated, so a
 * cancelled comparison stops at once instead of finishing in the background.
 */
export function callWorker<R, T>(
  script: string,
  request: unknown,
  transfer: ArrayBuffer[],
  what: string,
  signal: AbortSignal | undefined,
  interpret: (reply: R) => ReplyOutcome<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(what));
    const worker = new Worker(script);
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(cancelled(what)));
    signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: R) => {
      const out = interpret(m);
      if (out === undefined) return;
      if ('result' in out) finish(() => resolve(out.result));
      else finish(() => reject(out.error));
    });
    worker.on('error', (e) => finish(() => reject(outOfMemory(e, what) ?? e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`drift worker exited with code ${code}`))));
    worker.postMessage(request, transfer);
  });
}

/** A worker that ran out of heap is a sentence about the data's size, not a bug to report. */
function outOfMemory(e: Error, what: string): MlopsError | undefined {
  if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') return undefined;
  return new MlopsError(
    'IO',
    `${what} ran out of memory.`,
    'Compare fewer columns (--columns) or a sample of the rows, or give Node more memory (NODE_OPTIONS=--max-old-space-size=8192).',
    { cause: e },
  );
}
