import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { LoadTestView } from '../../src/shared/servingProtocol';
import { chartBase, themeVariables } from '../shared/themeVar';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LogarithmicScale,
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
  bar: string;
  grid: string;
  muted: string;
  font: string;
}

/** Canvas charts cannot use CSS variables: the theme's values are read here and on every redraw. */
function readColors(): Colors {
  const v = themeVariables();
  return {
    p50: v('--serving-p50', '#3794ff'),
    p95: v('--serving-p95', '#d18616'),
    p99: v('--serving-p99', '#f14c4c'),
    bar: v('--serving-bar', '#b180d7'),
    ...chartBase(v, '--serving-grid'),
  };
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * The load test's three charts: the latency histogram (log-spaced buckets, counts on a log axis), p50 /
 * p95 / p99 per second, and requests per second. Animation off: these are measurements.
 */
export class LoadCharts {
  private charts: Chart[] = [];

  constructor(
    private readonly hist: HTMLCanvasElement,
    private readonly pct: HTMLCanvasElement,
    private readonly tput: HTMLCanvasElement,
  ) {}

  /** Draws the report; returns the names of the charts that have data to show. */
  show(r: LoadTestView): string[] {
    const c = readColors();
    Chart.defaults.font.family = c.font;
    Chart.defaults.color = c.muted;
    for (const ch of this.charts) ch.destroy();
    this.charts = [];
    const drawn: string[] = [];
    const grid = { color: c.grid };
    const base = { animation: false as const, responsive: true, maintainAspectRatio: false };
    const buckets = r.histogram.filter((b) => b.count > 0);
    if (buckets.length) {
      this.charts.push(
        new Chart(this.hist, {
          type: 'bar',
          data: {
            labels: buckets.map((b) => `≤${ms(b.le)}`),
            datasets: [{ label: 'requests', data: buckets.map((b) => b.count), backgroundColor: c.bar }],
          },
          options: {
            ...base,
            plugins: { legend: { display: false } },
            scales: {
              x: { title: { display: true, text: 'latency (ms, log-spaced buckets)' }, grid },
              y: { type: 'logarithmic', title: { display: true, text: 'requests (log scale)' }, grid },
            },
          },
        }),
      );
      drawn.push('histogram');
    }
    const secs = r.perSecond;
    if (secs.length) {
      const labels = secs.map((s) => `${s.t}s`);
      const line = (label: string, data: number[], color: string) => ({
        label,
        data,
        borderColor: color,
        backgroundColor: color,
        pointRadius: 2,
        borderWidth: 2,
      });
      this.charts.push(
        new Chart(this.pct, {
          type: 'line',
          data: {
            labels,
            datasets: [
              line(
                'p50',
                secs.map((s) => s.p50),
                c.p50,
              ),
              line(
                'p95',
                secs.map((s) => s.p95),
                c.p95,
              ),
              line(
                'p99',
                secs.map((s) => s.p99),
                c.p99,
              ),
            ],
          },
          options: {
            ...base,
            scales: { x: { grid }, y: { beginAtZero: true, title: { display: true, text: 'latency (ms)' }, grid } },
          },
        }),
      );
      this.charts.push(
        new Chart(this.tput, {
          type: 'bar',
          data: {
            labels,
            datasets: [
              { label: 'answered', data: secs.map((s) => s.requests - s.errors), backgroundColor: c.p50 },
              { label: 'errors', data: secs.map((s) => s.errors), backgroundColor: c.p99 },
            ],
          },
          options: {
            ...base,
            scales: {
              x: { stacked: true, grid },
              y: { stacked: true, beginAtZero: true, title: { display: true, text: 'requests per second' }, grid },
            },
          },
        }),
      );
      drawn.push('percentiles', 'throughput');
    }
    return drawn;
  }
}
