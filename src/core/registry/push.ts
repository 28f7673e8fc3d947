import path from 'node:path';
import { readOnnxFile, type OnnxInspection } from '../onnx/inspect';
import { sha256Hex } from '../util/hash';
import { validateAlias, validateMetrics, validateModelName, validateStringMap, validateVersionNumber } from './names';
import type { OperationOptions, PushInput } from './types';
import { MlopsError, throwIfAborted } from '../errors';

/** A push checked and read, ready for a backend to store: the same checks on both backends. */
export interface PreparedPush {
  input: PushInput & { metrics: Record<string, number>; params: Record<string, string>; tags: Record<string, string> };
  bytes: Buffer;
  sha256: string;
  fileName: string;
  source: string;
  inspection: OnnxInspection;
  /**
   * sha256("<file sha256>:<idempotency key>") when the push has a key, else null: stored with the version
   * (MLflow: the `mlops.push_key` tag; embedded: its own column) so a retry finds it. Hashed so any key
   * fits a tag value and an MLflow search filter, whatever characters it holds.
   */
  pushKey: string | null;
}

const MAX_KEY = 200;

/** Idempotency keys: 1-200 printable characters (a CI run id, a UUID, "nightly-2026-01-02"). */
export function validateIdempotencyKey(key: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_KEY || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      'The idempotency key must be 1-200 printable characters.',
      'Give one key per logical push, such as the CI run id.',
    );
  }
  return key;
}

export function pushKeyOf(sha256: string, idempotencyKey: string): string {
  return sha256Hex(Buffer.from(`${sha256}:${idempotencyKey}`, 'utf8'));
}

/** A run id is one printable token of a CI system or tracker: a line break would forge lines in the history. */
function validateRunId(runId: string): void {
  // eslint-disable-next-line no-control-regex
  if (runId.length === 0 || runId.length > 250 || /[\u0000-\u001f\u007f]/.test(runId))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The run id ${JSON.stringify(runId.slice(0, 60))} is not valid: it must be 1-250 printable characters.`,
      'Pass the CI run id as it is, e.g. --run-id "$GITHUB_RUN_ID".',
    );
}

export async function preparePush(input: PushInput, opts: OperationOptions = {}): Promise<PreparedPush> {
  validateModelName(input.model);
  if (input.alias !== undefined) validateAlias(input.alias);
  if (input.parentVersion !== undefined) validateVersionNumber(input.parentVersion);
  if (input.idempotencyKey !== undefined) validateIdempotencyKey(input.idempotencyKey);
  if (input.runId !== undefined) validateRunId(input.runId);
  const metrics = validateMetrics(input.metrics);
  const params = validateStringMap('param', input.params);
  const tags = validateStringMap('tag', input.tags);
  opts.onProgress?.({ stage: 'Reading the model' });
  const { bytes, inspection } = await readOnnxFile(input.filePath);
  throwIfAborted(opts.signal, 'Pushing the model');
  opts.onProgress?.({ stage: 'Hashing', done: 0, total: bytes.length });
  const sha256 = sha256Hex(bytes);
  return {
    input: { ...input, metrics, params, tags },
    bytes,
    sha256,
    fileName: path.basename(input.filePath),
    source: path.resolve(input.filePath),
    inspection,
    pushKey: input.idempotencyKey === undefined ? null : pushKeyOf(sha256, input.idempotencyKey),
  };
}
