import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import type { QuantizeResult } from '../../../src/extension/optimize/quantizeCommand';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { api, versions, waitForTree } from '../helpers/ext';
import { withRegistry, writeModel } from '../helpers/fixtures';

const REG = `${WORKSPACE}/.mlops`;
const MODEL = 'quantize-me';

/**
 * Quantize (int8)… end to end in a real VS Code: the command measures a real model with onnxruntime and
 * either registers the kept model with its lineage (no alias moved) or registers nothing. Which one
 * depends on this CPU, so the test asserts that the registry matches the verdict the report states.
 */
describe('quantize from VS Code', () => {
  before(async () => {
    await mlops(['push', writeModel('quantize-src', 31, 16), '--model', MODEL, '--alias', 'production']);
  });

  it('opens a report and registers exactly what the verdict says, with lineage in the tree', async function () {
    this.timeout(180_000);
    const r = await vscode.commands.executeCommand<QuantizeResult>(
      COMMANDS.quantizeVersion,
      { model: MODEL, version: 1 },
      { batch: 8, generatedData: true },
    );
    assert.ok(r, 'the command returned a result');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
    assert.ok(doc, 'the report document is open');
    const text = doc.getText();
    assert.match(text, /^# Quantize models:\/quantize-me\/1 \(int8\)/m);
    assert.match(text, /\| \*\*source\*\* \|/);
    assert.match(text, r.report.verdict.keep ? /\*\*Kept:\*\*/ : /\*\*Not worth it:\*\*/);

    const all = await withRegistry(REG, async (reg) => (await reg.listVersions(MODEL, { maxResults: 10 })).items);
    const model = await withRegistry(REG, (reg) => reg.getModel(MODEL));
    assert.deepEqual(model.aliases, { production: 1 }, 'no alias moved');
    if (r.report.verdict.keep) {
      assert.equal(r.report.registered?.uri, `models:/${MODEL}/2`);
      const v2 = all.find((v) => v.version === 2);
      assert.ok(v2, 'the kept model is version 2');
      assert.equal(v2.parentVersion, 1);
      assert.equal(v2.tags['mlops.optimized_from'], `models:/${MODEL}/1`);
      assert.match(v2.tags['mlops.optimization'], /^int8-dynamic-/);
      assert.ok(v2.metrics.speedup >= 1.1);
      assert.match(text, /Registered \*\*models:\/quantize-me\/2\*\*/);
      const a = await api();
      const row = await waitForTree('the quantized version', async () =>
        (await versions(a, MODEL)).find((e) => e.version === 2),
      );
      assert.match(String(a.treeItem(row).description), /^int8 · \d+\.\d× of v1 · /);
    } else {
      assert.equal(r.report.registered, undefined);
      assert.deepEqual(
        all.map((v) => v.version),
        [1],
        'not worth it: nothing registered',
      );
      assert.match(text, /Nothing registered\./);
    }
  });
});
