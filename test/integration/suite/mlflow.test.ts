import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import type { AuditEvent } from '../../../src/core/registry/types';
import { COMMANDS } from '../../../src/extension/ids';
import type { ServerElement } from '../../../src/extension/tree/elements';
import { startMlflowDouble, type MlflowDouble } from '../../mlflowDouble/mlflowServerDouble';
import { WORKSPACE } from '../helpers/env';
import { api, setSetting, waitForTree } from '../helpers/ext';
import { writeModel } from '../helpers/fixtures';
import { sleep } from '../../helpers/wait';

/**
 * The extension against an MLflow tracking server (a test double of one, on 127.0.0.1: no real MLflow
 * can run here). Connect to MLflow… keeps the password in SecretStorage, never in settings.
 */
describe('MLflow registry', () => {
  let server: MlflowDouble;
  const PASSWORD = 'pa55-word-never-in-settings';

  before(async () => {
    server = await startMlflowDouble({ version: '2.17.0', auth: { users: { alice: PASSWORD } } });
  });

  after(async () => {
    await setSetting('registry.uri', undefined);
    await server.close();
  });

  it('refuses wrong credentials with a sentence and changes no setting', async () => {
    const res = await vscode.commands.executeCommand(COMMANDS.connectMlflow, {
      url: server.url,
      auth: 'basic',
      username: 'alice',
      password: 'wrong',
    });
    assert.equal(res, undefined);
    assert.notEqual(vscode.workspace.getConfiguration('mlops').get('registry.uri'), server.url);
  });

  it("connects, shows the server and its version at the root, and lists the server's models", async () => {
    const info = (await vscode.commands.executeCommand(COMMANDS.connectMlflow, {
      url: server.url,
      auth: 'basic',
      username: 'alice',
      password: PASSWORD,
    })) as { serverVersion: string } | undefined;
    assert.equal(info?.serverVersion, '2.17.0');
    assert.equal(vscode.workspace.getConfiguration('mlops').get('registry.uri'), server.url);
    const settings = path.join(WORKSPACE, '.vscode', 'settings.json');
    assert.ok(existsSync(settings));
    assert.doesNotMatch(readFileSync(settings, 'utf8'), new RegExp(PASSWORD), 'the password is not in settings');

    // Another client (CI) pushes to the server; the tree shows it through its polling watch.
    const ci = await MlflowRegistry.open(server.url, {
      env: {},
      credentials: { kind: 'basic', username: 'alice', password: PASSWORD },
    });
    try {
      await ci.pushVersion(
        { filePath: writeModel('mlflow-1', 41), model: 'remote-churn', metrics: { auc: 0.9 } },
        { actor: 'ci' },
      );
      await ci.pushVersion(
        { filePath: writeModel('mlflow-2', 42), model: 'remote-churn', metrics: { auc: 0.93 } },
        { actor: 'ci' },
      );
    } finally {
      await ci.close();
    }
    const a = await api();
    const roots = await waitForTree(
      'the MLflow server row and its model',
      async () => {
        // One read for both checks: two reads could straddle a refresh and see different lists.
        const rows = await a.treeChildren();
        return rows[0]?.kind === 'server' && rows.some((m) => m.kind === 'model' && m.name === 'remote-churn')
          ? rows
          : undefined;
      },
      15_000,
    );
    const srv = roots[0] as ServerElement;
    assert.equal(srv.kind, 'server');
    const item = a.treeItem(srv);
    assert.equal(item.label, 'MLflow 2.17.0');
    assert.equal(item.description, server.url);
  });

  it('answers every listing while Refresh re-opens the registry under it, and reports no failure', async () => {
    const a = await api();
    // The refresh lands at a different point of the listing each time (opening, listing, server row).
    for (let i = 0; i < 40; i++) {
      const listing = a.treeChildren();
      await sleep(i % 20);
      await vscode.commands.executeCommand(COMMANDS.refresh);
      const rows = await listing;
      assert.deepEqual(
        rows.filter((r) => r.kind === 'problem'),
        [],
        `listing ${i} crossed by a refresh showed a problem`,
      );
      assert.notEqual(a.registryState(), 'error', `listing ${i} crossed by a refresh set the error state`);
    }
    await waitForTree('the server and its model again', async () => {
      const rows = await a.treeChildren();
      return rows[0]?.kind === 'server' && rows.some((m) => m.kind === 'model' && m.name === 'remote-churn');
    });
  });

  it('promotes and rolls back on the server from the commands, with the audit history on the model', async () => {
    await vscode.commands.executeCommand(
      COMMANDS.promote,
      { model: 'remote-churn', version: 1 },
      { alias: 'production', reason: 'first' },
    );
    await vscode.commands.executeCommand(
      COMMANDS.promote,
      { model: 'remote-churn', version: 2 },
      { alias: 'production', reason: 'better' },
    );
    const back = (await vscode.commands.executeCommand(
      COMMANDS.rollback,
      { model: 'remote-churn', version: 2 },
      { reason: 'regression' },
    )) as AuditEvent | undefined;
    assert.deepEqual([back?.action, back?.fromVersion, back?.toVersion], ['rollback', 2, 1]);
    const m = server.store.models.get('remote-churn');
    assert.ok(m, 'the model is on the server');
    assert.deepEqual([...m.aliases], [['production', 1]]);
    const historyTags = [...m.tags.keys()].filter((k) => k.startsWith('mlops.history.'));
    assert.equal(historyTags.length, 5, 'two creations, two promotions and a rollback are on the model as tags');
  });
});
