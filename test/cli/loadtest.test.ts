import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LoadTestReport } from '../../src/core/serving/types';
import { spawn } from 'node:child_process';
import { CLI, mlopsJson, runMlops } from '../helpers/cli';
import { tempDir, writeModel } from '../helpers/tmp';

/**
 * A real HTTP server on 127.0.0.1 speaking enough OIP v2 for the load tester: model metadata, and an
 * infer route that answers every other request 503 (a server shedding load).
 */
async function sheddingServer(): Promise<{ url: string; infers: () => number; close: () => Promise<void> }> {
  let infers = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/v2/models/m') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            name: 'm',
            versions: ['1'],
            platform: 'onnxruntime_onnx',
            inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
            outputs: [],
          }),
        );
      }
      if (req.method === 'POST' && req.url === '/v2/repository/index') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify([
            { name: 'm', version: '1', state: 'READY' },
            { name: 'n', version: '2', state: 'READY' },
          ]),
        );
      }
      if (req.method === 'POST' && req.url === '/v2/models/m/infer') {
        const n = infers++;
        res.writeHead(n % 2 ? 503 : 200, { 'content-type': 'application/json' });
        return res.end(n % 2 ? '{"error":"busy"}' : '{"model_name":"m","outputs":[]}');
      }
      res.writeHead(404).end('{"error":"no such route"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    infers: () => infers,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('mlops loadtest / mlops export (the built CLI)', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  let srv: Awaited<ReturnType<typeof sheddingServer>>;
  const mlops = (...args: string[]) =>
    runMlops(args, { cwd: t.dir, env: { MLOPS_REGISTRY: path.join(t.dir, '.mlops') } });
  beforeEach(async () => {
    t = tempDir();
    srv = await sheddingServer();
  });
  afterEach(async () => {
    await srv.close();
    t.cleanup();
  });

  it('exits 1 past --max-errors, 0 within it; --json prints the full report with errors by kind', async () => {
    const over = await mlops(
      'loadtest',
      srv.url,
      '--model',
      'm',
      '--requests',
      '40',
      '--warmup',
      '0',
      '-c',
      '1',
      '--max-errors',
      '5',
      '--json',
    );
    assert.equal(over.code, 1, over.stderr);
    const report = JSON.parse(over.stdout) as LoadTestReport;
    assert.deepEqual(report.errors, { http_503: 20 });
    assert.equal(report.latency.count, 20);
    assert.equal(
      report.perSecond.reduce((a, s) => a + s.requests, 0),
      40,
    );
    assert.match(over.stderr, /20 requests failed, more than --max-errors 5/);

    const within = await mlops(
      'loadtest',
      srv.url,
      '--model',
      'm',
      '--requests',
      '40',
      '--warmup',
      '0',
      '-c',
      '1',
      '--max-errors',
      '20',
    );
    assert.equal(within.code, 0, within.stderr);
    assert.match(within.stdout, /latency ms/);
    assert.match(within.stdout, /http_503\s+20\s+50\.0%/);
    assert.match(within.stdout, /40 in .* s \(20 ok, 20 errors\)/);
  });

  it('names the models to choose from when the server serves several and --model is missing', async () => {
    const r = await mlops('loadtest', srv.url, '--requests', '5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /serves 2 models \(m, n\).*--model/);
  });

  it('a server that is not there is one clear error', async () => {
    const url = srv.url;
    await srv.close();
    const r = await mlops('loadtest', url, '--model', 'm', '--requests', '5');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Cannot reach a server at/);
  });

  it('bad options are usage errors (exit 2) naming the option, and send nothing', async () => {
    // Every bound is checked in test/unit/serving/loadtest/options.test.ts; here, that the CLI exits 2.
    const cases: [string[], RegExp][] = [
      [['--concurrency', '0'], /--concurrency must be between 1 and 10000/],
      [['--duration', '10x'], /--duration expects a duration/],
      [['--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [extra, pattern] of cases) {
      const r = await mlops('loadtest', srv.url, '--model', 'm', ...extra);
      assert.equal(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern, extra.join(' '));
      assert.match(r.stderr, /Usage: mlops loadtest/);
    }
    assert.equal(srv.infers(), 0, 'no request is sent when the options are wrong');
  });

  it('against a real `mlops serve`: OIP v2 (JSON and binary) and MLflow bodies are answered, open and closed loop', async () => {
    writeModel(t.dir, 'mlp.onnx', { inputDim: 4, hidden: [8], outputDim: 2 });
    const server = spawn(
      process.execPath,
      [CLI, 'serve', 'mlp.onnx', '--port', '0', '--json', '--log-predictions', 'off', '--workers', '1'],
      { cwd: t.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { url: string }).url);
        });
        server.on('exit', (code) => reject(new Error(`mlops serve exited ${code}`)));
      });
      for (const extra of [
        [],
        ['--protocol', 'mlflow'],
        ['--rate', '200', '--batch', '3'],
        ['--binary', '--batch', '2'],
      ]) {
        const r = await mlopsJson<LoadTestReport>(['loadtest', url, '--requests', '100', '--quiet', ...extra], t.dir);
        assert.equal(r.errorCount, 0, `${extra.join(' ')}: ${JSON.stringify(r.errors)}`);
        assert.equal(r.latency.count, 100);
        assert.equal(r.target, extra[1] === 'mlflow' ? `${url}/invocations` : `${url}/v2/models/mlp/infer`);
      }
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      if (server.exitCode === null) await exited;
    }
  });

  it('in-process: a .onnx file measured with no HTTP, --json report', async () => {
    writeModel(t.dir, 'mlp.onnx', { inputDim: 4, hidden: [8], outputDim: 2 });
    const r = await mlopsJson<LoadTestReport>(
      ['loadtest', 'mlp.onnx', '--requests', '200', '--batch', '2', '--workers', '1', '--quiet'],
      t.dir,
    );
    assert.equal(r.target, 'in-process mlp');
    assert.equal(r.latency.count, 200);
    assert.equal(r.errorCount, 0);
    assert.equal(r.plan.batch, 2);
    assert.equal(r.cancelled, false);
  });

  it('in-process with --data rows of a CSV', async () => {
    writeModel(t.dir, 'mlp.onnx', { inputDim: 3, hidden: [8], outputDim: 2 });
    writeFileSync(path.join(t.dir, 'rows.csv'), 'label,a,b,c\n1,0.1,0.2,0.3\n0,0.4,0.5,0.6\n');
    const r = await mlops(
      'loadtest',
      'mlp.onnx',
      '--requests',
      '50',
      '--data',
      'rows.csv',
      '--columns',
      'a,b,c',
      '--workers',
      '1',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 rows of rows\.csv, columns a, b, c/);
    const wrong = await mlops('loadtest', 'mlp.onnx', '--requests', '50', '--data', 'rows.csv', '--workers', '1');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /rows\.csv has 4 numeric columns, the model's input takes 3 features/);
    // Without --columns the numeric columns are the features: a text column (an id) is left out.
    writeFileSync(path.join(t.dir, 'ids.csv'), 'id,a,b,c\nu1,0.1,0.2,0.3\nu2,0.4,0.5,0.6\n');
    const ids = await mlops('loadtest', 'mlp.onnx', '--requests', '20', '--data', 'ids.csv', '--workers', '1');
    assert.equal(ids.code, 0, ids.stderr);
    assert.match(ids.stdout, /2 rows of ids\.csv, columns a, b, c/);
    writeFileSync(path.join(t.dir, 'gap.csv'), 'a,b,c\n1,2,\n3,4,\n');
    const gap = await mlops('loadtest', 'mlp.onnx', '--requests', '20', '--data', 'gap.csv', '--workers', '1');
    assert.equal(gap.code, 1);
    assert.match(
      gap.stderr,
      /gap\.csv has 2 numeric columns \(left out: c \(.*missing.*\)\), the model's input takes 3/,
    );
  });

  it('export writes beside what a folder holds, refuses to replace its own files (exit 1) unless --force', async () => {
    writeModel(t.dir, 'mlp.onnx');
    mkdirSync(path.join(t.dir, 'out', 'mlp'), { recursive: true });
    writeFileSync(path.join(t.dir, 'out', 'x'), '');
    const refused = await mlops('export', 'mlp.onnx', '--format', 'triton', '-o', 'out', '--json');
    assert.equal(refused.code, 1);
    assert.equal((JSON.parse(refused.stderr) as { error: { code: string } }).error.code, 'ALREADY_EXISTS');
    assert.deepEqual(readdirSync(path.join(t.dir, 'out')).sort(), ['mlp', 'x']);
    const forced = await mlopsJson<{ files: string[] }>(
      ['export', 'mlp.onnx', '--format', 'kserve', '-o', 'out', '--force'],
      t.dir,
    );
    assert.deepEqual(forced.files, [
      'inferenceservice.yaml',
      'repository/mlp/config.pbtxt',
      'repository/mlp/1/model.onnx',
    ]);
    assert.deepEqual(readdirSync(path.join(t.dir, 'out')).sort(), ['inferenceservice.yaml', 'mlp', 'repository', 'x']);
    for (const [args, pattern] of [
      [['--format', 'docker', '-o', 'o2'], /--format must be triton or kserve/],
      [['-o', 'o2'], /--format is required/],
      [['--format', 'triton'], /-o <dir>/],
      [['--format', 'triton', '-o', 'o2', '--max-batch=-1'], /--max-batch expects/],
    ] as [string[], RegExp][]) {
      const r = await mlops('export', 'mlp.onnx', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });
});
