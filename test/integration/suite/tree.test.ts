import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import type { LoadMoreElement } from '../../../src/extension/tree/elements';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { api, children, setSetting, versions, waitForTree } from '../helpers/ext';
import { withRegistry, writeModel } from '../helpers/fixtures';

const REG = `${WORKSPACE}/.mlops`;

function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

describe('Models tree', () => {
  it('shows a version pushed with the CLI within a second, with alias, key metric, age, icon and tooltip', async () => {
    const a = await api();
    await mlops([
      'push',
      writeModel('churn-v1', 1),
      '--model',
      'churn',
      '--metric',
      'auc=0.912',
      '--metric',
      'f1=0.8',
      '--param',
      'lr=0.01',
      '--tag',
      'team=risk',
      '--alias',
      'production',
    ]);
    const t0 = Date.now();
    const [v1] = await waitForTree('churn v1', async () => {
      const vs = await versions(a, 'churn');
      return vs.length === 1 ? vs : undefined;
    });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed < 1000, `the tree showed the push after ${elapsed} ms`);
    assert.equal(a.registryState(), 'ready');

    const item = a.treeItem(v1);
    assert.equal(item.label, 'v1');
    assert.equal(item.description, '@production · auc 0.912 · just now');
    assert.equal(item.contextValue, 'mlops:version+aliased');
    assert.equal(iconId(item), 'verified-filled');
    const tip = (item.tooltip as vscode.MarkdownString).value;
    const sha = await withRegistry(
      REG,
      async (r) => (await r.getVersion('churn', 1)).artifact.sha256 ?? 'sha256 unknown',
    );
    for (const want of [
      sha,
      'auc',
      '0.912',
      'lr',
      'team',
      'risk',
      'e2e-tester',
      'models:/churn/1',
      'models:/churn@production',
      'input',
      'float32 [batch, 4]',
      'Signature',
    ]) {
      assert.ok(tip.includes(want), `tooltip lacks "${want}":\n${tip}`);
    }
  });

  it('lists versions newest first, mlops.models.pageSize at a time, with "Load more…"', async () => {
    const a = await api();
    await mlops([
      'push',
      writeModel('churn-v2', 2),
      '--model',
      'churn',
      '--metric',
      'auc=0.94',
      '--alias',
      'staging',
      '--parent',
      '1',
    ]);
    await mlops(['push', writeModel('churn-v3', 3), '--model', 'churn', '--metric', 'auc=0.93']);
    await setSetting('models.pageSize', 2);
    try {
      const page1 = await waitForTree('two versions and Load more…', async () => {
        const kids = await children(a, 'churn');
        return kids.length === 3 && kids[2].kind === 'loadMore' ? kids : undefined;
      });
      assert.deepEqual(
        page1.slice(0, 2).map((k) => (k.kind === 'version' ? k.version : 0)),
        [3, 2],
      );
      assert.equal(a.treeItem(page1[2]).label, 'Load more…');
      assert.equal(a.treeItem(page1[1]).description, '@staging · auc 0.94 · just now');
      assert.equal(iconId(a.treeItem(page1[0])), 'circle-outline');

      await vscode.commands.executeCommand(COMMANDS.loadMore, page1[2] as LoadMoreElement);
      const all = await waitForTree('all three versions', async () => {
        const kids = await children(a, 'churn');
        return kids.length === 3 && kids.every((k) => k.kind === 'version') ? kids : undefined;
      });
      assert.deepEqual(
        all.map((k) => (k.kind === 'version' ? k.version : 0)),
        [3, 2, 1],
      );
    } finally {
      await setSetting('models.pageSize', undefined);
    }
  });

  it('hides archived versions unless asked to show them; archive and restore record their reason', async () => {
    const a = await api();
    await vscode.commands.executeCommand(COMMANDS.archive, { model: 'churn', version: 3 }, { reason: 'superseded' });
    await waitForTree('v3 hidden', async () => !(await versions(a, 'churn')).some((v) => v.version === 3));

    await vscode.commands.executeCommand(COMMANDS.showArchived);
    const v3 = await waitForTree('v3 shown as archived', async () =>
      (await versions(a, 'churn')).find((v) => v.version === 3),
    );
    const item = a.treeItem(v3);
    assert.equal(item.contextValue, 'mlops:version+archived');
    assert.equal(iconId(item), 'archive');
    assert.match(String(item.description), /archived/);

    await vscode.commands.executeCommand(COMMANDS.restore, v3, { reason: 'needed for the A/B test' });
    await vscode.commands.executeCommand(COMMANDS.hideArchived);
    await waitForTree('v3 active again', async () =>
      (await versions(a, 'churn')).find((v) => v.version === 3 && v.data.status === 'active'),
    );

    const events = await withRegistry(REG, (r) => r.history('churn'));
    const statusEvents = events
      .filter((e) => e.action === 'archive' || e.action === 'restore')
      .map((e) => [e.action, e.version, e.reason, e.actor]);
    assert.deepEqual(statusEvents, [
      ['archive', 3, 'superseded', 'e2e-tester'],
      ['restore', 3, 'needed for the A/B test', 'e2e-tester'],
    ]);
  });
});
