import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { runQuantize, TAG_OPTIMIZATION, TAG_OPTIMIZED_FROM, type QuantizeRequest } from '../../../src/core/optimize';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import type { Registry } from '../../../src/core/registry/registry';
import { buildMlp, seededRandom } from '../../builders/mlpBuilder';
import { mlflowFixture } from '../../mlflowDouble/setup';
import { tempDir } from '../../helpers/tmp';

/**
 * Quantize-and-compare end to end in the core (real registry backends, real onnxruntime sessions in the
 * serving runtime's workers): a tiny model that int8 makes slower registers nothing; a kept one is
 * registered with its lineage on both backends and moves no alias; bad data registers nothing.
 */
const FEATURES = 6;
const QUICK = { rounds: 30, budgetMs: 500, warmup: 2 };
/**
 * Narrow and deep: each layer's run is almost all per-node overhead, which int8 multiplies (one MatMul
 * becomes five nodes), so the quantized model is reliably slower, on any machine.
 */
const TINY = { inputDim: FEATURES, hidden: [8, 8, 8, 8, 8, 8], outputDim: 3, softmax: true, seed: 4 };
const ctx = { actor: 'tester' };

function writeData(file: string, rows: number, o: { label?: boolean; columns?: number } = {}): void {
  const rand = seededRandom(5);
  const cols = o.columns ?? FEATURES;
  const header = [...Array.from({ length: cols }, (_, j) => `f${j}`), ...(o.label ? ['y'] : [])];
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: cols }, () => (rand() * 4 - 2).toFixed(4));
    lines.push([...v, ...(o.label ? [String(r % 3)] : [])].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

function backends(): {
  name: string;
  open: () => Promise<{ registry: Registry; dir: string; cleanup: () => Promise<void> }>;
}[] {
  return [
    {
      name: 'embedded',
      open: async () => {
        const t = tempDir('mlops-qreg-');
        const registry = await EmbeddedRegistry.open(path.join(t.dir, '.mlops'), { create: true });
        return {
          registry,
          dir: t.dir,
          cleanup: async () => {
            await registry.close();
            t.cleanup();
          },
        };
      },
    },
    {
      name: 'MLflow (test double)',
      open: async () => {
        const f = await mlflowFixture();
        return { registry: f.registry, dir: f.dir, cleanup: f.cleanup };
      },
    },
  ];
}

for (const b of backends()) {
  describe(`quantize and register: ${b.name}`, function () {
    this.timeout(120_000);
    let reg: Registry;
    let dir: string;
    let cleanup: () => Promise<void>;
    let request: (o: Partial<QuantizeRequest>) => ReturnType<typeof runQuantize>;

    beforeEach(async () => {
      ({ registry: reg, dir, cleanup } = await b.open());
      const file = path.join(dir, 'tiny.onnx');
      writeFileSync(file, buildMlp(TINY));
      writeData(path.join(dir, 'ref.csv'), 200, { label: true });
      await reg.pushVersion(
        { filePath: file, model: 'fraud', alias: 'production', tags: { reference_data: 'ref.csv' } },
        ctx,
      );
      request = async (o) =>
        runQuantize({
          source: 'models:/fraud/1',
          cwd: dir,
          registry: async () => reg,
          mode: 'int8',
          rule: { minSpeedup: 1.1 },
          actor: 'tester',
          measure: QUICK,
          ...o,
        });
    });
    afterEach(async () => cleanup());

    it('a model int8 does not speed up enough: not worth it, nothing registered', async () => {
      // A speed-up no model reaches: the verdict must not hang on this machine's timing.
      const r = await request({ push: true, label: 'y', rule: { minSpeedup: 1000 } });
      assert.equal(r.verdict.keep, false);
      assert.match(r.verdict.sentence, /^Not worth it: .*below the required 1000x/);
      assert.equal(r.registered, undefined);
      assert.equal((await reg.listVersions('fraud')).items.length, 1);
      assert.equal(r.data.kind, 'file', "the version's reference_data tag is used");
      assert.deepEqual(r.data.columns, ['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    });

    it('a kept model is pushed with parentVersion, tags and metrics, and moves no alias', async () => {
      const r = await request({ push: true, label: 'y', rule: { minSpeedup: 0, maxAccuracyDrop: 1 } });
      assert.equal(r.verdict.keep, true, r.verdict.sentence);
      assert.ok(r.registered);
      assert.equal(r.data.label, 'y');
      const v = await reg.getVersion('fraud', r.registered.version);
      assert.equal(v.version, 2);
      assert.equal(v.parentVersion, 1);
      assert.equal(v.tags[TAG_OPTIMIZED_FROM], 'models:/fraud/1');
      assert.equal(v.tags[TAG_OPTIMIZATION], r.chosen);
      assert.match(v.tags[TAG_OPTIMIZATION], /^int8-dynamic-(s8|u8)-per-(channel|tensor)/);
      assert.equal(v.tags.reference_data, 'ref.csv');
      for (const m of ['latency_p50_ms', 'speedup', 'top1_agreement', 'accuracy_delta'])
        assert.ok(Number.isFinite(v.metrics[m]), `metric ${m}: ${JSON.stringify(v.metrics)}`);
      assert.deepEqual(v.aliases, []);
      assert.equal((await reg.getVersionByAlias('fraud', 'production')).version, 1, 'no alias moved');
    });

    it('data whose columns do not match the signature: a clear error, nothing registered', async () => {
      writeData(path.join(dir, 'wide.csv'), 20, { columns: FEATURES + 2 });
      await assert.rejects(
        request({ push: true, data: 'wide.csv', rule: { minSpeedup: 0 } }),
        (e: unknown) =>
          isMlopsError(e, 'INVALID_ARGUMENT') &&
          /wide\.csv has 8 feature columns, but the model's input 'input' takes 6 features/.test(e.message),
      );
      await assert.rejects(
        request({ push: true, label: 'nope', rule: { minSpeedup: 0 } }),
        (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /label column 'nope' is not in/.test(e.message),
      );
      assert.equal((await reg.listVersions('fraud')).items.length, 1);
    });
  });
}
