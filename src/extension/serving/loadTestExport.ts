import type { LoadTestReport } from '../../core/serving/types';

/** The full report as JSON, or one CSV row per second of the run (what the over-time charts draw). */
export function loadTestExport(r: LoadTestReport, format: 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(r, null, 2) + '\n';
  const rows = r.perSecond.map((s) => [s.t, s.requests, s.errors, s.p50, s.p95, s.p99].join(','));
  return ['second,requests,errors,p50_ms,p95_ms,p99_ms', ...rows].join('\n') + '\n';
}
