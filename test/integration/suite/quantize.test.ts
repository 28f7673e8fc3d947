import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/extension/ids';
import type { QuantizeOptions, QuantizeResult } from '../../../src/extension/optimize/quantizeCommand';
import { mlops } from '../helpers/cli';
import { WORKSPACE } from '../helpers/env';
import { api, versions, waitForTree } from '../helpers/ext';
import { withRegistry, writeModel } from '../helpers/fixtures';

const REG = `${WORKSPACE}/.mlops`;

async function quantize(model: string, opts: QuantizeOptions): Promise<{ r: QuantizeResult; text: string }> {
  const r = await vscode.commands.executeCommand<QuantizeResult>(
    COMMANDS.quantizeVersion,
    { model, version: 1 },
    { batch: 8, generatedData: true, ...opts },
  );
  assert.ok(r, 'the command returned a result');
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.document);
  assert.ok(doc, 'the report document is open');
  assert.equal(doc.uri.scheme, 'mlops', 'read-only (the mlops: content provider), not an untitled document');
  assert.equal(doc.isDirty, false);
  const text = doc.getText();
  assert.ok(text.startsWith(`# Quantize models:/${model}/1 (int8)`), text.slice(0, 80));
  assert.match(text, /\| \*\*source\*\* \|/);
  assert.match(text, r.report.verdict.keep ? /\*\*Kept:\*\*/ : /\*\*Not worth it:\*\*/);
  return { r, text };
}

/** The registry holds what the verdict says: the kept model as v2 with its lineage, or nothing new. */
async function assertRegistryMatches(model: string, { r, text }: { r: QuantizeResult; text: string }): Promise<void> {
  const all = await withRegistry(REG, async (reg) => (await reg.listVersions(model, { maxResults: 10 })).items);
  const m = await withRegistry(REG, (reg) => reg.getModel(model));
  assert.deepEqual(m.aliases, { production: 1 }, 'no alias moved');
  if (!r.report.verdict.keep) {
    assert.equal(r.report.registered, undefined);
    assert.deepEqual(
      all.map((v) => v.version),
      [1],
      'not worth it: nothing registered',
    );
    assert.match(text, /Nothing registered\./);
    return;
  }
  assert.equal(r.report.registered?.uri, `models:/${model}/2`);
  const v2 = all.find((v) => v.version === 2);
  assert.ok(v2, 'the kept model is version 2');
  assert.equal(v2.parentVersion, 1);
  assert.equal(v2.tags['mlops.optimized_from'], `models:/${model}/1`);
  assert.match(v2.tags['mlops.optimization'], /^int8-dynamic-/);
  assert.equal(
    v2.metrics.speedup,
    r.report.candidates.find((c) => c.optimization === r.report.chosen)?.speedup.serving,
  );
  assert.ok(text.includes(`Registered **models:/${model}/2**`));
  const a = await api();
  const row = await waitForTree('the quantized version', async () =>
    (await versions(a, model)).find((e) => e.version === 2),
  );
  assert.match(String(a.treeItem(row).description), /^int8 · \d+\.\d× of v1 · /);
}

/**
 * Quantize (int8)… end to end in a real VS Code on a real model measured with onnxruntime. Whether int8
 * wins depends on this CPU, so the first test asserts that the registry matches the verdict the report
 * states; the second sets a rule that keeps any accurate result, so the kept path always runs too.
 */
describe('quantize from VS Code', () => {
  before(async () => {
    for (const model of ['quantize-me', 'quantize-kept'])
      await mlops(['push', writeModel(model, 31, 16), '--model', model, '--alias', 'production']);
  });

  it('opens a report and registers exactly what the verdict says (default rule)', async function () {
    this.timeout(180_000);
    const out = await quantize('quantize-me', {});
    console.log(`    verdict on this CPU: ${out.r.report.verdict.sentence}`);
    await assertRegistryMatches('quantize-me', out);
  });

  it('a kept model is pushed as v2 with lineage tags and shows "int8 · n× of v1" in the tree', async function () {
    this.timeout(180_000);
    const out = await quantize('quantize-kept', { minSpeedup: 0, maxAccuracyDrop: 0.5 });
    assert.equal(out.r.report.verdict.keep, true, out.r.report.verdict.sentence);
    await assertRegistryMatches('quantize-kept', out);
  });
});
