import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import type { AuditEvent, GcReport } from '../../../src/core/registry/types';
import { COMMANDS } from '../../../src/extension/ids';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { api, versions, waitForTree } from '../helpers/ext';
import { withRegistry, writeModel } from '../helpers/fixtures';
import { waitForMarkdownPreview } from '../helpers/preview';

const REG = `${WORKSPACE}/.mlops`;

/** What must match between the CLI and the extension: everything but ids, times and the model name. */
function shape(events: AuditEvent[]) {
  return events.map((e) => ({
    action: e.action,
    alias: e.alias,
    from: e.fromVersion,
    to: e.toVersion,
    version: e.version,
    actor: e.actor,
    reason: e.reason,
  }));
}

async function pushThree(model: string): Promise<void> {
  await mlops([
    'push',
    writeModel(`${model}-1`, 11),
    '--model',
    model,
    '--metric',
    'auc=0.90',
    '--alias',
    'production',
  ]);
  await mlops(['push', writeModel(`${model}-2`, 12), '--model', model, '--metric', 'auc=0.92']);
  await mlops(['push', writeModel(`${model}-3`, 13), '--model', model, '--metric', 'auc=0.95', '--param', 'depth=6']);
}

function docText(uri: unknown): string {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  assert.ok(doc, `document ${String(uri)} is open`);
  return doc.getText();
}

