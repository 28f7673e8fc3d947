import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { runNode } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('the two commands of the README', function () {
  this.timeout(120_000);

  it('`npm run demo` pushes three models, promotes, rolls back and prints the history', async () => {
    const r = await runNode([path.join(ROOT, 'dist', 'demo.js')], { cwd: ROOT, env: { MLOPS_ACTOR: 'demo' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pushed models:\/churn\/3/);
    assert.match(r.stdout, /@production: v3 -> v2 \(rollback\)/);
    assert.match(r.stdout, /8\s+\S+\s+demo\s+@production: v3 -> v2 \(rollback\)\s+p99 latency doubled/);
    assert.match(r.stdout, /OK: 1 models, 3 versions, 3 artifacts checked/);
  });

  it('package.json exposes the bundled CLI as `mlops` (npx mlops)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    assert.equal(pkg.bin.mlops, 'dist/cli.js');
    accessSync(path.join(ROOT, pkg.bin.mlops), constants.X_OK);
    assert.match(pkg.scripts.prepare, /esbuild\.mjs/, 'npm ci builds the bundles');
    const out = execFileSync(path.join(ROOT, pkg.bin.mlops), ['--version']).toString().trim();
    assert.match(out, /^\d+\.\d+\.\d+$/);
  });
});
