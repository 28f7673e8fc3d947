import path from 'node:path';
import { LatencyRecorder } from '../../stats/latency';
import { listLogFiles, readPredictionLog } from '../predlog/reader';
import type { PredictionRecord } from '../types';
import { shadowNotes, sortRoles } from './roles';
import type { LatencyLine, LatencyPoint, LatencySnapshot, RoleInfo, ServingRole } from './types';

export type LogRange = 'hour' | 'day';

/** The span each range covers and the width of its points: 60 points an hour, 96 a day. */
export const LOG_RANGES: Record<LogRange, { spanMs: number; bucketMs: number }> = {
  hour: { spanMs: 3_600_000, bucketMs: 60_000 },
  day: { spanMs: 86_400_000, bucketMs: 900_000 },
};

export interface LogLatencyOptions {
  range: LogRange;
  /** Only this version's records (a version's context menu); all versions otherwise. */
  version?: number;
  now?: number;
  signal?: AbortSignal;
}

/** 20261129T110853123Z-<pid>-<n>.jsonl -> epoch ms of the file's first record (see predlog/layout.ts). */
function fileStart(file: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(path.basename(file));
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : NaN;
}

interface Bucket {
  recorder: LatencyRecorder;
  requests: number;
  errors: number;
  ok: number;
  queue: number;
  compute: number;
  batch: number;
}

const newBucket = (): Bucket => ({
  recorder: new LatencyRecorder(),
  requests: 0,
  errors: 0,
  ok: 0,
  queue: 0,
  compute: 0,
  batch: 0,
});

/**
 * The same series as the live view, from one model's prediction log (`<root>/<model>/`): the last hour
 * or day, one line per version (and role), exact percentiles per point (HDR histogram). Files that end
 * before the span are not read: a file holds records from its name's time up to the next file's.
 */
export async function latencyFromLog(modelDir: string, o: LogLatencyOptions): Promise<LatencySnapshot> {
  const { spanMs, bucketMs } = LOG_RANGES[o.range];
  const now = o.now ?? Date.now();
  const to = Math.ceil(now / bucketMs) * bucketMs;
  const from = to - spanMs;
  const listed = await listLogFiles(modelDir);
  const files = listed.files.filter((_, i) => !(fileStart(listed.files[i + 1] ?? '') < from));
  const lines = new Map<string, { version: number; role: ServingRole; buckets: Map<number, Bucket> }>();
  /** Shadow versions the records name (a shadow's runs are compared, not timed: no line of its own). */
  const shadows = new Set<number>();
  const all = new LatencyRecorder();
  let requests = 0;
  let errors = 0;
  const onRecord = (r: PredictionRecord) => {
    if (o.version !== undefined && r.version !== o.version) return;
    const t = Date.parse(r.ts);
    if (!(t >= from && t < to)) return;
    const role = r.role === 'canary' ? 'canary' : 'primary';
    if (r.shadow) shadows.add(r.shadow.version);
    const key = `${r.version}/${role}`;
    let line = lines.get(key);
    if (!line) lines.set(key, (line = { version: r.version, role, buckets: new Map() }));
    const start = from + Math.floor((t - from) / bucketMs) * bucketMs;
    let b = line.buckets.get(start);
    if (!b) line.buckets.set(start, (b = newBucket()));
    b.requests++;
    requests++;
    const latency = typeof r.latencyMs === 'number' ? r.latencyMs : 0;
    b.recorder.record(latency);
    all.record(latency);
    if (r.status !== 200) {
      b.errors++;
      errors++;
      return;
    }
    b.ok++;
    b.queue += r.queueMs ?? 0;
    b.compute += r.computeMs ?? 0;
    b.batch += r.batchSize ?? 0;
  };
  const stats = await readPredictionLog({ ...listed, files }, onRecord, o.signal);
  const out: LatencyLine[] = [...lines.values()]
    .sort((a, b) => b.version - a.version || a.role.localeCompare(b.role))
    .map((l) => ({
      version: l.version,
      role: l.role,
      points: [...l.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => point(t, b)),
    }));
  const s = all.summary();
  const roles = logRoles(out, shadows);
  const notes = [
    'From the prediction log: only the requests it sampled (setting mlops.serving.logPredictions) are counted.',
    ...shadowNotes(roles, out),
  ];
  if (stats.badLines + stats.tornLines > 0)
    notes.push(`${stats.badLines + stats.tornLines} line(s) of the log were not prediction records and were skipped.`);
  return {
    source: 'log',
    from,
    to,
    bucketMs,
    lines: out,
    roles,
    totals: { requests, errors, perSecond: requests / (spanMs / 1000), p50: s.p50, p95: s.p95, p99: s.p99 },
    notes,
  };
}

/** The roles the records show; a canary's share is its share of the requests logged (the log samples evenly). */
function logRoles(lines: LatencyLine[], shadows: Set<number>): RoleInfo[] {
  const requests = (l: LatencyLine) => l.points.reduce((n, p) => n + p.requests, 0);
  const total = lines.reduce((n, l) => n + requests(l), 0);
  return sortRoles([
    ...lines.map((l) => ({
      version: l.version,
      role: l.role,
      share: l.role === 'canary' && total ? requests(l) / total : null,
    })),
    ...[...shadows].sort((a, b) => b - a).map((version) => ({ version, role: 'shadow' as const, share: null })),
  ]);
}

function point(t: number, b: Bucket): LatencyPoint {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    t,
    requests: b.requests,
    errors: b.errors,
    p50: b.recorder.percentile(50),
    p95: b.recorder.percentile(95),
    p99: b.recorder.percentile(99),
    queueMs: b.ok ? r3(b.queue / b.ok) : 0,
    computeMs: b.ok ? r3(b.compute / b.ok) : 0,
    batchSize: b.ok ? r3(b.batch / b.ok) : 0,
  };
}
