import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import { WORKSPACE } from '../helpers/env';
import { api, models, setSetting, showModelsView, waitForTree } from '../helpers/ext';
import { withRegistry } from '../helpers/fixtures';
import { SEL, ui, uiAvailable } from '../helpers/ui';
import { waitFor } from '../../helpers/wait';

const REG = `${WORKSPACE}/.mlops`;

/** The notification center's rows containing `text` (with the smoke-test driver on, toasts land there). */
async function notification(text: string): Promise<string> {
  await vscode.commands.executeCommand('notifications.showList');
  await ui.waitFor(SEL.notificationRow, { hasText: text });
  return ui.text(SEL.notificationRow, { hasText: text });
}

async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await vscode.commands.executeCommand('notifications.hideList');
}

describe('errors', () => {
  afterEach(clearNotifications);

  it('a corrupt registry file: one sentence with "Show Log", which opens the log with the details', async function () {
    const a = await api();
    const dir = path.join(WORKSPACE, 'registries', 'corrupt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'registry.sqlite'),
      'this is not a SQLite database, it was overwritten by a bad merge\n'.repeat(20),
    );
    await showModelsView();
    await setSetting('registry.uri', 'registries/corrupt');
    try {
      await waitFor('the error state', () => a.registryState() === 'error');
      const sentence = /registry\.sqlite is not a readable registry database \(.+\)\.$/;
      assert.match(a.problem() ?? '', sentence);
      assert.equal((a.problem() ?? '').split(/\.\s/).length, 1, 'one sentence');
      // The view's only row is that sentence; clicking it opens the log.
      const rows = await waitForTree('the problem row', async () => {
        const r = await a.treeChildren();
        return r.length === 1 && r[0].kind === 'problem' ? r : undefined;
      });
      assert.match(String(a.treeItem(rows[0]).label), sentence);
      if (!uiAvailable) this.skip();
      await ui.waitFor(SEL.row, { hasText: 'is not a readable registry database' });
      const shown = await notification('is not a readable registry database');
      assert.match(shown, /Show Log/);

      await ui.click(`${SEL.notificationRow} ${SEL.button}`, { hasText: 'Show Log' });
      await ui.waitFor(SEL.panel, { hasText: 'CORRUPT' });
      // The output view wraps long lines and renders spaces as no-break spaces.
      const log = (await ui.text(SEL.panel)).replace(/\n/g, '').replace(/\u00a0/g, ' ');
      assert.match(log, /\[error\] \[Opening the registry\] CORRUPT: .*is not a readable registry database/);
      assert.match(log, /Restore it from a backup/, 'the hint is in the log');
      await vscode.commands.executeCommand('workbench.action.closePanel');
    } finally {
      await setSetting('registry.uri', undefined);
    }
    await waitForTree('the workspace registry again', async () => (await models(a)).some((m) => m.name === 'churn'));
    assert.equal(a.problem(), undefined);
  });

  it('a command on a registry it cannot use reports the error instead of throwing', async function () {
    const bad = path.join(WORKSPACE, 'models', 'not-a-model.onnx');
    writeFileSync(bad, 'plain text, not protobuf');
    const r = await vscode.commands.executeCommand(COMMANDS.pushVersion, undefined, {
      file: bad,
      model: 'bad',
      metrics: '',
      alias: '',
    });
    assert.equal(r, undefined);
    await withRegistry(REG, async (reg) =>
      assert.equal(
        (await reg.listModels()).items.some((m) => m.name === 'bad'),
        false,
      ),
    );
    if (!uiAvailable) this.skip();
    const shown = await notification('not-a-model.onnx');
    assert.match(shown, /Show Log/);
  });

  it('bad input is refused with a clear sentence: a reserved alias, a file that is not .onnx', async function () {
    const before = await withRegistry(REG, (reg) => reg.history('churn'));
    assert.equal(
      await vscode.commands.executeCommand(
        COMMANDS.promote,
        { model: 'churn', version: 2 },
        { alias: 'latest', reason: '' },
      ),
      undefined,
    );
    assert.equal(
      await vscode.commands.executeCommand(COMMANDS.pushVersion, undefined, {
        file: path.join(WORKSPACE, 'notes.txt'),
        model: 'x',
      }),
      undefined,
    );
    assert.deepEqual(await withRegistry(REG, (reg) => reg.history('churn')), before);
    if (!uiAvailable) this.skip();
    assert.match(await notification('reserved'), /The alias "latest" is reserved/);
    assert.match(await notification('notes.txt'), /notes\.txt is not an \.onnx file\./);
  });
});
