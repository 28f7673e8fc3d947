import assert from 'node:assert/strict';
import type { ModelVersion } from '../../../src/core/registry/types';
import { compareMarkdown } from '../../../src/extension/render/compare';
import { versionMarkdown } from '../../../src/extension/render/version';

/** The tree tooltip / details and Compare With… on a version another MLflow client registered. */
const base: ModelVersion = {
  model: 'legacy',
  version: 1,
  status: 'active',
  description: '',
  tags: {},
  metrics: {},
  params: {},
  artifact: { sha256: null, size: null, fileName: '', source: 'runs:/abc/model' },
  signature: null,
  onnx: null,
  createdAt: Date.UTC(2026, 0, 1),
  createdBy: null,
  updatedAt: Date.UTC(2026, 0, 1),
  parentVersion: null,
  runId: 'abc',
  aliases: [],
};

describe('extension renderings of what the registry does not know', () => {
  it('the version tooltip says "unknown" for author, sha256, size and file, never 0 B or blank', () => {
    const md = versionMarkdown(base, Date.UTC(2026, 0, 2));
    assert.match(md, /by _unknown_/);
    assert.match(md, /sha256 _unknown_/);
    assert.match(md, /size _unknown_ · file _unknown_/);
    assert.doesNotMatch(md, /0 B|``/);
  });

  it('the tooltip of a recorded version shows its facts', () => {
    const known = {
      ...base,
      createdBy: 'alice',
      artifact: { sha256: 'ab'.repeat(32), size: 2048, fileName: 'model.onnx', source: 'mlflow-artifacts:/0/r' },
    };
    const md = versionMarkdown(known, Date.UTC(2026, 0, 2));
    assert.match(md, /by alice/);
    assert.match(md, new RegExp(`sha256 \`${'ab'.repeat(32)}\``));
    assert.match(md, /size 2\.0 KB · file `model\.onnx`/);
  });

  it('Compare With… shows "unknown" beside a recorded version', () => {
    const known = {
      ...base,
      version: 2,
      createdBy: 'alice',
      artifact: { sha256: 'cd'.repeat(32), size: 10, fileName: 'model.onnx', source: 'mlflow-artifacts:/0/r' },
    };
    const md = compareMarkdown(base, known);
    assert.match(md, /\| \*\*≠\*\* \| author \| unknown \| alice \|/);
    assert.match(md, /\| \*\*≠\*\* \| size \| unknown \| 10 B \|/);
    assert.match(md, /\| \*\*≠\*\* \| sha256 \| unknown \| cdcdcdcdcdcdcdcd \|/);
  });
});
