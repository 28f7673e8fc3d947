import assert from 'node:assert/strict';
import { mlopsJson, runMlops } from '../helpers/cli';
import { tempDir, writeModel } from '../helpers/tmp';

/** `mlops tag` and the signature warning of `mlops push --alias` (issue 8, point 6), as child processes. */
describe('mlops tag and the push --alias signature warning', function () {
  this.timeout(60_000);
  let t: { dir: string; cleanup: () => void };
  beforeEach(() => (t = tempDir('mlops-cli-tag-')));
  afterEach(() => t.cleanup());

  const mlops = (...args: string[]) => runMlops(args, { cwd: t.dir });

  it("sets and removes a version's tags, leaving the others, by version or alias URI", async () => {
    const model = writeModel(t.dir, 'm.onnx');
    await mlopsJson(['push', model, '--model', 'churn', '--tag', 'team=risk', '--alias', 'production'], t.dir);

    const set = await mlopsJson<{ tags: Record<string, string> }>(
      ['tag', 'models:/churn/1', 'reference_data=data/train.csv', 'owner=ana'],
      t.dir,
    );
    assert.deepEqual(set.tags, { team: 'risk', reference_data: 'data/train.csv', owner: 'ana' });

    const removed = await mlopsJson<{ version: number; tags: Record<string, string> }>(
      ['tag', 'models:/churn@production', '--remove', 'owner', 'note=a b=c'],
      t.dir,
    );
    assert.equal(removed.version, 1);
    assert.deepEqual(removed.tags, { team: 'risk', reference_data: 'data/train.csv', note: 'a b=c' });

    const shown = await mlopsJson<{ tags: Record<string, string> }>(['show', 'models:/churn/1'], t.dir);
    assert.deepEqual(shown.tags, removed.tags, 'the change is stored, not only printed');

    const human = await mlops('tag', 'models:/churn/1', 'stage=eval');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Tags of models:\/churn\/1:\n(.*\n)*\s+stage=eval/);
  });

  it('refuses what it cannot do, changing nothing', async () => {
    const model = writeModel(t.dir, 'm.onnx');
    await mlopsJson(['push', model, '--model', 'churn', '--tag', 'team=risk'], t.dir);
    const cases: [string[], number, RegExp][] = [
      [['tag', 'models:/churn/1'], 2, /at least one key=value/],
      [['tag', 'models:/churn/1', 'owner'], 2, /"owner" is not key=value.*--remove owner/],
      [['tag', 'models:/churn/1', 'a=1', '--remove', 'a'], 2, /both set and removed/],
      [['tag', 'models:/churn/9', 'a=1'], 1, /version 9|no version/i],
      [['tag', 'models:/nope/1', 'a=1'], 1, /no model named "nope"/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await mlops(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    const shown = await mlopsJson<{ tags: Record<string, string> }>(['show', 'models:/churn/1'], t.dir);
    assert.deepEqual(shown.tags, { team: 'risk' });
  });

  it('warns on stderr when the alias moves to a version with another signature, and only then', async () => {
    const four = writeModel(t.dir, 'four.onnx', { inputDim: 4, seed: 1 });
    const five = writeModel(t.dir, 'five.onnx', { inputDim: 5, seed: 2 });
    const fiveAgain = writeModel(t.dir, 'five-again.onnx', { inputDim: 5, seed: 3, batch: 'N' });

    const first = await mlops('push', four, '--model', 'churn', '--alias', 'production');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '', 'nothing held @production before');

    const noAlias = await mlops('push', five, '--model', 'churn');
    assert.equal(noAlias.code, 0);
    assert.equal(noAlias.stderr, '', 'no alias moves: nothing to warn about');

    const moved = await mlops('push', five, '--model', 'churn', '--alias', 'production', '--json');
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(JSON.parse(moved.stdout).version, 3, 'the push itself goes through');
    assert.match(
      moved.stderr,
      /^Warning: The signature of churn v3 differs from v1, which holds @production: input "input" float32\[batch,4\] → float32\[batch,5\]\. Callers of models:\/churn@production may break\.\n$/,
    );

    // Same signature (a renamed symbolic batch dimension is still "any size"): no warning.
    const same = await mlops('push', fiveAgain, '--model', 'churn', '--alias', 'production');
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stderr, '');
  });
});
