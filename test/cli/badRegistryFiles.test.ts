import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSqlJs } from '../../src/core/registry/embedded/sqlite';
import { mlopsJson, runMlops, type CliResult } from '../helpers/cli';
import { snapshot, tempDir, writeModel } from '../helpers/tmp';

/**
 * A registry whose files were damaged or replaced by something else: every command refuses with one
 * sentence naming the file (never "unexpected failure"), and nothing is deleted, created or rewritten.
 * The worst case before: a zero-length registry.sqlite read as an empty registry, so `mlops gc` removed
 * every stored model file.
 */
describe('mlops CLI: a damaged registry is an error for every command, and gc deletes nothing', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempDir>;
  let reg: string;
  let db: string;
  const mlops = (...args: string[]) => runMlops(args, { cwd: t.dir, env: { MLOPS_REGISTRY: reg } });

  /** Every command, reading or writing; gc with no grace, so before the fix it removed everything. */
  const EVERY_COMMAND = [
    ['models'],
    ['versions', 'churn'],
    ['show', 'models:/churn/1'],
    ['history', 'churn'],
    ['push', 'a.onnx', '--model', 'churn'],
    ['promote', 'churn', '1', '--alias', 'production'],
    ['archive', 'churn', '1'],
    ['delete', 'churn', '1', '--yes'],
    ['pull', 'models:/churn/1', '-o', 'out.onnx'],
    ['verify'],
    ['gc', '--grace', '1s'],
    ['init'],
  ];

  async function refused(args: string[], pattern: RegExp): Promise<CliResult> {
    const before = snapshot(reg);
    const r = await mlops(...args);
    assert.equal(r.code, 1, `mlops ${args.join(' ')} should exit 1; stdout: ${r.stdout} stderr: ${r.stderr}`);
    assert.match(r.stderr, pattern, `mlops ${args.join(' ')}`);
    assert.doesNotMatch(r.stderr, /unexpected failure|please report/);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.deepEqual(snapshot(reg), before, `mlops ${args.join(' ')} changed the registry`);
    return r;
  }

  /** Rewrites the registry database with `sql` applied (as a hand edit or a bad disk would). */
  async function editDatabase(sql: string): Promise<void> {
    const SQL = await loadSqlJs();
    const d = new SQL.Database(readFileSync(db));
    d.run(sql);
    writeFileSync(db, d.export());
    d.close();
  }

  beforeEach(async () => {
    t = tempDir('mlops-badreg-');
    reg = path.join(t.dir, '.mlops');
    db = path.join(reg, 'registry.sqlite');
    await mlopsJson(['push', writeModel(t.dir, 'a.onnx', { seed: 1 }), '--model', 'churn'], t.dir, {
      MLOPS_REGISTRY: reg,
    });
    await mlopsJson(['push', writeModel(t.dir, 'b.onnx', { seed: 2 }), '--model', 'churn'], t.dir, {
      MLOPS_REGISTRY: reg,
    });
  });
  afterEach(() => t.cleanup());

  it('a zero-length registry.sqlite: every command refuses, naming the file; the model files stay', async () => {
    const stored = Object.keys(snapshot(path.join(reg, 'artifacts'))).length;
    assert.equal(stored, 2);
    writeFileSync(db, '');
    for (const args of EVERY_COMMAND) await refused(args, /registry\.sqlite is empty \(0 bytes\).*backup/);
    assert.equal(statSync(db).size, 0, 'never created over');
    assert.equal(Object.keys(snapshot(path.join(reg, 'artifacts'))).length, stored, 'gc removed model files');
  });

  it('a truncated registry.sqlite (cut at a page boundary or mid-page) is refused by every command', async () => {
    const full = statSync(db).size;
    for (const size of [full - 4096, 1000, 50]) {
      truncateSync(db, size);
      for (const args of EVERY_COMMAND) await refused(args, /registry\.sqlite is truncated/);
    }
  });

  it('a SQLite file without the registry schema is not read as an empty registry', async () => {
    rmSync(db);
    execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(require.resolve('sql.js'))})().then((S) => { const d = new S.Database(); d.run('PRAGMA user_version = 7'); d.run('CREATE TABLE x(a)'); d.run('DROP TABLE x'); require('fs').writeFileSync(${JSON.stringify(db)}, d.export()); })`,
    ]);
    for (const args of [['models'], ['verify'], ['gc', '--grace', '1s'], ['push', 'a.onnx', '--model', 'c']])
      await refused(args, /is a SQLite database but not an MLOps registry/);
  });

  it('a registry row holding garbage JSON: reads name the file and the row, verify reports it, gc refuses', async () => {
    await editDatabase(`UPDATE versions SET tags = '{"a": tru' WHERE version = 1`);
    await refused(['versions', 'churn'], /registry\.sqlite holds a damaged value: the tags of model "churn" version 1/);
    await refused(['show', 'models:/churn/1'], /the tags of model "churn" version 1 is not valid JSON/);
    const show2 = await mlops('show', 'models:/churn/2');
    assert.equal(show2.code, 0, `an intact row still reads: ${show2.stderr}`);
    const verify = await mlops('verify');
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, /PROBLEMS/);
    assert.match(verify.stdout, /churn v1: the tags of model "churn" version 1 is not valid JSON/);
    await refused(['gc', '--grace', '1s'], /gc refuses to run: .*registry\.sqlite has 1 damaged row value/);

    await editDatabase(`UPDATE versions SET tags = '{}', signature = '[1,2]' WHERE version = 1`);
    const verify2 = await mlops('verify', '--json');
    assert.equal(verify2.code, 1);
    const report = JSON.parse(verify2.stdout) as { problems: { model: string; version: number; problem: string }[] };
    assert.deepEqual(
      report.problems.map((p) => [p.model, p.version]),
      [['churn', 1]],
    );
    assert.match(report.problems[0].problem, /signature .* is not a JSON object/);
  });

  it('the artifact folder is a file: push, pull and verify name it', async () => {
    rmSync(path.join(reg, 'artifacts'), { recursive: true, force: true });
    writeFileSync(path.join(reg, 'artifacts'), 'not a folder');
    const named = /\.mlops[/\\]artifacts is a file, but the registry keeps its model files in a folder there/;
    await refused(['push', 'a.onnx', '--model', 'churn'], named);
    await refused(['pull', 'models:/churn/1', '-o', 'out.onnx'], named);
    await refused(['verify'], named);
  });

  it('the lock file is a folder: writes name it, reads still work', async () => {
    mkdirSync(path.join(reg, 'registry.lock'));
    await refused(
      ['promote', 'churn', '1', '--alias', 'production'],
      /registry\.lock is a folder, not the registry's lock file/,
    );
    await refused(['push', 'a.onnx', '--model', 'churn'], /registry\.lock is a folder/);
    assert.equal((await mlops('versions', 'churn')).code, 0);
  });

  it('registry.sqlite is a folder or a FIFO: refused at once (a FIFO used to block forever)', async () => {
    rmSync(db);
    mkdirSync(db);
    await refused(['models'], /registry\.sqlite is a folder, not the registry's database file/);
    rmSync(db, { recursive: true });
    execFileSync('mkfifo', [db]);
    const r = await mlops('models');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /registry\.sqlite is not a regular file, not the registry's database file/);
  });

  it('the registry location is a file', async () => {
    const f = path.join(t.dir, 'plain.txt');
    writeFileSync(f, 'x');
    const r = await runMlops(['push', 'a.onnx', '--model', 'churn', '--registry', f], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /plain\.txt is a file, not a registry folder/);
    assert.equal(readFileSync(f, 'utf8'), 'x');
  });
});
