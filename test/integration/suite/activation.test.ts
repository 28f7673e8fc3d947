import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS, VIEWS } from '../../../src/extension/ids';
import { api, packageJson } from '../helpers/ext';

interface Contributed {
  commands: { command: string }[];
  menus: Record<string, { command: string }[]>;
}

describe('activation', () => {
  it('activates without opening the registry or loading sql.js / the ONNX reader / onnxruntime', async () => {
    const a = await api();
    assert.ok(a, 'activate() returned the API (activation did not fail)');
    assert.equal(a.coreLoadedAt(), undefined, 'the registry core was loaded at activation');
    assert.ok(a.activationMs < 1000, `activation took ${a.activationMs} ms`);
    const native = Object.keys(require.cache).filter((k) => /onnxruntime/.test(k));
    assert.deepEqual(native, [], 'onnxruntime was loaded');
    assert.equal(vscode.env.appName.length > 0, true);
  });

  it('registers exactly the commands package.json contributes, and the ids module names them all', async () => {
    const contributed = (packageJson().contributes as unknown as Contributed).commands.map((c) => c.command).sort();
    // VS Code adds focus/reset commands for each view ("mlops.models.focus"): not ours to declare.
    const registered = (await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('mlops.') && !Object.values(VIEWS).some((v) => c.startsWith(`${v}.`)))
      .sort();
    assert.deepEqual(
      registered,
      contributed,
      'registered mlops.* commands differ from package.json contributes.commands',
    );
    assert.deepEqual(Object.values(COMMANDS).sort(), contributed, 'src/extension/ids.ts differs from package.json');
  });

  it('every menu item names a contributed command', () => {
    const c = packageJson().contributes as unknown as Contributed;
    const ids = new Set(c.commands.map((x) => x.command));
    const dangling = Object.entries(c.menus).flatMap(([menu, items]) =>
      items.filter((i) => !ids.has(i.command)).map((i) => `${menu}: ${i.command}`),
    );
    assert.deepEqual(dangling, []);
  });
});
