import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTarget } from '../../../../src/core/serving/loadtest/httpTarget';
import { runLoadTest } from '../../../../src/core/serving/loadtest/engine';

/** A real HTTP server on 127.0.0.1: /ok 200, /busy 503 (text), /bad 400 (OIP error), /hang never answers. */
async function startServer(): Promise<{
  url: string;
  bodies: string[];
  headers: http.IncomingHttpHeaders[];
  sockets: () => number;
  close: () => Promise<void>;
}> {
  const bodies: string[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  let sockets = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(body);
      headers.push(req.headers);
      if (req.url === '/hang') return;
      const status = req.url === '/ok' ? 200 : req.url === '/busy' ? 503 : 400;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{"outputs":[]}' : status === 503 ? 'try later' : '{"error":"input \'x\' is missing"}');
    });
  });
  server.on('connection', () => sockets++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    headers,
    sockets: () => sockets,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const never = new AbortController().signal;

describe('serving: HTTP load target (real node:http server)', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => (srv = await startServer()));
  afterEach(async () => srv.close());

  it('POSTs the pre-serialised bodies in turn as JSON and reads 2xx as ok', async () => {
    const t = new HttpTarget({
      url: `${srv.url}/ok`,
      bodies: [Buffer.from('{"a":1}'), Buffer.from('{"b":2}')],
      connections: 2,
      timeoutMs: 5000,
    });
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual(await t.send(i, never), { ok: true });
      assert.deepEqual(srv.bodies, ['{"a":1}', '{"b":2}', '{"a":1}']);
      assert.equal(srv.headers[0]['content-type'], 'application/json');
      assert.equal(srv.headers[0]['content-length'], '7');
    } finally {
      await t.close();
    }
  });

  it("names errors by kind (http_503, http_400, timeout, connection) with the server's message", async () => {
    const mk = (path: string, timeoutMs = 5000) =>
      new HttpTarget({ url: `${srv.url}${path}`, bodies: [Buffer.from('{}')], connections: 1, timeoutMs });
    const targets = [mk('/busy'), mk('/bad'), mk('/hang', 200)];
    try {
      assert.deepEqual(await targets[0].send(0, never), { ok: false, kind: 'http_503', message: 'try later' });
      assert.deepEqual(await targets[1].send(0, never), {
        ok: false,
        kind: 'http_400',
        message: "input 'x' is missing",
      });
      const r = await runLoadTest(targets[1], { mode: 'closed', concurrency: 1, requests: 5, warmupRequests: 0 });
      assert.deepEqual(r.errorSamples, { http_400: "input 'x' is missing" }, 'the report keeps one message per kind');
      assert.deepEqual(await targets[2].send(0, never), { ok: false, kind: 'timeout' });
    } finally {
      for (const t of targets) await t.close();
    }
    // Connection refused: a port nothing listens on any more.
    const gone = await startServer();
    const url = gone.url;
    await gone.close();
    const refused = new HttpTarget({ url: `${url}/ok`, bodies: [Buffer.from('{}')], connections: 1, timeoutMs: 5000 });
    try {
      assert.deepEqual(await refused.send(0, never), { ok: false, kind: 'connection' });
    } finally {
      await refused.close();
    }
  });

  it('keeps connections alive: a closed loop at c=4 opens at most 4 sockets for 200 requests', async () => {
    const t = new HttpTarget({ url: `${srv.url}/ok`, bodies: [Buffer.from('{}')], connections: 4, timeoutMs: 5000 });
    try {
      const r = await runLoadTest(t, { mode: 'closed', concurrency: 4, requests: 200, warmupRequests: 10 });
      assert.equal(r.latency.count, 200);
      assert.equal(r.errorCount, 0);
      assert.ok(srv.sockets() <= 4, `${srv.sockets()} sockets`);
      assert.equal(srv.bodies.length, 210);
    } finally {
      await t.close();
    }
  });

  it('cancelling a run aborts requests the server never answers', async () => {
    const t = new HttpTarget({
      url: `${srv.url}/hang`,
      bodies: [Buffer.from('{}')],
      connections: 2,
      timeoutMs: 60_000,
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    try {
      const r = await runLoadTest(
        t,
        { mode: 'closed', concurrency: 2, durationMs: 60_000, warmupRequests: 0 },
        {
          signal: ac.signal,
        },
      );
      assert.equal(r.cancelled, true);
      assert.equal(r.errorCount, 0);
    } finally {
      await t.close();
    }
  });
});