describe('transitions through the commands', () => {
  before(async () => {
    await pushThree('by-cli');
    await pushThree('by-ext');
  });

  it('promote and roll back do exactly what the CLI does, audit history included', async () => {
    await mlops(['promote', 'by-cli', '2', '--alias', 'production', '--reason', 'better auc']);
    await mlops(['promote', 'by-cli', '3', '--alias', 'production', '--reason', 'even better']);
    await mlops(['rollback', 'by-cli', '--alias', 'production', '--reason', 'latency regression']);
    await mlops(['promote', 'by-cli', '3', '--alias', 'staging']);

    const run = (cmd: string, version: number, opts: object) =>
      vscode.commands.executeCommand(cmd, { model: 'by-ext', version }, opts);
    const e1 = (await run(COMMANDS.promote, 2, { alias: 'production', reason: 'better auc' })) as AuditEvent;
    assert.equal(e1.toVersion, 2);
    await run(COMMANDS.promote, 3, { alias: 'production', reason: 'even better' });
    const back = (await run(COMMANDS.rollback, 3, { reason: 'latency regression' })) as AuditEvent;
    assert.deepEqual([back.action, back.fromVersion, back.toVersion], ['rollback', 3, 2]);
    await run(COMMANDS.promote, 3, { alias: 'staging', reason: '' });

    await withRegistry(REG, async (r) => {
      const [cli, ext] = [await r.history('by-cli'), await r.history('by-ext')];
      assert.deepEqual(shape(ext), shape(cli));
      assert.deepEqual((await r.getModel('by-ext')).aliases, { production: 2, staging: 3 });
      assert.deepEqual((await r.getModel('by-cli')).aliases, { production: 2, staging: 3 });
    });
  });

  it('offers Roll Back on the version that holds an alias with history, and not elsewhere', async () => {
    const a = await api();
    const vs = await waitForTree('by-ext with its aliases', async () => {
      const list = await versions(a, 'by-ext');
      return list.find((v) => v.version === 2)?.data.aliases.includes('production') ? list : undefined;
    });
    const ctx = Object.fromEntries(vs.map((v) => [v.version, a.treeItem(v).contextValue]));
    // v2 holds production, which v1 held before it; v3's staging has no earlier holder.
    assert.deepEqual(ctx, { 3: 'mlops:version+aliased', 2: 'mlops:version+aliased+rollback', 1: 'mlops:version' });
  });

  it('promoting to the alias a version already holds records nothing', async () => {
    const before = (await withRegistry(REG, (r) => r.history('by-ext'))).length;
    const e = await vscode.commands.executeCommand(
      COMMANDS.promote,
      { model: 'by-ext', version: 3 },
      { alias: 'staging', reason: '' },
    );
    assert.equal(e, null);
    assert.equal((await withRegistry(REG, (r) => r.history('by-ext'))).length, before);
  });

  it('a rollback with no earlier holder fails without changing anything', async () => {
    const before = await withRegistry(REG, (r) => r.history('by-ext'));
    const e = await vscode.commands.executeCommand(
      COMMANDS.rollback,
      { model: 'by-ext', version: 3 },
      { alias: 'staging', reason: '' },
    );
    assert.equal(e, undefined, 'the command reported the error instead of returning an event');
    await withRegistry(REG, async (r) => {
      assert.deepEqual(await r.history('by-ext'), before);
      assert.equal((await r.getModel('by-ext')).aliases.staging, 3);
    });
  });

  it('Compare With… opens a rendered report with metrics, params, tags and signature side by side', async () => {
    const uri = await vscode.commands.executeCommand<string>(COMMANDS.compareWith, { model: 'by-ext', version: 2 }, 3);
    const text = docText(uri);
    assert.match(text, /# by-ext: v2 ↔ v3/);
    assert.match(text, /\| \*\*≠\*\* \| auc \| 0\.92 \| 0\.95 \| \+0\.03 \|/);
    assert.match(text, /\| \*\*≠\*\* \| depth \| — \| 6 \|/);
    assert.match(text, /## Signature/);
    assert.match(text, /\| {2}\| in `input` \| float32 \\\[batch, 4\\\] \| float32 \\\[batch, 4\\\] \|/);
    // Shown rendered (the Markdown preview), so a user reads a table, not pipes and escapes.
    await waitForMarkdownPreview('by-ext v2 ↔ v3');
  });

  it('Show History lists the audit events with actor and reason; Show Details the version', async () => {
    const history = docText(
      await vscode.commands.executeCommand<string>(COMMANDS.showHistory, { model: 'by-ext', version: 2 }),
    );
    assert.match(history, /rolled back \| @production v3 → v2 \| latency regression/);
    assert.match(history, /e2e-tester/);
    assert.match(history, /▶/);
    const sha = await withRegistry(
      REG,
      async (r) => (await r.getVersion('by-ext', 3)).artifact.sha256 ?? 'sha256 unknown',
    );
    const details = docText(await vscode.commands.executeCommand<string>(COMMANDS.showDetails, 'models:/by-ext/3'));
    assert.ok(details.includes(sha), 'details show the sha256');
    assert.match(details, /depth/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Copy Model URI copies models:/name/N or models:/name@alias', async () => {
    const byVersion = await vscode.commands.executeCommand<string>(COMMANDS.copyModelUri, {
      model: 'by-ext',
      version: 1,
    });
    assert.equal(byVersion, 'models:/by-ext/1');
    const byAlias = await vscode.commands.executeCommand<string>(
      COMMANDS.copyModelUri,
      { model: 'by-ext', version: 2 },
      'production',
    );
    assert.equal(byAlias, 'models:/by-ext@production');
    assert.equal(await vscode.env.clipboard.readText(), 'models:/by-ext@production');
  });

  it('Delete removes the version after confirmation and records it with its reason', async () => {
    const a = await api();
    const ok = await vscode.commands.executeCommand(
      COMMANDS.deleteVersion,
      { model: 'by-ext', version: 1 },
      { confirm: true, reason: 'trained on leaked data' },
    );
    assert.equal(ok, true);
    await withRegistry(REG, async (r) => {
      await assert.rejects(r.getVersion('by-ext', 1), /has no version 1/);
      const last = (await r.history('by-ext')).at(-1);
      assert.deepEqual([last?.action, last?.version, last?.reason], ['delete-version', 1, 'trained on leaked data']);
    });
    await waitForTree('by-ext without v1', async () => !(await versions(a, 'by-ext')).some((v) => v.version === 1));
  });

  it('Clean Up Unreferenced Model Files… removes what deleted versions left, and nothing a version uses', async () => {
    await mlops(['push', writeModel('scrap-1', 77), '--model', 'scrap']);
    await vscode.commands.executeCommand(
      COMMANDS.deleteVersion,
      { model: 'scrap', version: 1 },
      { confirm: true, reason: 'scrap' },
    );
    const before = await withRegistry(REG, (r) => r.verify());
    assert.ok(before.orphanArtifacts >= 1, 'the deleted version left its file');
    // Files an hour old or more are fair game; make every stored file look two hours old.
    const store = path.join(REG, 'artifacts', 'sha256');
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const d of readdirSync(store))
      for (const f of readdirSync(path.join(store, d))) utimesSync(path.join(store, d, f), old, old);
    const report = (await vscode.commands.executeCommand(COMMANDS.cleanUpArtifacts, { confirm: true })) as
      GcReport | undefined;
    assert.equal(report?.removed.length, before.orphanArtifacts);
    const after = await withRegistry(REG, (r) => r.verify());
    assert.deepEqual([after.ok, after.orphanArtifacts, after.versions], [true, 0, before.versions]);
    const again = (await vscode.commands.executeCommand(COMMANDS.cleanUpArtifacts, { confirm: true })) as
      GcReport | undefined;
    assert.equal(again?.removed.length, 0, 'nothing left to remove');
  });

  it('Push Model Version… registers an ONNX file with metrics and an alias (as from the Explorer menu)', async () => {
    const a = await api();
    const file = writeModel('fraud', 21, 6);
    const v = (await vscode.commands.executeCommand(COMMANDS.pushVersion, vscode.Uri.file(file), {
      model: 'fraud',
      metrics: 'auc=0.81 recall=0.7',
      alias: 'staging',
    })) as {
      version: number;
    };
    assert.equal(v.version, 1);
    await withRegistry(REG, async (r) => {
      const got = await r.getVersion('fraud', 1);
      assert.deepEqual(got.metrics, { auc: 0.81, recall: 0.7 });
      assert.deepEqual(got.aliases, ['staging']);
      assert.equal(got.createdBy, 'e2e-tester');
      assert.deepEqual(
        got.signature?.inputs.map((i) => i.shape),
        [['batch', 6]],
      );
    });
    await waitForTree('fraud v1', async () => (await versions(a, 'fraud')).length === 1);
  });
});
