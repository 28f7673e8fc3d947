import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { WORKSPACE } from '../helpers/env';
import { api } from '../helpers/ext';
import { SEL, ui, uiAvailable } from '../helpers/ui';
import { waitFor } from '../../helpers/wait';

describe('welcome view', () => {
  it('explains what to do when there is no registry, and its button creates one', async function () {
    if (!uiAvailable) this.skip();
    const a = await api();
    assert.equal(existsSync(path.join(WORKSPACE, '.mlops')), false, 'the workspace starts without a registry');
    // Like a user: switch to the Explorer, then click the MLOps icon in the activity bar.
    await vscode.commands.executeCommand('workbench.view.explorer');
    await ui.click(SEL.activityBarItem('MLOps'));
    await waitFor('the registry state "missing"', () => a.registryState() === 'missing');
    await ui.waitFor(SEL.welcome, { hasText: 'There is no model registry here yet' });
    const text = await ui.text(SEL.welcome);
    assert.match(text, /Push a Model/);
    assert.match(text, /Create a Registry/);

    await ui.click(`${SEL.welcome} ${SEL.button}`, { hasText: 'Create a Registry' });
    await waitFor('the registry file', () => existsSync(path.join(WORKSPACE, '.mlops', 'registry.sqlite')));
    await waitFor('the registry state "empty"', () => a.registryState() === 'empty');
    await ui.waitFor(SEL.welcome, { hasText: 'The registry has no models yet' });
    assert.ok(a.coreLoadedAt() !== undefined, 'showing the view loaded the registry core');
  });
});
