import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import { WORKSPACE } from '../helpers/env';
import { api, versions, waitForTree } from '../helpers/ext';
import { withRegistry } from '../helpers/fixtures';
import { SEL, ui, uiAvailable } from '../helpers/ui';

const REG = `${WORKSPACE}/.mlops`;

/**
 * runTest.ts seeded the workspace registry (churn v1, v2 @production after v1) and opened the folder
 * with workspace trust on and not granted: VS Code runs the extension in restricted mode.
 */
describe('untrusted workspace (restricted mode)', () => {
  it('browses the registry, which is open read-only', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the folder is untrusted');
    const a = await api();
    await vscode.commands.executeCommand('workbench.view.extension.mlops');
    const vs = await waitForTree('churn v2 and v1', async () => {
      const list = await versions(a, 'churn');
      return list.length === 2 ? list : undefined;
    });
    assert.deepEqual(
      vs.map((v) => [v.version, v.data.aliases]),
      [
        [2, ['production']],
        [1, []],
      ],
    );
  });

  it('refuses changes with one sentence and changes nothing', async function () {
    const before = await withRegistry(REG, (r) => r.history('churn'));
    const promoted = await vscode.commands.executeCommand(
      COMMANDS.promote,
      { model: 'churn', version: 1 },
      { alias: 'production', reason: '' },
    );
    const rolled = await vscode.commands.executeCommand(
      COMMANDS.rollback,
      { model: 'churn', version: 2 },
      { alias: 'production', reason: '' },
    );
    const cleaned = await vscode.commands.executeCommand(COMMANDS.cleanUpArtifacts, { confirm: true, graceMs: 0 });
    assert.equal(promoted, undefined);
    assert.equal(rolled, undefined);
    assert.equal(cleaned, undefined);
    assert.deepEqual(await withRegistry(REG, (r) => r.history('churn')), before);
    if (!uiAvailable) this.skip();
    await vscode.commands.executeCommand('notifications.showList');
    await ui.waitFor(SEL.notificationRow, { hasText: 'is open read-only' });
    const shown = await ui.text(SEL.notificationRow, { hasText: 'is open read-only' });
    assert.match(shown, /Manage Workspace Trust/);
    assert.match(shown, /Show Log/);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('offers no change in the context menu of a version', async function () {
    if (!uiAvailable) this.skip();
    await ui.click(SEL.rowByLabel('churn'));
    const row = SEL.rowByLabel('churn version 2,');
    await ui.waitFor(row);
    await ui.click(row, { button: 'right' });
    await ui.waitFor(SEL.contextMenu, { hasText: 'Compare With…' });
    const menu = await ui.text(SEL.contextMenu);
    await ui.press('Escape');
    for (const shown of ['Compare With…', 'Show History', 'Show Details', 'Copy Model URI'])
      assert.ok(menu.includes(shown), `${shown} missing:\n${menu}`);
    for (const hidden of ['Promote…', 'Roll Back', 'Archive', 'Delete…'])
      assert.ok(!menu.includes(hidden), `${hidden} offered:\n${menu}`);
  });
});
