import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  attachBinaryInputs,
  binaryRequestBody,
  decodeBinaryTensor,
  encodeBinaryValues,
  readBinaryResponse,
} from '../../../src/core/serving/binaryTensors';
import { prepareHttpTarget } from '../../../src/core/serving/loadtest';
import { OK } from '../../../src/core/serving/loadtest/target';
import { readPredictionLog } from '../../../src/core/serving/predlog/reader';
import { startServing, type RunningServer } from '../../../src/core/serving/serve';
import type { Datatype, InferRequest, PredictionRecord } from '../../../src/core/serving/types';
import { buildIdentity, type OnnxTypeName } from '../../builders/graphBuilder';
import { request } from '../../helpers/http';
import { tempDir, writeModel } from '../../helpers/tmp';
import { EXACT_TYPE_CASES } from './runtime/fixtures';

/** Every datatype Triton's binary extension carries, through an Identity model of that element type. */
const CASES: { type: OnnxTypeName; datatype: Datatype; data: unknown[] }[] = [
  ...EXACT_TYPE_CASES,
  // Exact halves: FP16 is carried bit for bit, and NaN/Infinity (which JSON cannot write) survive.
  { type: 'float16', datatype: 'FP16', data: [0.5, 0.0999755859375, -65504] },
  { type: 'float32', datatype: 'FP32', data: [0.5, -1.25, Infinity] },
  { type: 'float64', datatype: 'FP64', data: [0.1, -1e300, NaN] },
  { type: 'string', datatype: 'BYTES', data: ['a', '', 'ünïcödé'] },
];

/** POSTs a binary request body with its header. */
function postBinary(url: string, body: Buffer, jsonLength: number | string, type = 'application/octet-stream') {
  return request('POST', url, body, { 'Content-Type': type, 'Inference-Header-Content-Length': String(jsonLength) });
}

describe('serving: binary tensor data (Triton extension), codec', () => {
  it('encodes and decodes every datatype, little-endian, BYTES with 4-byte length prefixes', () => {
    for (const c of CASES) {
      const bytes = encodeBinaryValues(c.datatype, c.data);
      const back = decodeBinaryTensor('x', c.datatype, [3], bytes);
      const values = Array.isArray(back) ? back : Array.from(back as ArrayLike<number | bigint>, Number);
      const want = c.datatype === 'BOOL' ? c.data.map((b) => (b ? 1 : 0)) : c.data;
      assert.deepEqual(values, want, c.datatype);
    }
    assert.deepEqual([...encodeBinaryValues('INT32', [1, -2])], [1, 0, 0, 0, 254, 255, 255, 255]);
    assert.deepEqual([...encodeBinaryValues('BYTES', ['hi'])], [2, 0, 0, 0, 104, 105]);
    assert.deepEqual([...encodeBinaryValues('BOOL', [true, false])], [1, 0]);
  });

  it('decodes from a slice at any byte offset (request bodies are not aligned)', () => {
    const body = Buffer.concat([Buffer.from([9]), encodeBinaryValues('FP64', [1.5, -2])]);
    assert.deepEqual([...(decodeBinaryTensor('x', 'FP64', [2], body.subarray(1)) as Float64Array)], [1.5, -2]);
  });

  it('refuses sizes that do not match the shape, cut BYTES, BOOL bytes other than 0/1 and unknown datatypes', () => {
    assert.throws(
      () => decodeBinaryTensor('x', 'FP32', [1, 4], new Uint8Array(12)),
      /input 'x': shape \[1, 4\] of FP32 takes 16 bytes, but binary_data_size is 12/,
    );
    assert.throws(
      () => decodeBinaryTensor('x', 'INT32', 'no', new Uint8Array(6)),
      /6 bytes is not a whole number of INT32/,
    );
    assert.throws(
      () => decodeBinaryTensor('x', 'BYTES', [1], Buffer.from([5, 0, 0, 0, 1])),
      /declares 5 bytes, but only 1/,
    );
    assert.throws(() => decodeBinaryTensor('x', 'BYTES', [1], Buffer.from([5, 0])), /4-byte length prefix/);
    assert.throws(() => decodeBinaryTensor('x', 'BOOL', [2], Buffer.from([1, 2])), /BOOL element 1 is the byte 2/);
    assert.throws(
      () => decodeBinaryTensor('x', 'FP8', [1], Buffer.from([1])),
      /datatype "FP8" cannot be sent as binary/,
    );
  });

  it('gives every byte after the JSON to exactly one input, and says which sizes are wrong', () => {
    const req = (): InferRequest => ({
      inputs: [
        { name: 'a', shape: [2], datatype: 'INT32', data: undefined, parameters: { binary_data_size: 8 } },
        { name: 'b', shape: [1], datatype: 'FP32', data: [1] },
      ],
    });
    const ok = req();
    attachBinaryInputs(ok, encodeBinaryValues('INT32', [7, 8]));
    assert.deepEqual([...(ok.inputs[0].data as Int32Array)], [7, 8]);
    assert.deepEqual(ok.inputs[1].data, [1]);
    assert.throws(
      () => attachBinaryInputs(req(), new Uint8Array(4)),
      /input 'a': binary_data_size is 8, but only 4 bytes/,
    );
    assert.throws(
      () => attachBinaryInputs(req(), new Uint8Array(12)),
      /12 bytes after its JSON part, but .* add up to 8/,
    );
    const both = req();
    both.inputs[0].data = [1, 2];
    assert.throws(
      () => attachBinaryInputs(both, new Uint8Array(8)),
      /input 'a' has both "data" and parameters.binary_data_size/,
    );
    const negative = req();
    negative.inputs[0].parameters = { binary_data_size: -1 };
    assert.throws(
      () => attachBinaryInputs(negative, new Uint8Array(0)),
      /binary_data_size must be a byte count, got -1/,
    );
  });
});

