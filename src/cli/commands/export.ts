import path from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, exportModel, STORAGE_URI_PLACEHOLDER } from '../../core/serving/export';
import { isModelUri, openLocalModel } from '../../core/serving/modelSource';
import { DEFAULT_BATCHING } from '../../core/serving/runtime/runner';
import { UsageError } from '../args';
import type { CommandSpec } from '../context';

function bounded(flag: string, v: unknown, min: number, max: number, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    throw new UsageError(
      `--${flag} expects a ${integer ? 'whole ' : ''}number from ${min} to ${max}, got "${s}".`,
      'export',
    );
  return n;
}

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Export a model version for Triton or KServe (scale-out beyond one machine, same protocol)',
  usage:
    '<models:/name@alias | models:/name/3 | file.onnx> --format triton|kserve -o <dir> [--name <n>] [--max-batch 32] [--max-delay-ms 1] [--force] [--json]',
  options: {
    format: { type: 'string' },
    out: { type: 'string', short: 'o' },
    name: { type: 'string' },
    'max-batch': { type: 'string' },
    'max-delay-ms': { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  help: [
    'triton: writes a Triton model repository: <dir>/<name>/config.pbtxt (platform onnxruntime_onnx, the',
    'signature, dynamic_batching when the first dim is free) and <dir>/<name>/<version>/model.onnx.',
    '  Serve it with: tritonserver --model-repository=<dir>',
    'kserve: writes <dir>/inferenceservice.yaml (serving.kserve.io/v1beta1, modelFormat onnx, protocol v2)',
    'and the same repository under <dir>/repository/; upload that folder and set storageUri in the manifest.',
    '',
    'Batching defaults match `mlops serve`: --max-batch 32, --max-delay-ms 1 (--max-batch 0 turns it off).',
    'Other models in <dir> stay. Files this export writes that exist already are refused unless --force, which',
    'replaces only them (never a folder holding the source model, such as a registry).',
    '',
    'Examples:',
    '  mlops export models:/fraud@production --format triton -o model_repository',
    '  mlops export models:/fraud/3 --format kserve -o deploy/fraud',
  ].join('\n'),
  async run(ctx, positionals, values) {
    const ref = positionals[0];
    if (!isModelUri(ref) && !/\.onnx$/i.test(ref))
      throw new UsageError(`"${ref}" is neither a models:/ URI nor a .onnx file.`, 'export');
    const format = values.format as string | undefined;
    if (!format) throw new UsageError('--format is required (triton or kserve).', 'export');
    if (!EXPORT_FORMATS.includes(format as ExportFormat))
      throw new UsageError(`--format must be triton or kserve, got "${format}".`, 'export');
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('-o <dir> (the output folder) is required.', 'export');
    const maxBatchSize = bounded('max-batch', values['max-batch'], 0, 1_000_000, true) ?? DEFAULT_BATCHING.maxBatchSize;
    const delayMs =
      bounded('max-delay-ms', values['max-delay-ms'], 0, 60_000, false) ?? DEFAULT_BATCHING.maxQueueDelayMs;

    const model = await openLocalModel(ref, { cwd: ctx.cwd, registry: () => ctx.registry() });
    const result = await exportModel(model, {
      format: format as ExportFormat,
      outDir: path.resolve(ctx.cwd, out),
      name: values.name as string | undefined,
      maxBatchSize,
      maxQueueDelayUs: delayMs * 1000,
      force: values.force === true,
    });
    ctx.print({ source: model.label, format, outDir: out, ...result }, () =>
      [
        `Exported ${model.label} as ${format} model "${result.name}" (version ${result.version}) to ${out}:`,
        ...result.files.map((f) => `  ${f}`),
        format === 'triton'
          ? `Serve it with: tritonserver --model-repository=${out}`
          : `Upload ${out}/repository/, replace ${STORAGE_URI_PLACEHOLDER} in ${out}/inferenceservice.yaml, then kubectl apply -f it.`,
      ].join('\n'),
    );
  },
};
