import { LatencyRecorder } from '../../stats/latency';
import type { LoadTestSecond } from '../types';

interface Second {
  requests: number;
  errors: number;
  latency: LatencyRecorder;
}

/**
 * Everything a load test measures: the overall latency histogram, errors by kind and one histogram per
 * second of the run (by completion time), so the per-second series always adds up to the totals.
 */
export class LoadTestTally {
  readonly latency = new LatencyRecorder();
  readonly errors: Record<string, number> = {};
  /** The first message seen per error kind: what the user needs to fix a failing run. */
  readonly errorSamples: Record<string, string> = {};
  errorCount = 0;
  completed = 0;
  private readonly seconds: (Second | undefined)[] = [];

  /** One answered request: `latencyMs` counts toward the percentiles only when it succeeded. */
  add(second: number, latencyMs: number, errorKind?: string, message?: string): void {
    const s = this.second(second);
    s.requests++;
    this.completed++;
    if (errorKind === undefined) {
      this.latency.record(latencyMs);
      s.latency.record(latencyMs);
    } else {
      s.errors++;
      this.errorCount++;
      this.errors[errorKind] = (this.errors[errorKind] ?? 0) + 1;
      if (message !== undefined) this.errorSamples[errorKind] ??= message;
    }
  }

  /** Seconds 0..last, empty ones included (a stalled server shows as a gap, not as nothing). */
  series(): LoadTestSecond[] {
    const out: LoadTestSecond[] = [];
    for (let t = 0; t < this.seconds.length; t++) out.push(this.row(t));
    return out;
  }

  /** The last completed second (for progress), or undefined before the first one ends. */
  lastFullSecond(currentSecond: number): LoadTestSecond | undefined {
    const t = Math.min(currentSecond - 1, this.seconds.length - 1);
    return t >= 0 ? this.row(t) : undefined;
  }

  private row(t: number): LoadTestSecond {
    const s = this.seconds[t];
    if (!s) return { t, requests: 0, errors: 0, p50: 0, p95: 0, p99: 0 };
    return {
      t,
      requests: s.requests,
      errors: s.errors,
      p50: s.latency.percentile(50),
      p95: s.latency.percentile(95),
      p99: s.latency.percentile(99),
    };
  }

  private second(t: number): Second {
    const i = Math.max(0, Math.floor(t));
    while (this.seconds.length <= i) this.seconds.push(undefined);
    return (this.seconds[i] ??= { requests: 0, errors: 0, latency: new LatencyRecorder() });
  }
}
