import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Repository root, from the compiled location out/test/unit/drift/. */
export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'drift');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(fixture(name), 'utf8')) as T;
}

/** Asserts |actual - expected| <= rel * |expected| (exact match for 0 and infinities). */
export function assertClose(actual: number, expected: number, rel = 1e-6, what = ''): void {
  if (expected === actual) return;
  // Subnormal results carry few significant bits in any implementation: require only that both are tiny.
  if (Math.abs(expected) < 1e-300 && Math.abs(actual) < 1e-300) return;
  const ok = Number.isFinite(expected) && Math.abs(actual - expected) <= rel * Math.abs(expected);
  if (!ok)
    throw new Error(
      `${what}: expected ${expected}, got ${actual} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`,
    );
}

/** A temporary folder with files written from `files`; removed by the returned cleanup. */
export function tempFiles(files: Record<string, string | Uint8Array>): {
  dir: string;
  file: (n: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-drift-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return { dir, file: (n) => path.join(dir, n), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
