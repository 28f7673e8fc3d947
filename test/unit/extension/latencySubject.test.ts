import assert from 'node:assert/strict';
import path from 'node:path';
import {
  endpointSubject,
  predictionsRoot,
  restoredSubject,
  versionSubject,
} from '../../../src/extension/serving/latencySubject';
import { modelLogDir } from '../../../src/core/serving/predlog/layout';

const ROOT = path.join('/ws', '.mlops', 'predictions');

describe('what a Latency panel is about, and what comes back after a window reload', () => {
  it('a version panel comes back as the same panel on the same log', () => {
    const before = versionSubject('fraud', 3, ROOT);
    assert.deepEqual(before.about, { model: 'fraud', version: 3, title: 'fraud v3' });
    assert.deepEqual(restoredSubject(before.about, ROOT), before);
  });

  it("an endpoint's panel comes back on its model's whole log, under the endpoint's label, without live data", () => {
    const e = { id: 'e1', label: 'fraud@production', port: 5000, model: 'fraud', server: { logDir: ROOT } };
    const live = endpointSubject(e as Parameters<typeof endpointSubject>[0]);
    assert.equal(live.title, 'fraud@production :5000');
    assert.deepEqual(live.about, { model: 'fraud', version: null, title: 'fraud@production' });
    assert.deepEqual(restoredSubject(live.about, ROOT), {
      key: 'log:fraud',
      title: 'fraud@production',
      logDir: modelLogDir(ROOT, 'fraud'),
      about: live.about,
    });
  });

  it('a registry without a predictions folder (MLflow) leaves the restored panel without a log to read', () => {
    const mlflow = predictionsRoot({ kind: 'mlflow', location: 'http://127.0.0.1:5000' }, 'predictions');
    assert.equal(mlflow, undefined);
    assert.equal(restoredSubject({ model: 'fraud', version: 2, title: 'fraud v2' }, mlflow).logDir, undefined);
    assert.equal(predictionsRoot({ kind: 'embedded', location: '/ws/.mlops' }, 'predictions'), ROOT);
  });
});
