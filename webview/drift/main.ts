import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './drift.css';
import type { DriftResult } from '../../src/core/drift/result';
import { datasetSentence, stalenessSentence } from '../../src/core/drift/report/format';
import {
  DRIFT_PROTOCOL,
  type DriftViewState,
  type HostToWebview,
  parseHostMessage,
  type SortKey,
} from '../../src/shared/driftProtocol';
import { DriftCharts } from './charts';
import { renderTable, sortFeatures } from './table';
import { onThemeChange } from '../shared/themeVar';
import { loadState, post, saveState } from './vscodeApi';

/**
 * The drift panel. It only draws what the host sends (the DriftResult), keeps its view state with
 * setState so a hidden panel comes back as it was, and asks the host for everything else.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let state: DriftViewState = loadState() ?? {
  protocol: DRIFT_PROTOCOL,
  files: null,
  selected: null,
  sort: { key: 'verdict', descending: true },
  onlyDrifted: false,
  filter: '',
};
let result: DriftResult | undefined;
const charts = new DriftCharts($<HTMLCanvasElement>('dist-chart'), $<HTMLCanvasElement>('time-chart'));

function setState(patch: Partial<DriftViewState>): void {
  state = { ...state, ...patch };
  saveState(state);
}

function show(which: 'loading' | 'error' | 'result'): void {
  $('loading').hidden = which !== 'loading';
  $('error').hidden = which !== 'error';
  $('content').hidden = which !== 'result';
}

function renderFiles(): void {
  if (!state.files) return;
  const model = state.files.model;
  $('subject').hidden = !model;
  $('subject').textContent = model ? `${model.name} v${model.version}` : '';
  $('ref-file').textContent = state.files.reference.label;
  $('ref-file').title = state.files.reference.path;
  $('cur-file').textContent = state.files.current.label;
  $('cur-file').title = state.files.current.path;
}

function render(): void {
  if (!result) return;
  const r = result;
  const verdict = $('verdict');
  verdict.textContent = datasetSentence(r);
  verdict.className = r.dataset.drifted ? 'verdict drift' : 'verdict ok';
  const badge = $('verdict-badge');
  badge.textContent = r.dataset.drifted ? 'Drift' : 'No drift';
  $('computed').textContent =
    `Computed ${new Date(r.generatedAt).toLocaleString()} in ${r.durationMs} ms · ${r.reference.rows.toLocaleString()} vs ${r.current.rows.toLocaleString()} rows`;
  const stale = stalenessSentence(r);
  $('stale').hidden = !stale;
  $('stale').textContent = stale ?? '';
  $('stale').className = r.staleness?.stale ? 'notice warn' : 'notice';
  const filter = state.filter.toLowerCase();
  const rows = sortFeatures(r.features, state.sort.key, state.sort.descending).filter(
    (f) => (!state.onlyDrifted || f.drifted) && f.name.toLowerCase().includes(filter),
  );
  if (!state.selected || !r.features.some((f) => f.name === state.selected))
    setState({ selected: rows[0]?.name ?? null });
  renderTable($<HTMLTableElement>('features'), rows, state.sort, state.selected, {
    onSort: (key: SortKey) => {
      setState({ sort: { key, descending: state.sort.key === key ? !state.sort.descending : key !== 'name' } });
      render();
    },
    onSelect: (name) => {
      setState({ selected: name });
      render();
    },
  });
  $('empty').hidden = rows.length > 0;
  renderSelected();
}

function renderSelected(): void {
  const f = result?.features.find((x) => x.name === state.selected);
  $('chart-title').textContent = f ? `${f.name}: reference vs current` : 'Select a feature';
  $('chart-sub').textContent = f ? `${f.methodReason}${f.notes.length ? ` · ${f.notes.join(' · ')}` : ''}` : '';
  $('time-section').hidden = !(result?.windows && f && result.windows.features.some((s) => s.name === f.name));
  if (result) charts.show(result, f);
}

function onMessage(m: HostToWebview): void {
  setState({ files: m.files });
  renderFiles();
  if (m.type === 'loading') {
    $('loading-text').textContent = m.message;
    show(result ? 'result' : 'loading');
    $('loading').hidden = false;
    $('refresh').toggleAttribute('disabled', true);
    return;
  }
  $('refresh').toggleAttribute('disabled', false);
  if (m.type === 'error') {
    // The header says so too: it must not stay on "Loading…" (or on an older result's verdict).
    result = undefined;
    const verdict = $('verdict');
    verdict.textContent = 'Drift could not be computed.';
    verdict.className = 'verdict failed';
    $('verdict-badge').textContent = 'Error';
    $('computed').textContent = '';
    $('error-text').textContent = m.message;
    $('error-hint').textContent = m.hint ?? '';
    show('error');
    return;
  }
  result = m.result;
  show('result');
  render();
  post({
    type: 'rendered',
    rows: document.querySelectorAll('#features tbody tr').length,
    generatedAt: m.result.generatedAt,
  });
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = parseHostMessage(e.data);
  if (m) onMessage(m);
  else console.warn('drift panel: ignored a message that does not fit the contract');
});
$('refresh').addEventListener('click', () => post({ type: 'refresh' }));
$('cancel').addEventListener('click', () => post({ type: 'cancel' }));
$('export').addEventListener('click', () => post({ type: 'exportReport', format: 'html' }));
$('ref-file').addEventListener('click', () => post({ type: 'openFile', which: 'reference' }));
$('cur-file').addEventListener('click', () => post({ type: 'openFile', which: 'current' }));
const filterField = $<HTMLInputElement>('filter');
filterField.value = state.filter;
filterField.addEventListener('input', () => {
  setState({ filter: filterField.value });
  render();
});
const only = $<HTMLInputElement>('only-drifted');
only.checked = state.onlyDrifted;
only.addEventListener('change', () => {
  setState({ onlyDrifted: only.checked });
  render();
});
onThemeChange(() =>
  charts.retheme(
    result,
    result?.features.find((f) => f.name === state.selected),
  ),
);
renderFiles();
show('loading');
post({ type: 'ready', protocol: DRIFT_PROTOCOL });
