import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MlopsError } from '../errors';
import { readOnnxFile } from '../onnx/inspect';
import { fsError } from '../util/fsx';
import type { Registry } from '../registry/registry';
import { resolveModelRef } from '../registry/resolve';
import type { ModelSignature, ModelVersion } from '../registry/types';
import { versionUri } from '../registry/uri';
import { quantizeAndCompare } from './compare';
import { fileData, type InputSpec } from './inputs';
import type { MeasureOptions } from './latency';
import { registerKept } from './register';
import { checkOutputFile } from './outputFile';
import type { QuantizeReport } from './types';
import type { VerdictRule } from './verdict';

/** One `mlops quantize` (or the extension's Quantize command): resolve, compare, decide, write, register. */
export interface QuantizeRequest {
  /** `models:/m/3`, `models:/m@alias`, or a path to an .onnx file. */
  source: string;
  cwd: string;
  /** Opens the registry (needed for a models:/ source or --push). */
  registry: () => Promise<Registry>;
  mode: 'int8' | 'fp16';
  rule: VerdictRule;
  servingBatch?: number;
  /** A data file; default: the version's `reference_data` tag, else generated inputs. */
  data?: string;
  /** Compare on generated inputs even when the version names reference data (e.g. not in the model's features). */
  generatedData?: boolean;
  label?: string;
  /** Register the kept model. */
  push?: boolean;
  /** The model to push a bare file's result to (a registered source pushes to its own model). */
  model?: string;
  /** Write the kept model here. */
  out?: string;
  /** Overwrite `out` if it exists (never the source model). */
  force?: boolean;
  actor: string;
  maxRows?: number;
  measure?: MeasureOptions;
  signal?: AbortSignal;
  onProgress?: (stage: string) => void;
}

const MAX_ROWS = 4096;

export async function runQuantize(q: QuantizeRequest): Promise<QuantizeReport> {
  if (q.push && !q.source.startsWith('models:/') && !q.model)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `--push needs a model to register ${q.source} under.`,
      'Name it with --model <name>, or quantize a registered version (models:/name/3).',
    );
  let version: ModelVersion | undefined;
  let registry: Registry | undefined;
  let filePath: string;
  let signature: ModelSignature;
  let label: string;
  if (q.source.startsWith('models:/')) {
    registry = await q.registry();
    version = await resolveModelRef(registry, q.source);
    label = versionUri(version.model, version.version);
    filePath = await registry.localArtifactPath(version.model, version.version, { signal: q.signal });
  } else {
    filePath = path.resolve(q.cwd, q.source);
    label = q.source;
  }
  const outPath = q.out === undefined ? undefined : await checkOutputFile(q.out, q.cwd, filePath, q.force === true);
  const { bytes, inspection } = await readOnnxFile(filePath);
  signature = version?.signature ?? inspection.signature;
  if (signature.inputs.length === 0) signature = inspection.signature;

  const dataFile = dataFileFor(q, version);
  if (q.label !== undefined && !dataFile)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `--label ${q.label} needs data with that column, and there is none.`,
      'Give the data file with --data, or tag the version with reference_data=<file>.',
    );
  const data = dataFile
    ? (spec: InputSpec) =>
        fileData(dataFile, spec, { label: q.label, maxRows: q.maxRows ?? MAX_ROWS, signal: q.signal })
    : undefined;

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'mlops-quantize-'));
  try {
    const { report, chosen } = await quantizeAndCompare({
      sourceBytes: bytes,
      sourcePath: filePath,
      signature,
      label,
      mode: q.mode,
      workDir,
      rule: q.rule,
      servingBatch: q.servingBatch,
      data,
      measure: q.measure,
      signal: q.signal,
      onProgress: q.onProgress,
    });
    if (!report.verdict.keep || !chosen) return report;
    const keptFile = path.join(workDir, `${report.chosen}.onnx`);
    await writeFile(keptFile, chosen.bytes);
    if (outPath) {
      await writeFile(outPath, chosen.bytes).catch((e: unknown) => {
        throw fsError(e, 'write the quantized model to', outPath);
      });
      report.written = outPath;
    }
    if (q.push) {
      registry ??= await q.registry();
      const v = await registerKept(
        registry,
        report,
        keptFile,
        { model: version?.model ?? (q.model as string), parent: version, sourceLabel: label },
        { actor: q.actor, reason: report.verdict.sentence },
        { signal: q.signal },
      );
      report.registered = { model: v.model, version: v.version, uri: versionUri(v.model, v.version) };
    }
    return report;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function dataFileFor(q: QuantizeRequest, v: ModelVersion | undefined): string | undefined {
  if (q.data && q.generatedData)
    throw new MlopsError('INVALID_ARGUMENT', 'Give either --data or --generated-data, not both.');
  if (q.data) return path.resolve(q.cwd, q.data);
  if (q.generatedData) return undefined;
  const tag = v?.tags.reference_data;
  if (!tag) return undefined;
  const file = path.resolve(q.cwd, tag);
  if (!existsSync(file))
    throw new MlopsError(
      'NOT_FOUND',
      `${versionUri(v.model, v.version)}'s reference_data tag names ${tag}, which is not at ${file}.`,
      'Run from the workspace the tag is relative to, or give the data with --data.',
    );
  return file;
}
