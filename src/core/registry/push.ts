import path from 'node:path';
import { readOnnxFile, type OnnxInspection } from '../onnx/inspect';
import { sha256Hex } from '../util/hash';
import { validateAlias, validateMetrics, validateModelName, validateStringMap, validateVersionNumber } from './names';
import type { OperationOptions, PushInput } from './types';
import { throwIfAborted } from '../errors';

/** A push checked and read, ready for a backend to store: the same checks on both backends. */
export interface PreparedPush {
  input: PushInput & { metrics: Record<string, number>; params: Record<string, string>; tags: Record<string, string> };
  bytes: Buffer;
  sha256: string;
  fileName: string;
  source: string;
  inspection: OnnxInspection;
}

export async function preparePush(input: PushInput, opts: OperationOptions = {}): Promise<PreparedPush> {
  validateModelName(input.model);
  if (input.alias !== undefined) validateAlias(input.alias);
  if (input.parentVersion !== undefined) validateVersionNumber(input.parentVersion);
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
  };
}
