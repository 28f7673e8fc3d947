import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelVersion } from '../../../src/core/registry/types';
import { COMMANDS } from '../../../src/extension/ids';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { withRegistry, writeModel } from '../helpers/fixtures';
import { waitForMarkdownPreview } from '../helpers/preview';
import { giveReason, SEL, ui, uiAvailable } from '../helpers/ui';

const REG = `${WORKSPACE}/.mlops`;

/** Issue 8, point 6: what Push records, Edit Tags…, rendered reports, and Roll Back's preview in the UI. */
describe('push lineage, Edit Tags…, rendered reports', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Push Model Version… records params, description, parent and training data (answers up front)', async () => {
    const first = writeModel('lineage-1', 31);
    await vscode.commands.executeCommand(COMMANDS.pushVersion, vscode.Uri.file(first), { model: 'lineage' });
    const v = (await vscode.commands.executeCommand(
      COMMANDS.pushVersion,
      vscode.Uri.file(writeModel('lineage-2', 32)),
      {
        model: 'lineage',
        metrics: 'auc=0.9',
        params: 'lr=0.01 depth=6',
        description: 'retrained on March data',
        parent: 1,
        trainingData: 'data/train.csv',
      },
    )) as ModelVersion;
    assert.equal(v.version, 2);
    await withRegistry(REG, async (r) => {
      const got = await r.getVersion('lineage', 2);
      assert.deepEqual(got.params, { lr: '0.01', depth: '6' });
      assert.equal(got.description, 'retrained on March data');
      assert.equal(got.parentVersion, 1);
      assert.equal(got.tags.reference_data, 'data/train.csv', 'Show Drift reads its reference from this tag');
    });
  });

  it('moves the alias to a version with another signature, and says so', async () => {
    await mlops(['push', writeModel('sig-4', 41, 4), '--model', 'sig', '--alias', 'production']);
    const v = (await vscode.commands.executeCommand(COMMANDS.pushVersion, vscode.Uri.file(writeModel('sig-5', 42, 5)), {
      model: 'sig',
      alias: 'production',
    })) as ModelVersion;
    assert.deepEqual(v.aliases, ['production']);
    await withRegistry(REG, async (r) => {
      assert.equal((await r.getModel('sig')).aliases.production, 2);
      assert.deepEqual(
        (await r.history('sig')).map((e) => e.action),
        ['create-version', 'promote', 'create-version', 'promote'],
        'recorded as `mlops push --alias` records it',
      );
    });
    if (!uiAvailable) return;
    await vscode.commands.executeCommand('notifications.showList');
    await ui.waitFor(SEL.notificationRow, { hasText: 'differs from v1' });
    assert.match(
      await ui.text(SEL.notificationRow, { hasText: 'differs from v1' }),
      /input "input" float32\[batch,4\] → float32\[batch,5\]/,
    );
  });

  it('Edit Tags… sets and removes tags through the registry, and refuses a contradiction', async () => {
    await mlops(['push', writeModel('tags-1', 51), '--model', 'tagged', '--tag', 'team=risk', '--tag', 'stale=yes']);
    const v = (await vscode.commands.executeCommand(
      COMMANDS.editTags,
      { model: 'tagged', version: 1 },
      { set: { reference_data: 'data/train.csv' }, remove: ['stale'] },
    )) as ModelVersion;
    assert.deepEqual(v.tags, { team: 'risk', reference_data: 'data/train.csv' });
    const refused = await vscode.commands.executeCommand(
      COMMANDS.editTags,
      { model: 'tagged', version: 1 },
      { set: { team: 'ops' }, remove: ['team'] },
    );
    assert.equal(refused, undefined, 'reported at the command boundary');
    await withRegistry(REG, async (r) =>
      assert.deepEqual((await r.getVersion('tagged', 1)).tags, { team: 'risk', reference_data: 'data/train.csv' }),
    );
  });

  it('Show History and Compare With… open rendered, not as Markdown source', async () => {
    await mlops(['push', writeModel('render-1', 61), '--model', 'render', '--alias', 'production']);
    await mlops(['push', writeModel('render-2', 62), '--model', 'render', '--metric', 'auc=0.9']);
    for (const [cmd, args, name] of [
      [COMMANDS.showHistory, ['render'], 'render history'],
      [COMMANDS.compareWith, [{ model: 'render', version: 1 }, 2], 'render v1 ↔ v2'],
    ] as const) {
      const uri = await vscode.commands.executeCommand<string>(cmd, ...args);
      await waitForMarkdownPreview(name);
      assert.ok(
        !vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri),
        `${cmd}: the Markdown source is not shown`,
      );
    }
  });

  it("Roll Back's picker names the version the rollback moves to, past an archived holder", async function () {
    if (!uiAvailable) this.skip();
    for (const [i, seed] of [71, 72, 73].entries()) {
      await mlops(['push', writeModel(`rb-${i + 1}`, seed), '--model', 'rb', '--alias', 'production']);
    }
    await mlops(['promote', 'rb', '3', '--alias', 'staging']);
    await mlops(['archive', 'rb', '2']);
    const running = vscode.commands.executeCommand(COMMANDS.rollback, { model: 'rb', version: 3 });
    await ui.waitFor(SEL.quickInputRow, { hasText: '@production' });
    assert.match(await ui.text(SEL.quickInputRow, { hasText: '@production' }), /v3 → v1/, 'not the archived v2');
    assert.match(await ui.text(SEL.quickInputRow, { hasText: '@staging' }), /no earlier holder/);
    await ui.click(SEL.quickInputRow, { hasText: '@production' });
    await giveReason(''); // no reason
    await running;
    await withRegistry(REG, async (r) => assert.equal((await r.getModel('rb')).aliases.production, 1));
  });
});