describe('serving: binary tensor data over HTTP, real onnxruntime sessions', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let base: string;
  const logDir = () => path.join(tmp.dir, 'log');

  before(async () => {
    tmp = tempDir();
    const models = [writeModel(tmp.dir, 'iris.onnx', { inputDim: 4, hidden: [8], outputDim: 3, softmax: true })];
    for (const c of CASES) {
      const file = path.join(tmp.dir, `id-${c.type}.onnx`);
      writeFileSync(file, buildIdentity(c.type, ['batch', 3]));
      models.push(file);
    }
    server = await startServing({ models, workers: 1, logDir: logDir(), logFlushMs: 20 });
    base = server.url;
  });
  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  /** A load-test target for `model` whose first three requests the server answers well. */
  async function sendsAccepted(model: string, o: { binary?: boolean; batch: number }): Promise<void> {
    const { target } = await prepareHttpTarget({
      baseUrl: base,
      model,
      protocol: 'oip',
      connections: 1,
      timeoutMs: 10_000,
      ...o,
    });
    try {
      for (let seq = 0; seq < 3; seq++) assert.deepEqual(await target.send(seq, new AbortController().signal), OK);
    } finally {
      await target.close();
    }
  }

  it('says so in the server metadata', async () => {
    assert.ok((await request('GET', `${base}/v2`)).json().extensions.includes('binary_tensor_data'));
  });

  for (const c of CASES) {
    it(`${c.datatype}: binary in, binary out, values exact`, async () => {
      const { body, jsonLength } = binaryRequestBody(
        { id: 'b1', inputs: [{ name: 'x', shape: [1, 3], datatype: c.datatype, data: c.data }] },
        true,
      );
      const r = await postBinary(`${base}/v2/models/id-${c.type}/infer`, body, jsonLength);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['content-type'], 'application/octet-stream');
      const head = Number(r.headers['inference-header-content-length']);
      const json = JSON.parse(r.body.subarray(0, head).toString('utf8'));
      assert.deepEqual(json.outputs[0].parameters, { binary_data_size: r.body.length - head });
      assert.equal(json.outputs[0].data, undefined);
      const response = readBinaryResponse(r.body, head);
      assert.equal(response.id, 'b1');
      assert.deepEqual(response.outputs, [
        {
          name: 'y',
          shape: [1, 3],
          datatype: c.datatype,
          data: c.data,
          parameters: { binary_data_size: r.body.length - head },
        },
      ]);
    });
  }

  it('answers exactly what the JSON request answers, and JSON outputs unless binary ones are asked for', async () => {
    const data = [0.1, 0.2, 0.3, 0.4, 1, -1, 0.5, 2];
    const plain = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }],
    });
    const asJson = binaryRequestBody({ inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }] }, false);
    const r = await postBinary(`${base}/v2/models/iris/infer`, asJson.body, asJson.jsonLength);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(r.json(), plain.json());
    // Binary output asked per output, overriding the request-level default.
    const perOutput = binaryRequestBody(
      {
        inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }],
        outputs: [{ name: 'output', parameters: { binary_data: true } }],
        parameters: { binary_data_output: false },
      },
      false,
    );
    const b = await postBinary(`${base}/v2/models/iris/infer`, perOutput.body, perOutput.jsonLength);
    const decoded = readBinaryResponse(b.body, Number(b.headers['inference-header-content-length']));
    assert.deepEqual(decoded.outputs[0].data, plain.json().outputs[0].data);
  });

  it('takes FP16 as binary data into a float32 model (JSON FP16 stays a 400 that points here)', async () => {
    const halves = [0.5, 0.25, -1, 2];
    const { body, jsonLength } = binaryRequestBody(
      { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP16', data: halves }] },
      false,
    );
    const r = await postBinary(`${base}/v2/models/iris/infer`, body, jsonLength);
    assert.equal(r.status, 200, r.text);
    const fp32 = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: halves }],
    });
    assert.deepEqual(r.json().outputs, fp32.json().outputs);
    const json = await request('POST', `${base}/v2/models/iris/infer`, {
      inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP16', data: halves }],
    });
    assert.equal(json.status, 400);
    assert.match(json.json().error, /FP16 is not supported in JSON data; send FP32, or send the tensor as binary data/);
  });

  it('refuses malformed binary requests with a 400 that names the problem, and keeps serving', async () => {
    const url = `${base}/v2/models/iris/infer`;
    const good = binaryRequestBody(
      { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
      true,
    );
    const cases: [Buffer, number | string | undefined, RegExp][] = [
      [good.body, undefined, /Inference-Header-Content-Length header is missing/],
      [good.body, good.body.length + 1, /must be the byte length of the body's JSON part \(0 to \d+\)/],
      [good.body, 'ten', /Inference-Header-Content-Length is "ten"/],
      [good.body, good.jsonLength - 1, /not valid JSON/],
      [
        Buffer.concat([good.body, Buffer.from([0])]),
        good.jsonLength,
        /17 bytes after its JSON part, but the inputs' binary_data_size add up to 16/,
      ],
      [good.body.subarray(0, good.body.length - 4), good.jsonLength, /binary_data_size is 16, but only 12 bytes/],
    ];
    for (const [body, header, message] of cases) {
      const r =
        header === undefined
          ? await request('POST', url, body, { 'Content-Type': 'application/octet-stream' })
          : await postBinary(url, body, header);
      assert.equal(r.status, 400, `${message}: ${r.text}`);
      assert.match(r.json().error, message);
    }
    const wrongShape = binaryRequestBody(
      { inputs: [{ name: 'input', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] },
      true,
    );
    const shape = await postBinary(url, wrongShape.body, wrongShape.jsonLength);
    assert.equal(shape.status, 400);
    assert.match(shape.json().error, /input 'input': expected FP32 \[batch, 4\], got \[1, 5\]/);
    const flag = binaryRequestBody(
      {
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
        outputs: [{ name: 'output', parameters: { binary_data: 'yes' } }],
      },
      false,
    );
    const badFlag = await postBinary(url, flag.body, flag.jsonLength);
    assert.equal(badFlag.status, 400);
    assert.match(badFlag.json().error, /output 'output': parameters.binary_data must be true or false, got "yes"/);
    assert.equal((await postBinary(url, good.body, good.jsonLength)).status, 200);
  });

  it('mlops loadtest --binary: bodies the server accepts, and a clear refusal with MLflow', async () => {
    await sendsAccepted('iris', { binary: true, batch: 3 });
    await assert.rejects(
      prepareHttpTarget({
        baseUrl: base,
        model: 'iris',
        protocol: 'mlflow',
        binary: true,
        batch: 1,
        connections: 1,
        timeoutMs: 1000,
      }),
      /Binary tensor data is part of the Open Inference Protocol, not MLflow's/,
    );
  });

  it('a half-float model takes numbers in JSON: loadtest requests and MLflow bodies state FP32 (were 100% 400)', async () => {
    await sendsAccepted('id-float16', { batch: 2 });
    const alone = await startServing({ models: [path.join(tmp.dir, 'id-float16.onnx')], workers: 1, logRate: 0 });
    try {
      for (const body of [{ instances: [[0.5, 0.25, 1]] }, { inputs: [[0.5, 0.25, 1]] }]) {
        const r = await request('POST', `${alone.url}/invocations`, body);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.json().predictions, [[0.5, 0.25, 1]]);
      }
    } finally {
      await alone.close();
    }
  });

  it('logs binary inputs as plain values, as a JSON request would be logged', async () => {
    const { body, jsonLength } = binaryRequestBody(
      { id: 'logged', inputs: [{ name: 'x', shape: [1, 3], datatype: 'BOOL', data: [true, false, true] }] },
      false,
    );
    assert.equal((await postBinary(`${base}/v2/models/id-bool/infer`, body, jsonLength)).status, 200);
    const records: PredictionRecord[] = [];
    for (let i = 0; i < 50 && !records.some((r) => r.id === 'logged'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      records.length = 0;
      await readPredictionLog(path.join(logDir(), 'id-bool'), (rec) => records.push(rec)).catch(() => undefined);
    }
    const rec = records.find((r) => r.id === 'logged');
    assert.ok(rec, 'the binary request was logged');
    assert.deepEqual(rec.inputs.x, { shape: [1, 3], data: [true, false, true] });
  });
});
