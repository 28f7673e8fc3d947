import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mlopsJson, runMlops, runNode } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const CHURN = path.resolve(__dirname, '..', 'helpers', 'churn.js');
const GC_CHURN = path.resolve(__dirname, '..', 'helpers', 'gcChurn.js');

interface Version {
  version: number;
  tags: Record<string, string>;
  createdBy: string;
}

describe('embedded registry under concurrent writers and crashes', function () {
  this.timeout(180_000);
  let t: ReturnType<typeof tempDir>;
  let reg: string;
  beforeEach(() => {
    t = tempDir('mlops-conc-');
    reg = path.join(t.dir, '.mlops');
  });
  afterEach(() => t.cleanup());

  it('4 processes pushing 25 versions each to one model: versions 1..100, 100 events, every artifact readable', async () => {
    const writers = await Promise.all(
      [1, 2, 3, 4].map((w) => runNode([CHURN, reg, 'shared', String(w), '25'], { cwd: t.dir, env: { TMPDIR: t.dir } })),
    );
    for (const w of writers) assert.equal(w.code, 0, w.stderr);
    const env = { MLOPS_REGISTRY: reg };
    const { versions } = await mlopsJson<{ versions: Version[] }>(['versions', 'shared'], t.dir, env);
    assert.deepEqual(
      versions.map((v) => v.version).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    // Each writer's 25 pushes all landed, none twice.
    for (const w of ['1', '2', '3', '4']) {
      const mine = versions
        .filter((v) => v.tags.writer === w)
        .map((v) => Number(v.tags.index))
        .sort((a, b) => a - b);
      assert.deepEqual(
        mine,
        Array.from({ length: 25 }, (_, i) => i),
        `writer ${w}`,
      );
    }
    const { events } = await mlopsJson<{ events: { action: string }[] }>(['history', 'shared'], t.dir, env);
    assert.equal(events.length, 100);
    assert.ok(events.every((e) => e.action === 'create-version'));
    const verify = await mlopsJson<{ ok: boolean; versions: number; artifactsChecked: number }>(['verify'], t.dir, env);
    assert.deepEqual([verify.ok, verify.versions, verify.artifactsChecked], [true, 100, 100]);
  });

  it('gc with no grace period racing 2 processes that push and delete the same files: no version loses its file', async () => {
    // Each writer pushes two models in turn and deletes each version at once, so gc keeps finding
    // orphans that a push is storing again; only the lock keeps their files.
    const stop = path.join(t.dir, 'writers-done');
    const gcRun = runNode([GC_CHURN, reg, 'gc', stop], { cwd: t.dir, env: { TMPDIR: t.dir } });
    const writers = await Promise.all(
      [1, 2].map((w) => runNode([GC_CHURN, reg, 'push', String(w), '40'], { cwd: t.dir, env: { TMPDIR: t.dir } })),
    );
    writeFileSync(stop, '');
    const gc = await gcRun;
    for (const p of [...writers, gc]) assert.equal(p.code, 0, p.stderr);
    assert.ok(Number(gc.stdout) > 0, 'gc removed orphans along the way');
    const env = { MLOPS_REGISTRY: reg };
    const verify = await mlopsJson<{ ok: boolean; versions: number; problems: unknown[] }>(['verify'], t.dir, env);
    assert.deepEqual([verify.ok, verify.versions, verify.problems], [true, 4, []]);
    for (const m of ['m1', 'm2']) {
      for (const v of [39, 40]) {
        const pulled = await runMlops(['pull', `models:/${m}/${v}`, '-o', `${m}-${v}.onnx`], { cwd: t.dir, env });
        assert.equal(pulled.code, 0, pulled.stderr);
      }
    }
  });

  it('20 writers killed with SIGKILL at random moments: the registry always opens and verifies', async () => {
    const delays: number[] = [];
    let lastVersion = 0;
    for (let run = 0; run < 20; run++) {
      const p = spawn(process.execPath, [CHURN, reg, 'crashy', String(run + 1), 'forever', '--promote'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: t.dir },
      });
      let out = '';
      const firstCommit = new Promise<void>((resolve) =>
        p.stdout.on('data', (d: Buffer) => ((out += d.toString()), resolve())),
      );
      // Even runs die at a random moment from start (maybe before any commit); odd runs die a random moment
      // after their first commit, so kills land mid-push or mid-promote however loaded the machine is.
      const delay = Math.floor(Math.random() * (run % 2 ? 150 : 600));
      delays.push(delay);
      if (run % 2) await Promise.race([firstCommit, new Promise((r) => setTimeout(r, 30_000))]);
      await new Promise((r) => setTimeout(r, delay));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('close', r));
      const verify = await runMlops(['verify', '--registry', reg, '--json'], { cwd: t.dir, env: { TMPDIR: t.dir } });
      if (verify.code === 1 && /no registry at/.test(verify.stderr)) continue; // killed before the first commit
      assert.equal(
        verify.code,
        0,
        `run ${run} (killed after ${delay} ms): ${verify.stdout}${verify.stderr}\ndelays so far: ${delays.join(',')}`,
      );
      const pushed = out.trim().split('\n').filter(Boolean).map(Number);
      const { versions } = await mlopsJson<{ versions: Version[] }>(
        ['versions', 'crashy', '--registry', reg],
        t.dir,
      ).catch(() => ({ versions: [] as Version[] }));
      const numbers = versions.map((v) => v.version);
      // Everything the writer reported as committed is there; numbers only grow.
      for (const v of pushed) assert.ok(numbers.includes(v), `run ${run}: committed v${v} is missing`);
      const max = Math.max(0, ...numbers);
      assert.ok(max >= lastVersion, `run ${run}: version numbers went backwards`);
      lastVersion = max;
    }
    assert.ok(
      lastVersion >= 10,
      `the writers committed ${lastVersion} versions: kills must land mid-work, not only before the first push`,
    );
    // After all that, a normal push still works (stale locks are broken) and numbering continues.
    const a = await runNode([CHURN, reg, 'crashy', '99', '1'], { cwd: t.dir, env: { TMPDIR: t.dir } });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(Number(a.stdout.trim()), lastVersion + 1);
    const verify = await mlopsJson<{ ok: boolean }>(['verify', '--registry', reg], t.dir);
    assert.equal(verify.ok, true);
  });
});
