import type { LocalModel } from '../modelSource';
import type { BatchingOptions } from '../runtime/requestQueue';
import { WorkerPool } from '../runtime/workerPool';
import type { InputSpec } from './inputSpec';
import { inputSpecsFromSignature } from './inputSpec';
import { prepareRequests, type RequestSource } from './setup';
import { RunnerTarget } from './runnerTarget';
import type { LoadTarget } from './target';

export interface InProcessSetup extends RequestSource {
  timeoutMs: number;
  /** Worker threads (default: the pool's own sizing). */
  workers?: number;
  /** Batching of concurrent requests, as the server does it (default on). */
  batching?: Partial<BatchingOptions>;
}

/**
 * A model loaded in this process (sessions in worker threads, batching as the server does it) with no
 * HTTP in front: the load test then measures the model and the runtime alone. close() releases the
 * runner and its worker pool.
 */
export async function openInProcessTarget(
  model: LocalModel,
  setup: InProcessSetup,
): Promise<{ target: LoadTarget; specs: InputSpec[]; description: string }> {
  const specs = inputSpecsFromSignature(model.signature, model.label);
  const prepared = await prepareRequests(specs, setup);
  const pool = WorkerPool.create({ workers: setup.workers });
  try {
    const runner = await pool.createRunner({
      served: model.served,
      modelPath: model.modelPath,
      signature: model.signature,
      batching: setup.batching,
    });
    const inner = new RunnerTarget(runner, prepared.requests, setup.timeoutMs, true);
    const target: LoadTarget = {
      name: inner.name,
      send: (seq, signal) => inner.send(seq, signal),
      close: async () => {
        await inner.close();
        await pool.close();
      },
    };
    return { target, specs, description: prepared.description };
  } catch (e) {
    await pool.close();
    throw e;
  }
}
