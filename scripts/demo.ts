/**
 * `npm run demo`: the main job on a throwaway embedded registry, through the real `mlops` CLI.
 * Generates three small ONNX models in code (no download), pushes them with their metrics, promotes,
 * rolls back, and prints the audit history; compares generated "production" inputs with the training
 * data for drift; serves the production version, sends it requests and load-tests it; then quantizes it to
 * int8 and prints the measured verdict; and evaluates an mlops.yaml monitor. Every command is printed
 * before it runs, so the output doubles as a tour of the CLI.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildMlp, seededRandom } from '../test/builders/mlpBuilder';
import { formatBytes } from '../src/core/util/format';
import { serveDemo } from './demo/serve';

const CLI = path.join(__dirname, 'cli.js');
const ws = mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
const env = {
  ...process.env,
  MLOPS_REGISTRY: '',
  MLFLOW_TRACKING_URI: '',
  MLOPS_ACTOR: process.env.MLOPS_ACTOR ?? 'demo',
};

function mlops(...args: string[]): string {
  return mlopsExpecting(0, ...args);
}

function mlopsExpecting(code: number, ...args: string[]): string {
  return mlopsAccepting([code], ...args).stdout;
}

/** Runs `mlops <args>`, printing it and its output; any exit code not in `codes` stops the demo. */
function mlopsAccepting(codes: number[], ...args: string[]): { code: number; stdout: string } {
  const shown = args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  console.log(`\n$ mlops ${shown}`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ws, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status === null || !codes.includes(r.status)) {
    console.error(`\nThe demo stopped: "mlops ${shown}" exited with ${r.status}.`);
    process.exit(1);
  }
  return { code: r.status, stdout: r.stdout };
}

/** The models take the data's numeric columns (tenure, charges, support calls), so logged or file rows replay. */
const INPUT_DIM = 3;
const models = [
  { file: 'churn-small.onnx', hidden: [16], auc: 0.912, f1: 0.801, lr: '0.01' },
  { file: 'churn-medium.onnx', hidden: [64, 32], auc: 0.934, f1: 0.822, lr: '0.005' },
  { file: 'churn-large.onnx', hidden: [256, 128], auc: 0.941, f1: 0.829, lr: '0.001' },
];

console.log(`MLOps Studio demo — workspace ${ws}`);
for (const [i, m] of models.entries()) {
  const bytes = buildMlp({
    inputDim: INPUT_DIM,
    hidden: m.hidden,
    outputDim: 2,
    softmax: true,
    seed: i + 1,
    graphName: 'churn_mlp',
  });
  writeFileSync(path.join(ws, m.file), bytes);
  console.log(`generated ${m.file} (${formatBytes(bytes.length)}, hidden layers ${m.hidden.join('x')})`);
}

