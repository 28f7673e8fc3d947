/**
 * A minimal Prometheus client: counters, gauges and histograms with labels, rendered in the text
 * exposition format (version 0.0.4). Written here rather than pulled from prom-client: the server needs
 * only these three types, and each observation is a map lookup and a few additions on the request path.
 */

export type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(out: string[]): void;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.keys(labels).map((k) => `${k}="${escapeLabel(labels[k])}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Prometheus floats: integers as integers, +Inf/-Inf/NaN spelled as the format wants. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  // Sums of fractions (1/batch, seconds) carry float noise such as 41.99999999999999: print to the nanosecond.
  return String(Number.isInteger(v) ? v : Math.round(v * 1e9) / 1e9);
}

/** One series per distinct label set, keyed by the label values in the family's label order. */
abstract class Series<T> implements Family {
  protected readonly series = new Map<string, { labels: Labels; value: T }>();
  abstract readonly type: Family['type'];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected get(labels: Labels, init: () => T): T {
    let key = '';
    for (const n of this.labelNames) key += (labels[n] ?? '') + '\u0000';
    let s = this.series.get(key);
    if (!s) {
      const own: Labels = {};
      for (const n of this.labelNames) own[n] = labels[n] ?? '';
      s = { labels: own, value: init() };
      this.series.set(key, s);
    }
    return s.value;
  }

  abstract render(out: string[]): void;
}

/** One series' value, held by callers that update the same series on every request (no label lookup). */
export interface Cell {
  v: number;
}

export class Counter extends Series<Cell> {
  readonly type = 'counter' as const;
  inc(labels: Labels, by = 1): void {
    this.get(labels, () => ({ v: 0 })).v += by;
  }
  /** The series of these labels, to add to directly (a counter only grows: add >= 0). */
  cell(labels: Labels): Cell {
    return this.get(labels, () => ({ v: 0 }));
  }
  render(out: string[]): void {
    for (const s of this.series.values()) out.push(`${this.name}${labelText(s.labels)} ${formatValue(s.value.v)}`);
  }
}

export class Gauge extends Series<Cell> {
  readonly type = 'gauge' as const;
  cell(labels: Labels): Cell {
    return this.get(labels, () => ({ v: 0 }));
  }
  set(labels: Labels, v: number): void {
    this.get(labels, () => ({ v: 0 })).v = v;
  }
  inc(labels: Labels, by = 1): void {
    this.get(labels, () => ({ v: 0 })).v += by;
  }
  render(out: string[]): void {
    for (const s of this.series.values()) out.push(`${this.name}${labelText(s.labels)} ${formatValue(s.value.v)}`);
  }
}

export interface HistogramValue {
  counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram extends Series<HistogramValue> {
  readonly type = 'histogram' as const;
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }
  observe(labels: Labels, v: number): void {
    this.observeIn(this.cell(labels), v);
  }
  /** The series of these labels, for observeIn. */
  cell(labels: Labels): HistogramValue {
    return this.get(labels, () => ({ counts: new Float64Array(this.buckets.length), sum: 0, count: 0 }));
  }
  observeIn(h: HistogramValue, v: number): void {
    // Buckets hold non-cumulative counts; render() accumulates them.
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++;
    if (i < this.buckets.length) h.counts[i]++;
    h.sum += v;
    h.count++;
  }
  render(out: string[]): void {
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.value.counts[i];
        out.push(`${this.name}_bucket${labelText(s.labels, ['le', formatValue(this.buckets[i])])} ${acc}`);
      }
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.value.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.value.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.value.count}`);
    }
  }
}

/** The families of one server, rendered in registration order. */
export class MetricRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string, labels: readonly string[]): Counter {
    return this.add(new Counter(name, help, labels));
  }
  gauge(name: string, help: string, labels: readonly string[]): Gauge {
    return this.add(new Gauge(name, help, labels));
  }
  histogram(name: string, help: string, labels: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labels, buckets));
  }

  private add<T extends Family>(f: T): T {
    this.families.push(f);
    return f;
  }

  /** The text exposition format, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      out.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${f.name} ${f.type}`);
      f.render(out);
    }
    return out.join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
