import { Worker } from 'node:worker_threads';
import { MlopsError } from '../../errors';
import type { Tensor } from './datatypes';
import { type FromWorker, reviveError, type ToWorker, transferList, type WorkerConfig } from './workerProtocol';

type Request = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/**
 * One worker thread and the calls it has not answered yet. When the thread dies (a crash, an uncaught
 * error, out of memory), every unanswered call fails with 'INTERNAL' and `onExit` lets the
 * pool replace it. The thread keeps the process alive only while it holds a call, so an idle pool never
 * stops a CLI from exiting.
 */
export class WorkerSlot {
  readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private lastError: string | undefined;
  /** Whether the thread ever answered: one that dies before answering anything cannot start at all. */
  answered = false;
  /** Runs sent and not answered: one, and at most one full batch queued behind it (WorkerPool.schedule). */
  jobs = 0;
  /** Loading the models in use after a restart: no run before that. */
  loading = false;
  /** performance.now() when the main thread saw this worker's last run end. */
  lastEndedAt = 0;
  exited = false;

  constructor(
    readonly index: number,
    script: string,
    config: WorkerConfig,
    onExit: (slot: WorkerSlot, code: number) => void,
  ) {
    this.worker = new Worker(script, { workerData: config });
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => (this.lastError = e instanceof Error ? e.message : String(e)));
    this.worker.on('exit', (code) => {
      this.exited = true;
      const why = this.lastError ? `: ${this.lastError}` : ` (exit code ${code})`;
      const err = new MlopsError(
        'INTERNAL',
        `The inference worker stopped while handling this request${why}.`,
        'Retry the request; the worker has been replaced.',
      );
      for (const c of this.calls.values()) c.reject(err);
      this.calls.clear();
      onExit(this, code);
    });
  }

  /** Running a batch, or loading. */
  get busy(): boolean {
    return this.jobs > 0 || this.loading;
  }

  call(msg: Request, tensors?: Record<string, Tensor>): Promise<FromWorker> {
    if (this.exited)
      return Promise.reject(new MlopsError('INTERNAL', 'The inference worker has stopped.', 'Retry the request.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      if (this.calls.size === 1) this.worker.ref();
      this.worker.postMessage({ ...msg, id }, tensors ? transferList(tensors) : []);
    });
  }

  /** A message that expects no answer (unload). */
  send(msg: ToWorker): void {
    if (!this.exited) this.worker.postMessage(msg);
  }

  private onMessage(m: FromWorker): void {
    this.answered = true;
    const c = this.calls.get(m.id);
    if (!c) return;
    this.calls.delete(m.id);
    if (this.calls.size === 0) this.worker.unref();
    if (m.type === 'error') c.reject(reviveError(m.error));
    else c.resolve(m);
  }

  /**
   * Stops the thread once the work already sent is done (it releases its sessions and exits). Preferred
   * over `terminate`: onnxruntime-node 1.30 aborts the process when a thread is terminated mid-run.
   */
  shutdown(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.ref();
      this.worker.postMessage({ type: 'shutdown' });
    });
  }
}
