import assert from 'node:assert/strict';
import path from 'node:path';
import { hasReason, MlopsError } from '../../../src/core/errors';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { MlflowRegistry } from '../../../src/core/registry/mlflow/mlflowRegistry';
import { fixFor } from '../../../src/extension/errorFixes';
import { tempDir, writeModel } from '../../helpers/tmp';
import { startMlflowDouble } from '../../mlflowDouble/mlflowServerDouble';

/**
 * The extension's error actions and its "no registry yet" state are decided on codes and reasons, not on
 * wording (issue 8, point 5): each case comes from the real place that throws it, and a reworded message
 * (or a look-alike with another cause) must not change the decision.
 */
async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

describe('error actions decided on codes and reasons', function () {
  this.timeout(30_000);
  let t: { dir: string; cleanup: () => void };
  beforeEach(() => (t = tempDir('mlops-errfix-')));
  afterEach(() => t.cleanup());

  it('a change to a read-only registry offers Manage Workspace Trust, whatever the sentence says', async () => {
    const dir = path.join(t.dir, '.mlops');
    await (await EmbeddedRegistry.open(dir, { create: true })).close();
    const ro = await EmbeddedRegistry.open(dir, { readOnly: true });
    try {
      const e = await caught(
        ro.pushVersion({ filePath: writeModel(t.dir, 'm.onnx'), model: 'churn' }, { actor: 'alice' }),
      );
      assert.ok(hasReason(e, 'READ_ONLY_REGISTRY'), String(e));
      assert.equal(fixFor(e), 'manageTrust');
    } finally {
      await ro.close();
    }
    const reworded = new MlopsError('PERMISSION_DENIED', 'Changes are off here.', undefined, {
      reason: 'READ_ONLY_REGISTRY',
    });
    assert.equal(fixFor(reworded), 'manageTrust');
    // A file system that refuses writes says "read-only" too, but trust would not fix it.
    const fsDenied = new MlopsError('PERMISSION_DENIED', 'Cannot write /mnt/x: the file system is read-only.');
    assert.equal(fixFor(fsDenied), undefined);
  });

  it('an MLflow 403 offers Connect to MLflow…; a local permission error does not', async () => {
    const server = await startMlflowDouble();
    const cache = tempDir('mlops-errfix-cache-');
    const reg = await MlflowRegistry.open(server.url, {
      env: {},
      cacheDir: cache.dir,
      timeoutMs: 5_000,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    try {
      server.inject({ kind: 'forbidden-text', path: 'registered-models/search' });
      const e = await caught(reg.listModels());
      assert.ok(e instanceof MlopsError && e.code === 'PERMISSION_DENIED', String(e));
      assert.ok(hasReason(e, 'SERVER_DENIED'));
      assert.equal(fixFor(e), 'connectMlflow');
    } finally {
      await reg.close();
      await server.close();
      cache.cleanup();
    }
    assert.equal(fixFor(new MlopsError('UNAUTHENTICATED', 'Who are you?')), 'connectMlflow');
    assert.equal(fixFor(new MlopsError('PERMISSION_DENIED', 'EACCES (403) on /srv/registry.')), undefined);
    assert.equal(fixFor(new MlopsError('REMOTE', 'The server said (403).')), undefined);
  });

  it('a registry that is not there yet is told apart by its reason, not by "no registry at"', async () => {
    const missing = path.join(t.dir, 'nothing-here');
    for (const opts of [{}, { create: true, readOnly: true }]) {
      const e = await caught(EmbeddedRegistry.open(missing, opts));
      assert.ok(e instanceof MlopsError && e.code === 'NOT_FOUND');
      assert.ok(hasReason(e, 'NO_REGISTRY'), 'the Models view shows its "create a registry" welcome on this');
    }
    assert.ok(!hasReason(new MlopsError('NOT_FOUND', 'There is no registry at the end of this road.'), 'NO_REGISTRY'));
    assert.equal(fixFor(new MlopsError('CORRUPT', 'Broken.')), 'selectRegistry');
    assert.equal(fixFor(new Error('a bug')), undefined);
  });
});
