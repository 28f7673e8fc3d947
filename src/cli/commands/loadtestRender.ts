import type { LoadTestProgress } from '../../core/serving/loadtest';
import type { LoadTestReport } from '../../core/serving/types';
import { table } from '../output';

/** Human renderings of a load test for the CLI; --json prints the LoadTestReport itself. */

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Latencies with 3 significant digits at most (0.0812, 1.23, 45.6, 1,234). */
export function ms(v: number): string {
  if (v >= 1000) return int(v);
  return String(Number(v.toPrecision(3)));
}

function planText(r: LoadTestReport): string {
  const p = r.plan;
  const stop = [
    p.requests !== undefined ? `${int(p.requests)} requests` : '',
    p.durationMs !== undefined ? `${p.durationMs / 1000} s` : '',
  ]
    .filter(Boolean)
    .join(' or ');
  const load =
    p.mode === 'open'
      ? `open loop at ${p.rate} req/s (latency from the intended send time), up to ${p.concurrency} connections`
      : `closed loop, ${p.concurrency} concurrent`;
  const rows = p.batch && p.batch > 1 ? `, ${p.batch} rows per request` : '';
  return `${load}, ${stop}, ${p.warmupRequests} warm-up requests not measured${rows}`;
}

export function reportText(r: LoadTestReport, requestsFrom: string): string {
  const L = r.latency;
  const ok = L.count;
  const lines = [
    `Load test of ${r.target}${r.cancelled ? ' (CANCELLED: partial results)' : ''}`,
    `  ${planText(r)}`,
    `  requests: ${requestsFrom}`,
    '',
    table(
      ['', 'min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'],
      [['latency ms', ...[L.min, L.p50, L.p90, L.p95, L.p99, L.p999, L.max, L.mean].map(ms)]],
    ),
    '',
    `Requests:   ${int(ok + r.errorCount)} in ${(r.durationMs / 1000).toFixed(1)} s (${int(ok)} ok, ${int(r.errorCount)} errors)`,
    `Throughput: ${int(r.throughput)} req/s${r.plan.batch && r.plan.batch > 1 ? ` (${int(r.throughput * r.plan.batch)} rows/s)` : ''}${okRate(r)}`,
  ];
  if (r.lateSends !== undefined && r.lateSends > 0)
    lines.push(
      `Late sends: ${int(r.lateSends)} requests left more than 10 ms after their time (max ${ms(r.maxSendLagMs ?? 0)} ms): the generator or its connections could not keep up; their latency counts from the intended time.`,
    );
  if (r.errorCount > 0) {
    const total = ok + r.errorCount;
    lines.push(
      '',
      table(
        ['ERROR', 'COUNT', 'SHARE'],
        Object.entries(r.errors)
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => [k, int(n), `${((n / total) * 100).toFixed(1)}%`]),
      ),
    );
    for (const [kind, message] of Object.entries(r.errorSamples ?? {})) lines.push(`  ${kind}: ${message}`);
  }
  return lines.join('\n');
}

/** Throughput counts every answer; when some were errors, say how many of them were answered well. */
function okRate(r: LoadTestReport): string {
  if (r.errorCount === 0 || r.durationMs <= 0) return '';
  return `, of which ${int(r.latency.count / (r.durationMs / 1000))} req/s answered OK`;
}

export function progressLine(p: LoadTestProgress): string {
  if (p.phase === 'warmup') return 'warming up (not measured)';
  const s = p.lastSecond;
  const last = s ? `  last second: ${int(s.requests)} req, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms` : '';
  return `${(p.elapsedMs / 1000).toFixed(1)} s  ${Math.round(p.fraction * 100)}%  ${int(p.completed)} done, ${int(p.errors)} errors${last}`;
}
