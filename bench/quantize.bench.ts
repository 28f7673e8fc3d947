import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspectOnnx } from '../src/core/onnx/inspect';
import { quantizeOnnx } from '../src/core/onnx/quantize';
import { cpuInfo, describeCpu, quantizeAndCompare, type QuantizeReport } from '../src/core/optimize';
import { WorkerPool } from '../src/core/serving/runtime';
import { buildMlp, type MlpOptions } from '../test/builders/mlpBuilder';
import { median, round, type BenchRow, type BenchSuite } from './harness';

/**
 * `npm run bench quantize`: our TypeScript int8 quantizer on the big MLP 512-2048-2048-512 (25 MB) and a
 * small classifier, every weight type worth trying on this CPU, measured against fp32 in one process
 * with interleaved runs (the same code `mlops quantize` runs). Reference to compare with
 * (quantization.md, onnxruntime's own quantize_dynamic on a VNNI CPU): ~2.7x at batch 1, ~3.3x at
 * batch 32, ~2% max relative error.
 */
const MODELS: { name: string; opts: MlpOptions }[] = [
  { name: 'MLP 512-2048-2048-512', opts: { inputDim: 512, hidden: [2048, 2048], outputDim: 512, seed: 1 } },
  {
    name: 'classifier 64-256-256-10',
    opts: { inputDim: 64, hidden: [256, 256], outputDim: 10, softmax: true, seed: 2 },
  },
];
const MEASURE = { rounds: 300, budgetMs: 8000, warmup: 10 };

export const quantizeBench: BenchSuite = {
  name: 'quantize',
  async run(log) {
    const rows: BenchRow[] = [];
    const add = (name: string, value: number, unit: string, note?: string) =>
      rows.push({ suite: 'quantize', name, value: round(value), unit, note });
    const cpu = cpuInfo();
    log(`CPU: ${describeCpu(cpu)}`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-quantize-'));
    const pool = WorkerPool.create({ workers: 1 });
    try {
      for (const [i, m] of MODELS.entries()) {
        const bytes = buildMlp(m.opts);
        const file = path.join(tmp, `model-${i}.onnx`);
        writeFileSync(file, bytes);
        const { signature } = inspectOnnx(bytes);

        const times: number[] = [];
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          quantizeOnnx(bytes, { mode: 'int8', weightType: 's8', perChannel: true, reduceRange: false });
          times.push(performance.now() - t0);
        }
        add(
          `${m.name}: time to quantize (s8 per channel)`,
          median(times),
          'ms',
          `${(bytes.length / 1e6).toFixed(1)} MB, median of 3`,
        );

        for (const mode of ['int8', 'fp16'] as const) {
          if (mode === 'fp16' && i > 0) continue;
          log(`${m.name}: ${mode}`);
          const { report } = await quantizeAndCompare({
            sourceBytes: bytes,
            sourcePath: file,
            signature,
            label: m.name,
            mode,
            workDir: tmp,
            rule: { minSpeedup: 1.1 },
            servingBatch: 32,
            measure: MEASURE,
            pool,
            cpu,
          });
          addReport(report, m.name, add, log);
        }
      }
    } finally {
      await pool.close();
      rmSync(tmp, { recursive: true, force: true });
    }
    return rows;
  },
};

function addReport(
  r: QuantizeReport,
  model: string,
  add: (name: string, value: number, unit: string, note?: string) => void,
  log: (s: string) => void,
): void {
  const s = r.source.latency;
  if (r.mode === 'int8') {
    add(`${model}: fp32 p50 batch 1`, s.batch1.p50, 'ms', `p99 ${round(s.batch1.p99)} ms`);
    add(`${model}: fp32 p50 batch 32`, s.serving.p50, 'ms', `p99 ${round(s.serving.p99)} ms`);
  }
  for (const c of r.candidates) {
    const tag = `${model}: ${c.optimization}`;
    const top1 =
      c.agreement.top1Agreement === null ? '' : `, top-1 agreement ${(c.agreement.top1Agreement * 100).toFixed(2)}%`;
    add(`${tag} speedup batch 1`, c.speedup.batch1, 'x', `p50 ${round(c.latency.batch1.p50)} ms`);
    add(`${tag} speedup batch 32`, c.speedup.serving, 'x', `p50 ${round(c.latency.serving.p50)} ms`);
    add(`${tag} max relative error`, c.agreement.maxRelError * 100, '%', `batch 32, ${r.data.rows} rows${top1}`);
    add(`${tag} file size`, c.fileBytes / 1e6, 'MB', `fp32 ${round(r.source.fileBytes / 1e6)} MB`);
  }
  log(`${model}: ${r.verdict.sentence}`);
  add(`${model} (${r.mode}): verdict`, r.verdict.keep ? 1 : 0, 'kept', r.verdict.sentence.replace(/\|/g, '/'));
}
