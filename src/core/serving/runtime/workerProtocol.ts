import { MlopsError } from '../../errors';
import type { NumericArray, Tensor } from './datatypes';

/**
 * Messages between the pool (main thread) and an inference worker. Tensor data travels as typed arrays
 * whose buffers are transferred, never as JSON; strings are structured-cloned.
 */
export interface WorkerConfig {
  intraOpThreads: number;
  /** Sessions are evicted least-recently-used once the loaded model files pass this many bytes. */
  memoryBudgetBytes: number;
}

export interface ModelRef {
  sha256: string;
  path: string;
}

export type ToWorker =
  | ({ type: 'load'; id: number; warmup?: Record<string, Tensor> } & ModelRef)
  | ({ type: 'run'; id: number; feeds: Record<string, Tensor>; outputs: string[] } & ModelRef)
  | { type: 'unload'; sha256: string }
  | { type: 'inspect'; id: number }
  /** After the work already sent: release every session and exit. */
  | { type: 'shutdown' }
  /** Test hook: die with an uncaught error when the next run arrives (a crash while holding a request). */
  | { type: 'crash-on-next-run' };

export interface LoadReport {
  /** False when the session was already in this worker's cache. */
  loaded: boolean;
  loadMs: number;
  warmupMs: number;
  /** The warm-up run failed (the model may need particular values); the session is loaded anyway. */
  warmupError?: string;
  /** What the session itself takes and gives, to check the signature against. */
  inputNames: string[];
  outputNames: string[];
}

export interface CachedSession {
  sha256: string;
  bytes: number;
}

export interface SerializedError {
  code?: string;
  message: string;
  hint?: string;
}

export type FromWorker =
  | ({ type: 'loaded'; id: number } & LoadReport)
  | { type: 'result'; id: number; outputs: Record<string, Tensor>; runMs: number }
  | { type: 'inspected'; id: number; sessions: CachedSession[] }
  | { type: 'error'; id: number; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof MlopsError) return { code: e.code, message: e.message, hint: e.hint };
  return { message: e instanceof Error ? e.message : String(e) };
}

/** MlopsErrors come back as such; anything else (an onnxruntime failure) as a plain Error. */
export function reviveError(e: SerializedError): Error {
  return e.code ? new MlopsError(e.code as MlopsError['code'], e.message, e.hint) : new Error(e.message);
}

/** Buffers to transfer with a message: each typed array's, once (and only when it owns the whole buffer). */
export function transferList(tensors: Record<string, Tensor>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    if (Array.isArray(t.data)) continue;
    const d = t.data as NumericArray;
    if (d.buffer instanceof ArrayBuffer && d.byteOffset === 0 && d.byteLength === d.buffer.byteLength)
      out.add(d.buffer);
  }
  return [...out];
}
