import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './serving.css';
import {
  COMPARE_REQUESTS,
  type CompareParams,
  compareParamsProblem,
  type CompareView,
  DEFAULT_LOAD,
  type EndpointView,
  HISTORY_SIZE,
  type HostToWebview,
  isDataPath,
  type InferRequestBody,
  type LoadTestParams,
  loadParamsProblem,
  parseHostMessage,
  SERVING_PROTOCOL,
  type ServingViewState,
} from '../../src/shared/servingProtocol';
import { fieldText } from '../../src/shared/servingRequest';
import { onThemeChange } from '../shared/themeVar';
import { LoadCharts } from './charts';
import { renderCompare } from './compare';
import { exampleFields, formRequest, jsonRequest, renderFields, showFieldProblems, showJsonProblems } from './form';
import { outcomeSummary, renderHistory, renderLoadSummary, renderOutputs } from './results';
import { loadState, post, saveState } from './vscodeApi';

/**
 * The test-serving panel. It draws what the host sends and asks the host for everything else: the
 * webview never calls the endpoint. A request that does not fit the signature is shown next to the
 * field (or under the JSON editor) and is not posted.
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type Field = HTMLElement & { value: string };

let state: ServingViewState = loadState() ?? {
  protocol: SERVING_PROTOCOL,
  mode: 'form',
  fields: {},
  json: '',
  history: [],
  load: DEFAULT_LOAD,
  lastReport: null,
  compare: { version: null, requests: COMPARE_REQUESTS.default },
  lastCompare: null,
};
let endpoint: EndpointView | undefined;
const pending = new Map<number, InferRequestBody>();
let nextId = 1;
const charts = new LoadCharts($('hist-chart'), $('pct-chart'), $('tput-chart'));

function setState(patch: Partial<ServingViewState>): void {
  state = { ...state, ...patch };
  saveState(state);
}

function showMode(): void {
  $('form-pane').hidden = state.mode !== 'form';
  $('json-pane').hidden = state.mode !== 'json';
  $('tab-form').toggleAttribute('secondary', state.mode !== 'form');
  $('tab-json').toggleAttribute('secondary', state.mode !== 'json');
  $('tab-form').setAttribute('aria-selected', String(state.mode === 'form'));
  $('tab-json').setAttribute('aria-selected', String(state.mode === 'json'));
}

function onEndpoint(e: EndpointView): void {
  endpoint = e;
  $('subject').textContent = `${e.label} · ${e.model}`;
  $('url').textContent = `${e.url}/v2/models/${e.model}/infer`;
  $('state').textContent = e.running ? '' : '· stopped';
  $('state').className = e.running ? '' : 'stopped';
  $('example-source').textContent = `Pre-filled with an example: ${e.exampleSource}.`;
  for (const id of ['send', 'load-start']) $(id).toggleAttribute('disabled', !e.running);
  showVersions(e.versions ?? []);
  // Keep what the user typed (state) when it still fits this signature; else start from the example.
  const names = e.inputs
    .map((i) => i.name)
    .sort()
    .join(',');
  if (Object.keys(state.fields).sort().join(',') !== names)
    setState({ fields: exampleFields(e.example.inputs, fieldText) });
  if (!state.json) setState({ json: JSON.stringify(e.example, null, 2) });
  renderFields($('fields'), e.inputs, state.fields, (name, text) =>
    setState({ fields: { ...state.fields, [name]: text } }),
  );
  ($('json') as Field).value = state.json;
  renderAll();
}

/** Compare's choices: the model's other versions (none for a bare .onnx file: the form is hidden). */
function showVersions(versions: { version: number; label: string }[]): void {
  const select = $('compare-version') as Field;
  select.replaceChildren(
    ...versions.map((v) => {
      const o = document.createElement('vscode-option') as HTMLElement & { value: string };
      o.setAttribute('value', String(v.version));
      o.textContent = v.label;
      return o;
    }),
  );
  $('compare-form').hidden = versions.length === 0;
  if (versions.length === 0) {
    $('compare-note').textContent = 'Compare needs another version of this model in the registry.';
    return;
  }
  $('compare-note').textContent =
    'The same requests on the served version and another one: latency side by side and how far their outputs agree.';
  const chosen = versions.find((v) => v.version === state.compare?.version) ?? versions[0];
  select.value = String(chosen.version);
  $('compare-start').toggleAttribute('disabled', !endpoint?.running);
}

