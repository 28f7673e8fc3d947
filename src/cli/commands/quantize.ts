import { MlopsError } from '../../core/errors';
import {
  DEFAULT_MIN_SPEEDUP,
  describeCpu,
  runQuantize,
  type CandidateReport,
  type QuantizeReport,
} from '../../core/optimize';
import { formatBytes } from '../../core/util/format';
import { parseIntOption, UsageError } from '../args';
import type { CommandSpec } from '../context';
import { MAX_BATCH_SIZE } from '../../core/serving/runtime/runner';

/** Exit code when the measured verdict says the rewrite is not worth keeping (EXIT.NOT_WORTH_IT in cli.ts). */
const NOT_WORTH_IT = 4;

function parseNumber(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min)
    throw new UsageError(`--${flag} expects a number >= ${min}, got "${v}".`, 'quantize');
  return n;
}

const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));

function row(
  name: string,
  size: number,
  b1: { p50: number; p99: number },
  bs: { p50: number; p99: number },
  tail: string,
) {
  return `${name.padEnd(44)} ${formatBytes(size).padStart(9)} ${ms(b1.p50).padStart(8)} ${ms(b1.p99).padStart(8)} ${ms(bs.p50).padStart(8)} ${ms(bs.p99).padStart(8)}  ${tail}`;
}

function accuracyText(c: CandidateReport): string {
  const a = c.agreement;
  const parts = [`max|diff| ${a.maxAbsDiff.toPrecision(3)}`, `mean ${a.meanAbsDiff.toPrecision(3)}`];
  if (a.top1Agreement !== null) parts.push(`top-1 ${(a.top1Agreement * 100).toFixed(2)}%`);
  if (c.metric) parts.push(`${c.metric.name} ${c.metric.source.toFixed(4)}->${c.metric.candidate.toFixed(4)}`);
  return parts.join(', ');
}

export function renderQuantizeReport(r: QuantizeReport): string {
  const data =
    r.data.kind === 'file'
      ? `${r.data.rows} rows of ${r.data.file}${r.data.label ? ` (label ${r.data.label})` : ''}${r.data.truncatedFrom ? ` (first ${r.data.rows} of ${r.data.truncatedFrom})` : ''}`
      : `${r.data.rows} generated rows (no data given)`;
  const lines = [
    `Quantize ${r.source.label} (${r.mode}) on ${describeCpu(r.cpu)}`,
    `Compared on ${data}, output '${r.output}'; latency = onnxruntime run time, ms, interleaved, warm.`,
    '',
    `${'model'.padEnd(44)} ${'size'.padStart(9)} ${'p50 b1'.padStart(8)} ${'p99 b1'.padStart(8)} ${`p50 b${r.servingBatch}`.padStart(8)} ${`p99 b${r.servingBatch}`.padStart(8)}  speedup b1 / b${r.servingBatch}, accuracy`,
    row('source', r.source.fileBytes, r.source.latency.batch1, r.source.latency.serving, ''),
    ...r.candidates.map((c) =>
      row(
        `${c.optimization}${c.optimization === r.chosen ? ' *' : ''}`,
        c.fileBytes,
        c.latency.batch1,
        c.latency.serving,
        `${c.speedup.batch1.toFixed(2)}x / ${c.speedup.serving.toFixed(2)}x, ${accuracyText(c)}`,
      ),
    ),
    '',
    r.verdict.sentence,
  ];
  const notes = [...new Set(r.candidates.flatMap((c) => c.notes))];
  if (notes.length) lines.push(...notes.map((n) => `Note: ${n}`));
  if (r.written) lines.push(`Wrote ${r.written}.`);
  if (r.registered) lines.push(`Registered ${r.registered.uri} (parent ${r.source.label}); no alias moved.`);
  else if (r.verdict.keep) lines.push('Nothing registered: run again with --push to register it.');
  else lines.push('Nothing registered.');
  return lines.join('\n');
}

