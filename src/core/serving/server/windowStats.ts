/** Requests of the last few seconds, for the CLI's summary line (requests, req/s, p50/p99, errors). */
export interface WindowSummary {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Since the server started. */
  totalRequests: number;
  totalErrors: number;
}

const MAX_SAMPLES = 1 << 17;

export class WindowStats {
  private samples = new Float64Array(1024);
  private n = 0;
  private seen = 0;
  private errors = 0;
  private totalRequests = 0;
  private totalErrors = 0;
  private since = performance.now();

  observe(latencyMs: number, ok: boolean): void {
    this.totalRequests++;
    this.seen++;
    if (!ok) {
      this.errors++;
      this.totalErrors++;
    }
    if (this.n < this.samples.length) {
      this.samples[this.n++] = latencyMs;
    } else if (this.n < MAX_SAMPLES) {
      const bigger = new Float64Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
      this.samples[this.n++] = latencyMs;
    } else {
      // Past the cap, keep a uniform sample of the window (reservoir sampling).
      const j = Math.floor(Math.random() * this.seen);
      if (j < MAX_SAMPLES) this.samples[j] = latencyMs;
    }
  }

  /** The window's summary; starts a new window. */
  take(): WindowSummary {
    const now = performance.now();
    const secs = Math.max(1e-3, (now - this.since) / 1000);
    const sorted = this.samples.subarray(0, this.n).sort();
    const q = (p: number) => (this.n === 0 ? 0 : sorted[Math.min(this.n - 1, Math.ceil(p * this.n) - 1)]);
    const out: WindowSummary = {
      requests: this.seen,
      errors: this.errors,
      perSecond: this.seen / secs,
      p50: q(0.5),
      p99: q(0.99),
      totalRequests: this.totalRequests,
      totalErrors: this.totalErrors,
    };
    this.n = 0;
    this.seen = 0;
    this.errors = 0;
    this.since = now;
    return out;
  }
}
