import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import type { ModelSignature } from '../../../src/core/registry/types';
import { exportModel, kubernetesName, tritonConfig } from '../../../src/core/serving/export';
import { openLocalModel } from '../../../src/core/serving/modelSource';
import { tempDir, writeModel } from '../../helpers/tmp';

const SIG: ModelSignature = {
  inputs: [
    { name: 'x', elemType: 'float32', shape: ['batch', 30] },
    { name: 'mask', elemType: 'bool', shape: ['batch'] },
    { name: 'tokens', elemType: 'int64', shape: [null, 'seq'] },
  ],
  outputs: [
    { name: 'prob', elemType: 'float32', shape: ['batch', 2] },
    { name: 'label', elemType: 'string', shape: ['batch'] },
  ],
};

const TRITON_BATCHED = `name: "fraud"
platform: "onnxruntime_onnx"
max_batch_size: 16
input [
  {
    name: "x"
    data_type: TYPE_FP32
    dims: [ 30 ]
  },
  {
    name: "mask"
    data_type: TYPE_BOOL
    dims: [ 1 ]
    reshape: { shape: [ ] }
  },
  {
    name: "tokens"
    data_type: TYPE_INT64
    dims: [ -1 ]
  }
]
output [
  {
    name: "prob"
    data_type: TYPE_FP32
    dims: [ 2 ]
  },
  {
    name: "label"
    data_type: TYPE_STRING
    dims: [ 1 ]
    reshape: { shape: [ ] }
  }
]
dynamic_batching {
  max_queue_delay_microseconds: 500
}
`;

