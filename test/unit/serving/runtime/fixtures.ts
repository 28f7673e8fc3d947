import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectOnnx } from '../../../../src/core/onnx/inspect';
import type { Runner, RunnerOptions, WorkerPool } from '../../../../src/core/serving/runtime';
import type { Datatype, InferRequest, ResponseOutput } from '../../../../src/core/serving/types';
import type { OnnxTypeName } from '../../../builders/graphBuilder';

/** Values at the edges of each integer and boolean type: what an Identity model must give back exactly. */
export const EXACT_TYPE_CASES: { type: OnnxTypeName; datatype: Datatype; data: unknown[] }[] = [
  { type: 'bool', datatype: 'BOOL', data: [true, false, true] },
  { type: 'uint8', datatype: 'UINT8', data: [0, 128, 255] },
  { type: 'uint16', datatype: 'UINT16', data: [0, 40000, 65535] },
  { type: 'uint32', datatype: 'UINT32', data: [0, 3e9, 4294967295] },
  { type: 'uint64', datatype: 'UINT64', data: [0, 2 ** 40, Number.MAX_SAFE_INTEGER] },
  { type: 'int8', datatype: 'INT8', data: [-128, 0, 127] },
  { type: 'int16', datatype: 'INT16', data: [-32768, 1, 32767] },
  { type: 'int32', datatype: 'INT32', data: [-2147483648, 5, 2147483647] },
  { type: 'int64', datatype: 'INT64', data: [-(2 ** 50), 0, 2 ** 50] },
];

/** Writes a model built in code and describes it the way the server will: served version + signature. */
export function modelOptions(dir: string, name: string, bytes: Uint8Array): RunnerOptions {
  const modelPath = path.join(dir, `${name}.onnx`);
  writeFileSync(modelPath, bytes);
  return {
    served: { model: name, version: 1, sha256: createHash('sha256').update(bytes).digest('hex') },
    modelPath,
    signature: inspectOnnx(bytes).signature,
  };
}

export function runnerFor(
  pool: WorkerPool,
  dir: string,
  name: string,
  bytes: Uint8Array,
  batching?: RunnerOptions['batching'],
): Promise<Runner> {
  return pool.createRunner({ ...modelOptions(dir, name, bytes), batching });
}

/** One FP32 input request with `rows` rows of `width` values from a simple formula (distinct per seed). */
export function fp32Request(name: string, rows: number, width: number, seed: number, id?: string): InferRequest {
  const data = Array.from({ length: rows * width }, (_, i) => Math.sin(seed * 7.3 + i * 0.37));
  return { ...(id ? { id } : {}), inputs: [{ name, shape: [rows, width], datatype: 'FP32', data }] };
}

/** Element-wise equality within `tol` (batched GEMMs may sum in another order than unbatched ones). */
export function assertOutputsClose(actual: ResponseOutput[], expected: ResponseOutput[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let o = 0; o < actual.length; o++) {
    const [a, e] = [actual[o], expected[o]];
    assert.equal(a.name, e.name);
    assert.deepEqual(a.shape, e.shape);
    assert.equal(a.datatype, e.datatype);
    assert.equal(a.data.length, e.data.length);
    for (let i = 0; i < a.data.length; i++) {
      const d = Math.abs((a.data[i] as number) - (e.data[i] as number));
      assert.ok(d <= tol, `${a.name}[${i}]: ${a.data[i]} vs ${e.data[i]}`);
    }
  }
}

/** Rejects with an MlopsError of `code`, whose message matches `message` when given. */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<Error> {
  try {
    await p;
  } catch (e) {
    assert.equal((e as { code?: string }).code, code, `expected ${code}, got ${String(e)}`);
    if (message) assert.match((e as Error).message, message);
    return e as Error;
  }
  assert.fail(`expected a ${code} rejection`);
}
