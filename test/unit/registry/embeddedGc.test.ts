import assert from 'node:assert/strict';
import { existsSync, promises as fsp, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { ArtifactStore } from '../../../src/core/registry/embedded/artifactStore';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { snapshot, tempDir, writeModel } from '../../helpers/tmp';
import { rejectsWith } from './contract';

const ctx = { actor: 'tester' };
const HOUR = 3_600_000;

/** `mlops gc` on real files: what it removes, what it must never remove, and a push racing it. */
describe('EmbeddedRegistry garbage collection', function () {
  this.timeout(30_000);
  let t: ReturnType<typeof tempDir>;
  let dir: string;
  let reg: EmbeddedRegistry;
  const artifact = (sha: string) => path.join(dir, 'artifacts', 'sha256', sha.slice(0, 2), sha);
  /** Makes a stored file look last written `ms` ago. */
  const age = (sha: string, ms: number) =>
    utimesSync(artifact(sha), new Date(Date.now() - ms), new Date(Date.now() - ms));

  beforeEach(async () => {
    t = tempDir('mlops-gc-');
    dir = path.join(t.dir, '.mlops');
    reg = await EmbeddedRegistry.open(dir, { create: true });
  });
  afterEach(async () => {
    await reg.close();
    t.cleanup();
  });

  it('removes the artifact of a deleted version once past the grace period, and nothing in use', async () => {
    const v1 = await reg.pushVersion({ filePath: writeModel(t.dir, 'a.onnx', { seed: 1 }), model: 'churn' }, ctx);
    const v2 = await reg.pushVersion({ filePath: writeModel(t.dir, 'b.onnx', { seed: 2 }), model: 'churn' }, ctx);
    const v3 = await reg.pushVersion({ filePath: writeModel(t.dir, 'c.onnx', { seed: 3 }), model: 'churn' }, ctx);
    await reg.setVersionStatus('churn', 3, 'archived', ctx); // archived is still in use: it can be restored
    await reg.deleteVersion('churn', 2, ctx);
    for (const v of [v1, v2, v3]) age(v.artifact.sha256, 2 * HOUR);
    const history = await reg.history('churn');

    const r = await reg.collectGarbage({ graceMs: HOUR });
    assert.deepEqual(r.removed, [{ sha256: v2.artifact.sha256, size: v2.artifact.size }]);
    assert.deepEqual([r.bytesFreed, r.referenced, r.keptRecent, r.dryRun], [v2.artifact.size, 2, 0, false]);
    assert.equal(existsSync(artifact(v2.artifact.sha256)), false);
    const verify = await reg.verify();
    assert.deepEqual([verify.ok, verify.orphanArtifacts, verify.artifactsChecked], [true, 0, 2]);
    assert.deepEqual(await reg.history('churn'), history, 'gc records nothing and changes no row');
    await reg.setVersionStatus('churn', 3, 'active', ctx);
    assert.ok((await reg.localArtifactPath('churn', 3)).endsWith(v3.artifact.sha256));
  });

  it('keeps an unreferenced artifact younger than the grace period (a push may be under way)', async () => {
    await reg.pushVersion({ filePath: writeModel(t.dir, 'a.onnx', { seed: 1 }), model: 'churn' }, ctx);
    await reg.deleteVersion('churn', 1, ctx);
    const before = snapshot(dir);
    const r = await reg.collectGarbage({ graceMs: HOUR });
    assert.deepEqual([r.removed.length, r.keptRecent], [0, 1]);
    assert.deepEqual(snapshot(dir), before);
  });

  it('a dry run reports what it would remove and removes nothing, even on a read-only registry', async () => {
    const v = await reg.pushVersion({ filePath: writeModel(t.dir, 'a.onnx', { seed: 1 }), model: 'churn' }, ctx);
    await reg.deleteVersion('churn', 1, ctx);
    age(v.artifact.sha256, 2 * HOUR);
    const before = snapshot(dir);
    const ro = await EmbeddedRegistry.open(dir, { readOnly: true });
    try {
      const r = await ro.collectGarbage({ graceMs: HOUR, dryRun: true });
      assert.deepEqual(
        [r.dryRun, r.removed.map((a) => a.sha256), r.bytesFreed],
        [true, [v.artifact.sha256], v.artifact.size],
      );
      await rejectsWith(ro.collectGarbage({ graceMs: HOUR }), 'PERMISSION_DENIED', /read-only/);
    } finally {
      await ro.close();
    }
    assert.deepEqual(snapshot(dir), before);
  });

  it('puts back a file a push stored again while gc was removing it (same bytes, now needed)', async () => {
    const file = writeModel(t.dir, 'a.onnx', { seed: 1 });
    const v = await reg.pushVersion({ filePath: file, model: 'churn' }, ctx);
    await reg.deleteVersion('churn', 1, ctx);
    const sha = v.artifact.sha256;
    age(sha, 2 * HOUR);
    // Interleaving injection, not a double: between gc's look at the old file and its rename aside,
    // another process's push stores the same model again (its first step, done before it waits for
    // the lock gc holds to write its row, which then refers to this file without looking again).
    const realRename = fsp.rename;
    let injected = false;
    fsp.rename = async (from, to) => {
      if (!injected && String(from) === artifact(sha)) {
        injected = true;
        fsp.rename = realRename;
        await new ArtifactStore(path.join(dir, 'artifacts')).put(readFileSync(file), sha);
      }
      return realRename(from, to);
    };
    let r;
    try {
      r = await reg.collectGarbage({ graceMs: HOUR });
    } finally {
      fsp.rename = realRename;
    }
    assert.ok(injected, 'the push stored its file in the middle of gc');
    assert.deepEqual([r.removed.length, r.keptRecent], [0, 1]);
    assert.deepEqual(readFileSync(artifact(sha)), readFileSync(file), 'the pushed file is in place');
    assert.deepEqual(await fsp.readdir(path.join(dir, 'artifacts', 'tmp')), [], 'nothing left aside');
  });

  it('a push whose stored file vanished before it got the lock stores it again before its row', async () => {
    const file = writeModel(t.dir, 'a.onnx', { seed: 1 });
    const sha = (await reg.pushVersion({ filePath: file, model: 'churn' }, ctx)).artifact.sha256;
    await reg.deleteVersion('churn', 1, ctx);
    // Interleaving injection: as soon as the push has renamed its file into place, the file goes away
    // (what a gc that ran between the push's store and its commit would do to an identical orphan).
    const realRename = fsp.rename;
    let taken = false;
    fsp.rename = async (from, to) => {
      await realRename(from, to);
      if (!taken && String(to) === artifact(sha)) {
        taken = true;
        fsp.rename = realRename;
        await fsp.rm(artifact(sha));
      }
    };
    try {
      await reg.pushVersion({ filePath: file, model: 'churn' }, ctx);
    } finally {
      fsp.rename = realRename;
    }
    assert.ok(taken, 'the file was taken between the store and the commit');
    assert.deepEqual(readFileSync(artifact(sha)), readFileSync(file));
    const verify = await reg.verify();
    assert.equal(verify.ok, true, JSON.stringify(verify.problems));
  });

  it('refuses a grace period that is not a duration', async () => {
    await rejectsWith(reg.collectGarbage({ graceMs: Number.NaN }), 'INVALID_ARGUMENT', /grace period/);
  });
});
