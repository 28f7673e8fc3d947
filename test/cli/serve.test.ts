import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { runCli } from '../../src/cli/cli';
import { CLI, mlopsJson, runMlops } from '../helpers/cli';
import { request } from '../helpers/http';
import { parsePrometheus } from '../helpers/prometheus';
import { tempDir, writeModel } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

interface Served {
  child: ChildProcess;
  ready: { url: string; models: { name: string; versions: number[] }[]; predictionLog: string | null };
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/cli.js serve … --json` and waits for its ready line. */
function serve(cwd: string, args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--json'], {
    cwd,
    env: { ...process.env, MLOPS_REGISTRY: '', MLFLOW_TRACKING_URI: '', MLOPS_ACTOR: 'ci-bot' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve({ child, ready: JSON.parse(stdout.slice(0, nl)), stderr: () => stderr, exited });
    });
    void exited.then(({ code }) => reject(new Error(`mlops serve exited ${code} before it was ready: ${stderr}`)));
  });
}

const body = (rows: number[][]) => ({
  inputs: [{ name: 'input', shape: [rows.length, 4], datatype: 'FP32', data: rows }],
});

describe('mlops serve (the bundled CLI as a child process)', function () {
  this.timeout(90_000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir('mlops-serve-')));
  afterEach(() => t.cleanup());

  it('rejects out-of-range options with a usage error (exit 2)', async () => {
    writeModel(t.dir, 'm.onnx');
    for (const bad of [
      ['--port', '70000'],
      ['--port', 'x'],
      ['--max-batch', '0'],
      ['--max-delay-ms', '-1'],
      ['--workers', '1000'],
      ['--log-predictions', '2'],
      ['--canary', 'models:/m@challenger'],
      ['--canary', 'models:/m@challenger=150%'],
      ['--max-body', '12 parsecs'],
      ['--no-batching', '--max-batch', '8'],
      ['--log-dir', ''],
      ['--log-predictions', 'off', '--log-dir', 'logs'],
    ]) {
      const r = await runMlops(['serve', 'm.onnx', ...bad], { cwd: t.dir });
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /);
    }
    const notAModel = await runMlops(['serve', 'data.csv'], { cwd: t.dir });
    assert.equal(notAModel.code, 1);
    assert.match(notAModel.stderr, /neither a models:\/ URI nor an \.onnx file/);
  });

  it('a --log-dir that is a file is refused at start (was: served, every record lost with a warning)', async () => {
    writeModel(t.dir, 'm.onnx');
    writeFileSync(path.join(t.dir, 'afile'), '');
    const r = await runMlops(['serve', 'm.onnx', '--port', '0', '--log-dir', 'afile'], { cwd: t.dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: --log-dir afile: .*afile is a file, not a folder\. Give a folder for the prediction log\./,
    );
  });

  it('a port in use or a host that is not this machine: one sentence, exit 1 (was: a stack trace)', async () => {
    writeModel(t.dir, 'm.onnx');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((taken.address() as AddressInfo).port);
      for (const [args, message] of [
        [
          ['--port', port],
          new RegExp(`^error: Port ${port} on 127\\.0\\.0\\.1 is already in use\\. Choose another port`),
        ],
        [['--port', '0', '--host', '192.0.2.1'], /192\.0\.2\.1 is not an address of this machine\. Use 127\.0\.0\.1/],
      ] as const) {
        const r = await runMlops(['serve', 'm.onnx', ...args], { cwd: t.dir });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /unexpected failure|\n\s+at /);
      }
    } finally {
      taken.close();
    }
  });

  it('serves a registry alias, drains in-flight requests on SIGTERM, flushes the log, exits 0; drift reads the log', async () => {
    // Wide enough that a 256-row request takes a while: requests are still in the server at SIGTERM.
    const file = writeModel(t.dir, 'm.onnx', { inputDim: 4, hidden: [1024, 1024, 1024], outputDim: 3, softmax: true });
    await mlopsJson(
      ['push', file, '--model', 'fraud', '--alias', 'production', '--tag', 'feature_names=a,b,c,d'],
      t.dir,
    );
    const s = await serve(t.dir, ['models:/fraud@production', '--port', '0', '--workers', '1', '--max-batch', '1']);
    const rows = Array.from({ length: 256 }, (_, i) => [i / 100, 1 - i / 100, (i % 3) / 2, 0.5]);
    try {
      assert.deepEqual(
        s.ready.models.map((m) => [m.name, m.versions]),
        [['fraud', [1]]],
      );
      assert.equal(s.ready.predictionLog, path.join(t.dir, '.mlops', 'predictions'));
      const first = await request('POST', `${s.ready.url}/v2/models/fraud/infer`, body(rows.slice(0, 2)));
      assert.equal(first.status, 200);
      assert.equal(first.headers['x-model-version'], '1');
      const inflight = Array.from({ length: 12 }, () =>
        request('POST', `${s.ready.url}/v2/models/fraud/infer`, body(rows)),
      );
      // SIGTERM once all 12 have reached the server and some are still running or queued there. (Waiting
      // for 4 pending at once timed out once on CI with no trace of why: the probe now says what it saw.)
      let seen = 'nothing yet';
      await waitFor(
        'all requests in the server, some still pending',
        async () => {
          const m = parsePrometheus((await request('GET', `${s.ready.url}/metrics`)).text);
          const pending = m.get('mlops_inference_pending_requests{model="fraud",version="1"}') ?? 0;
          const answered = m.get('mlops_inference_request_success_total{model="fraud",version="1"}') ?? 0;
          seen = `${pending} pending, ${answered} answered`;
          return pending >= 1 && pending + answered >= 13;
        },
        20_000,
        5,
      ).catch((e: unknown) => {
        throw new Error(`${String(e)}; last seen: ${seen}; server stderr: ${s.stderr()}`);
      });
      s.child.kill('SIGTERM');
      const answers = await Promise.all(inflight);
      assert.deepEqual(
        answers.map((a) => a.status),
        new Array(12).fill(200),
        'every request in flight was answered',
      );
      const exit = await s.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, s.stderr());
    } finally {
      s.child.kill('SIGKILL');
    }
    await assert.rejects(request('GET', `${s.ready.url}/v2/health/live`), 'the port is closed');

    const ref = path.join(t.dir, 'ref.csv');
    writeFileSync(ref, 'a,b,c,d\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const logDir = path.join(t.dir, '.mlops', 'predictions', 'fraud');
    const drift = await runMlops(['drift', '--reference', ref, '--current', logDir, '--json'], { cwd: t.dir });
    assert.equal(drift.code, 0, drift.stderr);
    const result = JSON.parse(drift.stdout) as { current: { rows: number }; features: { name: string }[] };
    assert.equal(result.current.rows, 2 + 12 * 256, 'every answered request was logged, one row per input row');
    assert.deepEqual(result.features.map((f) => f.name).sort(), ['a', 'b', 'c', 'd']);
  });

  it('runs in-process until the command signal aborts, printing a summary line meanwhile (exit 0)', async () => {
    writeModel(t.dir, 'iris.onnx');
    const abort = new AbortController();
    let stdout = '';
    let stderr = '';
    const done = runCli(['serve', 'iris.onnx', '--port', '0', '--summary-every', '0.2', '--log-predictions', 'off'], {
      stdout: (s) => (stdout += s + '\n'),
      stderr: (s) => (stderr += s + '\n'),
      env: { MLOPS_REGISTRY: '' },
      cwd: t.dir,
      signal: abort.signal,
    });
    const url = await waitFor('the base URL on stdout', () => /^http:\/\/127\.0\.0\.1:\d+$/m.exec(stdout)?.[0], 30_000);
    assert.match(stderr, /Serving iris v0 .*POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/iris\/infer/);
    for (let i = 0; i < 3; i++) {
      const r = await request('POST', `${url}/v2/models/iris/infer`, body([[1, 2, 3, 4]]));
      assert.equal(r.status, 200);
    }
    await waitFor('a summary line', () =>
      /^3 requests \([\d.]+ req\/s\), p50 [\d.]+ ms, p99 [\d.]+ ms, 0 errors$/m.test(stderr),
    );
    abort.abort();
    assert.equal(await done, 0);
    assert.match(stderr, /Stopped after 3 requests \(0 errors\)/);
  });
});
