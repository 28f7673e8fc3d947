import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { mlops } from '../helpers/cli';
import { SCREENSHOTS, WORKSPACE } from '../helpers/env';
import { api, models, setSetting, treeSettled, waitForTree } from '../helpers/ext';
import { withRegistry, writeModel } from '../helpers/fixtures';
import { giveReason, SEL, ui, uiAvailable } from '../helpers/ui';
import { waitFor } from '../../helpers/wait';

const DEMO = path.join(WORKSPACE, 'registries', 'demo');
const V2 = SEL.rowByLabel('churn-classifier version 2,');

/** A registry that reads well in the README screenshot. */
async function seedDemo(): Promise<void> {
  const reg = ['--registry', 'registries/demo'];
  const m = 'churn-classifier';
  await mlops([
    'push',
    writeModel('cc-1', 41, 12),
    '--model',
    m,
    '--metric',
    'auc=0.912',
    '--metric',
    'f1=0.81',
    '--alias',
    'production',
    ...reg,
  ]);
  await mlops([
    'push',
    writeModel('cc-2', 42, 12),
    '--model',
    m,
    '--metric',
    'auc=0.934',
    '--metric',
    'f1=0.83',
    '--parent',
    '1',
    ...reg,
  ]);
  await mlops(['promote', m, '2', '--alias', 'production', '--reason', 'better AUC on the March holdout', ...reg]);
  await mlops([
    'push',
    writeModel('cc-3', 43, 12),
    '--model',
    m,
    '--metric',
    'auc=0.941',
    '--metric',
    'f1=0.84',
    '--parent',
    '2',
    '--alias',
    'staging',
    ...reg,
  ]);
  await mlops([
    'push',
    writeModel('fd-1', 44, 30),
    '--model',
    'fraud-detector',
    '--metric',
    'auc=0.887',
    '--alias',
    'production',
    ...reg,
  ]);
}

async function openContextMenuOnV2(): Promise<string> {
  await ui.click(V2, { button: 'right' });
  await ui.waitFor(SEL.contextMenu, { hasText: 'Promote…' });
  return ui.text(SEL.contextMenu);
}

/**
 * Clicks a context-menu item like a user: point at it, then click. A menu that has only just opened can
 * swallow the first click (VS Code ignores clicks while it lays the menu out), so a click that leaves
 * the menu open is repeated once, as a user would.
 */
async function chooseMenuItem(label: string): Promise<void> {
  await ui.hover(SEL.menuItem, { hasText: label });
  await ui.click(SEL.menuItem, { hasText: label });
  try {
    await ui.waitFor(SEL.contextMenu, { state: 'hidden', timeoutMs: 1500 });
  } catch {
    await ui.click(SEL.menuItem, { hasText: label });
  }
}

describe('clicking through the Models view like a user', () => {
  before(async function () {
    if (!uiAvailable) this.skip();
    await seedDemo();
    await setSetting('registry.uri', 'registries/demo');
    const a = await api();
    await waitForTree('the demo registry', async () => (await models(a)).length === 2);
  });

  after(async () => {
    await setSetting('registry.uri', undefined);
  });

  it('activity bar icon → model → right-click a version → Promote… and Roll Back, checked in the registry', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.view.explorer');
    await ui.click(SEL.activityBarItem('MLOps'));
    // A wider side bar, so the screenshot shows whole rows: drag its edge as a user would.
    const bar = await ui.box(SEL.sidebar);
    if (bar && bar.width < 420) {
      const y = bar.y + bar.height / 2;
      await ui.drag([bar.x + bar.width + 1, y], [bar.x + 440, y]);
    }
    await ui.click(SEL.rowByLabel('churn-classifier'));
    await ui.waitFor(V2);
    await ui.click(V2);

    const menu = await openContextMenuOnV2();
    for (const item of [
      'Promote…',
      'Roll Back',
      'Compare With…',
      'Show History',
      'Show Details',
      'Copy Model URI',
      'Delete…',
    ]) {
      assert.ok(menu.includes(item), `the context menu lacks ${item}:\n${menu}`);
    }
    assert.ok(!menu.includes('Archive'), 'a version that serves an alias cannot be archived, so it is not offered');
    await ui.screenshot(path.join(SCREENSHOTS, 'models-context-menu.png'));

    // Promote… → the alias quick pick → @staging → a reason.
    await chooseMenuItem('Promote…');
    await ui.waitFor(SEL.quickInputRow, { hasText: '@staging' });
    const choices = await ui.text(SEL.quickInput);
    assert.match(choices, /@production[\s\S]*already points here/);
    assert.match(choices, /@staging[\s\S]*now v3/);
    assert.match(choices, /New alias…/);
    await ui.click(SEL.quickInputRow, { hasText: '@staging' });
    await giveReason('validated on the April holdout');
    await waitFor('staging on v2', () =>
      withRegistry(DEMO, async (r) => (await r.getModel('churn-classifier')).aliases.staging === 2),
    );
    const promoted = (await withRegistry(DEMO, (r) => r.history('churn-classifier'))).at(-1);
    assert.deepEqual(
      [
        promoted?.action,
        promoted?.alias,
        promoted?.fromVersion,
        promoted?.toVersion,
        promoted?.reason,
        promoted?.actor,
      ],
      ['promote', 'staging', 3, 2, 'validated on the April holdout', 'e2e-tester'],
    );

    // Roll Back: v2 now holds production and staging, so it asks which alias.
    await ui.waitFor(V2, { hasText: '@production @staging' });
    await treeSettled(await api());
    await openContextMenuOnV2();
    await chooseMenuItem('Roll Back');
    await ui.waitFor(SEL.quickInputRow, { hasText: '@production' });
    assert.match(await ui.text(SEL.quickInputRow, { hasText: '@production' }), /v2 → v1/);
    await ui.click(SEL.quickInputRow, { hasText: '@production' });
    await giveReason('latency regression in canary');
    await waitFor('production back on v1', () =>
      withRegistry(DEMO, async (r) => (await r.getModel('churn-classifier')).aliases.production === 1),
    );
    const rolled = (await withRegistry(DEMO, (r) => r.history('churn-classifier'))).at(-1);
    assert.deepEqual(
      [rolled?.action, rolled?.alias, rolled?.fromVersion, rolled?.toVersion, rolled?.reason],
      ['rollback', 'production', 2, 1, 'latency regression in canary'],
    );
    await ui.waitFor(SEL.rowByLabel('churn-classifier version 1,'), { hasText: '@production' });
  });
});
