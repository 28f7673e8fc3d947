import '@vscode-elements/elements/dist/vscode-button/index.js';
import './latency.css';
import {
  type HostToWebview,
  LATENCY_PROTOCOL,
  LATENCY_RANGES,
  type LatencyRange,
  type LatencyView,
  type LatencyViewState,
  parseHostMessage,
} from '../../src/shared/latencyProtocol';
import { onThemeChange } from '../shared/themeVar';
import { LatencyCharts } from './charts';
import { renderSummary, spanText } from './summary';
import { loadState, post, saveState } from './vscodeApi';

/**
 * The Latency panel: draws what the host sends (live samples, or the prediction log's last hour / day)
 * and asks it for another range. The last view is kept with setState, so a panel hidden and shown again
 * draws at once, before the host's fresh data arrives.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let state: LatencyViewState = loadState() ?? { protocol: LATENCY_PROTOCOL, range: 'live', last: null, about: null };
let running = state.last?.running ?? true;
const charts = new LatencyCharts($('pct-chart'), $('tput-chart'), $('split-chart'), $('batch-chart'));

function setState(patch: Partial<LatencyViewState>): void {
  state = { ...state, ...patch };
  saveState(state);
}

function showRange(range: LatencyRange): void {
  for (const r of LATENCY_RANGES) {
    const b = $(`range-${r}`);
    b.toggleAttribute('secondary', r !== range);
    b.setAttribute('aria-pressed', String(r === range));
  }
  $('range-live').toggleAttribute('disabled', !running);
}

function draw(v: LatencyView, report: boolean): void {
  running = v.running;
  $('subject').textContent = v.title;
  $('span').textContent = spanText(v);
  $('error').hidden = true;
  showRange(v.range);
  const points = v.snapshot.lines.reduce((n, l) => n + l.points.length, 0);
  const empty = v.snapshot.totals.requests === 0;
  $('summary-section').hidden = false;
  renderSummary($('summary') as HTMLTableElement, v);
  $('notes').replaceChildren(
    ...v.snapshot.notes.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }),
  );
  $('empty').hidden = !empty;
  $('charts-section').hidden = points === 0;
  const drawn = points === 0 ? [] : charts.show(v);
  if (report) post({ type: 'rendered', range: v.range, charts: drawn, points });
}

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'about':
      setState({ about: m.about });
      return;
    case 'latency':
      // A live sample for a range the user has left is not drawn.
      if (m.view.range !== state.range && !(state.range === 'live' && !m.view.running)) return;
      setState({ range: m.view.range, last: m.view });
      draw(m.view, true);
      return;
    case 'latencyError':
      running = m.running;
      $('subject').textContent = m.title;
      setState({ range: m.range });
      showRange(m.range);
      $('error').hidden = false;
      $('error').textContent = m.message;
      $('summary-section').hidden = true;
      $('charts-section').hidden = true;
      $('empty').hidden = true;
      post({ type: 'rendered', range: m.range, charts: [], points: 0 });
      return;
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = parseHostMessage(e.data);
  if (m) onMessage(m);
  else console.warn('latency panel: ignored a message that does not fit the contract');
});
for (const r of LATENCY_RANGES)
  $(`range-${r}`).addEventListener('click', () => {
    if (r === 'live' && !running) return;
    setState({ range: r });
    showRange(r);
    $('span').textContent = 'Loading…';
    post({ type: 'setRange', range: r });
  });
onThemeChange(() => {
  if (state.last) charts.show(state.last);
});
showRange(state.range);
if (state.last) draw(state.last, false);
post({ type: 'ready', protocol: LATENCY_PROTOCOL });
if (state.last && state.last.range !== state.range) post({ type: 'setRange', range: state.range });
