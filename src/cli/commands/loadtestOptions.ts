import { PLAN_LIMITS } from '../../core/serving/loadtest';
import type { Protocol } from '../../core/serving/loadtest';
import type { LoadTestPlan } from '../../core/serving/types';
import { UsageError } from '../args';
import type { OptionValues } from '../context';

/** `mlops loadtest` options, checked: every number bounded, every mistake a usage error (exit 2). */
export interface LoadTestCliOptions {
  plan: LoadTestPlan;
  model?: string;
  protocol: Protocol;
  /** Triton's binary tensor data instead of JSON numbers (OIP only). */
  binary: boolean;
  batch: number;
  data?: string;
  columns?: string[];
  timeoutMs: number;
  maxErrors?: number;
  workers?: number;
  batching: boolean;
  quiet: boolean;
}

const DEFAULT_DURATION_MS = 10_000;
const DEFAULT_CLOSED_CONCURRENCY = 8;
/** Open loop: connections the generator may hold open while requests are due (wrk2's -c). */
const DEFAULT_OPEN_CONNECTIONS = 64;
const DEFAULT_WARMUP = 50;
const DEFAULT_TIMEOUT_MS = 30_000;

const CMD = 'loadtest';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function bounded(flag: string, v: unknown, min: number, max: number, integer = true): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${flag} expects ${integer ? 'a whole number' : 'a number'}, got "${s}".`, CMD);
  if (n < min || n > max) throw new UsageError(`--${flag} must be between ${min} and ${max}, got ${n}.`, CMD);
  return n;
}

/** "10s", "500ms", "2m", "1h", or a bare number of seconds -> milliseconds, bounded. */
export function durationOption(flag: string, v: unknown, minMs: number, maxMs: number): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s);
  if (!m) throw new UsageError(`--${flag} expects a duration such as 500ms, 10s, 2m or 1h, got "${s}".`, CMD);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's'];
  if (ms < minMs || ms > maxMs)
    throw new UsageError(`--${flag} must be between ${label(minMs)} and ${label(maxMs)}, got ${s}.`, CMD);
  return ms;
}

function label(ms: number): string {
  return ms < 1000
    ? `${ms}ms`
    : ms < 60_000
      ? `${ms / 1000}s`
      : ms < 3_600_000
        ? `${ms / 60_000}m`
        : `${ms / 3_600_000}h`;
}

export function parseLoadTestOptions(values: OptionValues): LoadTestCliOptions {
  const L = PLAN_LIMITS;
  const rate = bounded('rate', values.rate, L.rate.min, L.rate.max, false);
  const mode = rate === undefined ? 'closed' : 'open';
  const concurrency =
    bounded('concurrency', values.concurrency, L.concurrency.min, L.concurrency.max) ??
    (mode === 'open' ? DEFAULT_OPEN_CONNECTIONS : DEFAULT_CLOSED_CONCURRENCY);
  const requests = bounded('requests', values.requests, L.requests.min, L.requests.max);
  let durationMs = durationOption('duration', values.duration, L.durationMs.min, L.durationMs.max);
  if (requests === undefined && durationMs === undefined) durationMs = DEFAULT_DURATION_MS;
  const warmupRequests = bounded('warmup', values.warmup, L.warmupRequests.min, L.warmupRequests.max) ?? DEFAULT_WARMUP;
  const batch = bounded('batch', values.batch, 1, 65_536) ?? 1;
  const protocol = (values.protocol as string | undefined) ?? 'oip';
  if (protocol !== 'oip' && protocol !== 'mlflow')
    throw new UsageError(`--protocol must be oip or mlflow, got "${protocol}".`, CMD);
  const binary = values.binary === true;
  if (binary && protocol !== 'oip')
    throw new UsageError(
      '--binary sends Open Inference Protocol binary tensors; it cannot go with --protocol mlflow.',
      CMD,
    );
  const columns =
    values.columns === undefined
      ? undefined
      : String(values.columns)
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean);
  if (columns && columns.length === 0) throw new UsageError('--columns names no column.', CMD);
  if (columns && values.data === undefined) throw new UsageError('--columns needs --data.', CMD);
  return {
    plan: { mode, concurrency, rate, requests, durationMs, warmupRequests, batch },
    model: values.model as string | undefined,
    protocol,
    binary,
    batch,
    data: values.data as string | undefined,
    columns,
    timeoutMs: durationOption('timeout', values.timeout, 1, 3_600_000) ?? DEFAULT_TIMEOUT_MS,
    maxErrors: bounded('max-errors', values['max-errors'], 0, Number.MAX_SAFE_INTEGER),
    workers: bounded('workers', values.workers, 1, 64),
    batching: values['no-batching'] !== true,
    quiet: values.quiet === true,
  };
}
