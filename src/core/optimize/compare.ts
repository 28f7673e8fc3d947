import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlopsError, throwIfAborted } from '../errors';
import { quantizeOnnx, type QuantizeOptions, type QuantizeResult } from '../onnx/quantize';
import type { ModelSignature } from '../model/types';
import { DEFAULT_BATCHING, type Runner, WorkerPool } from '../serving/runtime';
import { sha256Hex } from '../util/hash';
import { compareMetric, compareOutputs } from './accuracy';
import { defaultCandidates } from './candidates';
import { cpuInfo, type CpuInfo } from './cpu';
import { generatedData, inputSpec, type EvalData, type InputSpec } from './inputs';
import { batchRequest, measureInterleaved, type MeasureOptions } from './latency';
import type { CandidateReport, QuantizeReport } from './types';
import { decide, tolerance, type VerdictRule } from './verdict';

export interface CompareOptions {
  /** The float model: its bytes and a file holding them (the runner loads files). */
  sourceBytes: Uint8Array;
  sourcePath: string;
  signature: ModelSignature;
  /** How messages name the source ("models:/fraud/3", "model.onnx"). */
  label: string;
  mode: 'int8' | 'fp16';
  /** Where candidate files are written (the caller removes it). */
  workDir: string;
  rule: VerdictRule;
  /** The batch size the model is served with (default: the runtime's max batch size, 32). */
  servingBatch?: number;
  /** Rows to compare on (or how to read them, once the input is known); default: 512 generated rows. */
  data?: EvalData | ((spec: InputSpec) => Promise<EvalData>);
  /** Default: what can win on this CPU (candidates.ts). */
  candidates?: QuantizeOptions[];
  measure?: MeasureOptions;
  /** A pool to run in; default: a new one-worker pool (all cores for its sessions), closed at the end. */
  pool?: WorkerPool;
  cpu?: CpuInfo;
  signal?: AbortSignal;
  onProgress?: (stage: string) => void;
}

export interface CompareResult {
  report: QuantizeReport;
  /** The chosen candidate's bytes (written by the caller when kept). */
  chosen?: { bytes: Uint8Array; result: QuantizeResult };
}

const GENERATED_ROWS = 512;

