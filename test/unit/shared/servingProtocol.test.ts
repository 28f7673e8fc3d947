import assert from 'node:assert/strict';
import {
  DEFAULT_LOAD,
  type EndpointView,
  type LoadTestView,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
  SERVING_PROTOCOL,
  type TensorSpec,
} from '../../../src/shared/servingProtocol';
import { checkRequest, parseField, parseJsonRequest, shapeFor, topK } from '../../../src/shared/servingRequest';

const INPUTS: TensorSpec[] = [{ name: 'x', datatype: 'FP32', shape: [null, 4] }];
const REQUEST = { inputs: [{ name: 'x', datatype: 'FP32' as const, shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] }] };
const ENDPOINT: EndpointView = {
  label: 'fraud@production',
  model: 'fraud',
  url: 'http://127.0.0.1:5000',
  running: true,
  inputs: INPUTS,
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [null, 2] }],
  example: REQUEST,
  exampleSource: 'first row of train.csv',
};
const REPORT: LoadTestView = {
  durationMs: 1000,
  throughput: 500,
  latency: { count: 500, p50: 1, p90: 2, p95: 3, p99: 4, max: 9, mean: 1.2 },
  errorCount: 1,
  errors: { http_503: 1 },
  cancelled: false,
  histogram: [{ le: 1, count: 250 }],
  perSecond: [{ t: 0, requests: 500, errors: 1, p50: 1, p95: 3, p99: 4 }],
};

/** The serving panel's contract is validated on receipt, both ways: what does not fit is dropped. */
describe('serving panel message contract', () => {
  it('accepts the webview messages it declares', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocol: SERVING_PROTOCOL }), {
      type: 'ready',
      protocol: SERVING_PROTOCOL,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'send', id: 3, request: REQUEST }), {
      type: 'send',
      id: 3,
      request: REQUEST,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'loadTest', params: DEFAULT_LOAD }), {
      type: 'loadTest',
      params: DEFAULT_LOAD,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'cancelLoadTest' }), { type: 'cancelLoadTest' });
    assert.deepEqual(parseWebviewMessage({ type: 'exportLoadTest', format: 'csv' }), {
      type: 'exportLoadTest',
      format: 'csv',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', what: 'loadtest', rows: 8, charts: ['histogram'] }), {
      type: 'rendered',
      what: 'loadtest',
      rows: 8,
      charts: ['histogram'],
    });
  });

  it('drops webview messages that do not fit', () => {
    for (const bad of [
      null,
      { type: 'ready', protocol: 2 },
      { type: 'send', id: 1, request: { inputs: [] } },
      { type: 'send', id: 1, request: { inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1], data: [1] }] } },
      { type: 'send', id: 1, request: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1], data: [1] }] } },
      { type: 'send', id: 1, request: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [{}] }] } },
      { type: 'loadTest', params: { ...DEFAULT_LOAD, concurrency: 0 } },
      { type: 'loadTest', params: { ...DEFAULT_LOAD, durationMs: 10 } },
      { type: 'loadTest', params: { mode: 'open', concurrency: 4, rate: null, durationMs: 5000 } },
      { type: 'rendered', what: 'other', rows: 1, charts: [] },
      { type: 'fetch', url: 'http://example.com' },
      { type: 'exportLoadTest', format: 'exe' },
    ])
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  });

  it('accepts the host messages it declares and drops the rest', () => {
    assert.ok(parseHostMessage({ type: 'endpoint', endpoint: ENDPOINT }));
    assert.ok(parseHostMessage({ type: 'loadResult', report: REPORT }));
    assert.ok(
      parseHostMessage({
        type: 'inferResult',
        outcome: { id: 1, ok: true, status: 200, latencyMs: 2, modelVersion: '3', outputs: [] },
      }),
    );
    assert.ok(
      parseHostMessage({
        type: 'inferResult',
        outcome: { id: 1, ok: false, status: null, latencyMs: 2, message: 'x' },
      }),
    );
    for (const bad of [
      { type: 'endpoint', endpoint: { ...ENDPOINT, inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }] } },
      { type: 'endpoint', endpoint: { ...ENDPOINT, example: { inputs: [] } } },
      { type: 'loadResult', report: { ...REPORT, latency: { p50: 1 } } },
      { type: 'loadResult', report: { ...REPORT, errors: { http_503: 'one' } } },
      { type: 'inferResult', outcome: { id: 1, ok: true, status: 200, latencyMs: 2, modelVersion: 3, outputs: [] } },
      { type: 'loadProgress', fraction: 'half', completed: 1, errors: 0, elapsedMs: 1 },
    ])
      assert.equal(parseHostMessage(bad), undefined, JSON.stringify(bad));
  });

  it('restores a valid view state and falls back field by field', () => {
    const s = parseViewState({
      protocol: SERVING_PROTOCOL,
      mode: 'json',
      fields: { x: '1, 2, 3, 4' },
      json: '{}',
      history: [
        { at: 'now', request: REQUEST, outcome: { id: 1, ok: false, status: null, latencyMs: 1, message: 'x' } },
        { bad: 1 },
      ],
      load: { ...DEFAULT_LOAD, concurrency: -3 },
      lastReport: REPORT,
    });
    assert.equal(s?.mode, 'json');
    assert.equal(s?.history.length, 1);
    assert.deepEqual(s?.load, DEFAULT_LOAD);
    assert.deepEqual(s?.lastReport, REPORT);
    assert.equal(parseViewState({ protocol: 99 }), undefined);
  });
});

