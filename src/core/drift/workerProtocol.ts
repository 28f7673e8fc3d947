import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ErrorCode, MlopsError } from '../errors';
import type { DriftSettings } from './config';
import type { PrepareOptions, PreparedDataset } from './prepare';
import type { DriftResult } from './result';
import type { ReadOptions } from './types';

/**
 * The one protocol between a drift run and its worker threads (dist/driftWorker.js). A worker is only
 * ever started by the thread that runs the comparison and never starts one itself: it either prepares
 * one dataset (read + sort) or compares two prepared datasets. Typed arrays cross by transfer.
 */

/** One dataset to read and prepare: plain data, so it can be posted to a worker. */
export interface SideJob {
  file: string;
  read: Omit<ReadOptions, 'signal' | 'onProgress'>;
  prepare: PrepareOptions;
}

/** What the comparison needs besides the two datasets (the settings and the clock). */
export interface CompareJob {
  settings: DriftSettings;
  /** Clock for the staleness check (tests pin it). */
  now: number;
  /** Notes found before the comparison (column types decided from both files ...). */
  notes: string[];
  /** The hint of the error for a column only one side has (RunRequest.columnsHint). */
  columnsHint?: string;
}

export type WorkerRequest =
  | { type: 'prepare'; job: SideJob }
  | { type: 'compare'; reference: PreparedDataset; current: PreparedDataset; job: CompareJob };

export interface SerializedError {
  code?: ErrorCode;
  message: string;
  hint?: string;
  stack?: string;
}

export type WorkerReply =
  | { type: 'progress'; bytes: number; total: number }
  | { type: 'prepared'; dataset: PreparedDataset }
  | { type: 'compared'; result: DriftResult }
  | { type: 'error'; error: SerializedError };

/** The bundled worker script beside this module, or undefined (tests run from out/, where it is not). */
export function workerScript(): string | undefined {
  const candidate = path.join(__dirname, 'driftWorker.js');
  return existsSync(candidate) ? candidate : undefined;
}

/** An error crossing threads keeps its code and hint, so the adapters still decide on the code. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof MlopsError) return { code: e.code, message: e.message, hint: e.hint };
  if (e instanceof Error) return { message: e.message, stack: e.stack };
  return { message: String(e) };
}

export function reviveError(e: SerializedError): Error {
  if (e.code) return new MlopsError(e.code, e.message, e.hint);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
