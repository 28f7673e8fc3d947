import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import { mlops } from '../helpers/cli';
import { REPO, WORKSPACE } from '../helpers/env';
import { api } from '../helpers/ext';
import { writeModel } from '../helpers/fixtures';
import { waitFor } from '../../helpers/wait';

const DATA = path.join(WORKSPACE, 'data');

/** The drift panel in the real VS Code: opened by the commands, fed by the host, drawn by its webview. */
describe('drift panel', () => {
  const ref = path.join(DATA, 'reference.csv');
  const cur = path.join(DATA, 'current.csv');

  before(() => {
    mkdirSync(DATA, { recursive: true });
    copyFileSync(path.join(REPO, 'test', 'fixtures', 'drift', 'small_reference.csv'), ref);
    copyFileSync(path.join(REPO, 'test', 'fixtures', 'drift', 'small_current.csv'), cur);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens beside the editor from the command and its webview draws every feature', async () => {
    const a = await api();
    const opened = await vscode.commands.executeCommand(COMMANDS.driftCompare, {
      reference: vscode.Uri.file(ref),
      current: vscode.Uri.file(cur),
    });
    assert.ok(opened, 'the command returned the files it compared');
    const p = await waitFor(
      'the drift webview to draw its result',
      () => a.driftPanels().find((x) => x.current === cur && x.renderedRows !== undefined),
      30_000,
    );
    assert.equal(p.ready, true, 'the webview completed the ready handshake');
    const header = readFileSync(ref, 'utf8').split('\n')[0].split(',');
    // Every column but the timestamp is a feature, and the webview's table shows each as a row.
    assert.equal(p.features, header.length - 1);
    assert.equal(p.renderedRows, p.features);
    assert.match(p.title, /^Drift: current\.csv vs reference\.csv$/);
  });

  it('refreshes by itself when the current data file changes', async () => {
    const a = await api();
    const before = a.driftPanels().find((x) => x.current === cur);
    assert.ok(before?.renderedAt);
    const lines = readFileSync(cur, 'utf8').trim().split('\n').slice(1, 200);
    appendFileSync(cur, lines.map((l) => l.replace(/^\d+,/, '95,')).join('\n') + '\n');
    const after = await waitFor(
      'a second result after the file changed',
      () => a.driftPanels().find((x) => x.current === cur && x.renderedAt !== before.renderedAt),
      20_000,
    );
    assert.equal(after.renderedRows, before.renderedRows);
  });

  it("follows the drift: section of the workspace's mlops.yaml, and says what is wrong with a broken one", async () => {
    const a = await api();
    const yaml = path.join(WORKSPACE, 'mlops.yaml');
    const shown = () => a.driftPanels().find((x) => x.current === cur);
    try {
      writeFileSync(yaml, 'drift:\n  features:\n    age: { ignore: true }\n');
      await waitFor('the panel to drop the ignored feature', () => shown()?.renderedRows === 8, 20_000);
      writeFileSync(yaml, 'drift:\n  features:\n    age: { ignore: true\n');
      await waitFor(
        'the panel to report the broken file',
        () => /mlops\.yaml, line \d+/.test(shown()?.error ?? ''),
        20_000,
      );
    } finally {
      rmSync(yaml, { force: true });
    }
    await waitFor(
      'all features again without the file',
      () => shown()?.renderedRows === 9 && shown()?.error === undefined,
      20_000,
    );
  });

  it("a workspace-wide drift.timestamp that this dataset lacks does not break its panel; a dataset's own does apply", async () => {
    const a = await api();
    const yaml = path.join(WORKSPACE, 'mlops.yaml');
    const shown = () => a.driftPanels().find((x) => x.current === cur && x.model === undefined);
    const before = shown()?.renderedAt;
    try {
      writeFileSync(yaml, 'drift:\n  timestamp: not_in_this_data\n  ttl: 1d\n');
      await waitFor(
        "a result despite the other dataset's timestamp",
        () => shown()?.renderedAt !== before && shown()?.renderedRows === 9 && shown()?.error === undefined,
        20_000,
      );
      writeFileSync(
        yaml,
        'drift:\n  timestamp: not_in_this_data\n  datasets:\n    data/current.csv: { timestamp: nope, ttl: 1d }\n',
      );
      await waitFor(
        "the dataset's own (wrong) timestamp to be reported",
        () => /there is no timestamp column "nope"/.test(shown()?.error ?? ''),
        20_000,
      );
    } finally {
      rmSync(yaml, { force: true });
    }
    await waitFor('the panel to recover', () => shown()?.error === undefined && shown()?.renderedRows === 9, 20_000);
  });

  it('opens from a model version that names its reference data, and says so when it names none', async () => {
    const model = writeModel('drift-model', 31);
    await mlops([
      'push',
      model,
      '--model',
      'with-data',
      '--tag',
      'reference_data=data/reference.csv',
      '--tag',
      'current_data=data/current.csv',
    ]);
    await mlops(['push', model, '--model', 'without-data']);
    const res = (await vscode.commands.executeCommand(COMMANDS.showDrift, { model: 'with-data', version: 1 })) as
      { reference: string; current: string } | undefined;
    assert.equal(res?.reference, vscode.Uri.file(ref).toString());
    assert.equal(res?.current, vscode.Uri.file(cur).toString());
    const forModel = await waitFor(
      'the panel of with-data v1',
      async () =>
        (await api()).driftPanels().find((x) => x.model?.name === 'with-data' && x.renderedRows !== undefined),
      30_000,
    );
    assert.match(forModel.title, /^Drift: with-data v1 \(current\.csv vs reference\.csv\)$/);
    const none = await vscode.commands.executeCommand(COMMANDS.showDrift, { model: 'without-data', version: 1 });
    assert.equal(none, undefined, 'the command stops with its error sentence');
  });
});
