import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isMlopsError } from '../../../../src/core/errors';
import { prepareHttpTarget } from '../../../../src/core/serving/loadtest';
import { tempDir } from '../../../helpers/tmp';

/** A real local server: with `metadata`, an OIP v2 model "m" taking [-1, 3]; without, MLflow's routes only. */
async function server(metadata: boolean) {
  const bodies: { url: string; body: unknown }[] = [];
  const s = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      if (metadata && req.method === 'GET' && req.url === '/v2/models/m') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            name: 'm',
            versions: ['4'],
            inputs: [{ name: 'features', datatype: 'FP64', shape: [-1, 3] }],
          }),
        );
      }
      if (req.method === 'POST' && (req.url === '/invocations' || req.url === '/v2/models/m/infer')) {
        bodies.push({ url: req.url, body: JSON.parse(text) });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{}');
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))),
  };
}

const never = new AbortController().signal;

describe('serving: load-test targets built from a server URL', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('OIP: the signature from GET /v2/models/<m> shapes the bodies (batch rows, its datatype)', async () => {
    const srv = await server(true);
    try {
      const { target, model } = await prepareHttpTarget({
        baseUrl: srv.url + '/',
        model: 'm',
        protocol: 'oip',
        batch: 5,
        connections: 1,
        timeoutMs: 5000,
      });
      assert.equal(model, 'm');
      assert.equal(target.name, `${srv.url}/v2/models/m/infer`);
      assert.deepEqual(await target.send(0, never), { ok: true });
      await target.close();
      const sent = srv.bodies[0].body as {
        inputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
      };
      assert.deepEqual(
        sent.inputs.map((i) => [i.name, i.shape, i.datatype, i.data.length]),
        [['features', [5, 3], 'FP64', 15]],
      );
    } finally {
      await srv.close();
    }
  });

  it("MLflow's own scoring server (no /v2 metadata): rows of a data file make the requests", async () => {
    const srv = await server(false);
    const csv = path.join(t.dir, 'rows.csv');
    writeFileSync(csv, 'a,b\n1,2\n3,4\n');
    try {
      const { target } = await prepareHttpTarget({
        baseUrl: srv.url,
        model: 'anything',
        protocol: 'mlflow',
        batch: 2,
        data: { file: csv },
        connections: 1,
        timeoutMs: 5000,
      });
      assert.deepEqual(await target.send(0, never), { ok: true });
      await target.close();
      assert.deepEqual(srv.bodies[0], {
        url: '/invocations',
        body: {
          inputs: [
            [1, 2],
            [3, 4],
          ],
        },
      });
      // Without data there is nothing to build requests from.
      await assert.rejects(
        prepareHttpTarget({
          baseUrl: srv.url,
          model: 'x',
          protocol: 'mlflow',
          batch: 1,
          connections: 1,
          timeoutMs: 5000,
        }),
        (e) => isMlopsError(e, 'NOT_FOUND'),
      );
    } finally {
      await srv.close();
    }
  });
});