describe('serving panel request checks', () => {
  it('reads a form field into a request input, with the batch dim from the count', () => {
    assert.deepEqual(parseField(INPUTS[0], '0.1, 0.2\n0.3 0.4 1e-3 -2 3 .5'), {
      ok: true,
      input: { name: 'x', datatype: 'FP32', shape: [2, 4], data: [0.1, 0.2, 0.3, 0.4, 0.001, -2, 3, 0.5] },
    });
  });

  it('says which value is not a number, not an integer, or not a boolean', () => {
    const r = parseField(INPUTS[0], '0.1, abc, 0.3, 0.4');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : '', /Value 2 \("abc"\) is not a number, as FP32 needs/);
    const i = parseField({ name: 'ids', datatype: 'INT64', shape: [1, 2] }, '1, 2.5');
    assert.match(!i.ok ? i.message : '', /not an integer/);
    const b = parseField({ name: 'flag', datatype: 'BOOL', shape: [1] }, 'maybe');
    assert.match(!b.ok ? b.message : '', /not true or false/);
    assert.match(!parseField(INPUTS[0], '  ').ok ? 'empty' : '', /empty/);
  });

  it('refuses a count that does not fill the shape', () => {
    assert.match(String(shapeFor(INPUTS[0], 6)), /rows of 4 values \(shape \[\?, 4\]\); 6 is not a multiple of 4/);
    assert.match(String(shapeFor({ name: 'y', datatype: 'FP32', shape: [1, 3] }, 4)), /takes 3 values/);
    assert.deepEqual(shapeFor({ name: 'y', datatype: 'FP32', shape: [1, 3] }, 3), [1, 3]);
  });

  it('checks a JSON request against the signature and names the input at fault', () => {
    assert.deepEqual(parseJsonRequest(INPUTS, JSON.stringify(REQUEST)), { ok: true, body: REQUEST });
    const nested = parseJsonRequest(
      INPUTS,
      JSON.stringify({ inputs: [{ ...REQUEST.inputs[0], data: [[1, 2, 3, 4]] }] }),
    );
    assert.equal(nested.ok, true, 'nested data is flattened, as OIP v2 allows');
    const wrongShape = parseJsonRequest(INPUTS, JSON.stringify({ inputs: [{ ...REQUEST.inputs[0], shape: [1, 3] }] }));
    assert.deepEqual(!wrongShape.ok && wrongShape.problems.map((p) => p.input), ['x']);
    assert.match(
      !wrongShape.ok ? wrongShape.problems[0].message : '',
      /takes shape \[\?, 4\], the request gives \[1, 3\]/,
    );
    const count = parseJsonRequest(INPUTS, JSON.stringify({ inputs: [{ ...REQUEST.inputs[0], shape: [2, 4] }] }));
    assert.match(!count.ok ? count.problems[0].message : '', /so 8 values, but the data holds 4/);
    const notJson = parseJsonRequest(INPUTS, '{"inputs": [');
    assert.match(!notJson.ok ? notJson.problems[0].message : '', /^Not valid JSON/);
    const unknown = checkRequest(INPUTS, { inputs: [{ ...REQUEST.inputs[0], name: 'z' }] });
    assert.deepEqual(
      unknown.map((p) => p.input),
      ['z', 'x'],
      'an unknown input, and the missing one',
    );
    const text = checkRequest(INPUTS, { inputs: [{ ...REQUEST.inputs[0], data: [1, 'a', 3, 4] }] });
    assert.match(text[0].message, /Value 2 of "x" \("a"\) is not a number/);
  });

  it('ranks a classifier output', () => {
    assert.deepEqual(topK([0.1, 0.7, 0.2], 2), [
      { index: 1, value: 0.7 },
      { index: 2, value: 0.2 },
    ]);
  });
});
