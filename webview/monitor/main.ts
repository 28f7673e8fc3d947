import '@vscode-elements/elements/dist/vscode-button/index.js';
import './monitor.css';
import {
  formatValue,
  type HostToWebview,
  MONITOR_PROTOCOL,
  type MonitorViewState,
  parseHostMessage,
} from '../../src/shared/monitorProtocol';
import { onThemeChange } from '../shared/themeVar';
import { HistoryChart } from './chart';
import { loadState, post, saveState } from './vscodeApi';

/**
 * The check history panel: draws only what the host sends (a check's series and thresholds), reports what
 * it drew, and redraws when VS Code switches the theme.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LEVEL: Record<string, string> = { ok: 'Healthy', warning: 'Warning', critical: 'Critical', nodata: 'No data' };

let state: MonitorViewState = loadState() ?? { protocol: MONITOR_PROTOCOL, subject: null };
let last: Extract<HostToWebview, { type: 'history' }> | undefined;
const chart = new HistoryChart($<HTMLCanvasElement>('history-chart'));

function render(m: HostToWebview): void {
  state = { ...state, subject: m.subject };
  saveState(state);
  $('subject').textContent = `${m.subject.check} of ${m.subject.monitor}`;
  if (m.type === 'error') {
    $('error').hidden = false;
    $('content').hidden = true;
    $('error-text').textContent = m.message;
    $('summary').textContent = '';
    return;
  }
  last = m;
  $('error').hidden = true;
  $('content').hidden = false;
  $('window').textContent = `Data: ${m.window}`;
  const lastPoint = m.points.at(-1);
  const summary = $('summary');
  summary.className = `summary ${lastPoint?.state ?? ''}`;
  summary.textContent = lastPoint
    ? `${LEVEL[lastPoint.state]} · last value ${formatValue(lastPoint.value, m.subject.unit)} · ${m.points.length} evaluation(s)`
    : '';
  $('empty').hidden = m.points.length > 0;
  const label = `${m.subject.check}${m.subject.unit ? ` (${m.subject.unit})` : ''}`;
  chart.draw(m.points, m.thresholds, label, m.subject.unit);
  post({ type: 'rendered', points: m.points.filter((p) => p.value !== null).length });
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = parseHostMessage(e.data);
  if (m) render(m);
});
$('refresh').addEventListener('click', () => post({ type: 'refresh' }));
onThemeChange(() => {
  if (last) render(last);
});
if (state.subject) $('subject').textContent = `${state.subject.check} of ${state.subject.monitor}`;
post({ type: 'ready', protocol: MONITOR_PROTOCOL });
