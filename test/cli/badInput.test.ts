import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildMlp } from '../builders/mlpBuilder';
import { mlopsJson, runMlops, runNode, type CliResult } from '../helpers/cli';
import { snapshot, tempDir, writeModel } from '../helpers/tmp';
import { portableCli } from './portableCli';

/**
 * Every bad input gets exit code 1, one sentence on stderr saying what is wrong and what to do, and
 * leaves the registry byte-for-byte as it was.
 */
describe('mlops CLI: bad input is refused clearly and changes nothing', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  let reg: string;
  const mlops = (...args: string[]) => runMlops(args, { cwd: t.dir, env: { MLOPS_REGISTRY: reg } });

  /** Runs the command, expects exit 1 with `pattern`, and an untouched registry. */
  async function refused(args: string[], pattern: RegExp): Promise<CliResult> {
    const before = snapshot(reg);
    const r = await mlops(...args);
    assert.equal(r.code, 1, `mlops ${args.join(' ')} should exit 1; stdout: ${r.stdout} stderr: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /^error: /);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for user errors');
    assert.deepEqual(snapshot(reg), before, `mlops ${args.join(' ')} changed the registry`);
    return r;
  }

  beforeEach(async () => {
    t = tempDir('mlops-bad-');
    reg = path.join(t.dir, '.mlops');
    const a = writeModel(t.dir, 'a.onnx', { seed: 1 });
    await mlopsJson(['push', a, '--model', 'churn', '--metric', 'auc=0.9'], t.dir, { MLOPS_REGISTRY: reg });
    await mlopsJson(['push', a, '--model', 'churn'], t.dir, { MLOPS_REGISTRY: reg });
  });
  afterEach(() => {
    chmodSync(reg, 0o755);
    t.cleanup();
  });

  describe('model files that are not valid ONNX', () => {
    it('empty', async () => {
      writeFileSync(path.join(t.dir, 'empty.onnx'), '');
      await refused(['push', 'empty.onnx', '--model', 'churn'], /empty\.onnx is not a valid ONNX model: it is empty/);
    });
    it('random bytes', async () => {
      writeFileSync(
        path.join(t.dir, 'random.onnx'),
        Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 2654435761) >>> 24)),
      );
      await refused(['push', 'random.onnx', '--model', 'churn'], /random\.onnx is not a valid ONNX model/);
    });
    it('truncated', async () => {
      const full = buildMlp({ inputDim: 8, hidden: [64], outputDim: 2 });
      writeFileSync(path.join(t.dir, 'cut.onnx'), full.subarray(0, full.length >> 1));
      await refused(['push', 'cut.onnx', '--model', 'churn'], /cut\.onnx is not a valid ONNX model: .*truncated/);
    });
    it('a directory', async () => {
      mkdirSync(path.join(t.dir, 'dir.onnx'));
      await refused(['push', 'dir.onnx', '--model', 'churn'], /dir\.onnx is a directory/);
    });
    it('missing', async () => {
      await refused(['push', 'nope.onnx', '--model', 'churn'], /There is no file at .*nope\.onnx/);
    });
  });

  it('unknown model, version and alias', async () => {
    await refused(['versions', 'nope'], /no model named "nope".*mlops models/);
    await refused(['show', 'models:/churn/9'], /has no version 9/);
    await refused(['show', 'models:/churn@production'], /has no alias "production".*mlops promote/);
    await refused(['promote', 'churn', '9', '--alias', 'production'], /has no version 9/);
    await refused(['promote', 'churn', 'two', '--alias', 'production'], /"two" is not a version number/);
    await refused(['archive', 'nope', '1'], /no model named "nope"/);
    await refused(['pull', 'models:/churn/7', '-o', 'x.onnx'], /has no version 7/);
  });

  it('a URI that does not parse is a usage error (exit 2), as the README says', async () => {
    const before = snapshot(reg);
    const cases: [string[], RegExp][] = [
      [['show', 'churn/1'], /"churn\/1" is not a model URI.*models:\//],
      [['pull', 'models:/churn'], /names no version or alias/],
      [['show', 'models:/churn/one'], /"one" in "models:\/churn\/one" is not a version number/],
      [['models', '--registry', 'ftp://host/reg'], /uses a scheme MLOps Studio does not know/],
      [['versions', 'churn', '--registry', 'http://[::1'], /is not a valid URL/],
      [['init', '--registry', 'file://remote-host/x'], /is not a valid file: URI/],
    ];
    for (const [args, pattern] of cases) {
      const r = await mlops(...args);
      assert.equal(r.code, 2, `mlops ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.match(r.stderr, /\nUsage: mlops /);
      const j = await mlops(...args, '--json');
      assert.equal(j.code, 2);
      assert.equal((JSON.parse(j.stderr) as { error: { code: string } }).error.code, 'USAGE');
    }
    assert.deepEqual(snapshot(reg), before);
  });

  it('reserved or invalid alias names and invalid model names', async () => {
    await refused(['promote', 'churn', '1', '--alias', 'latest'], /"latest" is reserved/);
    await refused(['promote', 'churn', '1', '--alias', 'v2'], /"v2" is reserved/);
    await refused(['promote', 'churn', '1', '--alias', 'prod env'], /not valid: only letters, digits/);
    await refused(['push', 'a.onnx', '--model', 'team/churn'], /contains '\/' or ':'/);
    await refused(['push', 'a.onnx', '--model', 'churn:v2'], /contains '\/' or ':'/);
    await refused(['push', 'a.onnx', '--model', '..'], /The model name "\.\." is only dots/);
    await refused(
      ['push', 'a.onnx', '--model', 'churn', '--run-id', 'ci-1\nv9 promoted'],
      /The run id "ci-1\\nv9 promoted" is not valid: it must be 1-250 printable characters/,
    );
  });

  it('promoting an archived version', async () => {
    assert.equal((await mlops('archive', 'churn', '1')).code, 0);
    await refused(
      ['promote', 'churn', '1', '--alias', 'production'],
      /version 1 of model "churn" is archived.*mlops restore churn 1/i,
    );
  });

  it('archiving a version that holds an alias', async () => {
    assert.equal((await mlops('promote', 'churn', '2', '--alias', 'production')).code, 0);
    await refused(['archive', 'churn', '2'], /holds @production.*Move the alias first/);
  });

  it('rollback with no history', async () => {
    await refused(['rollback', 'churn', '--alias', 'production'], /"production" of model "churn" is not set/);
    assert.equal((await mlops('promote', 'churn', '1', '--alias', 'production')).code, 0);
    await refused(['rollback', 'churn', '--alias', 'production'], /no earlier holder/);
  });

  it('a corrupted artifact: pull and verify say which version', async () => {
    const v = await mlopsJson<{ artifact: { sha256: string } }>(
      ['push', writeModel(t.dir, 'c.onnx', { seed: 3 }), '--model', 'churn'],
      t.dir,
      { MLOPS_REGISTRY: reg },
    );
    const file = path.join(reg, 'artifacts', 'sha256', v.artifact.sha256.slice(0, 2), v.artifact.sha256);
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[100] ^= 0x01; // one bit
    writeFileSync(file, bytes);
    await refused(['pull', 'models:/churn/3', '-o', 'out.onnx'], /model "churn" version 3 is corrupt/);
    const verify = await mlops('verify');
    assert.equal(verify.code, 1);
    assert.match(verify.stdout, /PROBLEMS/);
    assert.match(verify.stdout, /churn v3: artifact is corrupt/);
    assert.doesNotMatch(verify.stdout, /churn v[12]:/);
  });

  it('a negative number after an option is its value, refused with the range (was: "argument is ambiguous")', async () => {
    for (const [args, message] of [
      [['versions', 'churn', '--limit', '-1'], /--limit expects a whole number, got "-1"/],
      [['gc', '--grace', '-1h'], /--grace "-1h" is not a duration/],
    ] as const) {
      const r = await mlops(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /ambiguous/);
    }
  });

  it('gc with a grace period that is not a duration, or extra arguments', async () => {
    for (const [grace, message] of [
      ['soon', /--grace "soon" is not a duration\. Write a number and a unit/],
      ['0s', /--grace "0s" is zero\. Give a duration longer than zero/],
    ] as const) {
      const before = snapshot(reg);
      const r = await mlops('gc', '--grace', grace);
      assert.equal(r.code, 2, `a flag value that does not parse is a usage error: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: mlops gc/);
      assert.deepEqual(snapshot(reg), before);
    }
    const extra = await mlops('gc', 'everything');
    assert.equal(extra.code, 2, extra.stderr);
  });

  it('a registry file that is not a database', async () => {
    const db = path.join(reg, 'registry.sqlite');
    writeFileSync(db, Buffer.alloc(8192, 0x41));
    await refused(['models'], /registry\.sqlite is not a readable registry database/);
    await refused(['push', 'a.onnx', '--model', 'churn'], /not a readable registry database/);
    await refused(['verify'], /not a readable registry database/);
  });

  it('a registry folder without write permission', async () => {
    // Root ignores permission bits, so run the CLI as an unprivileged user when we are root.
    // That user may not reach the checkout (a clone in root's 0700 home), so it runs a copy of the CLI.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const cli = portableCli(t.dir);
    chmodSync(reg, 0o555);
    chmodSync(t.dir, 0o777);
    const runAs = (args: string[]) => runNode([cli, ...args], { cwd: t.dir, env: { MLOPS_REGISTRY: reg }, ...asUser });
    const run = async (args: string[], pattern: RegExp) => {
      const before = snapshot(reg);
      const r = await runAs(args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.deepEqual(snapshot(reg), before);
    };
    await run(
      ['promote', 'churn', '1', '--alias', 'production'],
      /Cannot write to the registry at .*permission denied.*--registry/,
    );
    await run(['push', path.join(t.dir, 'a.onnx'), '--model', 'churn'], /permission denied/);
    await run(['gc', '--grace', '1s'], /Cannot write to the registry at .*permission denied/);
    const list = await runAs(['versions', 'churn', '--json']);
    assert.equal(list.code, 0, `reads still work: ${list.stderr}`);
  });
});
