import { parentPort } from 'node:worker_threads';
import { prepareSide, serializeError, type WorkerReply, type WorkerRequest } from './parallel';
import { transferables } from './prepare';
import type { DriftResult } from './result';
import { type DriftProgress, runDrift, type RunRequest } from './run';

/**
 * Worker thread entry (bundled as dist/driftWorker.js): prepares one dataset for a run in another
 * thread, or runs a whole comparison so the VS Code extension host never does the heavy work itself.
 */
export type RunReply =
  { type: 'run-progress'; event: DriftProgress } | { type: 'result'; result: DriftResult } | WorkerReply;

const port = parentPort;
if (port) {
  port.on('message', (m: WorkerRequest | { type: 'run'; request: RunRequest }) => {
    if (m.type === 'prepare') {
      prepareSide(m.job, undefined, (bytes, total) =>
        port.postMessage({ type: 'progress', bytes, total } satisfies WorkerReply),
      ).then(
        (dataset) => port.postMessage({ type: 'prepared', dataset } satisfies WorkerReply, transferables(dataset)),
        (e: unknown) => port.postMessage({ type: 'error', error: serializeError(e) } satisfies WorkerReply),
      );
    } else if (m.type === 'run') {
      runDrift({
        ...m.request,
        onProgress: (event) => port.postMessage({ type: 'run-progress', event } satisfies RunReply),
      }).then(
        (result) => port.postMessage({ type: 'result', result } satisfies RunReply),
        (e: unknown) => port.postMessage({ type: 'error', error: serializeError(e) } satisfies RunReply),
      );
    }
  });
}
