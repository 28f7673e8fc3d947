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
import type { DriftResult, FeatureDrift } from '../../src/core/drift/result';
import { withAlpha } from '../shared/themeVar';
import { type ChartTheme, readTheme } from './theme';

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

/** The smallest p-value drawn: a test can return 0, which a log axis cannot show. */
const P_FLOOR = 1e-16;

/**
 * The two charts of the panel: overlaid reference / current distributions of the selected feature, and
 * its score per window with the threshold line. Animation is off: these are measurements, not a show.
 */
export class DriftCharts {
  private dist: Chart | undefined;
  private time: Chart | undefined;
  private theme: ChartTheme = readTheme();

  constructor(
    private readonly distCanvas: HTMLCanvasElement,
    private readonly timeCanvas: HTMLCanvasElement,
  ) {}

  show(result: DriftResult, feature: FeatureDrift | undefined): void {
    this.theme = readTheme();
    Chart.defaults.font.family = this.theme.font;
    Chart.defaults.color = this.theme.muted;
    this.dist?.destroy();
    this.time?.destroy();
    this.dist = undefined;
    this.time = undefined;
    if (!feature?.histogram) return;
    this.dist = this.distribution(feature);
    const series = result.windows?.features.find((f) => f.name === feature.name);
    if (result.windows && series) this.time = this.overTime(result, series);
  }

  /** Re-reads the theme and recolours without rebuilding (on a theme switch). */
  retheme(result: DriftResult | undefined, feature: FeatureDrift | undefined): void {
    if (result) this.show(result, feature);
  }

  private axes(yTitle: string, percent: boolean) {
    const t = this.theme;
    return {
      x: { ticks: { color: t.muted, maxRotation: 45, autoSkip: true }, grid: { color: t.grid } },
      y: {
        beginAtZero: true,
        title: { display: true, text: yTitle, color: t.muted },
        ticks: {
          color: t.muted,
          callback: (v: string | number) => (percent ? `${Math.round(Number(v) * 1000) / 10}%` : String(v)),
        },
        grid: { color: t.grid },
      },
    };
  }

  private distribution(f: FeatureDrift): Chart {
    const h = f.histogram!;
    const t = this.theme;
    const labels =
      h.kind === 'numeric' ? h.reference.map((_, i) => `${short(h.edges[i])}–${short(h.edges[i + 1])}`) : h.categories;
    return new Chart(this.distCanvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          {
            label: 'reference',
            data: h.reference,
            backgroundColor: withAlpha(t.reference, 0.55),
            borderColor: t.reference,
            borderWidth: 1,
            grouped: h.kind !== 'numeric',
          },
          {
            label: 'current',
            data: h.current,
            backgroundColor: withAlpha(f.drifted ? t.drifted : t.current, 0.55),
            borderColor: f.drifted ? t.drifted : t.current,
            borderWidth: 1,
            grouped: h.kind !== 'numeric',
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        // Numeric bins overlap (one bar per bin, both datasets translucent); categories stand side by side.
        datasets: {
          bar: { barPercentage: h.kind === 'numeric' ? 1 : 0.9, categoryPercentage: h.kind === 'numeric' ? 1 : 0.8 },
        },
        scales: this.axes('share of rows', true),
        plugins: {
          legend: { labels: { color: t.foreground } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${(Number(c.raw) * 100).toFixed(1)}%` } },
        },
      },
    });
  }

  private overTime(result: DriftResult, series: NonNullable<DriftResult['windows']>['features'][number]): Chart {
    const t = this.theme;
    const w = result.windows!;
    // p-values span many decades (1e-30 is as drifted as 1e-3, and both sit on 0 on a linear axis),
    // so they get a log axis; distances stay linear from zero.
    const pValue = series.rule !== '>=';
    const what = pValue ? 'p-value' : 'distance';
    const data = pValue ? series.scores.map((v) => (v === null ? null : Math.max(v, P_FLOOR))) : series.scores;
    this.timeCanvas.setAttribute(
      'aria-label',
      `${series.name}: ${what} per window (${pValue ? 'log' : 'linear'} scale), threshold ${series.threshold}; ${series.drifted.filter(Boolean).length} of ${series.drifted.length} windows drifted`,
    );
    const scales = this.axes(what, false);
    const y = pValue
      ? {
          ...scales.y,
          type: 'logarithmic' as const,
          beginAtZero: false,
          max: 1,
          ticks: { color: t.muted, callback: (v: string | number) => logTick(Number(v)) },
        }
      : scales.y;
    return new Chart(this.timeCanvas, {
      type: 'line',
      data: {
        labels: w.windows.map((x) => x.label),
        datasets: [
          {
            label: `${series.name} (${what})`,
            data,
            borderColor: t.current,
            backgroundColor: series.drifted.map((d) => (d ? t.drifted : t.current)),
            pointBackgroundColor: series.drifted.map((d) => (d ? t.drifted : t.current)),
            pointRadius: 4,
            spanGaps: false,
          },
          {
            label: `threshold ${series.threshold}`,
            data: w.windows.map(() => series.threshold),
            borderColor: t.drifted,
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 1.5,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: scales.x, y },
        plugins: {
          legend: { labels: { color: t.foreground } },
          tooltip: {
            callbacks: {
              label: (c) => {
                const raw = c.datasetIndex === 0 ? series.scores[c.dataIndex] : series.threshold;
                return `${c.dataset.label}: ${raw === null ? 'n/a' : pValue && raw < P_FLOOR ? `< ${P_FLOOR}` : short(raw)}`;
              },
            },
          },
        },
      },
    });
  }
}

/** Log-axis ticks at powers of ten only (1, 0.1, 0.01, 1e-3…), which is how people read p-values. */
function logTick(v: number): string {
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) > 1e-9) return '';
  return e >= -2 ? String(v) : `1e${Math.round(e)}`;
}

function short(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}