describe('serving: export for Triton and KServe', () => {
  it('Triton config: batch dim left out of dims, -1 for free dims, dynamic_batching with the delay', () => {
    assert.equal(tritonConfig('fraud', SIG, { maxBatchSize: 16, maxQueueDelayUs: 500 }), TRITON_BATCHED);
  });

  it('Triton config without batching when a first dim is fixed: full dims, max_batch_size 0, no dynamic_batching', () => {
    const sig: ModelSignature = {
      inputs: [{ name: 'image', elemType: 'float16', shape: [1, 3, 'h', 'w'] }],
      outputs: [{ name: 'logits', elemType: 'float32', shape: [1, 1000] }],
    };
    assert.equal(
      tritonConfig('vision', sig, { maxBatchSize: 32, maxQueueDelayUs: 1000 }),
      `name: "vision"
platform: "onnxruntime_onnx"
max_batch_size: 0
input [
  {
    name: "image"
    data_type: TYPE_FP16
    dims: [ 1, 3, -1, -1 ]
  }
]
output [
  {
    name: "logits"
    data_type: TYPE_FP32
    dims: [ 1, 1000 ]
  }
]
# No dynamic_batching: a tensor has a fixed first dimension, so requests cannot be merged.
`,
    );
    assert.match(
      tritonConfig('f', SIG, { maxBatchSize: 0, maxQueueDelayUs: 0 }),
      /max_batch_size: 0\n[\s\S]*dims: \[ -1, 30 \][\s\S]*turned off/,
    );
  });

  it('refuses what Triton cannot take: unknown shapes, odd element types, names unfit for a folder', () => {
    const noShape: ModelSignature = { inputs: [{ name: 'x', elemType: 'float32', shape: null }], outputs: [] };
    assert.throws(
      () => tritonConfig('m', noShape, { maxBatchSize: 0, maxQueueDelayUs: 0 }),
      (e) => isMlopsError(e, 'INVALID_MODEL_FILE'),
    );
    const complex: ModelSignature = { inputs: [{ name: 'x', elemType: 'complex64', shape: [2] }], outputs: [] };
    assert.throws(
      () => tritonConfig('m', complex, { maxBatchSize: 0, maxQueueDelayUs: 0 }),
      (e) => isMlopsError(e, 'INVALID_MODEL_FILE'),
    );
    for (const bad of ['my model', '../up', '-x', ''])
      assert.throws(
        () => tritonConfig(bad, SIG, { maxBatchSize: 1, maxQueueDelayUs: 0 }),
        (e) => isMlopsError(e, 'INVALID_ARGUMENT'),
      );
  });

  it('Kubernetes names are RFC 1123 labels', () => {
    assert.equal(kubernetesName('Fraud_Detector.v2'), 'fraud-detector-v2');
    assert.equal(kubernetesName('__'), 'model');
    assert.equal(kubernetesName('a'.repeat(70)).length, 63);
  });

  describe('files on disk', () => {
    let t: ReturnType<typeof tempDir>;
    let modelFile: string;
    beforeEach(() => {
      t = tempDir();
      modelFile = writeModel(t.dir, 'fraud.onnx', { inputDim: 30, hidden: [8], outputDim: 2, softmax: false });
    });
    afterEach(() => t.cleanup());
    const open = (ref: string, reg?: EmbeddedRegistry) =>
      openLocalModel(ref, {
        cwd: t.dir,
        registry: async () => {
          if (!reg) throw new Error('no registry');
          return reg;
        },
      });

    it('triton from a registry alias: <name>/config.pbtxt and <name>/<version>/model.onnx, the same bytes', async () => {
      const reg = await EmbeddedRegistry.open(path.join(t.dir, '.mlops'), { create: true });
      try {
        await reg.pushVersion({ filePath: writeModel(t.dir, 'old.onnx'), model: 'fraud' }, { actor: 't' });
        await reg.pushVersion({ filePath: modelFile, model: 'fraud' }, { actor: 't' });
        await reg.promote('fraud', 'production', 2, { actor: 't' });
        const out = path.join(t.dir, 'repo');
        const r = await exportModel(await open('models:/fraud@production', reg), {
          format: 'triton',
          outDir: out,
          maxBatchSize: 8,
          maxQueueDelayUs: 2000,
        });
        assert.deepEqual(r, { name: 'fraud', version: 2, files: ['fraud/config.pbtxt', 'fraud/2/model.onnx'] });
        assert.deepEqual(readFileSync(path.join(out, 'fraud/2/model.onnx')), readFileSync(modelFile));
        assert.equal(
          readFileSync(path.join(out, 'fraud/config.pbtxt'), 'utf8'),
          `name: "fraud"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [
  {
    name: "input"
    data_type: TYPE_FP32
    dims: [ 30 ]
  }
]
output [
  {
    name: "output"
    data_type: TYPE_FP32
    dims: [ 2 ]
  }
]
dynamic_batching {
  max_queue_delay_microseconds: 2000
}
`,
        );
      } finally {
        await reg.close();
      }
    });

    it('kserve: the InferenceService manifest beside a Triton repository, storageUri left to fill', async () => {
      const out = path.join(t.dir, 'deploy');
      const r = await exportModel(await open('fraud.onnx'), {
        format: 'kserve',
        outDir: out,
        maxBatchSize: 32,
        maxQueueDelayUs: 1000,
      });
      assert.deepEqual(r.files, [
        'inferenceservice.yaml',
        'repository/fraud/config.pbtxt',
        'repository/fraud/1/model.onnx',
      ]);
      assert.equal(
        readFileSync(path.join(out, 'inferenceservice.yaml'), 'utf8'),
        `# KServe InferenceService for fraud.onnx, exported by \`mlops export\`.
# 1. Upload the folder repository/ (a Triton model repository: fraud/config.pbtxt and
#    fraud/<version>/model.onnx) to storage your cluster can read (S3, GCS, Azure Blob, a PVC).
# 2. Replace storageUri below with its URI, then: kubectl apply -f inferenceservice.yaml
# The model answers the same Open Inference Protocol v2 as \`mlops serve\`: POST /v2/models/fraud/infer
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: fraud
spec:
  predictor:
    model:
      modelFormat:
        name: onnx
      protocolVersion: v2
      storageUri: s3://CHANGE-ME/path/to/repository
`,
      );
      assert.deepEqual(readFileSync(path.join(out, 'repository/fraud/1/model.onnx')), readFileSync(modelFile));
    });

    it('adds a model beside others; refuses to replace its own model folder without force; force replaces only it', async () => {
      const out = path.join(t.dir, 'busy');
      mkdirSync(path.join(out, 'other', '1'), { recursive: true });
      writeFileSync(path.join(out, 'keep.txt'), 'mine');
      const model = await open('fraud.onnx');
      const o = { format: 'triton' as const, outDir: out, maxBatchSize: 4, maxQueueDelayUs: 100 };
      await exportModel(model, o);
      assert.deepEqual(readdirSync(out).sort(), ['fraud', 'keep.txt', 'other'], 'a repository holds many models');
      writeFileSync(path.join(out, 'fraud', 'stale.txt'), '');
      await assert.rejects(
        exportModel(model, o),
        (e) => isMlopsError(e, 'ALREADY_EXISTS') && /fraud already exists/.test(e.message),
      );
      assert.ok(existsSync(path.join(out, 'fraud', 'stale.txt')), 'refused: untouched');
      await exportModel(model, { ...o, force: true });
      assert.deepEqual(readdirSync(out).sort(), ['fraud', 'keep.txt', 'other']);
      assert.deepEqual(
        readdirSync(path.join(out, 'fraud')).sort(),
        ['1', 'config.pbtxt'],
        'only its own folder replaced',
      );
      // An output path that is a file is refused too.
      await assert.rejects(exportModel(model, { ...o, outDir: path.join(out, 'fraud/config.pbtxt') }), (e) =>
        isMlopsError(e, 'ALREADY_EXISTS'),
      );
    });

    it('force never deletes the folder that holds the source model (was: -o . --force deleted the registry)', async () => {
      const out = path.join(t.dir, 'repo');
      mkdirSync(path.join(out, 'fraud', '1'), { recursive: true });
      const source = path.join(out, 'fraud', '1', 'model.onnx');
      copyFileSync(modelFile, source);
      const model = await open(source);
      await assert.rejects(
        exportModel(model, {
          format: 'triton',
          outDir: out,
          name: 'fraud',
          maxBatchSize: 4,
          maxQueueDelayUs: 100,
          force: true,
        }),
        (e) =>
          isMlopsError(e, 'INVALID_ARGUMENT') &&
          /--force would delete .*fraud, which holds .*model\.onnx/.test(e.message),
      );
      assert.deepEqual(readFileSync(source), readFileSync(modelFile), 'the source model is still there');
    });

    it('a model whose signature Triton cannot take writes nothing', async () => {
      const out = path.join(t.dir, 'never');
      const model = await open('fraud.onnx');
      await assert.rejects(
        exportModel(
          { ...model, signature: { inputs: [{ name: 'x', elemType: 'float32', shape: null }], outputs: [] } },
          {
            format: 'triton',
            outDir: out,
            maxBatchSize: 4,
            maxQueueDelayUs: 100,
          },
        ),
        (e) => isMlopsError(e, 'INVALID_MODEL_FILE'),
      );
      assert.equal(existsSync(out), false);
    });
  });
});
