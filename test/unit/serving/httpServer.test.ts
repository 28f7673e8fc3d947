import assert from 'node:assert/strict';
import path from 'node:path';
import { hasReason } from '../../../src/core/errors';
import { startServing, type RunningServer } from '../../../src/core/serving/serve';
import { rawExchange, request } from '../../helpers/http';
import { parsePrometheus } from '../../helpers/prometheus';
import { tempDir, writeModel } from '../../helpers/tmp';

describe('serving: HTTP endpoint (Open Inference Protocol v2), real onnxruntime sessions', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let base: string;

  before(async () => {
    tmp = tempDir();
    writeModel(tmp.dir, 'iris.onnx', { inputDim: 4, hidden: [8], outputDim: 3, softmax: true });
    server = await startServing({
      models: [path.join(tmp.dir, 'iris.onnx')],
      workers: 1,
      maxBodyBytes: 64 * 1024,
      headersTimeoutMs: 400,
      keepAliveTimeoutMs: 300,
      logRate: 0,
    });
    base = server.url;
  });
  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  const row = [0.1, 0.2, 0.3, 0.4];
  const rows2 = [
    [0.1, 0.2, 0.3, 0.4],
    [1, -1, 0.5, 2],
  ];

  it('answers server metadata and health', async () => {
    const meta = await request('GET', `${base}/v2`);
    assert.equal(meta.status, 200);
    assert.equal(meta.json().name, 'mlops-studio');
    assert.deepEqual((await request('GET', `${base}/v2/health/live`)).json(), { live: true });
    const ready = await request('GET', `${base}/v2/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json(), { ready: true });
  });

  it('describes the model with -1 for dynamic dims, platform onnxruntime_onnx and the version header', async () => {
    const r = await request('GET', `${base}/v2/models/iris`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-model-version'], '0');
    assert.deepEqual(r.json(), {
      name: 'iris',
      versions: ['0'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 3] }],
    });
    assert.equal((await request('GET', `${base}/v2/models/iris/versions/0`)).status, 200);
    assert.deepEqual((await request('GET', `${base}/v2/models/iris/ready`)).json(), { name: 'iris', ready: true });
  });

  it('answers 404 for an unknown model, version or route, with {"error"}', async () => {
    for (const url of [
      '/v2/models/nope',
      '/v2/models/iris/versions/7',
      '/v2/models/iris/versions/x/ready',
      '/nothing',
    ]) {
      const r = await request(url.includes('ready') || !url.startsWith('/v2/models/iris') ? 'GET' : 'GET', base + url);
      assert.equal(r.status, 404, url);
      assert.ok(typeof (r.json().error ?? r.json().message) === 'string', url);
    }
    const infer = await request('POST', `${base}/v2/models/nope/infer`, { inputs: [] });
    assert.equal(infer.status, 404);
    assert.match(infer.json().error, /Model "nope" is not served here \(served: iris\)/);
    const v = await request('POST', `${base}/v2/models/iris/versions/3/infer`, { inputs: [] });
    assert.equal(v.status, 404);
    assert.match(v.json().error, /Version 3 of model "iris"/);
  });

  it('infers with flat and nested data alike, echoes the id, filters outputs', async () => {
    const flat = await request('POST', `${base}/v2/models/iris/infer`, {
      id: 'req-1',
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: rows2.flat() }],
    });
    assert.equal(flat.status, 200, flat.text);
    assert.equal(flat.headers['x-model-version'], '0');
    const a = flat.json();
    assert.equal(a.id, 'req-1');
    assert.equal(a.model_name, 'iris');
    assert.equal(a.model_version, '0');
    assert.equal(a.outputs.length, 1);
    assert.deepEqual(a.outputs[0].shape, [2, 3]);
    assert.equal(a.outputs[0].datatype, 'FP32');
    const sum = a.outputs[0].data.slice(0, 3).reduce((x: number, y: number) => x + y, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, 'softmax rows sum to 1');
    const nested = await request('POST', `${base}/v2/models/iris/versions/0/infer`, {
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: rows2 }],
      outputs: [{ name: 'output' }],
    });
    assert.equal(nested.status, 200, nested.text);
    assert.deepEqual(nested.json().outputs, a.outputs);
    assert.equal(nested.json().id, undefined);
  });

  it('answers validation errors with 400 and a message naming the input', async () => {
    const wrongShape = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }],
    });
    assert.equal(wrongShape.status, 400);
    assert.match(wrongShape.json().error, /input/);
    const wrongName = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: row }],
    });
    assert.equal(wrongName.status, 400);
    assert.match(wrongName.json().error, /"?x"?|input/);
    const noInputs = await request('POST', `${base}/v2/models/iris/infer`, { id: 'a' });
    assert.equal(noInputs.status, 400);
    assert.match(noInputs.json().error, /no "inputs" array/);
    const badOutput = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: row }],
      outputs: [{ name: 'nope' }],
    });
    assert.equal(badOutput.status, 400, badOutput.text);
  });

  it('answers malformed JSON 400, a wrong content type 415, a headerless binary body 400, a wrong method 405, a huge body 413', async () => {
    const malformed = await request('POST', `${base}/v2/models/iris/infer`, '{"inputs": [', {
      'Content-Type': 'application/json',
    });
    assert.equal(malformed.status, 400);
    assert.match(malformed.json().error, /not valid JSON/);
    const xml = await request('POST', `${base}/v2/models/iris/infer`, '<x/>', { 'Content-Type': 'application/xml' });
    assert.equal(xml.status, 415);
    // A binary body needs the extension's header (binaryTensors.test.ts covers the rest).
    const binary = await request('POST', `${base}/v2/models/iris/infer`, Buffer.from([1, 2]), {
      'Content-Type': 'application/octet-stream',
    });
    assert.equal(binary.status, 400);
    assert.match(binary.json().error, /Inference-Header-Content-Length header is missing/);
    const get = await request('GET', `${base}/v2/models/iris/infer`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const del = await request('DELETE', `${base}/metrics`);
    assert.equal(del.status, 405);
    // HEAD is GET without a body, as load balancers probe (was: 405 with Allow: GET).
    for (const path of ['/ping', '/v2/health/ready']) {
      const head = await request('HEAD', `${base}${path}`);
      assert.equal(head.status, 200, path);
      assert.equal(head.text, '');
    }
    assert.equal((await request('HEAD', `${base}/v2/models/iris/infer`)).status, 405);
    const huge = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [20000, 4], datatype: 'FP32', data: new Array(80000).fill(0.5) }],
    });
    assert.equal(huge.status, 413);
    assert.match(huge.json().error, /larger than the server's limit of 65536 bytes/);
    // The server still answers afterwards.
    assert.equal((await request('GET', `${base}/v2/health/live`)).status, 200);
  });

  it('cuts a client that never finishes its headers, and keeps serving others meanwhile', async () => {
    const slow = rawExchange(server.port, 'POST /v2/models/iris/infer HTTP/1.1\r\nHost: x\r\nContent-Le');
    const health = await request('GET', `${base}/v2/health/ready`);
    assert.equal(health.status, 200);
    const { received } = await slow;
    assert.ok(received === '' || received.startsWith('HTTP/1.1 408'), received);
  });

  it('closes an idle keep-alive connection after its timeout', async () => {
    const { received } = await rawExchange(
      server.port,
      'GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
    );
    assert.match(received, /^HTTP\/1\.1 200 OK/);
    assert.match(received, /Keep-Alive: timeout=0|Connection: keep-alive/i);
    assert.match(received, /\{"live":true\}$/);
  });

  it('answers 500 when the worker running a request crashes, then serves again', async () => {
    const req = { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: row }] };
    server.pool.crashWorkerForTest(0);
    const crashed = await request('POST', `${base}/v2/models/iris/infer`, req);
    assert.equal(crashed.status, 500, crashed.text);
    assert.match(crashed.json().error, /worker/);
    const again = await request('POST', `${base}/v2/models/iris/infer`, req);
    assert.equal(again.status, 200, again.text);
    const m = parsePrometheus((await request('GET', `${base}/metrics`)).text);
    assert.equal(m.get('mlops_inference_request_failure_total{model="iris",version="0",reason="internal"}'), 1);
  });

  it("a second server on the same port is refused with the PORT_IN_USE reason (the extension's cue for a free port)", async () => {
    await assert.rejects(
      startServing({ models: [path.join(tmp.dir, 'iris.onnx')], workers: 1, logRate: 0, port: server.port }),
      (e) => hasReason(e, 'PORT_IN_USE') && e.message === `Port ${server.port} on 127.0.0.1 is already in use.`,
    );
    assert.equal((await request('GET', `${base}/v2/health/ready`)).status, 200, 'the first one keeps serving');
  });

  it('lists the repository index', async () => {
    const r = await request('POST', `${base}/v2/repository/index`, {});
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), [{ name: 'iris', version: '0', state: 'READY', reason: '' }]);
    const empty = await request('POST', `${base}/v2/repository/index`);
    assert.equal(empty.status, 200);
    const load = await request('POST', `${base}/v2/repository/models/iris/load`, {});
    assert.equal(load.status, 501);
  });

  it('exposes Prometheus metrics whose counters move with requests', async () => {
    const before = parsePrometheus((await request('GET', `${base}/metrics`)).text);
    const key = (n: string) => `${n}{model="iris",version="0"}`;
    for (let i = 0; i < 3; i++) {
      const r = await request('POST', `${base}/v2/models/iris/infer`, {
        inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: rows2 }],
      });
      assert.equal(r.status, 200);
    }
    await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }],
    });
    const m = await request('GET', `${base}/metrics`);
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /# TYPE mlops_inference_request_duration_seconds histogram/);
    const after = parsePrometheus(m.text);
    const delta = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
    assert.equal(delta(key('mlops_inference_request_success_total')), 3);
    assert.equal(delta(key('mlops_inference_count_total')), 6, 'rows: 3 requests of 2');
    assert.ok(delta(key('mlops_inference_exec_count_total')) >= 1);
    assert.equal(delta('mlops_inference_request_failure_total{model="iris",version="0",reason="invalid"}'), 1);
    assert.equal(delta(key('mlops_inference_request_duration_seconds_count')), 4);
    assert.equal(delta(key('mlops_inference_queue_duration_seconds_count')), 3);
    assert.equal(delta(key('mlops_inference_compute_duration_seconds_count')), 3);
    assert.equal(delta(key('mlops_inference_batch_size_count')), 3);
    assert.equal(after.get(key('mlops_inference_pending_requests')), 0);
    assert.equal(after.get('mlops_model_served_version{model="iris",role="primary"}'), 0);
    assert.equal(delta('mlops_http_requests_total{route="infer",code="200"}'), 3);
    const inf = after.get(`mlops_inference_request_duration_seconds_bucket{model="iris",version="0",le="+Inf"}`);
    assert.equal(inf, after.get(key('mlops_inference_request_duration_seconds_count')));
  });
});

describe('serving: several models on one server', function () {
  this.timeout(60_000);

  it('serves each under its own name; /invocations answers for the first', async () => {
    const tmp = tempDir();
    const a = writeModel(tmp.dir, 'alpha.onnx', { inputDim: 4, outputDim: 3, seed: 1 });
    const b = writeModel(tmp.dir, 'beta.onnx', { inputDim: 2, outputDim: 5, seed: 2 });
    const server = await startServing({ models: [a, b], workers: 1, logRate: 0 });
    try {
      const ra = await request('POST', `${server.url}/v2/models/alpha/infer`, {
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
      });
      const rb = await request('POST', `${server.url}/v2/models/beta/infer`, {
        inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data: [1, 2] }],
      });
      assert.deepEqual([ra.status, rb.status], [200, 200]);
      assert.deepEqual(ra.json().outputs[0].shape, [1, 3]);
      assert.deepEqual(rb.json().outputs[0].shape, [1, 5]);
      const index = await request('POST', `${server.url}/v2/repository/index`);
      assert.deepEqual(
        index.json().map((m: { name: string }) => m.name),
        ['alpha', 'beta'],
      );
      const mlflow = await request('POST', `${server.url}/invocations`, { instances: [[1, 2, 3, 4]] });
      assert.equal(mlflow.status, 200, mlflow.text);
      assert.deepEqual(mlflow.json().predictions, [ra.json().outputs[0].data]);
    } finally {
      await server.close();
      tmp.cleanup();
    }
  });

  it('refuses to serve one model name twice', async () => {
    const tmp = tempDir();
    const a = writeModel(tmp.dir, 'alpha.onnx');
    try {
      await assert.rejects(startServing({ models: [a, a], workers: 1, logRate: 0 }), /named twice/);
    } finally {
      tmp.cleanup();
    }
  });
});
