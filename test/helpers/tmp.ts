import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp, type MlpOptions } from '../builders/mlpBuilder';

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'mlops-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a small real ONNX model (an MLP built in code) and returns its path. */
export function writeModel(dir: string, name: string, opts: Partial<MlpOptions> = {}): string {
  const file = path.join(dir, name);
  writeFileSync(file, buildMlp({ inputDim: 4, hidden: [8], outputDim: 3, softmax: true, ...opts }));
  return file;
}

/**
 * A fingerprint of every file under `dir` (path -> sha256), to prove a failed command left the registry
 * exactly as it was. Leftover temporary files of killed processes are not registry state.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[] = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      const rel = path.relative(dir, p);
      if (/(^|[/\\])tmp([/\\]|$)|\.tmp-|registry\.lock/.test(rel)) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}
