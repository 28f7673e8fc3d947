import { existsSync } from 'node:fs';
import path from 'node:path';
import { MlopsError, cancelled } from '../errors';
import { readDataset } from './read';
import { type PrepareOptions, type PreparedDataset, prepareDataset } from './prepare';
import type { ReadOptions } from './types';
import { callWorker } from './workerCall';

/**
 * Reading and sorting dominate a drift run, and the two datasets are independent: the current file is
 * read and prepared in a worker thread while this thread does the reference. Falls back to one thread
 * when the worker script is not beside this module (it is bundled as dist/driftWorker.js).
 */
export interface SideJob {
  file: string;
  read: Omit<ReadOptions, 'signal' | 'onProgress'>;
  prepare: PrepareOptions;
}

export type WorkerRequest = { type: 'prepare'; job: SideJob };
export type WorkerReply =
  | { type: 'progress'; bytes: number; total: number }
  | { type: 'prepared'; dataset: PreparedDataset }
  | { type: 'error'; error: { code?: string; message: string; hint?: string; stack?: string } };

export function workerScript(): string | undefined {
  const candidate = path.join(__dirname, 'driftWorker.js');
  return existsSync(candidate) ? candidate : undefined;
}

export async function prepareSide(
  job: SideJob,
  signal?: AbortSignal,
  onProgress?: (bytes: number, total: number) => void,
): Promise<PreparedDataset> {
  const ds = await readDataset(job.file, { ...job.read, signal, onProgress });
  return prepareDataset(ds, job.prepare);
}

export function prepareInWorker(
  script: string,
  job: SideJob,
  signal?: AbortSignal,
  onProgress?: (bytes: number, total: number) => void,
): Promise<PreparedDataset> {
  return callWorker<WorkerReply, PreparedDataset>(
    script,
    { type: 'prepare', job } satisfies WorkerRequest,
    `Reading ${job.read.displayName ?? job.file}`,
    signal,
    (m) => {
      if (m.type === 'progress') return void onProgress?.(m.bytes, m.total);
      if (m.type === 'prepared') return { result: m.dataset };
      return { error: reviveError(m.error) };
    },
  );
}

export function reviveError(e: { code?: string; message: string; hint?: string; stack?: string }): Error {
  if (e.code) return new MlopsError(e.code as MlopsError['code'], e.message, e.hint);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

export function serializeError(e: unknown): { code?: string; message: string; hint?: string; stack?: string } {
  if (e instanceof MlopsError) return { code: e.code, message: e.message, hint: e.hint };
  if (e instanceof Error) return { message: e.message, stack: e.stack };
  return { message: String(e) };
}

/** Both sides, in parallel when possible. */
export async function prepareBoth(
  reference: SideJob,
  current: SideJob,
  opts: {
    signal?: AbortSignal;
    useWorker?: boolean;
    onProgress?: (which: 'reference' | 'current', bytes: number, total: number) => void;
  },
): Promise<[PreparedDataset, PreparedDataset]> {
  const script = opts.useWorker === false ? undefined : workerScript();
  if (!script) {
    const ref = await prepareSide(reference, opts.signal, (b, t) => opts.onProgress?.('reference', b, t));
    const cur = await prepareSide(current, opts.signal, (b, t) => opts.onProgress?.('current', b, t));
    return [ref, cur];
  }
  // If one side fails, stop the other one too.
  const inner = new AbortController();
  const forward = () => inner.abort();
  opts.signal?.addEventListener('abort', forward);
  try {
    const cur = prepareInWorker(script, current, inner.signal, (b, t) => opts.onProgress?.('current', b, t));
    cur.catch(() => inner.abort());
    const ref = await prepareSide(reference, inner.signal, (b, t) => opts.onProgress?.('reference', b, t)).catch(
      (e: unknown) => {
        inner.abort();
        throw e;
      },
    );
    return [ref, await cur];
  } catch (e) {
    if (opts.signal?.aborted) throw cancelled('The drift comparison');
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', forward);
  }
}
