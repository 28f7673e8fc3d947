import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import {
  formatValue,
  type HistoryPointMsg,
  type HistoryThresholds,
  type MonitorLevel,
} from '../../src/shared/monitorProtocol';
import { withAlpha } from '../shared/themeVar';
import { chartBase, themeVariables } from '../shared/themeVar';

Chart.register(CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

interface Colors {
  value: string;
  warning: string;
  critical: string;
  ok: string;
  nodata: string;
  foreground: string;
  muted: string;
  grid: string;
  font: string;
}

/** Canvas charts cannot use CSS variables: the theme's values are read here, on every draw. */
function readColors(): Colors {
  const v = themeVariables();
  return {
    value: v('--monitor-value', '#3794ff'),
    warning: v('--monitor-warning', '#cca700'),
    critical: v('--monitor-critical', '#f14c4c'),
    ok: v('--monitor-ok', '#89d185'),
    nodata: v('--vscode-disabledForeground', '#8c8c8c'),
    ...chartBase(v, '--monitor-grid'),
  };
}

/** A short local time for the x axis ("29 Nov 14:05"). */
export function timeLabel(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })} ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

/**
 * The check's value per evaluation (points coloured by the state the check had then; a gap where there
 * was no data) with its warning and critical thresholds as dashed lines. Animation off: measurements.
 */
export class HistoryChart {
  private chart: Chart | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  draw(points: HistoryPointMsg[], t: HistoryThresholds, label: string, unit: string): void {
    const short = (v: number) => formatValue(v, unit);
    const c = readColors();
    Chart.defaults.font.family = c.font;
    Chart.defaults.color = c.muted;
    this.chart?.destroy();
    const stateColor = (s: MonitorLevel) =>
      ({ ok: c.ok, warning: c.warning, critical: c.critical, nodata: c.nodata })[s];
    const line = (name: string, value: number, color: string) => ({
      label: `${name} ${short(value)}`,
      data: points.map(() => value),
      borderColor: color,
      backgroundColor: color,
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
    });
    const datasets = [
      {
        label,
        data: points.map((p) => p.value),
        borderColor: c.value,
        backgroundColor: withAlpha(c.value, 0.3),
        pointBackgroundColor: points.map((p) => stateColor(p.state)),
        pointBorderColor: points.map((p) => stateColor(p.state)),
        pointRadius: 4,
        spanGaps: false,
      },
      ...(t.warning !== null ? [line('warning', t.warning, c.warning)] : []),
      ...(t.critical !== null ? [line('critical', t.critical, c.critical)] : []),
    ];
    const drawn = points.filter((p) => p.value !== null).length;
    this.canvas.setAttribute(
      'aria-label',
      `${label}: ${drawn} evaluations${t.warning !== null ? `, warning ${t.warning}` : ''}${t.critical !== null ? `, critical ${t.critical}` : ''}${t.lowerIsWorse ? ' (a floor: lower is worse)' : ''}`,
    );
    this.chart = new Chart(this.canvas, {
      type: 'line',
      data: { labels: points.map((p) => timeLabel(p.at)), datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: c.muted, maxRotation: 45, autoSkip: true }, grid: { color: c.grid } },
          y: {
            beginAtZero: true,
            ticks: { color: c.muted, callback: (v: string | number) => short(Number(v)) },
            grid: { color: c.grid },
          },
        },
        plugins: {
          legend: { labels: { color: c.foreground } },
          tooltip: {
            callbacks: {
              label: (ctx) =>
                ctx.datasetIndex === 0
                  ? `${label}: ${ctx.raw === null ? 'no data' : short(Number(ctx.raw))} (${points[ctx.dataIndex].state})`
                  : String(ctx.dataset.label),
            },
          },
        },
      },
    });
  }
}