writeDriftData();
mlops('init');
for (const [i, m] of models.entries()) {
  const extra = i === 0 ? [] : ['--parent', String(i)];
  mlops(
    'push',
    m.file,
    '--model',
    'churn',
    '--metric',
    `auc=${m.auc}`,
    '--metric',
    `f1=${m.f1}`,
    '--param',
    `lr=${m.lr}`,
    '--tag',
    'team=retention',
    '--tag',
    'reference_data=data/reference.csv',
    '--tag',
    'current_data=data/current.csv',
    ...extra,
  );
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
// After the release: tenure, charges and support calls moved; contract and senior did not.
mlops('drift', '--reference', 'data/reference.csv', '--current', 'data/current.csv');
// What a cron job or CI gate runs: exit 3 on drift, plus a report to attach to the ticket.
mlopsExpecting(
  3,
  'drift',
  '--reference',
  'data/reference.csv',
  '--current',
  'data/current.csv',
  '--format',
  'html',
  '--out',
  'drift-report.html',
  '--fail-on-drift',
  '--quiet',
);
console.log(`(exit 3: dataset drift; the report is ${path.join(ws, 'drift-report.html')})`);

// Serve what production holds, try it in both protocols, load-test it, stop it.
serveDemo({ cliPath: CLI, cwd: ws, env, run: mlops }, 'models:/churn@production', INPUT_DIM).then(
  () => {
    // Quantize the production model to int8 and measure it on this machine. A model this small usually
    // gets no faster, and then nothing is registered (exit 4, "not worth it"); both outcomes are answers.
    const q = mlopsAccepting([0, 4], 'quantize', 'models:/churn@production', '--generated-data', '--push');
    console.log(
      q.code === 4
        ? '(exit 4: not worth it on this machine, so nothing was registered)'
        : '(exit 0: kept and registered as a new version with its parent, optimization tags and measured speedup)',
    );
    // What a cron job runs: the monitors of mlops.yaml, evaluated once; exit 3 when one is breached. The
    // critical drift also runs the monitor's retrain command (a tiny training script, copied here as
    // train.js), registers its model as @challenger and compares it with production on the current data.
    copyFileSync(path.join(__dirname, 'demo-train.js'), path.join(ws, 'train.js'));
    writeFileSync(
      path.join(ws, 'mlops.yaml'),
      [
        'monitors:',
        '  - model: models:/churn@production',
        '    reference: data/reference.csv',
        '    current: data/current.csv',
        '    checks:',
        '      drift: { warning: 0.3, critical: 0.5 }',
        '      missing: { warning: 0.05, critical: 0.2 }',
        '    retrain:',
        '      command: node train.js ${current} data/current_labels.csv artifacts/model.onnx',
        '      output: artifacts/model.onnx',
        '      on: critical',
        '',
      ].join('\n'),
    );
    console.log('\nwrote mlops.yaml (drift and missing-values checks on churn@production, retrain on critical)');
    mlopsExpecting(3, 'monitor', '--once');
    console.log('(exit 3: a monitor is breached; the evaluation is in .mlops/monitor/ for the next run)');
    mlops('versions', 'churn');
    console.log('(the retrained model waits as @challenger: promoting it stays a human decision)');
    console.log(
      `\nDone. The registry is in ${path.join(ws, '.mlops')} (with the served requests in .mlops/predictions/churn); open ${ws} in VS Code to browse it in the MLOps view (right-click a version → Show Drift).`,
    );
  },
  (e: unknown) => {
    console.error(`\nThe demo stopped: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

/**
 * Training data and production inputs for the churn model, seeded so every run prints the
 * same verdict. 5,000 rows each: over 1,000, so numeric features use the Wasserstein test.
 */
function writeDriftData(): void {
  const rand = seededRandom(7);
  const normal = (mean: number, sd: number) =>
    mean + sd * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const pick = <T>(xs: readonly T[], weights: readonly number[]) => {
    let r = rand() * weights.reduce((a, b) => a + b, 0);
    for (const [i, w] of weights.entries()) if ((r -= w) < 0) return xs[i];
    return xs[xs.length - 1];
  };
  const contracts = ['month-to-month', 'one-year', 'two-year'] as const;
  // Who churned among the current customers (short tenure, high charges, many calls), for the retrain
  // step's training script; its own random stream, so the feature values stay as they always were.
  const labelRand = seededRandom(8);
  const churned: string[] = ['churned'];
  const table = (shifted: boolean) => {
    const lines = ['tenure_months,monthly_charges,support_calls,contract,senior'];
    for (let i = 0; i < 5000; i++) {
      const tenure = Math.max(0, Math.round(normal(shifted ? 22 : 32, 14)));
      const charges = normal(shifted ? 78 : 65, 18).toFixed(2);
      const calls = Math.max(0, Math.round(normal(shifted ? 3.2 : 2, 1.5)));
      const contract = pick(contracts, [0.55, 0.25, 0.2]);
      const senior = rand() < 0.16 ? 'true' : 'false';
      lines.push(`${tenure},${charges},${calls},${contract},${senior}`);
      const risk = 1 / (1 + Math.exp(-(-0.06 * tenure + 0.03 * Number(charges) + 0.5 * calls - 2.5)));
      if (shifted) churned.push(labelRand() < risk ? '1' : '0');
    }
    return lines.join('\n') + '\n';
  };
  mkdirSync(path.join(ws, 'data'));
  writeFileSync(path.join(ws, 'data', 'reference.csv'), table(false));
  writeFileSync(path.join(ws, 'data', 'current.csv'), table(true));
  writeFileSync(path.join(ws, 'data', 'current_labels.csv'), churned.join('\n') + '\n');
  console.log(
    'generated data/reference.csv and data/current.csv (5,000 rows each; tenure, charges and support calls drift), and data/current_labels.csv (who churned)',
  );
}
