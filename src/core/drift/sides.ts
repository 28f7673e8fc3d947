import { cancelled, isMlopsError } from '../errors';
import type { PreparedDataset } from './prepare';
import { prepareDataset, transferables } from './prepare';
import { readDataset } from './read';
import type { DriftResult } from './result';
import { callWorker } from './workerCall';
import { type CompareJob, reviveError, type SideJob, type WorkerReply, workerScript } from './workerProtocol';

/**
 * Where a run does its heavy work. Reading and sorting dominate, and the two datasets are independent:
 * - 'none'    everything in the calling thread (tests, or no worker script next to this module);
 * - 'current' the current file in a worker while the calling thread reads the reference (the CLI);
 * - 'all'     both files in workers and the comparison in a worker, so the calling thread (the VS Code
 *             extension host) only orchestrates.
 * Workers are flat: the calling thread starts each one; a worker never starts another.
 */
export type Threads = 'none' | 'current' | 'all';

export type SideProgress = (bytes: number, total: number) => void;

export async function prepareInline(job: SideJob, signal?: AbortSignal, onProgress?: SideProgress) {
  const ds = await readDataset(job.file, { ...job.read, signal, onProgress });
  return prepareDataset(ds, job.prepare);
}

function prepareInWorker(script: string, job: SideJob, signal?: AbortSignal, onProgress?: SideProgress) {
  return callWorker<WorkerReply, PreparedDataset>(
    script,
    { type: 'prepare', job },
    [],
    `Reading ${job.read.displayName ?? job.file}`,
    signal,
    (m) => {
      if (m.type === 'progress') return void onProgress?.(m.bytes, m.total);
      if (m.type === 'prepared') return { result: m.dataset };
      if (m.type === 'error') return { error: reviveError(m.error) };
      return undefined;
    },
  );
}

/** The comparison in a worker; both datasets are transferred (the caller must not use them after). */
export function compareInWorker(
  script: string,
  reference: PreparedDataset,
  current: PreparedDataset,
  job: CompareJob,
  signal?: AbortSignal,
): Promise<DriftResult> {
  return callWorker<WorkerReply, DriftResult>(
    script,
    { type: 'compare', reference, current, job },
    [...transferables(reference), ...transferables(current)],
    'The drift comparison',
    signal,
    (m) => {
      if (m.type === 'compared') return { result: m.result };
      if (m.type === 'error') return { error: reviveError(m.error) };
      return undefined;
    },
  );
}

/** One side alone: in a worker when `threads` is 'all' (the caller's thread stays free), else inline. */
export function prepareOne(
  threads: Threads,
  job: SideJob,
  signal?: AbortSignal,
  onProgress?: SideProgress,
): Promise<PreparedDataset> {
  const script = threads === 'all' ? scriptFor(threads) : undefined;
  return script ? prepareInWorker(script, job, signal, onProgress) : prepareInline(job, signal, onProgress);
}

/** The worker script when `threads` asks for workers and one exists. */
export function scriptFor(threads: Threads): string | undefined {
  return threads === 'none' ? undefined : workerScript();
}

/**
 * Both sides, in parallel where `threads` allows. When one side fails, the other is stopped and the
 * failure of the side that failed is reported, never the cancellation it caused in the other; a
 * cancellation is reported only when the caller cancelled.
 */
export async function prepareBoth(
  reference: SideJob,
  current: SideJob,
  opts: {
    threads: Threads;
    signal?: AbortSignal;
    onProgress?: (which: 'reference' | 'current', b: number, t: number) => void;
  },
): Promise<[PreparedDataset, PreparedDataset]> {
  const script = scriptFor(opts.threads);
  const progress = (which: 'reference' | 'current') => (b: number, t: number) => opts.onProgress?.(which, b, t);
  if (!script) {
    const ref = await prepareInline(reference, opts.signal, progress('reference'));
    const cur = await prepareInline(current, opts.signal, progress('current'));
    return [ref, cur];
  }
  const inner = new AbortController();
  const forward = () => inner.abort();
  opts.signal?.addEventListener('abort', forward);
  const failures: unknown[] = [];
  const guard = <T>(p: Promise<T>) =>
    p.catch((e: unknown) => {
      failures.push(e);
      inner.abort();
      throw e;
    });
  try {
    const cur = guard(prepareInWorker(script, current, inner.signal, progress('current')));
    const ref = guard(
      opts.threads === 'all'
        ? prepareInWorker(script, reference, inner.signal, progress('reference'))
        : prepareInline(reference, inner.signal, progress('reference')),
    );
    return await Promise.all([ref, cur]);
  } catch {
    if (opts.signal?.aborted) throw cancelled('The drift comparison');
    // The side that failed first is recorded first; the other side's cancellation comes after it.
    throw failures.find((e) => !isMlopsError(e, 'CANCELLED')) ?? failures[0];
  } finally {
    opts.signal?.removeEventListener('abort', forward);
  }
}
