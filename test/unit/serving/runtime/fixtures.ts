import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectOnnx } from '../../../../src/core/onnx/inspect';
import type { Runner, RunnerOptions, WorkerPool } from '../../../../src/core/serving/runtime';
import type { InferRequest, ResponseOutput } from '../../../../src/core/serving/types';

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
