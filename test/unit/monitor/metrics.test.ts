import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile, scorePerformance } from '../../../src/core/monitor/metrics';
import { shellQuote, substitute } from '../../../src/core/monitor/runCommand';
import { postWebhook, webhookPayload } from '../../../src/core/monitor/webhook';
import { isMlopsError } from '../../../src/core/errors';

describe('monitor metrics, quoting and webhook delivery', () => {
  it('percentiles are nearest-rank; none for no values', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(v, 95), 95);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 95), null);
  });

  it('scores accuracy (argmax or 0.5 cut), AUC (ties count half), RMSE; null when undefined', () => {
    const rows = [
      { output: [0.9, 0.1], label: '0' },
      { output: [0.2, 0.8], label: '1' },
      { output: [0.6, 0.4], label: '1' },
      { output: [0.4, 0.6], label: '0' },
    ];
    assert.equal(scorePerformance(rows, 'accuracy'), 0.5);
    // positives score 0.8, 0.4; negatives 0.1, 0.6: pairs won 0.8>0.1, 0.8>0.6, 0.4>0.1 -> 3 of 4.
    assert.equal(scorePerformance(rows, 'auc'), 0.75);
    assert.equal(
      scorePerformance(
        [
          { output: [0.5], label: '1' },
          { output: [0.5], label: '0' },
        ],
        'auc',
      ),
      0.5,
    );
    assert.equal(scorePerformance([{ output: [0.7], label: '1' }], 'auc'), null, 'one class: no AUC');
    assert.equal(scorePerformance([{ output: [0.7], label: '1' }], 'accuracy'), 1);
    assert.equal(
      scorePerformance(
        [
          { output: [3], label: '1' },
          { output: [1], label: '1' },
        ],
        'rmse',
      ),
      Math.sqrt(2),
    );
    assert.equal(scorePerformance([], 'accuracy'), null);
  });

  it('quotes substituted paths as one shell word, leaving unknown variables alone', () => {
    assert.equal(shellQuote("it's here", 'linux'), `'it'\\''s here'`);
    assert.equal(shellQuote('a "b"', 'win32'), '"a ""b"""');
    assert.equal(
      substitute('train --data ${current} --ref ${reference} --out ${other}', {
        current: '/d/x y.csv',
        reference: undefined,
      }),
      `train --data '/d/x y.csv' --ref \${reference} --out \${other}`,
    );
    assert.equal(substitute('x ${current}', { current: '$(rm -rf /)' }), `x '$(rm -rf /)'`);
  });

  it('the webhook text says why a check has no data when it could not be measured', () => {
    const check = {
      raw: 'nodata',
      state: 'nodata',
      value: null,
      threshold: 0.8,
      unit: 'auc',
      pos: { line: 1, col: 1 },
    };
    const text = webhookPayload({
      at: '',
      monitor: 'fraud',
      model: 'fraud',
      version: 1,
      state: 'nodata',
      previousState: 'ok',
      checks: [
        { ...check, kind: 'performance', message: 'no column', error: 'labels.csv has no column "request_id".' },
        { ...check, kind: 'latency', message: 'no answered request in the window' },
      ] as never,
      events: [],
      suppressed: 0,
    }).text;
    assert.equal(
      text,
      ':grey_question: fraud: No data (was Healthy) - performance: labels.csv has no column "request_id".',
    );
  });

  it('does not retry a webhook that refuses the request (4xx), and gives up with UNAVAILABLE after the retries', async () => {
    let calls = 0;
    let status = 404;
    const server = http.createServer((req, res) => {
      calls++;
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/SECRET`;
    try {
      await assert.rejects(postWebhook(url, { text: 'x' }, { baseDelayMs: 1 }), (e: unknown) => {
        assert.ok(isMlopsError(e, 'REMOTE'));
        assert.doesNotMatch(e.message, /SECRET/, 'the secret path stays out of messages');
        return true;
      });
      assert.equal(calls, 1);
      status = 500;
      calls = 0;
      await assert.rejects(postWebhook(url, { text: 'x' }, { baseDelayMs: 1, attempts: 3 }), (e: unknown) =>
        isMlopsError(e, 'UNAVAILABLE'),
      );
      assert.equal(calls, 3);
    } finally {
      server.close();
    }
  });
});

describe('retrain command runner and lock', () => {
  it('stops a command past its timeout, with the shell and what it started', async () => {
    const { runShell } = await import('../../../src/core/monitor/runCommand');
    const r = await runShell(`echo started; node -e "setTimeout(() => console.log('too late'), 30000)"`, {
      cwd: __dirname,
      env: process.env,
      timeoutMs: 300,
    });
    assert.notEqual(r.code, 0);
    assert.deepEqual(r.tail, ['started', '(timed out after 0 s)']);
  });

  it('takes over a lock left by a dead process, and refuses one held by a live one', async () => {
    const { tempDir } = await import('../../helpers/tmp');
    const { takeRetrainLock } = await import('../../../src/core/monitor/retrainLock');
    const { writeFileSync } = await import('node:fs');
    const t = tempDir();
    try {
      writeFileSync(`${t.dir}/fraud.retrain.lock`, JSON.stringify({ pid: 2 ** 22 + 7, at: 'then' }));
      const release = await takeRetrainLock(t.dir, 'fraud');
      await assert.rejects(takeRetrainLock(t.dir, 'fraud'), (e: unknown) => isMlopsError(e, 'LOCKED'));
      await release();
      await (
        await takeRetrainLock(t.dir, 'fraud')
      )();
    } finally {
      t.cleanup();
    }
  });
});