export const quantizeCommand: CommandSpec = {
  name: 'quantize',
  summary: 'Quantize a model (int8 or fp16), measure it against its source, keep it only if worth it',
  usage:
    '<models:/m/3 | file.onnx> [--push] [--model name] [--mode int8|fp16] [--batch N] [--data f | --generated-data] [--label col] [--min-speedup x] [--max-accuracy-drop x] [--out f [--force]] [--json]',
  options: {
    push: { type: 'boolean' },
    model: { type: 'string', short: 'm' },
    mode: { type: 'string' },
    batch: { type: 'string' },
    data: { type: 'string' },
    'generated-data': { type: 'boolean' },
    label: { type: 'string' },
    'min-speedup': { type: 'string' },
    'max-accuracy-drop': { type: 'string' },
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  help: [
    'Rewrites every MatMul/Gemm with a constant weight as int8 dynamic quantization (or stores weights as',
    'float16 with --mode fp16, for size: it rarely runs faster on a CPU), tries the weight types that can win',
    'on this CPU, measures each against the source (latency at batch 1 and --batch, default 32; outputs on the',
    "version's reference_data tag, --data, or generated rows with --generated-data or when there is no data)",
    'and keeps the fastest one within tolerance.',
    '',
    `Kept when faster by --min-speedup (default ${DEFAULT_MIN_SPEEDUP}x at --batch) and within --max-accuracy-drop:`,
    'with --label, the metric (accuracy, AUC for binary, RMSE) may drop by at most x (default 0.005); without,',
    'at most x of top-1 predictions may change (default 0.01 = 99% agreement).',
    'Exit codes: 0 kept, 4 not worth it (nothing registered), 1 error.',
    '--push registers the kept model as a new version (parent = the source, tags mlops.optimized_from and',
    'mlops.optimization, metrics latency_p50_ms, speedup, top1_agreement); no alias moves.',
    'Example: mlops quantize models:/fraud/3 --data data/ref.csv --label is_fraud --push',
  ].join('\n'),
  async run(ctx, [source], values) {
    const mode = (values.mode as string | undefined) ?? 'int8';
    if (mode !== 'int8' && mode !== 'fp16')
      throw new UsageError(`--mode must be int8 or fp16, got "${mode}".`, 'quantize');
    const batch = parseIntOption('batch', values.batch as string | undefined);
    if (batch === 0) throw new UsageError('--batch must be at least 1.', 'quantize');
    // Latency is measured at this batch: past it a run allocates gigabytes (a serving batch is at most 4096).
    if (batch !== undefined && batch > MAX_BATCH_SIZE)
      throw new UsageError(`--batch must be at most ${MAX_BATCH_SIZE}, got ${batch}.`, 'quantize');
    const minSpeedup = parseNumber('min-speedup', values['min-speedup'] as string | undefined, 0);
    const maxDrop = parseNumber('max-accuracy-drop', values['max-accuracy-drop'] as string | undefined, 0);
    if (values.model && source.startsWith('models:/'))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `--model is for a bare .onnx file; ${source} is pushed to its own model.`,
        'Leave --model out.',
      );
    const report = await runQuantize({
      source,
      cwd: ctx.cwd,
      registry: () => ctx.registry({ create: values.push === true }),
      mode,
      rule: {
        minSpeedup: minSpeedup ?? DEFAULT_MIN_SPEEDUP,
        ...(maxDrop !== undefined ? { maxAccuracyDrop: maxDrop } : {}),
      },
      servingBatch: batch,
      data: values.data as string | undefined,
      generatedData: values['generated-data'] === true,
      label: values.label as string | undefined,
      push: values.push === true,
      model: values.model as string | undefined,
      out: values.out as string | undefined,
      force: values.force === true,
      actor: ctx.actor,
      signal: ctx.signal,
    });
    ctx.print(report, () => renderQuantizeReport(report));
    return report.verdict.keep ? 0 : NOT_WORTH_IT;
  },
};
