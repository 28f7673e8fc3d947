import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, mlopsJson, runMlops } from '../helpers/cli';
import { tempDir, writeModel } from '../helpers/tmp';

describe('mlops CLI: the main job, end to end as child processes', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  const mlops = (...args: string[]) => runMlops(args, { cwd: t.dir });
  beforeEach(() => (t = tempDir('mlops-cli-')));
  afterEach(() => t.cleanup());

  it('is the bundled dist/cli.js with a node shebang', () => {
    assert.ok(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node'));
  });

  it('prints help (exit 0) and usage errors (exit 2)', async () => {
    const help = await mlops('--help');
    assert.equal(help.code, 0);
    for (const c of [
      'init',
      'push',
      'models',
      'versions',
      'show',
      'promote',
      'rollback',
      'history',
      'archive',
      'restore',
      'delete',
      'pull',
      'verify',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${c}\\b`, 'm'), `help lists ${c}`);
    }
    assert.equal((await mlops('push', '--help')).code, 0);
    assert.equal((await mlops()).code, 2);
    const unknown = await mlops('deploy');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "deploy"/);
    const flag = await mlops('models', '--colour');
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option '--colour'/);
    const noModel = await mlops('push', 'x.onnx');
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--model <name> is required/);
    const badMetric = await mlops('push', 'x.onnx', '--model', 'm', '--metric', 'auc=high');
    assert.equal(badMetric.code, 2);
    assert.match(badMetric.stderr, /"high" is not a number/);
    const noYes = await mlops('delete', 'm', '1');
    assert.equal(noYes.code, 2);
    assert.match(noYes.stderr, /--yes/);
  });

  it('pushes, lists, promotes, rolls back and shows the audit history', async () => {
    const a = writeModel(t.dir, 'a.onnx', { seed: 1 });
    const b = writeModel(t.dir, 'b.onnx', { seed: 2 });
    assert.equal((await mlops('init')).code, 0);
    const v1 = await mlopsJson<{
      version: number;
      metrics: Record<string, number>;
      params: Record<string, string>;
      tags: Record<string, string>;
      createdBy: string;
    }>(
      [
        'push',
        a,
        '--model',
        'churn',
        '--metric',
        'auc=0.91',
        '--param',
        'lr=0.01',
        '--tag',
        'team=risk',
        '--description',
        'baseline',
        '--run-id',
        'r1',
      ],
      t.dir,
    );
    assert.deepEqual(
      [v1.version, v1.metrics.auc, v1.params.lr, v1.tags.team, v1.createdBy],
      [1, 0.91, '0.01', 'risk', 'ci-bot'],
    );
    const v2 = await mlopsJson<{ version: number; parentVersion: number; aliases: string[] }>(
      ['push', b, '--model', 'churn', '--metric', 'auc=0.93', '--parent', '1', '--alias', 'staging'],
      t.dir,
    );
    assert.deepEqual([v2.version, v2.parentVersion, v2.aliases], [2, 1, ['staging']]);

    const models = await mlopsJson<{
      models: { name: string; latestVersion: number; aliases: Record<string, number> }[];
    }>(['models'], t.dir);
    assert.deepEqual(
      models.models.map((m) => [m.name, m.latestVersion, m.aliases]),
      [['churn', 2, { staging: 2 }]],
    );
    const human = await mlops('versions', 'churn');
    assert.match(human.stdout, /^v2\s+@staging\s+active\s+auc=0\.93/m);

    assert.equal((await mlops('promote', 'churn', '1', '--alias', 'production', '--reason', 'first release')).code, 0);
    const p2 = await mlops('promote', 'churn', '2', '--alias', 'production');
    assert.match(p2.stdout, /@production: v1 -> v2/);
    const again = await mlops('promote', 'churn', '2', '--alias', 'production');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing changed/);
    const rb = await runMlops(['rollback', 'churn', '--alias', 'production', '--reason', 'p99 up'], {
      cwd: t.dir,
      env: { MLOPS_ACTOR: 'oncall' },
    });
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(rb.stdout, /@production: v2 -> v1 \(rollback\)/);
    const shown = await mlopsJson<{ version: number; aliases: string[] }>(['show', 'models:/churn@production'], t.dir);
    assert.equal(shown.version, 1);

    const hist = await mlopsJson<{
      events: {
        action: string;
        alias: string | null;
        fromVersion: number | null;
        toVersion: number | null;
        actor: string;
        reason: string | null;
      }[];
    }>(['history', 'churn', '--alias', 'production'], t.dir);
    assert.deepEqual(
      hist.events.map((e) => [e.action, e.fromVersion, e.toVersion, e.actor, e.reason]),
      [
        ['promote', null, 1, 'ci-bot', 'first release'],
        ['promote', 1, 2, 'ci-bot', null],
        ['rollback', 2, 1, 'oncall', 'p99 up'],
      ],
    );
    const table = await mlops('history', 'churn');
    assert.match(table.stdout, /oncall\s+@production: v2 -> v1 \(rollback\)\s+p99 up/);
  });

  it('archives, restores, deletes, pulls and verifies', async () => {
    const a = writeModel(t.dir, 'a.onnx', { seed: 1 });
    await mlopsJson(['push', a, '--model', 'churn'], t.dir);
    await mlopsJson(['push', a, '--model', 'churn'], t.dir);
    assert.equal((await mlops('archive', 'churn', '1')).code, 0);
    const active = await mlopsJson<{ versions: { version: number }[] }>(['versions', 'churn'], t.dir);
    assert.deepEqual(
      active.versions.map((v) => v.version),
      [2],
    );
    const all = await mlopsJson<{ versions: { version: number }[] }>(['versions', 'churn', '--all'], t.dir);
    assert.deepEqual(
      all.versions.map((v) => v.version),
      [2, 1],
    );
    assert.equal((await mlops('restore', 'churn', '1')).code, 0);
    const pulled = await mlops('pull', 'models:/churn/1', '-o', 'copy.onnx');
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(readFileSync(path.join(t.dir, 'copy.onnx')), readFileSync(a));
    const overwrite = await mlops('pull', 'models:/churn/1', '-o', 'copy.onnx');
    assert.equal(overwrite.code, 1);
    assert.match(overwrite.stderr, /already exists.*--force/);
    assert.equal((await mlops('pull', 'models:/churn/latest')).code, 0);
    assert.ok(existsSync(path.join(t.dir, 'churn-v2.onnx')));
    assert.equal((await mlops('delete', 'churn', '2', '--yes')).code, 0);
    const verify = await mlops('verify');
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /^OK: 1 models, 1 versions/);
    assert.equal((await mlops('delete', 'churn', '--yes')).code, 0);
    assert.deepEqual((await mlopsJson<{ models: unknown[] }>(['models'], t.dir)).models, []);
  });

  it('gc removes what deleted versions left once past --grace, after a dry run that names it', async () => {
    const a = writeModel(t.dir, 'a.onnx', { seed: 1 });
    const b = writeModel(t.dir, 'b.onnx', { seed: 2 });
    await mlopsJson(['push', a, '--model', 'churn'], t.dir);
    const v2 = await mlopsJson<{ artifact: { sha256: string; size: number } }>(['push', b, '--model', 'churn'], t.dir);
    assert.equal((await mlops('delete', 'churn', '2', '--yes')).code, 0);
    const before = await mlops('verify');
    assert.match(before.stdout, /1 unreferenced \(`mlops gc` removes them\)/);
    const young = await mlops('gc');
    assert.equal(young.code, 0, young.stderr);
    assert.match(
      young.stdout,
      /^Removed 0 unreferenced artifacts \(0 B\); 1 in use\.\nKept 1 unreferenced but younger than 1h/,
    );
    await new Promise((r) => setTimeout(r, 1100));
    const dry = await mlops('gc', '--grace', '1s', '--dry-run');
    assert.match(
      dry.stdout,
      new RegExp(
        `^Would remove 1 unreferenced artifact \\(${v2.artifact.size} B\\); 1 in use\\.\\n  ${v2.artifact.sha256}`,
      ),
    );
    const gc = await mlopsJson<{ removed: { sha256: string }[]; bytesFreed: number; grace: string }>(
      ['gc', '--grace', '1s'],
      t.dir,
    );
    assert.deepEqual(
      [gc.removed.map((x) => x.sha256), gc.bytesFreed, gc.grace],
      [[v2.artifact.sha256], v2.artifact.size, '1s'],
    );
    assert.match((await mlops('verify')).stdout, /^OK: 1 models, 1 versions, 1 artifacts checked, 0 unreferenced\.$/m);
    assert.equal((await mlops('pull', 'models:/churn/1', '-o', 'v1.onnx')).code, 0);
  });

  it('uses --registry, then MLOPS_REGISTRY, then ./.mlops', async () => {
    const a = writeModel(t.dir, 'a.onnx');
    await mlopsJson(['push', a, '--model', 'm1', '--registry', 'custom-reg'], t.dir);
    assert.ok(existsSync(path.join(t.dir, 'custom-reg', 'registry.sqlite')));
    await mlopsJson(['push', a, '--model', 'm2'], t.dir, { MLOPS_REGISTRY: path.join(t.dir, 'env-reg') });
    assert.ok(existsSync(path.join(t.dir, 'env-reg', 'registry.sqlite')));
    assert.equal(existsSync(path.join(t.dir, '.mlops')), false);
    const r = await mlops('models');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no registry at .*\.mlops.*mlops init/);
  });
});
