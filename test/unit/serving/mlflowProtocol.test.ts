import assert from 'node:assert/strict';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { readFileSync } from 'node:fs';
import { readPredictionLog } from '../../../src/core/serving/predlog/reader';
import { startServing, type RunningServer } from '../../../src/core/serving/serve';
import type { PredictionRecord } from '../../../src/core/serving/types';
import { request } from '../../helpers/http';
import { tempDir, writeModel } from '../../helpers/tmp';

describe('serving: MLflow scoring protocol (/invocations) on the same port', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let registry: EmbeddedRegistry;
  let server: RunningServer;
  let base: string;
  const rows = [
    [0.1, 0.2, 0.3, 0.4],
    [1, -1, 0.5, 2],
  ];
  let expected: number[][];

  before(async () => {
    tmp = tempDir();
    const file = writeModel(tmp.dir, 'm.onnx', { inputDim: 4, hidden: [8], outputDim: 3, softmax: true, seed: 5 });
    registry = await EmbeddedRegistry.open(`${tmp.dir}/.mlops`, { create: true });
    await registry.pushVersion(
      { filePath: file, model: 'fraud', tags: { feature_names: 'a, b,c,d' }, alias: 'production' },
      { actor: 'test' },
    );
    server = await startServing({ models: ['models:/fraud@production'], registry, workers: 1, logRate: 0, pollMs: 0 });
    base = server.url;
    const oip = await request('POST', `${base}/v2/models/fraud/infer`, {
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: rows }],
    });
    assert.equal(oip.status, 200, oip.text);
    const data: number[] = oip.json().outputs[0].data;
    expected = [data.slice(0, 3), data.slice(3, 6)];
  });
  after(async () => {
    await server?.close();
    await registry?.close();
    tmp.cleanup();
  });

  const invoke = (body: unknown, contentType = 'application/json') =>
    request('POST', `${base}/invocations`, typeof body === 'string' ? body : JSON.stringify(body), {
      'Content-Type': contentType,
    });

  it('answers the five input forms with the same predictions (columns mapped by the feature_names tag)', async () => {
    const forms: [string, unknown, string?][] = [
      ['dataframe_split', { dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: rows } }],
      // Columns in another order are mapped by name.
      [
        'dataframe_split reordered',
        { dataframe_split: { columns: ['d', 'c', 'b', 'a'], data: rows.map((r) => [...r].reverse()) } },
      ],
      [
        'dataframe_records',
        { dataframe_records: rows.map((r) => ({ d: r[3], b: r[1], a: r[0], c: r[2], extra: 'ignored' })) },
      ],
      ['instances', { instances: rows }],
      ['inputs', { inputs: rows, params: { note: 'x' } }],
      ['inputs by name', { inputs: { input: rows } }],
      ['csv', 'c,a,b,d\n' + rows.map((r) => [r[2], r[0], r[1], r[3]].join(',')).join('\n') + '\n', 'text/csv'],
    ];
    for (const [what, body, ct] of forms) {
      const r = await invoke(body, ct);
      assert.equal(r.status, 200, `${what}: ${r.text}`);
      assert.equal(r.headers['x-model-version'], '1');
      assert.deepEqual(r.json(), { predictions: expected }, what);
    }
  });

  it('answers bad bodies with 400 in MLflow error shape, with the MLflow 2.0 hint', async () => {
    for (const body of [{}, { instances: rows, inputs: rows }, rows, { data: rows }]) {
      const r = await invoke(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = r.json();
      assert.equal(e.error_code, 'BAD_REQUEST');
      assert.match(e.message, /exactly one of dataframe_split, dataframe_records, instances, inputs/);
      assert.match(e.message, /changed in MLflow 2\.0/);
    }
    const missing = await invoke({ dataframe_split: { columns: ['a', 'b', 'c'], data: [[1, 2, 3]] } });
    assert.equal(missing.status, 400);
    assert.match(missing.json().message, /Missing column "d"/);
    const ragged = await invoke({
      instances: [
        [1, 2, 3, 4],
        [1, 2],
      ],
    });
    assert.equal(ragged.status, 400);
    const notJson = await invoke('{"instances": [');
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json().error_code, 'BAD_REQUEST');
    const badCsv = await invoke('a,b,c,d\n1,2,x,4\n', 'text/csv');
    assert.equal(badCsv.status, 400);
    assert.match(badCsv.json().message, /"x" is not a number/);
    // 20,000 nested lists: flattening them overflowed the stack (was: 500 "Maximum call stack size exceeded").
    const deep = await invoke(`{"inputs": ${'['.repeat(20_000)}1${']'.repeat(20_000)}}`);
    assert.equal(deep.status, 400);
    assert.match(deep.json().message, /is nested 20000 lists deep; it takes 2 dimensions/);
  });

  it('answers 415 to other content types, charsets and parameters', async () => {
    for (const ct of [
      'application/xml',
      'text/plain',
      'application/json; charset=latin-1',
      'application/json; foo=bar',
    ]) {
      const r = await invoke({ instances: rows }, ct);
      assert.equal(r.status, 415, ct);
      assert.equal(r.json().error_code, 'BAD_REQUEST');
    }
    const ok = await invoke({ instances: rows }, 'application/json; charset=utf-8');
    assert.equal(ok.status, 200);
  });

  it('answers /ping, /health and /version', async () => {
    const ping = await request('GET', `${base}/ping`);
    assert.equal(ping.status, 200);
    assert.equal(ping.text, '\n');
    assert.equal((await request('GET', `${base}/health`)).status, 200);
    const v = await request('GET', `${base}/version`);
    assert.equal(v.status, 200);
    assert.match(v.text, /^\d+\.\d+\.\d+/);
    assert.equal((await request('POST', `${base}/ping`)).status, 405);
  });

  it('logs /invocations requests as protocol "mlflow" with their rows as a tensor', async () => {
    const logDir = `${tmp.dir}/log`;
    const logged = await startServing({
      models: ['models:/fraud@production'],
      registry,
      workers: 1,
      pollMs: 0,
      logDir,
    });
    try {
      const r = await request('POST', `${logged.url}/invocations`, {
        dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: rows },
      });
      assert.equal(r.status, 200);
    } finally {
      await logged.close();
    }
    const records: PredictionRecord[] = [];
    await readPredictionLog(`${logDir}/fraud`, (rec) => records.push(rec));
    assert.equal(records.length, 1);
    assert.equal(records[0].protocol, 'mlflow');
    assert.deepEqual(records[0].inputs.input, { shape: [2, 4], data: rows.flat() });
    assert.deepEqual(records[0].outputs?.output.shape, [2, 3]);
    const names = JSON.parse(readFileSync(`${logDir}/fraud/features.json`, 'utf8'));
    assert.deepEqual(names, { '1': { input: ['a', 'b', 'c', 'd'] } });
  });
});
