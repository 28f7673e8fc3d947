import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { inspectOnnx, readOnnxFile } from '../../../src/core/onnx/inspect';
import { buildMlp } from '../../builders/mlpBuilder';
import { modelType } from '../../../src/core/onnx/onnxSchema';
import { tempDir } from '../../helpers/tmp';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'onnx');

async function rejectsInvalid(file: string, pattern: RegExp, code = 'INVALID_MODEL_FILE'): Promise<void> {
  await assert.rejects(readOnnxFile(file), (e: unknown) => {
    assert.ok(isMlopsError(e), String(e));
    assert.equal(e.code, code);
    assert.match(e.describe(), pattern);
    assert.ok(
      e.describe().includes(path.basename(file)) || code !== 'INVALID_MODEL_FILE',
      'the message names the file',
    );
    return true;
  });
}

describe('ONNX inspection', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('mlops-onnx-')));
  afterEach(() => t.cleanup());

  it('reads the signature, opsets, IR version, producer and parameter count of a built MLP', () => {
    const bytes = buildMlp({
      inputDim: 10,
      hidden: [16, 8],
      outputDim: 2,
      batch: 'N',
      inputName: 'features',
      outputName: 'logits',
      opset: 15,
    });
    const { summary, signature } = inspectOnnx(bytes);
    assert.deepEqual(signature.inputs, [{ name: 'features', elemType: 'float32', shape: ['N', 10] }]);
    assert.deepEqual(signature.outputs, [{ name: 'logits', elemType: 'float32', shape: ['N', 2] }]);
    assert.equal(summary.irVersion, 8);
    assert.deepEqual(summary.opsets, [{ domain: '', version: 15 }]);
    assert.equal(summary.producerName, 'mlops-studio');
    assert.equal(summary.paramCount, 10 * 16 + 16 + 16 * 8 + 8 + 8 * 2 + 2);
    assert.equal(summary.nodeCount, 3 + 3 + 2);
  });

  it("reads a model written by ONNX's own Python API (initializer listed as input, int64, open dims, two opsets)", async () => {
    const { inspection } = await readOnnxFile(path.join(FIXTURES, 'legacy_mixed.onnx'));
    assert.deepEqual(inspection.signature.inputs, [
      { name: 'x', elemType: 'float32', shape: ['N', 3] },
      { name: 'ids', elemType: 'int64', shape: ['batch', 'seq'] },
    ]);
    assert.deepEqual(inspection.signature.outputs[1], { name: 'ids_f', elemType: 'float32', shape: ['batch', null] });
    assert.equal(inspection.summary.irVersion, 7);
    assert.deepEqual(inspection.summary.opsets, [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    assert.equal(inspection.summary.producerName, 'onnx-python-fixture');
    assert.equal(inspection.summary.paramCount, 6);
  });

  it('builds models that onnxruntime runs, with the same output for the same seed', async () => {
    const ort = await import('onnxruntime-node');
    const file = path.join(t.dir, 'm.onnx');
    writeFileSync(file, buildMlp({ inputDim: 4, hidden: [8], outputDim: 3, softmax: true, seed: 7 }));
    assert.deepEqual(buildMlp({ inputDim: 4, hidden: [8], outputDim: 3, softmax: true, seed: 7 }), readFileSync(file));
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({
      input: new ort.Tensor('float32', new Float32Array([0.1, 0.2, 0.3, 0.4, 1, 2, 3, 4]), [2, 4]),
    });
    const probs = out.output.data as Float32Array;
    assert.equal(probs.length, 6);
    for (const row of [0, 1]) {
      const sum = probs[row * 3] + probs[row * 3 + 1] + probs[row * 3 + 2];
      assert.ok(Math.abs(sum - 1) < 1e-5, `softmax rows sum to 1, got ${sum}`);
    }
  });

  describe('rejects what is not a valid ONNX model, naming the file', () => {
    it('an empty file', async () => {
      const f = path.join(t.dir, 'empty.onnx');
      writeFileSync(f, '');
      await rejectsInvalid(f, /empty \(0 bytes\)/);
    });

    it('random bytes', async () => {
      const f = path.join(t.dir, 'random.onnx');
      // Fixed bytes, not Math.random, so the case is the same every run.
      writeFileSync(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
      await rejectsInvalid(f, /not a valid ONNX model/);
    });

    it('a truncated model', async () => {
      const f = path.join(t.dir, 'truncated.onnx');
      const full = buildMlp({ inputDim: 8, hidden: [32], outputDim: 2 });
      writeFileSync(f, full.subarray(0, Math.floor(full.length * 0.6)));
      await rejectsInvalid(f, /truncated/);
    });

    it('a text file', async () => {
      const f = path.join(t.dir, 'notes.onnx');
      writeFileSync(f, 'name,value\nauc,0.9\n');
      await rejectsInvalid(f, /not a valid ONNX model/);
    });

    it('a protobuf that is not a model (no graph)', async () => {
      const f = path.join(t.dir, 'nograph.onnx');
      const T = modelType('full');
      writeFileSync(f, T.encode(T.fromObject({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }] })).finish());
      await rejectsInvalid(f, /has no graph/);
    });

    it('a directory', async () => {
      const d = path.join(t.dir, 'model.onnx');
      mkdirSync(d);
      await rejectsInvalid(d, /is a directory/);
    });

    it('a missing file', async () => {
      await rejectsInvalid(path.join(t.dir, 'nope.onnx'), /no file at/, 'NOT_FOUND');
    });

    it('a model with external weight files', async () => {
      await rejectsInvalid(path.join(FIXTURES, 'external_data.onnx'), /external data/);
    });
  });
});
