import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runQuantize } from '../../../src/core/optimize';
import type { QuantizeReport } from '../../../src/core/optimize/types';
import type { ModelVersion } from '../../../src/core/registry/types';
import { lineageText, quantizeReportMarkdown } from '../../../src/extension/render/quantize';
import { versionDescription } from '../../../src/extension/render/version';
import { buildMlp } from '../../builders/mlpBuilder';
import { tempDir } from '../../helpers/tmp';

/** The Quantize command's report document and the lineage a quantized version shows in the Models tree. */
const base: ModelVersion = {
  model: 'fraud',
  version: 4,
  status: 'active',
  description: '',
  tags: {},
  metrics: { auc: 0.91 },
  params: {},
  artifact: { sha256: null, size: 1000, fileName: 'model.onnx', source: 'x' },
  signature: null,
  onnx: null,
  createdAt: Date.UTC(2026, 0, 1),
  createdBy: null,
  updatedAt: Date.UTC(2026, 0, 1),
  parentVersion: null,
  runId: null,
  aliases: [],
};
const NOW = Date.UTC(2026, 0, 1, 2);

describe('quantize in the extension: report and lineage text', () => {
  let report: QuantizeReport;
  before(async function () {
    this.timeout(120_000);
    // A real comparison (onnxruntime sessions in workers) on a small classifier file, no registry.
    const t = tempDir('mlops-qrender-');
    try {
      const file = path.join(t.dir, 'm.onnx');
      writeFileSync(file, buildMlp({ inputDim: 6, hidden: [16, 16], outputDim: 3, softmax: true, seed: 3 }));
      report = await runQuantize({
        source: file,
        cwd: t.dir,
        registry: () => Promise.reject(new Error('no registry in this test')),
        mode: 'int8',
        rule: { minSpeedup: 1.1 },
        servingBatch: 8,
        actor: 'tester',
        measure: { rounds: 10, budgetMs: 300, warmup: 1 },
      });
    } finally {
      t.cleanup();
    }
  });

  it('the report shows source and candidates side by side, the verdict sentence, CPU flags and batch sizes', () => {
    const md = quantizeReportMarkdown(report);
    assert.match(md, /^# Quantize .*m\\?\.onnx \(int8\)/m);
    assert.ok(md.includes(report.verdict.sentence.replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`)));
    assert.match(md, report.verdict.keep ? /\*\*Kept:\*\*/ : /\*\*Not worth it:\*\*/);
    assert.match(md, /\| model \| size \| p50 b1 \| p99 b1 \| p50 b8 \| p99 b8 \|/);
    assert.match(md, /\| \*\*source\*\* \|/);
    for (const c of report.candidates) assert.ok(md.includes(`\`${c.optimization}\``), c.optimization);
    assert.match(md, /AVX2 (yes|no), AVX512 (yes|no), VNNI (yes|no)/);
    assert.match(md, /top-1 \d+\.\d\d%/);
    assert.match(md, /\d+% of source/);
    assert.match(md, /Nothing registered\.|Kept, but not registered\./);
  });

  it('a registered result names the new version and says no alias moved', () => {
    const md = quantizeReportMarkdown({
      ...report,
      verdict: { ...report.verdict, keep: true },
      registered: { model: 'fraud', version: 5, uri: 'models:/fraud/5' },
    });
    assert.match(md, /Registered \*\*models:\/fraud\/5\*\* .*no alias moved\./);
    assert.doesNotMatch(md, /Nothing registered/);
  });

  it('a quantized version reads "int8 · 2.3× of v3" in the tree instead of its key metric', () => {
    const q: ModelVersion = {
      ...base,
      tags: { 'mlops.optimized_from': 'models:/fraud/3', 'mlops.optimization': 'int8-dynamic-s8-per-channel' },
      metrics: { latency_p50_ms: 0.4, speedup: 2.345 },
      parentVersion: 3,
      aliases: ['staging'],
    };
    assert.equal(lineageText(q), 'int8 · 2.3× of v3');
    assert.equal(versionDescription(q, 'auc', NOW), '@staging · int8 · 2.3× of v3 · 2 h ago');
  });

  it('lineage from another model or a file names it; without a speedup metric there is no ×', () => {
    const other = { ...base, tags: { 'mlops.optimized_from': 'models:/churn/7', 'mlops.optimization': 'int8-x' } };
    assert.equal(lineageText({ ...other, metrics: {} }), 'int8 of churn v7');
    const file = { ...base, tags: { 'mlops.optimized_from': 'model.onnx' }, metrics: { speedup: 1.5 } };
    assert.equal(lineageText(file), 'optimized · 1.5× of model.onnx');
  });

  it('a version without the lineage tag keeps its usual description', () => {
    assert.equal(lineageText(base), undefined);
    assert.equal(versionDescription(base, 'auc', NOW), 'auc 0.91 · 2 h ago');
  });
});
