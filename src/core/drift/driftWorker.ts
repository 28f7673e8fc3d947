import { parentPort } from 'node:worker_threads';
import { compareDatasets } from './compare';
import { transferables } from './prepare';
import { prepareInline } from './sides';
import { serializeError, type WorkerReply, type WorkerRequest } from './workerProtocol';

/**
 * Worker thread entry (bundled as dist/driftWorker.js), speaking workerProtocol.ts: it prepares one
 * dataset or compares two prepared ones, then the caller terminates it. It never starts a worker.
 */
const port = parentPort;
if (port) {
  const reply = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const fail = (e: unknown) => reply({ type: 'error', error: serializeError(e) });
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'prepare') {
      prepareInline(m.job, undefined, (bytes, total) => reply({ type: 'progress', bytes, total })).then(
        (dataset) => reply({ type: 'prepared', dataset }, transferables(dataset)),
        fail,
      );
    } else {
      try {
        reply({ type: 'compared', result: compareDatasets(m.reference, m.current, m.job) });
      } catch (e) {
        fail(e);
      }
    }
  });
}
