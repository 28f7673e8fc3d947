import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServing, type RunningServer } from '../../../src/core/serving/serve';
import { request } from '../../helpers/http';
import { tempDir, writeModel } from '../../helpers/tmp';

describe('serving: health and metrics answer while a big model runs (models run in worker threads)', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;

  before(async () => {
    tmp = tempDir();
    const file = writeModel(tmp.dir, 'big.onnx', { inputDim: 16, hidden: [1024, 1024, 1024], outputDim: 8 });
    server = await startServing({ models: [file], workers: 1, logRate: 0, batching: { maxBatchSize: 1 } });
  });
  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('answers /v2/health/ready and /metrics before queued big inferences finish', async () => {
    const rows = 1024;
    const data = Array.from({ length: rows * 16 }, (_, i) => (i % 17) / 17);
    const order: string[] = [];
    const big = Array.from({ length: 4 }, (_, k) =>
      request('POST', `${server.url}/v2/models/big/infer`, {
        inputs: [{ name: 'input', shape: [rows, 16], datatype: 'FP32', data }],
      }).then((r) => {
        assert.equal(r.status, 200, r.text);
        order.push(`infer${k}`);
      }),
    );
    // Wait until the server holds them, then ask for health and metrics.
    for (;;) {
      const m = await request('GET', `${server.url}/metrics`);
      const pending = /mlops_inference_pending_requests\{model="big",version="0"\} (\d+)/.exec(m.text);
      if (pending && Number(pending[1]) >= 3) break;
      assert.ok(order.length < 4, 'the big requests finished before they were seen pending');
    }
    const health = await request('GET', `${server.url}/v2/health/ready`);
    order.push('health');
    assert.equal(health.status, 200);
    const metrics = await request('GET', `${server.url}/metrics`);
    order.push('metrics');
    assert.equal(metrics.status, 200);
    await Promise.all(big);
    assert.ok(order.indexOf('metrics') < order.indexOf('infer3'), `order: ${order.join(', ')}`);
  });

  it('answers 503 with Retry-After when the model queue is full, and serves again afterwards', async () => {
    const small = await startServing({
      models: [server.models.first().primary.target.label],
      workers: 1,
      logRate: 0,
      batching: { maxBatchSize: 1, maxQueueSize: 1 },
    });
    try {
      const data = Array.from({ length: 1024 * 16 }, (_, i) => (i % 13) / 13);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          request('POST', `${small.url}/v2/models/big/infer`, {
            inputs: [{ name: 'input', shape: [1024, 16], datatype: 'FP32', data }],
          }),
        ),
      );
      const refused = answers.filter((a) => a.status === 503);
      assert.ok(refused.length > 0, `statuses: ${answers.map((a) => a.status).join(',')}`);
      assert.ok(answers.some((a) => a.status === 200));
      for (const r of refused) {
        assert.match(String(r.headers['retry-after']), /^\d+$/);
        assert.match(r.json().error, /queue/);
      }
      const m = (await request('GET', `${small.url}/metrics`)).text;
      assert.match(
        m,
        new RegExp(
          `mlops_inference_request_failure_total\\{model="big",version="0",reason="overloaded"\\} ${refused.length}`,
        ),
      );
      const again = await request('POST', `${small.url}/v2/models/big/infer`, {
        inputs: [{ name: 'input', shape: [1, 16], datatype: 'FP32', data: data.slice(0, 16) }],
      });
      assert.equal(again.status, 200);
    } finally {
      await small.close();
    }
  });

  it('cancels a request whose client goes away while it waits; kept-alive connections keep their requests', async () => {
    const rows = 1024;
    const data = Array.from({ length: rows * 16 }, (_, i) => (i % 19) / 19);
    const body = JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 16], datatype: 'FP32', data }] });
    const metric = async (re: RegExp) => {
      const m = (await request('GET', `${server.url}/metrics`)).text;
      return [...m.matchAll(re)].reduce((n, hit) => n + Number(hit[1]), 0);
    };
    // A cancellation is answered 503 and counted as reason "cancelled", not as a full queue.
    const failures = () =>
      metric(/^mlops_inference_request_failure_total\{model="big",version="0",reason="cancelled"\} (\d+)$/gm);
    const pending = () => metric(/^mlops_inference_pending_requests\{model="big",version="0"\} (-?\d+)$/gm);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (const start = Date.now(); !(await ok()); await new Promise((r) => setTimeout(r, 2)))
        assert.ok(
          Date.now() - start < 20_000,
          `timed out waiting for ${what} (pending ${await pending()}, answered ${answered})`,
        );
    };
    const before = await failures();
    // Big requests keep the worker busy (one run at a time); the leaving client queues behind them. Pending
    // plus answered (read first: a request answered in between is undercounted, never counted twice).
    const AHEAD = 12;
    let answered = 0;
    const ahead = Array.from({ length: AHEAD }, () =>
      request('POST', `${server.url}/v2/models/big/infer`, body).then((r) => {
        answered++;
        return r;
      }),
    );
    const seen = async (n: number) => {
      const a = answered;
      return (await pending()) + a >= n;
    };
    await until('the requests ahead to arrive', () => seen(AHEAD));
    const { port } = new URL(server.url);
    const gone = net.connect(Number(port), '127.0.0.1');
    await new Promise((r) => gone.once('connect', r));
    gone.write(
      `POST /v2/models/big/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await until('the leaving request to be pending', () => seen(AHEAD + 1));
    assert.ok(answered < AHEAD, 'the requests ahead were all answered before the leaving one was seen');
    gone.destroy();
    for (const r of await Promise.all(ahead)) assert.equal(r.status, 200, r.text);
    await until('the leaving request to fail', async () => (await failures()) > before);
    assert.equal(await failures(), before + 1, 'the request of the client that went away failed (cancelled)');

    // Requests in a row on one kept-alive connection share its signal: none is cancelled by another's end.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<net.Socket>();
    try {
      for (let i = 0; i < 3; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request(
            `${server.url}/v2/models/big/infer`,
            { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('socket', (sock) => sockets.add(sock));
          req.on('error', reject);
          req.end(body);
        });
        assert.equal(status, 200);
      }
    } finally {
      agent.destroy();
    }
    assert.equal(sockets.size, 1, 'the three requests shared one connection');
    assert.equal(await failures(), before + 1);
  });
});
