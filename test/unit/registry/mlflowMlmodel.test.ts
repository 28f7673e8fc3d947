import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  mlflowSignature,
  mlflowUtcTime,
  mlmodelDocument,
  oldestOnnxReleaseFor,
} from '../../../src/core/registry/mlflow/mlmodel';
import type { OnnxSummary } from '../../../src/core/registry/types';
import { writeModel } from '../../helpers/tmp';
import { mlflowFixture, type Fixture } from '../../mlflowDouble/setup';

const ctx = { actor: 'alice' };

/**
 * MLflow's documented MLmodel format (mlflow.models.Model.to_dict / from_dict, the `onnx` flavor of
 * mlflow.onnx.save_model and the `python_function` flavor it adds through pyfunc.add_to_model): the keys a
 * file may have and the type of each. Anything else would be ignored or rejected by MLflow's tools.
 */
const TOP_LEVEL = new Set([
  'artifact_path',
  'flavors',
  'model_uuid',
  'run_id',
  'utc_time_created',
  'signature',
  'mlflow_version',
  'saved_input_example_info',
  'databricks_runtime',
  'metadata',
  'model_size_bytes',
]);

function assertMlflowShape(doc: Record<string, unknown>): void {
  for (const k of Object.keys(doc)) assert.ok(TOP_LEVEL.has(k), `MLmodel has no "${k}" field`);
  assert.equal(typeof doc.artifact_path, 'string');
  assert.match(String(doc.model_uuid), /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/, 'uuid4().hex');
  assert.match(String(doc.utc_time_created), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, 'str(datetime.utcnow())');
  const flavors = doc.flavors as Record<string, Record<string, unknown>>;
  const pyfunc = flavors.python_function;
  assert.equal(pyfunc.loader_module, 'mlflow.onnx', 'pyfunc loads through mlflow.onnx._load_pyfunc');
  assert.equal(typeof pyfunc.data, 'string', 'the path handed to _load_pyfunc');
  const onnx = flavors.onnx;
  assert.equal(typeof onnx.data, 'string');
  assert.ok(Array.isArray(onnx.providers), 'providers is a list of onnxruntime provider names');
  if (doc.signature !== undefined) {
    const sig = doc.signature as Record<string, unknown>;
    for (const side of ['inputs', 'outputs']) {
      assert.equal(typeof sig[side], 'string', `signature.${side} is a JSON string, not YAML`);
      for (const spec of JSON.parse(sig[side] as string) as Record<string, unknown>[]) {
        assert.equal(spec.type, 'tensor');
        const ts = spec['tensor-spec'] as { dtype: unknown; shape: unknown };
        assert.equal(typeof ts.dtype, 'string');
        assert.ok(Array.isArray(ts.shape) && ts.shape.every((d) => Number.isInteger(d) && d >= -1));
      }
    }
  }
}

