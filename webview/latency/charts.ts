import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { type LatencyLine, type LatencyPoint, type LatencyView, roleLabel } from '../../src/shared/latencyProtocol';
import { chartBase, themeVariables } from '../shared/themeVar';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

interface Colors {
  p50: string;
  p95: string;
  p99: string;
  queue: string;
  compute: string;
  ok: string;
  grid: string;
  muted: string;
  font: string;
}

/** Canvas charts cannot use CSS variables: the theme's values are read on every draw. */
function readColors(): Colors {
  const v = themeVariables();
  return {
    p50: v('--latency-p50', '#3794ff'),
    p95: v('--latency-p95', '#d18616'),
    p99: v('--latency-p99', '#f14c4c'),
    queue: v('--latency-queue', '#cca700'),
    compute: v('--latency-compute', '#b180d7'),
    ok: v('--latency-ok', '#89d185'),
    ...chartBase(v, '--latency-grid'),
  };
}

/** Second and later versions are dashed: colour says the metric, the dash says the version. */
const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

/**
 * The x axis: every point's interval start. From the log, each bucket of the span (empty ones too, so
 * quiet minutes show as gaps); live, the sample times.
 */
function axis(v: LatencyView): number[] {
  const s = v.snapshot;
  if (s.source === 'log' && s.bucketMs > 0) {
    const out: number[] = [];
    for (let t = s.from; t < s.to; t += s.bucketMs) out.push(t);
    return out;
  }
  return [...new Set(s.lines.flatMap((l) => l.points.map((p) => p.t)))].sort((a, b) => a - b);
}

function label(t: number, v: LatencyView): string {
  const d = new Date(t);
  return v.range === 'live'
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Line l's values on the axis (null where it has no point). */
function values(times: number[], l: LatencyLine, pick: (p: LatencyPoint) => number | null): (number | null)[] {
  const at = new Map(l.points.map((p) => [p.t, p]));
  return times.map((t) => {
    const p = at.get(t);
    return p ? pick(p) : null;
  });
}

/**
 * The Latency panel's four charts: p50 / p95 / p99 per version, answered and failed requests per second,
 * mean queue vs compute time (stacked, per version), and mean batch size. Animation off: these are
 * measurements.
 */
export class LatencyCharts {
  private charts: Chart[] = [];

  constructor(
    private readonly pct: HTMLCanvasElement,
    private readonly tput: HTMLCanvasElement,
    private readonly split: HTMLCanvasElement,
    private readonly batch: HTMLCanvasElement,
  ) {}

  /** Draws the view; returns the names of the charts drawn with data. */
  show(v: LatencyView): string[] {
    for (const ch of this.charts) ch.destroy();
    this.charts = [];
    const lines = v.snapshot.lines.filter((l) => l.points.length > 0);
    if (lines.length === 0) return [];
    const c = readColors();
    Chart.defaults.font.family = c.font;
    Chart.defaults.color = c.muted;
    const times = axis(v);
    const labels = times.map((t) => label(t, v));
    const grid = { color: c.grid };
    const base = { animation: false as const, responsive: true, maintainAspectRatio: false };
    const secs = Math.max(1e-3, (v.snapshot.bucketMs || 1000) / 1000);
    const lineName = (l: LatencyLine) => roleLabel(l, v.snapshot);
    const line = (name: string, data: (number | null)[], color: string, k: number): ChartDataset<'line'> => ({
      label: name,
      data,
      borderColor: color,
      backgroundColor: color,
      borderDash: DASHES[k % DASHES.length],
      pointRadius: 1.5,
      borderWidth: 2,
      spanGaps: false,
    });
    const yMs = (text: string) => ({ beginAtZero: true, title: { display: true, text }, grid });

    this.charts.push(
      new Chart(this.pct, {
        type: 'line',
        data: {
          labels,
          datasets: lines.flatMap((l, k) => [
            line(
              `${lineName(l)} p50`,
              values(times, l, (p) => (p.requests ? p.p50 : null)),
              c.p50,
              k,
            ),
            line(
              `${lineName(l)} p95`,
              values(times, l, (p) => (p.requests ? p.p95 : null)),
              c.p95,
              k,
            ),
            line(
              `${lineName(l)} p99`,
              values(times, l, (p) => (p.requests ? p.p99 : null)),
              c.p99,
              k,
            ),
          ]),
        },
        options: { ...base, scales: { x: { grid }, y: yMs('latency (ms)') } },
      }),
    );
    this.charts.push(
      new Chart(this.tput, {
        type: 'bar',
        data: {
          labels,
          datasets: lines.flatMap((l, k) => [
            {
              label: `${lineName(l)} answered`,
              data: values(times, l, (p) => (p.requests - p.errors) / secs),
              backgroundColor: k === 0 ? c.ok : c.p50,
              stack: `v${k}`,
            },
            {
              label: `${lineName(l)} errors`,
              data: values(times, l, (p) => p.errors / secs),
              backgroundColor: c.p99,
              stack: `v${k}`,
            },
          ]),
        },
        options: {
          ...base,
          scales: { x: { stacked: true, grid }, y: { ...yMs('requests per second'), stacked: true } },
        },
      }),
    );
    this.charts.push(
      new Chart(this.split, {
        type: 'bar',
        data: {
          labels,
          datasets: lines.flatMap((l, k) => [
            {
              label: `${lineName(l)} queue`,
              data: values(times, l, (p) => p.queueMs),
              backgroundColor: c.queue,
              borderColor: c.muted,
              borderWidth: k > 0 ? 1 : 0,
              stack: `v${k}`,
            },
            {
              label: `${lineName(l)} compute`,
              data: values(times, l, (p) => p.computeMs),
              backgroundColor: c.compute,
              borderColor: c.muted,
              borderWidth: k > 0 ? 1 : 0,
              stack: `v${k}`,
            },
          ]),
        },
        options: { ...base, scales: { x: { stacked: true, grid }, y: { ...yMs('mean time (ms)'), stacked: true } } },
      }),
    );
    this.charts.push(
      new Chart(this.batch, {
        type: 'line',
        data: {
          labels,
          datasets: lines.map((l, k) =>
            line(
              `${lineName(l)} requests per run`,
              values(times, l, (p) => (p.batchSize > 0 ? p.batchSize : null)),
              c.compute,
              k,
            ),
          ),
        },
        options: { ...base, scales: { x: { grid }, y: yMs('mean batch size') } },
      }),
    );
    this.nameVersions(lines.map(lineName));
    return ['percentiles', 'throughput', 'queueCompute', 'batchSize'];
  }

  /** A screen reader cannot read a canvas legend: each chart's label names the versions drawn, by role. */
  private nameVersions(names: string[]): void {
    for (const canvas of [this.pct, this.tput, this.split, this.batch]) {
      canvas.dataset.label ??= canvas.getAttribute('aria-label') ?? '';
      canvas.setAttribute('aria-label', `${canvas.dataset.label}: ${names.join(', ')}`);
    }
  }
}
