import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ServeResult } from '../../../src/extension/serving/commands';
import { COMMANDS } from '../../../src/extension/ids';
import { mlops } from '../helpers/cli';
import { writeModel } from '../helpers/fixtures';
import { request } from '../../helpers/http';

const infer = (port: number) =>
  request('POST', `http://127.0.0.1:${port}/v2/models/${MODEL}/infer`, {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] }],
  });

const MODEL = 'left-running';

/**
 * The last test of the suite: it leaves two endpoints running and records their ports. When the suite
 * ends, VS Code closes the extension host and the driver (driver/codeServerDriver.ts) closes the window
 * while code-server keeps running, then fails the run if anything still listens on those ports.
 */
describe('window close', function () {
  this.timeout(60_000);

  it('leaves two endpoints running for the driver to check after the window closes', async function () {
    const record = process.env.MLOPS_E2E_LEFT_RUNNING;
    if (!record) return this.skip(); // not run through runTest.js's main suite
    await mlops(['push', writeModel(`${MODEL}-1`, 41), '--model', MODEL, '--alias', 'production']);
    const byAlias = await vscode.commands.executeCommand<ServeResult>(COMMANDS.serveLocally, {
      model: MODEL,
      alias: 'production',
    });
    const byVersion = await vscode.commands.executeCommand<ServeResult>(COMMANDS.serveLocally, {
      model: MODEL,
      version: 1,
    });
    assert.ok(byAlias && byVersion && byAlias.port !== byVersion.port, 'two endpoints on two ports');
    for (const e of [byAlias, byVersion]) assert.equal((await infer(e.port)).status, 200, `${e.label} answers`);
    writeFileSync(record, JSON.stringify({ ports: [byAlias.port, byVersion.port] }));
  });
});
