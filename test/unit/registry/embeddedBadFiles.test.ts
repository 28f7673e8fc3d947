import assert from 'node:assert/strict';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMlopsError } from '../../../src/core/errors';
import { assertWholeDatabase } from '../../../src/core/registry/embedded/dbFile';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { snapshot, tempDir, writeModel } from '../../helpers/tmp';

const ctx = { actor: 'tester' };

/**
 * The embedded registry's database file changing under an open registry (another process, a bad disk,
 * a hand edit): an open registry must never fall back to an empty database, and gc must never act on one.
 */
describe('EmbeddedRegistry: a database file that vanishes or breaks under an open registry', function () {
  this.timeout(30_000);
  let t: ReturnType<typeof tempDir>;
  let dir: string;
  let db: string;
  let reg: EmbeddedRegistry;

  beforeEach(async () => {
    t = tempDir('mlops-badfile-');
    dir = path.join(t.dir, '.mlops');
    db = path.join(dir, 'registry.sqlite');
    reg = await EmbeddedRegistry.open(dir, { create: true });
    await reg.pushVersion({ filePath: writeModel(t.dir, 'a.onnx', { seed: 1 }), model: 'churn' }, ctx);
    await reg.deleteVersion('churn', 1, ctx); // its file is now unreferenced: gc may remove it, nothing else
    await reg.pushVersion({ filePath: writeModel(t.dir, 'b.onnx', { seed: 2 }), model: 'churn' }, ctx);
  });
  afterEach(async () => {
    await reg.close().catch(() => undefined);
    t.cleanup();
  });

  it('removed after open: reads, writes and gc fail with NOT_FOUND, and nothing is created or deleted', async () => {
    rmSync(db);
    const before = snapshot(dir);
    const notFound = (e: unknown) => isMlopsError(e, 'NOT_FOUND') && /registry\.sqlite is missing/.test(e.message);
    await assert.rejects(reg.listModels(), notFound);
    await assert.rejects(reg.collectGarbage({ graceMs: 0 }), notFound);
    await assert.rejects(reg.promote('churn', 'production', 2, ctx), notFound);
    assert.deepEqual(snapshot(dir), before);
  });

  it('emptied after open: gc refuses and both stored files stay', async () => {
    writeFileSync(db, '');
    const before = snapshot(dir);
    await assert.rejects(reg.collectGarbage({ graceMs: 0 }), (e: unknown) => isMlopsError(e, 'CORRUPT'));
    await assert.rejects(reg.verify(), (e: unknown) => isMlopsError(e, 'CORRUPT'));
    assert.deepEqual(snapshot(dir), before);
  });

  it('a healthy registry: gc removes exactly the unreferenced file', async () => {
    const r = await reg.collectGarbage({ graceMs: 0 });
    assert.equal(r.removed.length, 1);
    assert.equal(r.referenced, 1);
  });

  it('assertWholeDatabase accepts what sql.js writes and refuses every shorter cut of it', async () => {
    const bytes = readFileSync(db);
    assertWholeDatabase(bytes, db);
    for (const n of [0, 1, 15, 16, 99, 100, 4095, 4096, bytes.length - 1]) {
      assert.throws(
        () => assertWholeDatabase(bytes.subarray(0, n), db),
        (e: unknown) => isMlopsError(e, 'CORRUPT'),
        `a cut at ${n} bytes`,
      );
    }
    truncateSync(db, bytes.length - 4096);
    await assert.rejects(
      reg.listModels(),
      (e: unknown) => isMlopsError(e, 'CORRUPT') && /is truncated/.test(e.message),
    );
  });
});