/** The data field's text: null for generated data; a path that does not fit is shown next to the field. */
function dataField(): { ok: true; data: string | null } | { ok: false } {
  const text = ($('load-data') as Field).value.trim();
  const data = text === '' ? null : text;
  const fits = isDataPath(data);
  showDataError(fits ? null : 'Give a path inside the workspace (no "..", not absolute), or leave it empty.');
  return fits ? { ok: true, data } : { ok: false };
}

function showDataError(message: string | null): void {
  $('data-error').hidden = message === null;
  $('data-error').textContent = message ?? '';
  const field = $('load-data');
  if (message) field.setAttribute('invalid', '');
  else field.removeAttribute('invalid');
}

function drawCompare(v: CompareView, report: boolean): void {
  $('compare-result').hidden = false;
  $('compare-source').textContent = `On ${v.source}.`;
  const rows = renderCompare($('compare-table') as HTMLTableElement, $('agreement') as HTMLTableElement, v);
  if (report) post({ type: 'rendered', what: 'compare', rows, charts: [] });
}

function compareRunning(on: boolean): void {
  $('compare-start').toggleAttribute('disabled', on || !endpoint?.running);
  $('compare-cancel').hidden = !on;
  $('compare-progress').hidden = !on;
}

function renderAll(): void {
  showMode();
  $('history-section').hidden = state.history.length === 0;
  renderHistory($('history') as HTMLTableElement, state.history, {
    resend: (k) => send(state.history[k].request),
    curl: (k) => post({ type: 'copyCurl', request: state.history[k].request }),
  });
  if (state.lastReport && $('load-result').hidden) drawReport(false);
  if (state.lastCompare && $('compare-result').hidden) drawCompare(state.lastCompare, false);
}

/** The request of the active editor, or undefined after showing why it cannot be sent. */
function currentRequest(): InferRequestBody | undefined {
  if (!endpoint) return undefined;
  if (state.mode === 'form') {
    const r = formRequest(endpoint.inputs, state.fields);
    showFieldProblems($('fields'), r.ok ? [] : r.problems);
    return r.ok ? r.body : undefined;
  }
  const r = jsonRequest(endpoint.inputs, state.json);
  showJsonProblems($('json-error'), r.ok ? [] : r.problems);
  return r.ok ? r.body : undefined;
}

function send(request: InferRequestBody): void {
  const id = nextId++;
  pending.set(id, request);
  $('response-summary').textContent = 'Sending…';
  $('response').hidden = false;
  post({ type: 'send', id, request });
}

function onMessage(m: HostToWebview): void {
  switch (m.type) {
    case 'endpoint':
      return onEndpoint(m.endpoint);
    case 'inferResult': {
      const o = m.outcome;
      const request = pending.get(o.id);
      pending.delete(o.id);
      $('response').hidden = false;
      $('response-summary').textContent = outcomeSummary(o);
      $('response-summary').className = o.ok ? 'ok' : 'err';
      const rows = o.ok ? renderOutputs($('outputs'), o.outputs) : ($('outputs').replaceChildren(), 0);
      if (request)
        setState({
          history: [{ at: new Date().toISOString(), request, outcome: o }, ...state.history].slice(0, HISTORY_SIZE),
        });
      renderAll();
      post({ type: 'rendered', what: 'inference', rows, charts: [] });
      return;
    }
    case 'loadProgress':
      $('load-progress').hidden = false;
      ($('load-bar') as HTMLProgressElement).value = m.fraction;
      $('load-progress-text').textContent =
        `${Math.round(m.fraction * 100)}% · ${m.completed.toLocaleString('en-US')} requests · ${m.errors} errors · ${(m.elapsedMs / 1000).toFixed(1)} s`;
      return;
    case 'loadResult':
      setState({ lastReport: m.report });
      loadRunning(false);
      drawReport(true);
      return;
    case 'loadError':
      loadRunning(false);
      if (m.field === 'data') return showDataError(m.message);
      $('load-error').hidden = false;
      $('load-error').textContent = m.message;
      return;
    case 'dataFile':
      ($('load-data') as Field).value = m.path;
      showDataError(null);
      setState({ load: { ...state.load, data: m.path } });
      return;
    case 'compareProgress':
      $('compare-progress').hidden = false;
      ($('compare-bar') as HTMLProgressElement).value = m.total ? m.done / m.total : 0;
      $('compare-progress-text').textContent = `${m.done} of ${m.total} requests`;
      return;
    case 'compareResult':
      compareRunning(false);
      setState({ lastCompare: m.result });
      drawCompare(m.result, true);
      return;
    case 'compareError':
      compareRunning(false);
      if (m.field === 'data') return showDataError(m.message);
      $('compare-error').hidden = false;
      $('compare-error').textContent = m.message;
      return;
  }
}

