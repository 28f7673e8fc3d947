import assert from 'node:assert/strict';
import { mlops } from '../helpers/cli';
import { setSetting } from '../helpers/ext';
import { SEL, ui, uiAvailable } from '../helpers/ui';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';

describe('status bar', () => {
  before(function () {
    if (!uiAvailable) this.skip();
  });

  it('shows which version of mlops.statusBar.model serves production, live, and reveals it on click', async () => {
    await setSetting('statusBar.model', 'churn');
    try {
      await ui.waitFor(SEL.statusBarItem, { hasText: 'churn@production v1' });
      await mlops(['promote', 'churn', '2', '--alias', 'production', '--reason', 'status bar test']);
      const t0 = Date.now();
      await ui.waitFor(SEL.statusBarItem, { hasText: 'churn@production v2', timeoutMs: 3000 });
      assert.ok(Date.now() - t0 < 1500, `the status bar followed in ${Date.now() - t0} ms`);

      await ui.click(SEL.statusBarItem, { hasText: 'churn@production v2' });
      await ui.waitFor(`${SEL.rowByLabel('churn version 2,')}.selected`);
    } finally {
      await setSetting('statusBar.model', undefined);
    }
    // Without the setting it follows the model last used: the click above selected churn's row.
    await ui.waitFor(SEL.statusBarItem, { hasText: 'churn@production v2' });
  });

  it('by default follows the model last selected in the Models view', async () => {
    await vscode.commands.executeCommand(COMMANDS.revealVersion, 'by-ext', 2);
    await ui.waitFor(SEL.statusBarItem, { hasText: 'by-ext@production v2' });
    await vscode.commands.executeCommand(COMMANDS.revealVersion, 'churn', 1);
    await ui.waitFor(SEL.statusBarItem, { hasText: 'churn@production v2' });
    assert.equal(await ui.count(SEL.statusBarItem, { hasText: 'by-ext@' }), 0);
  });
});
