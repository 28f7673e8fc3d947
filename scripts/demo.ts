/**
 * `npm run demo`: the main job on a throwaway embedded registry, through the real `mlops` CLI.
 * Generates three small ONNX models in code (no download), pushes them with their metrics, promotes,
 * rolls back, and prints the audit history. Every command is printed before it runs, so the output
 * doubles as a tour of the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp } from '../src/core/onnx/mlpBuilder';
import { formatBytes } from '../src/core/util/format';

const CLI = path.join(__dirname, 'cli.js');
const ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
const env = { ...process.env, MLOPS_REGISTRY: '', MLFLOW_TRACKING_URI: '', MLOPS_ACTOR: process.env.MLOPS_ACTOR ?? 'demo' };

function mlops(...args: string[]): string {
  const shown = args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  console.log(`\n$ mlops ${shown}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    console.error(`\nThe demo stopped: "mlops ${shown}" exited with ${r.status}.`);
    process.exit(1);
  }
  return r.stdout;
}

const models = [
  { file: 'churn-small.onnx', hidden: [16], auc: 0.912, f1: 0.801, lr: '0.01' },
  { file: 'churn-medium.onnx', hidden: [64, 32], auc: 0.934, f1: 0.822, lr: '0.005' },
  { file: 'churn-large.onnx', hidden: [256, 128], auc: 0.941, f1: 0.829, lr: '0.001' },
];

console.log(`MLOps Studio demo — workspace ${ws}`);
for (const [i, m] of models.entries()) {
  const bytes = buildMlp({ inputDim: 12, hidden: m.hidden, outputDim: 2, softmax: true, seed: i + 1, graphName: 'churn_mlp' });
  writeFileSync(path.join(ws, m.file), bytes);
  console.log(`generated ${m.file} (${formatBytes(bytes.length)}, hidden layers ${m.hidden.join('x')})`);
}

mlops('init');
for (const [i, m] of models.entries()) {
  const extra = i === 0 ? [] : ['--parent', String(i)];
  mlops('push', m.file, '--model', 'churn', '--metric', `auc=${m.auc}`, '--metric', `f1=${m.f1}`, '--param', `lr=${m.lr}`, '--tag', 'team=retention', ...extra);
}
mlops('versions', 'churn');
mlops('promote', 'churn', '1', '--alias', 'production', '--reason', 'first release');
mlops('promote', 'churn', '2', '--alias', 'production', '--reason', 'auc +0.022 on the holdout');
mlops('promote', 'churn', '3', '--alias', 'staging', '--reason', 'candidate: largest model');
mlops('promote', 'churn', '3', '--alias', 'production', '--reason', 'staging looked good');
mlops('rollback', 'churn', '--alias', 'production', '--reason', 'p99 latency doubled');
mlops('show', 'models:/churn@production');
mlops('history', 'churn');
mlops('verify');
console.log(`\nDone. The registry is in ${path.join(ws, '.mlops')}; open ${ws} in VS Code to browse it in the MLOps view.`);
