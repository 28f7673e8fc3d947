/**
 * When and how long to wait before trying a request again. Only idempotent calls are retried (a
 * repeated runs/create or model-versions/create would register twice), and only on answers that say
 * "try later" (429, 502, 503, 504) or on a connection dropped mid-way.
 */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First backoff ceiling; doubles each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 400, maxDelayMs: 8_000 };

export const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Network failures where the request may not have reached the server, or its answer was lost. */
const RETRYABLE_NET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function isRetryableNetworkError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && RETRYABLE_NET.has(code)) return true;
  return e instanceof Error && /socket hang up/i.test(e.message);
}

/**
 * "Full jitter" backoff (random in [0, ceiling]) so clients that failed together do not retry together;
 * a Retry-After the server sent is honoured up to the cap.
 */
export function backoffDelay(
  attempt: number,
  p: RetryPolicy,
  retryAfterHeader?: string,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * ceiling);
  const after = parseRetryAfter(retryAfterHeader);
  return after === undefined ? jittered : Math.min(p.maxDelayMs, Math.max(after, jittered));
}

function parseRetryAfter(h: string | undefined): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim()) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/**
 * Runs a read (an idempotent sequence of calls) again while it fails with a transient error, with the
 * same backoff as single requests. For reads that span several requests, each already retried alone:
 * this outlasts a server that restarts (connection refused for a while), which single requests do not
 * wait for.
 */
export async function retryRead<T>(
  read: () => Promise<T>,
  p: RetryPolicy,
  isTransient: (e: unknown) => boolean,
  onRetry?: (attempt: number, delayMs: number, e: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if (attempt >= Math.max(1, p.attempts) || !isTransient(e)) throw e;
      const ms = backoffDelay(attempt, p);
      onRetry?.(attempt, ms, e);
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}
