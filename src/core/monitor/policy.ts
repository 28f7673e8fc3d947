import type { CheckSpec, Level } from './types';

/**
 * The alerting policy, as Prometheus shapes it: a value gives a raw level against the warning and
 * critical thresholds; a check takes a level only after `for:` consecutive evaluations at (or above) it,
 * and a breach event is emitted when a check enters a worse level, unless an event of the same or a worse
 * severity was emitted within the check's cool-down (anti-flapping, anti-fatigue). Pure functions: the
 * history they read is the monitor history, so `mlops monitor --once` from cron behaves like a watcher.
 */

const RANK: Record<Level, number> = { ok: 0, nodata: 1, warning: 2, critical: 3 };

/** Worst first: critical, warning, no data, healthy. */
export function worstLevel(levels: Level[]): Level {
  let worst: Level = 'ok';
  for (const l of levels) if (RANK[l] > RANK[worst]) worst = l;
  return worst;
}

/** The level a value alone gives, and the threshold it is judged against. */
export function rawLevel(
  spec: Pick<CheckSpec, 'warning' | 'critical' | 'lowerIsWorse' | 'kind'>,
  value: number | null,
): { level: Level; threshold: number | null } {
  if (value === null || !Number.isFinite(value))
    return { level: 'nodata', threshold: spec.critical ?? spec.warning ?? null };
  // Dataset drift is "share >= threshold" in the drift engine; the other checks breach past their threshold.
  const past = (t: number) => (spec.lowerIsWorse ? value < t : spec.kind === 'drift' ? value >= t : value > t);
  if (spec.critical !== undefined && past(spec.critical)) return { level: 'critical', threshold: spec.critical };
  if (spec.warning !== undefined && past(spec.warning)) return { level: 'warning', threshold: spec.warning };
  return { level: 'ok', threshold: spec.warning ?? spec.critical ?? null };
}

/**
 * The check's state now: no data when this evaluation had none; otherwise the worst level that the last
 * `forCount` raw levels (the earlier ones from history, oldest first, then `raw`) all reach. Fewer
 * evaluations than `forCount` (or a streak broken by a better level or no data) keep it healthy (pending).
 */
export function checkState(raw: Level, earlierRaws: Level[], forCount: number): Level {
  if (raw === 'nodata') return 'nodata';
  const window = [...earlierRaws.slice(Math.max(0, earlierRaws.length - (forCount - 1))), raw];
  if (window.length < forCount) return 'ok';
  if (window.every((l) => l === 'critical')) return 'critical';
  if (window.every((l) => l === 'critical' || l === 'warning')) return 'warning';
  return 'ok';
}

export interface PastEvent {
  severity: 'warning' | 'critical';
  /** Milliseconds since the epoch. */
  at: number;
}

/**
 * Whether entering `state` (from `previous`) emits a breach event: only a move to a worse breach level
 * does, and not within `cooldownMs` of an event of the same or a worse severity for the same check.
 */
export function breachDecision(
  state: Level,
  previous: Level | null,
  pastEvents: PastEvent[],
  cooldownMs: number,
  now: number,
): 'fire' | 'suppressed' | 'none' {
  if (state !== 'warning' && state !== 'critical') return 'none';
  if (previous !== null && RANK[previous] >= RANK[state] && previous !== 'nodata') return 'none';
  const recent = pastEvents.some((e) => RANK[e.severity] >= RANK[state] && now - e.at < cooldownMs);
  return recent ? 'suppressed' : 'fire';
}
