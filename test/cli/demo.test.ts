import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { runNode } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('the two commands of the README', function () {
  this.timeout(120_000);
  // The demo leaves its workspace for the user to open; here it goes in a folder the test removes.
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('mlops-demo-test-')));
  afterEach(() => t.cleanup());

  it('`npm run demo` pushes three models, promotes, rolls back, prints the history and finds the drift', async () => {
    const r = await runNode([path.join(ROOT, 'dist', 'demo.js')], {
      cwd: ROOT,
      env: { MLOPS_ACTOR: 'demo', TMPDIR: t.dir },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pushed models:\/churn\/3/);
    assert.match(r.stdout, /@production: v3 -> v2 \(rollback\)/);
    assert.match(r.stdout, /8\s+\S+\s+demo\s+@production: v3 -> v2 \(rollback\)\s+p99 latency doubled/);
    assert.match(r.stdout, /OK: 1 models, 3 versions, 3 artifacts checked/);
    assert.match(r.stdout, /tenure_months\s+numeric\s+Wasserstein \(normed\)\s+[\d.]+\s+≥ 0\.1\s+DRIFT/);
    assert.match(r.stdout, /contract\s+categorical\s+Jensen–Shannon\s+[\d.e-]+\s+≥ 0\.1\s+ok/);
    assert.match(r.stdout, /Dataset drift detected: 3 of 5 features drifted/);
    const report = /the report is (\S+\.html)\)/.exec(r.stdout)?.[1];
    assert.ok(report, 'the demo names its HTML report');
    assert.match(readFileSync(report, 'utf8'), /^<!doctype html>/i);
    // Serving: production (v2 after the rollback) answers both protocols, refuses a short row, is load-tested.
    assert.match(r.stdout, /"url":"http:\/\/127\.0\.0\.1:\d+"/);
    assert.match(r.stdout, /^200 \(answered by version 2\): \{.*"model_version":"2"/m);
    assert.match(r.stdout, /^200: \{"predictions":/m);
    assert.match(r.stdout, /^400: \{"error":"input 'input': expected FP32/m);
    assert.match(r.stdout, /p99/);
    // Quantization: the comparison table and a verdict either way.
    assert.match(r.stdout, /^int8-dynamic-[su]8-per-(channel|tensor)/m);
    assert.match(r.stdout, /^\(exit (4: not worth it|0: kept and registered)/m);
    // Monitoring: the drift check is critical (3 of 5 features), so monitor --once exits 3.
    assert.match(r.stdout, /Critical/);
    assert.match(r.stdout, /^\(exit 3: a monitor is breached/m);
    // Retraining: the critical drift ran the generated training script; its model is the challenger of v2,
    // compared with production on the current data.
    assert.match(
      r.stderr,
      /\[retrain churn\] training on 5000 rows of current\.csv: tenure_months, monthly_charges, support_calls/,
    );
    assert.match(r.stdout, /^Registered churn v\d+ @challenger \(parent v2\)\./m);
    assert.match(r.stdout, /^v\d+ \(challenger\)\s+500\s+0\s/m);
    assert.match(r.stdout, /^v\d+\s+@challenger\s+active/m);
  });

  it('package.json exposes the bundled CLI as `mlops` (npx mlops)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin.mlops, 'dist/cli.js');
    accessSync(path.join(ROOT, pkg.bin.mlops), constants.X_OK);
    // .npmrc's ignore-scripts=true means npm ci runs no lifecycle script (no prepare): each README command
    // that needs the bundles builds them itself. Outside the repository the CLI installs from its tarball
    // (install.test.ts).
    assert.match(pkg.scripts.build, /esbuild\.mjs/);
    for (const s of ['demo', 'test', 'bench'])
      assert.match(pkg.scripts[s], /^npm run build && /, `npm run ${s} builds first`);
    const out = execFileSync(path.join(ROOT, pkg.bin.mlops), ['--version']).toString().trim();
    assert.equal(out, pkg.version);
  });
});