function drawReport(report: boolean): void {
  const r = state.lastReport;
  if (!r) return;
  $('load-result').hidden = false;
  const rows = renderLoadSummary($('load-summary') as HTMLTableElement, r);
  const drawn = charts.show(r);
  if (report) post({ type: 'rendered', what: 'loadtest', rows, charts: drawn });
}

function loadRunning(on: boolean): void {
  $('load-start').toggleAttribute('disabled', on || !endpoint?.running);
  $('load-cancel').hidden = !on;
  $('load-progress').hidden = !on;
}

function loadParams(data: string | null): LoadTestParams {
  const num = (id: string) => Number(($(id) as Field).value);
  const mode = ($('load-mode') as Field).value === 'open' ? 'open' : 'closed';
  return {
    mode,
    concurrency: num('load-concurrency'),
    rate: mode === 'open' ? num('load-rate') : null,
    durationMs: Math.round(num('load-duration') * 1000),
    data,
  };
}

function initLoadForm(): void {
  const p = state.load;
  ($('load-mode') as Field).value = p.mode;
  ($('load-concurrency') as Field).value = String(p.concurrency);
  ($('load-rate') as Field).value = String(p.rate ?? 100);
  ($('load-duration') as Field).value = String(p.durationMs / 1000);
  ($('load-data') as Field).value = p.data ?? '';
  ($('compare-requests') as Field).value = String(state.compare?.requests ?? COMPARE_REQUESTS.default);
  $('rate-label').hidden = p.mode !== 'open';
  $('load-mode').addEventListener('change', () => {
    $('rate-label').hidden = ($('load-mode') as Field).value !== 'open';
  });
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = parseHostMessage(e.data);
  if (m) onMessage(m);
  else console.warn('serving panel: ignored a message that does not fit the contract');
});
$('tab-form').addEventListener('click', () => {
  setState({ mode: 'form' });
  showMode();
});
$('tab-json').addEventListener('click', () => {
  setState({ mode: 'json' });
  showMode();
});
$('json').addEventListener('input', () => setState({ json: ($('json') as Field).value }));
$('send').addEventListener('click', () => {
  const request = currentRequest();
  if (request) send(request);
});
$('copy-curl').addEventListener('click', () => {
  const request = currentRequest();
  if (request) post({ type: 'copyCurl', request });
});
$('load-start').addEventListener('click', () => {
  const d = dataField();
  if (!d.ok) return;
  const params = loadParams(d.data);
  const problem = loadParamsProblem(params);
  $('load-error').hidden = !problem;
  $('load-error').textContent = problem ?? '';
  if (problem) return;
  setState({ load: params });
  loadRunning(true);
  ($('load-bar') as HTMLProgressElement).value = 0;
  $('load-progress-text').textContent = 'Warming up…';
  post({ type: 'loadTest', params });
});
$('load-cancel').addEventListener('click', () => post({ type: 'cancelLoadTest' }));
$('load-browse').addEventListener('click', () => post({ type: 'pickDataFile' }));
$('load-data').addEventListener('input', () => showDataError(null));
$('compare-start').addEventListener('click', () => {
  const d = dataField();
  if (!d.ok) return;
  const params: CompareParams = {
    version: Number(($('compare-version') as Field).value),
    requests: Number(($('compare-requests') as Field).value),
    data: d.data,
  };
  const problem = compareParamsProblem(params);
  $('compare-error').hidden = !problem;
  $('compare-error').textContent = problem ?? '';
  if (problem) return;
  setState({ compare: { version: params.version, requests: params.requests }, load: { ...state.load, data: d.data } });
  compareRunning(true);
  ($('compare-bar') as HTMLProgressElement).value = 0;
  $('compare-progress-text').textContent = 'Loading both versions…';
  post({ type: 'compare', params });
});
$('compare-cancel').addEventListener('click', () => post({ type: 'cancelCompare' }));
$('export-json').addEventListener('click', () => post({ type: 'exportLoadTest', format: 'json' }));
$('export-csv').addEventListener('click', () => post({ type: 'exportLoadTest', format: 'csv' }));
onThemeChange(() => {
  if (state.lastReport && !$('load-result').hidden) charts.show(state.lastReport);
});
initLoadForm();
showMode();
renderAll();
post({ type: 'ready', protocol: SERVING_PROTOCOL });