/** Quantizes the source every way worth trying, measures each against it, and gives the verdict. */
export async function quantizeAndCompare(o: CompareOptions): Promise<CompareResult> {
  const progress = o.onProgress ?? (() => undefined);
  const servingBatch = o.servingBatch ?? DEFAULT_BATCHING.maxBatchSize;
  if (!Number.isInteger(servingBatch) || servingBatch < 1)
    throw new MlopsError('INVALID_ARGUMENT', `The batch size ${servingBatch} is not a whole number >= 1.`);
  const cpu = o.cpu ?? cpuInfo();
  const options = o.candidates ?? defaultCandidates(o.mode, cpu);

  // Quantize first: what is wrong with the model itself is the first thing to say.
  progress('Quantizing');
  const quantized = options.map((q) => quantizeOnnx(o.sourceBytes, q, o.label));
  const spec = inputSpec(o.signature, o.label);
  const data =
    typeof o.data === 'function' ? await o.data(spec) : (o.data ?? generatedData(spec.features, GENERATED_ROWS));
  const files = await Promise.all(
    quantized.map(async (q, i) => {
      const f = path.join(o.workDir, `candidate-${i}-${q.optimization}.onnx`);
      await writeFile(f, q.bytes);
      return f;
    }),
  );
  throwIfAborted(o.signal, 'Quantizing');

  const pool = o.pool ?? WorkerPool.create({ workers: 1 });
  const runners: Runner[] = [];
  try {
    progress('Loading the models');
    const models = [
      { path: o.sourcePath, bytes: o.sourceBytes },
      ...quantized.map((q, i) => ({ path: files[i], bytes: q.bytes })),
    ];
    for (const [i, m] of models.entries()) {
      runners.push(
        await pool.createRunner({
          served: { model: o.label, version: i, sha256: sha256Hex(m.bytes) },
          modelPath: m.path,
          signature: o.signature,
          batching: { enabled: false },
        }),
      );
    }
    progress('Comparing outputs');
    const outputs = await runAll(runners, spec, data, servingBatch, o.signal);
    const outName = o.signature.outputs[0]?.name ?? '';

    progress('Measuring latency');
    const b1 = await measureInterleaved(runners, batchRequest(spec, data, 1), { ...o.measure, signal: o.signal });
    const bs =
      servingBatch === 1
        ? b1
        : await measureInterleaved(runners, batchRequest(spec, data, servingBatch), { ...o.measure, signal: o.signal });

    const candidates: CandidateReport[] = quantized.map((q, i) => {
      const agreement = compareOutputs(outputs[0], outputs[i + 1], data.rows);
      const metric = data.labels ? compareMetric(outputs[0], outputs[i + 1], data.rows, data.labels) : undefined;
      return {
        optimization: q.optimization,
        options: options[i],
        quantizeMs: q.durationMs,
        fileBytes: q.bytes.length,
        rewrittenNodes: q.rewritten.length,
        skippedNodes: q.skipped,
        latency: { batch1: b1[i + 1], serving: bs[i + 1] },
        speedup: { batch1: b1[0].p50 / b1[i + 1].p50, serving: bs[0].p50 / bs[i + 1].p50 },
        agreement,
        ...(metric ? { metric } : {}),
        tolerance: tolerance(agreement, metric, o.rule),
        notes: q.notes,
      };
    });
    const within = candidates.filter((c) => c.tolerance.ok).sort((a, b) => b.speedup.serving - a.speedup.serving);
    const best = within[0] ?? [...candidates].sort((a, b) => a.tolerance.loss - b.tolerance.loss)[0];
    const verdict = decide(
      best && {
        optimization: best.optimization,
        speedup: best.speedup.serving,
        servingBatch,
        tolerance: best.tolerance,
      },
      o.rule,
    );
    const idx = best ? candidates.indexOf(best) : -1;
    const report: QuantizeReport = {
      source: { label: o.label, fileBytes: o.sourceBytes.length, latency: { batch1: b1[0], serving: bs[0] } },
      cpu,
      mode: o.mode,
      servingBatch,
      data: {
        kind: data.source.kind,
        rows: data.rows,
        ...(data.source.kind === 'file'
          ? { file: data.source.file, columns: data.source.columns, label: data.source.label }
          : {}),
        ...(data.truncatedFrom ? { truncatedFrom: data.truncatedFrom } : {}),
      },
      output: outName,
      candidates,
      chosen: best?.optimization ?? null,
      verdict,
    };
    return { report, ...(idx >= 0 ? { chosen: { bytes: quantized[idx].bytes, result: quantized[idx] } } : {}) };
  } finally {
    await Promise.all(runners.map((r) => r.close()));
    if (!o.pool) await pool.close();
  }
}

/** Every model's first output on all rows, run in batches of the serving size (dynamic scales depend on it). */
async function runAll(
  runners: Runner[],
  spec: { name: string; features: number },
  data: EvalData,
  batch: number,
  signal: AbortSignal | undefined,
): Promise<Float64Array[]> {
  const outs: Float64Array[] = [];
  for (const r of runners) {
    let out: Float64Array | undefined;
    for (let start = 0; start < data.rows; start += batch) {
      throwIfAborted(signal, 'Comparing outputs');
      const n = Math.min(batch, data.rows - start);
      const { response } = await r.infer(batchRequest(spec, data, n, start), signal);
      const first = response.outputs[0];
      const values = first.data as number[];
      out ??= new Float64Array((values.length / n) * data.rows);
      out.set(values, (values.length / n) * start);
    }
    outs.push(out ?? new Float64Array(0));
  }
  return outs;
}