describe('MLflow backend: the MLmodel file MLflow’s tools read', function () {
  this.timeout(20_000);
  let f: Fixture;
  beforeEach(async () => {
    f = await mlflowFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('a push writes a complete MLmodel: onnx and python_function flavors, signature, uuid, time, no mlflow_version', async () => {
    const file = writeModel(f.dir, 'churn.onnx', { seed: 3, batch: 'batch', opset: 17 });
    const before = Date.now();
    await f.registry.pushVersion({ filePath: file, model: 'churn' }, ctx);
    const run = [...f.server.store.runs.values()][0];
    const text = f.server.store.artifacts.get(`0/${run.runId}/artifacts/model/MLmodel`)?.toString('utf8') ?? '';
    // Read as PyYAML reads it (YAML 1.1: an unquoted date-time would come back as a timestamp).
    const doc = parse(text, { version: '1.1' }) as Record<string, unknown>;
    assert.equal(typeof doc.utc_time_created, 'string');
    assertMlflowShape(doc);
    assert.deepEqual(Object.keys(doc), [
      'artifact_path',
      'flavors',
      'model_uuid',
      'run_id',
      'signature',
      'utc_time_created',
    ]);
    assert.equal(doc.artifact_path, 'model');
    assert.equal(doc.run_id, run.runId);
    assert.deepEqual(doc.flavors, {
      onnx: {
        data: 'churn.onnx',
        onnx_version: '1.12.0', // IR 8, opset 17: the oldest ONNX release that reads the file
        providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'],
      },
      python_function: { data: 'churn.onnx', loader_module: 'mlflow.onnx' },
    });
    assert.equal('mlflow_version' in doc, false, 'we are not MLflow');
    const created = Date.parse(`${String(doc.utc_time_created).replace(' ', 'T').slice(0, 23)}Z`);
    assert.ok(created >= before - 1 && created <= Date.now(), 'UTC, not local time');
    const sig = doc.signature as { inputs: string; outputs: string };
    assert.equal(
      sig.inputs,
      '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "input"}]',
    );
    assert.equal(
      sig.outputs,
      '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}, "name": "output"}]',
    );
    // Two pushes, two different model_uuid values.
    await f.registry.pushVersion({ filePath: file, model: 'churn' }, ctx);
    const uuids = [...f.server.store.artifacts.entries()]
      .filter(([k]) => k.endsWith('/MLmodel'))
      .map(([, b]) => (parse(b.toString('utf8')) as { model_uuid: string }).model_uuid);
    assert.equal(new Set(uuids).size, 2);
  });

  it('signature: fixed dims kept, symbolic and open dims are -1, string tensors are numpy objects', () => {
    const sig = mlflowSignature({
      inputs: [
        { name: 'x', elemType: 'float64', shape: [2, 'seq', null] },
        { name: 'words', elemType: 'string', shape: ['n'] },
      ],
      outputs: [{ name: 'y', elemType: 'int64', shape: [] }],
    });
    assert.deepEqual(JSON.parse(sig?.inputs ?? 'null'), [
      { type: 'tensor', 'tensor-spec': { dtype: 'float64', shape: [2, -1, -1] }, name: 'x' },
      { type: 'tensor', 'tensor-spec': { dtype: 'object', shape: [-1] }, name: 'words' },
    ]);
    assert.equal(sig?.outputs, '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": []}, "name": "y"}]');
  });

  it('signature left out when a tensor cannot be said in MLflow terms (unknown rank, bfloat16), never guessed', () => {
    const t = (elemType: string, shape: (number | string | null)[] | null) => ({ name: 't', elemType, shape });
    assert.equal(mlflowSignature({ inputs: [t('float32', null)], outputs: [] }), null);
    assert.equal(mlflowSignature({ inputs: [t('float32', [1])], outputs: [t('bfloat16', [1])] }), null);
    const doc = mlmodelDocument({
      fileName: 'm.onnx',
      runId: 'r',
      signature: { inputs: [t('float32', null)], outputs: [] },
      onnx: null,
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67)),
      uuid: '123e4567-e89b-42d3-a456-426614174000',
    });
    assert.equal('signature' in doc, false);
    assert.equal('onnx_version' in (doc.flavors as { onnx: object }).onnx, false, 'no summary, no claim');
    assert.equal(doc.utc_time_created, '2026-01-02 03:04:05.067000');
    assert.equal(doc.model_uuid, '123e4567e89b42d3a456426614174000');
  });

  it('onnx_version: the oldest release reading the IR version and ai.onnx opset; null past the table', () => {
    const s = (irVersion: number, opset: number, domain = ''): OnnxSummary => ({
      irVersion,
      producerName: '',
      producerVersion: '',
      graphName: '',
      opsets: [{ domain, version: opset }],
      paramCount: 0,
      nodeCount: 0,
    });
    assert.equal(oldestOnnxReleaseFor(s(8, 17)), '1.12.0');
    assert.equal(oldestOnnxReleaseFor(s(7, 13)), '1.8.0');
    assert.equal(oldestOnnxReleaseFor(s(9, 13)), '1.14.0', 'the IR version can be the stricter one');
    assert.equal(oldestOnnxReleaseFor(s(10, 21, 'ai.onnx')), '1.16.0');
    assert.equal(oldestOnnxReleaseFor(s(12, 25)), null);
    assert.equal(mlflowUtcTime(new Date(Date.UTC(2024, 11, 31, 23, 59, 59, 999))), '2024-12-31 23:59:59.999000');
  });
});
