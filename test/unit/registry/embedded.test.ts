import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedRegistry } from '../../../src/core/registry/embedded/embeddedRegistry';
import { loadSqlJs } from '../../../src/core/registry/embedded/sqlite';
import { snapshot, tempDir, writeModel } from '../../helpers/tmp';
import { rejectsWith } from './contract';

const ctx = { actor: 'tester' };

describe('EmbeddedRegistry on disk', function () {
  this.timeout(30_000);
  let t: ReturnType<typeof tempDir>;
  let dir: string;
  let model: string;
  const opened: EmbeddedRegistry[] = [];
  const open = async (opts: Parameters<typeof EmbeddedRegistry.open>[1] = {}) => {
    const r = await EmbeddedRegistry.open(dir, opts);
    opened.push(r);
    return r;
  };

  beforeEach(() => {
    t = tempDir('mlops-emb-');
    dir = path.join(t.dir, '.mlops');
    model = writeModel(t.dir, 'model.onnx');
  });
  afterEach(async () => {
    for (const r of opened.splice(0)) await r.close();
    t.cleanup();
  });

  it("refuses to create models named with / or :, saying it is the embedded registry's rule (MLflow accepts them)", async () => {
    const reg = await open({ create: true });
    for (const name of ['team/churn', 'team:churn']) {
      await rejectsWith(
        reg.pushVersion({ filePath: model, model: name }, ctx),
        'INVALID_ARGUMENT',
        /embedded registry does not accept.*MLflow 2\.17 servers do/,
      );
      await rejectsWith(reg.createModel(name), 'INVALID_ARGUMENT', /embedded registry does not accept/);
    }
    assert.deepEqual((await reg.listModels()).items, []);
    await rejectsWith(reg.getModel('team/churn'), 'NOT_FOUND', /"team\/churn"/);
  });

  it('reads in the same process while changes are written never close the database under a change', async () => {
    // A read that sees the new file reloads it and closes the old in-memory copy; a change still holding
    // that copy after its write failed with "Database closed" (seen as a promote failing in VS Code).
    const reg = await open({ create: true });
    await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    for (let i = 0; i < 40; i++) {
      let writing = true;
      const reads = (async () => {
        while (writing) await reg.getModel('churn');
      })();
      const change = reg.promote('churn', 'production', 1 + (i % 2), ctx);
      await change.finally(() => (writing = false));
      await reads;
    }
    assert.equal((await reg.history('churn', { alias: 'production' })).length, 40);
  });

  it('stores the database and content-addressed artifacts in the documented layout', async () => {
    const reg = await open({ create: true });
    const v = await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    const sha = v.artifact.sha256;
    const artifact = path.join(dir, 'artifacts', 'sha256', sha.slice(0, 2), sha);
    assert.ok(existsSync(path.join(dir, 'registry.sqlite')));
    assert.deepEqual(readFileSync(artifact), readFileSync(model));
    // The same bytes pushed again share one stored file.
    await reg.pushVersion({ filePath: model, model: 'other' }, ctx);
    assert.equal(readdirSync(path.join(dir, 'artifacts', 'sha256', sha.slice(0, 2))).length, 1);
  });

  it('records its schema version in the database', async () => {
    await (await open({ create: true })).pushVersion({ filePath: model, model: 'churn' }, ctx);
    const SQL = await loadSqlJs();
    const db = new SQL.Database(readFileSync(path.join(dir, 'registry.sqlite')));
    assert.equal(db.exec("SELECT value FROM meta WHERE key = 'schema_version'")[0].values[0][0], '2');
    db.close();
  });

  it('upgrades a schema-1 registry (no push_key column) on its next change, keeping its versions', async () => {
    const first = await open({ create: true });
    await first.pushVersion({ filePath: model, model: 'churn' }, ctx);
    await first.close();
    // Back to what the previous release wrote: schema 1 had no push_key column.
    const SQL = await loadSqlJs();
    const file = path.join(dir, 'registry.sqlite');
    const old = new SQL.Database(readFileSync(file));
    old.exec(
      "DROP INDEX versions_push_key; ALTER TABLE versions DROP COLUMN push_key; UPDATE meta SET value = '1' WHERE key = 'schema_version'",
    );
    writeFileSync(file, Buffer.from(old.export()));
    old.close();
    const reg = await open();
    assert.equal((await reg.getVersion('churn', 1)).version, 1, 'readable before the upgrade');
    const a = await reg.pushVersion({ filePath: model, model: 'churn', idempotencyKey: 'ci-7' }, ctx);
    const b = await reg.pushVersion({ filePath: model, model: 'churn', idempotencyKey: 'ci-7' }, ctx);
    assert.deepEqual([a.version, b.version], [2, 2]);
    const db = new SQL.Database(readFileSync(file));
    assert.equal(db.exec("SELECT value FROM meta WHERE key = 'schema_version'")[0].values[0][0], '2');
    db.close();
  });

  it('says there is no registry rather than creating one when not asked to', async () => {
    await rejectsWith(open(), 'NOT_FOUND', /no registry at .*mlops init/);
    assert.equal(existsSync(dir), false);
  });

  it('sees changes made by another instance (another process, the CLI)', async () => {
    const a = await open({ create: true });
    const b = await open();
    await a.pushVersion({ filePath: model, model: 'churn' }, ctx);
    assert.equal((await b.listVersions('churn')).items.length, 1);
    await b.promote('churn', 'production', 1, ctx);
    assert.equal((await a.getModel('churn')).aliases.production, 1);
  });

  it('tells watchers about an outside change within a second', async () => {
    const a = await open({ create: true });
    const b = await open();
    let fired = 0;
    const w = a.watch(() => fired++);
    try {
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      await b.pushVersion({ filePath: model, model: 'churn' }, ctx);
      while (fired === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(fired > 0, 'the watcher fired');
      assert.ok(Date.now() - t0 < 1000, `fired after ${Date.now() - t0} ms`);
    } finally {
      w.dispose();
    }
  });

  it('detects a corrupted artifact on pull, on serving reads and in verify, naming the version', async () => {
    const reg = await open({ create: true });
    const v = await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    await reg.pushVersion({ filePath: writeModel(t.dir, 'b.onnx', { seed: 9 }), model: 'churn' }, ctx);
    const file = path.join(dir, 'artifacts', 'sha256', v.artifact.sha256.slice(0, 2), v.artifact.sha256);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    const dest = path.join(t.dir, 'out.onnx');
    await rejectsWith(reg.pullArtifact('churn', 1, dest), 'CORRUPT', /model "churn" version 1 is corrupt/);
    assert.equal(existsSync(dest), false, 'no partial file is left behind');
    await rejectsWith(reg.localArtifactPath('churn', 1), 'CORRUPT', /version 1/);
    const report = await reg.verify();
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.problems.map((p) => [p.model, p.version]),
      [['churn', 1]],
    );
    assert.match(report.problems[0].problem, /corrupt/);
    // Pushing the original file again repairs the stored copy.
    await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    assert.equal((await reg.verify()).ok, true);
  });

  it('refuses a registry file that is not a database and leaves it untouched', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'registry.sqlite'), 'this is not sqlite'.repeat(100));
    const before = snapshot(dir);
    await rejectsWith(open(), 'CORRUPT', /not a readable registry database/);
    await rejectsWith(open({ create: true }), 'CORRUPT', /Nothing was changed/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('refuses a SQLite database that is not a registry', async () => {
    const { mkdirSync } = await import('node:fs');
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE customers (id INTEGER)');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'registry.sqlite'), db.export());
    db.close();
    const before = snapshot(dir);
    await rejectsWith(open(), 'CORRUPT', /not an MLOps registry/);
    assert.deepEqual(snapshot(dir), before);
  });

  it('refuses a registry written by a newer version', async () => {
    await (await open({ create: true })).close();
    const SQL = await loadSqlJs();
    const file = path.join(dir, 'registry.sqlite');
    const db = new SQL.Database(readFileSync(file));
    db.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    writeFileSync(file, db.export());
    db.close();
    await rejectsWith(open(), 'INVALID_STATE', /newer MLOps Studio/);
  });

  it('breaks a lock left by a process that died', async () => {
    const reg = await open({ create: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    writeFileSync(
      path.join(dir, 'registry.lock'),
      JSON.stringify({ pid, host: os.hostname(), token: 'dead', time: Date.now() }),
    );
    const v = await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    assert.equal(v.version, 1);
    assert.equal(existsSync(path.join(dir, 'registry.lock')), false, 'the lock is released after the change');
  });

  it('waits for a live lock, then says who holds it', async () => {
    const reg = await open({ create: true, lockTimeoutMs: 300 });
    const lock = path.join(dir, 'registry.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: 'live', time: Date.now() }));
    const db = () => snapshot(dir)['registry.sqlite'];
    const before = db();
    const t0 = Date.now();
    assert.deepEqual((await reg.listModels()).items, [], 'reads do not wait for the lock');
    assert.ok(Date.now() - t0 < 250, `a read took ${Date.now() - t0} ms under a held lock`);
    await rejectsWith(
      reg.pushVersion({ filePath: model, model: 'churn' }, ctx),
      'LOCKED',
      new RegExp(`process ${process.pid}`),
    );
    // The artifact was stored before the lock was tried (a harmless orphan); the database is untouched.
    assert.equal(db(), before);
    assert.equal((await reg.listModels()).items.length, 0, 'nothing was registered');
  });

  it('refuses every change when opened read-only', async () => {
    await (await open({ create: true })).pushVersion({ filePath: model, model: 'churn' }, ctx);
    const ro = await open({ readOnly: true });
    const before = snapshot(dir);
    await rejectsWith(ro.promote('churn', 'production', 1, ctx), 'PERMISSION_DENIED', /read-only/);
    await rejectsWith(ro.pushVersion({ filePath: model, model: 'churn' }, ctx), 'PERMISSION_DENIED', /read-only/);
    assert.deepEqual(snapshot(dir), before);
    assert.equal((await ro.listVersions('churn')).items.length, 1, 'reads still work');
  });

  it('counts artifacts left behind by deletes as unreferenced, not as problems', async () => {
    const reg = await open({ create: true });
    await reg.pushVersion({ filePath: model, model: 'churn' }, ctx);
    await reg.deleteVersion('churn', 1, ctx);
    const r = await reg.verify();
    assert.equal(r.ok, true);
    assert.equal(r.orphanArtifacts, 1);
  });
});
