import type { PreparedTimestamp } from './prepare';
import type { Staleness } from './result';

/**
 * Stale data: the newest timestamp of the current data is older than the TTL — the pipeline that
 * should refresh these features has stopped ("stale features" in production).
 */
export function checkStaleness(ts: PreparedTimestamp, ttl: { ms: number; label: string }, now: number): Staleness {
  const newest = Number.isFinite(ts.max) ? ts.max : null;
  const ageMs = newest === null ? null : now - newest;
  return {
    column: ts.name,
    newest: newest === null ? null : new Date(newest).toISOString(),
    now: new Date(now).toISOString(),
    ageMs,
    ttl: ttl.label,
    ttlMs: ttl.ms,
    stale: ageMs === null || ageMs > ttl.ms,
  };
}
