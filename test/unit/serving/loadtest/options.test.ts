import assert from 'node:assert/strict';
import { UsageError } from '../../../../src/cli/args';
import { parseLoadTestOptions } from '../../../../src/cli/commands/loadtestOptions';
import { loadtestCommand } from '../../../../src/cli/commands/loadtest';
import type { CommandContext } from '../../../../src/cli/context';

describe('mlops loadtest options', () => {
  it('defaults: closed loop, 8 concurrent, 10 s, 50 warm-up, batch 1, OIP, 30 s timeout', () => {
    const o = parseLoadTestOptions({});
    assert.deepEqual(o.plan, {
      mode: 'closed',
      concurrency: 8,
      rate: undefined,
      requests: undefined,
      durationMs: 10_000,
      warmupRequests: 50,
      batch: 1,
    });
    assert.equal(o.protocol, 'oip');
    assert.equal(o.timeoutMs, 30_000);
    assert.equal(o.maxErrors, undefined);
  });

  it('--rate makes an open loop with 64 connections; durations take ms, s, m, h or bare seconds', () => {
    const o = parseLoadTestOptions({ rate: '250.5', duration: '2m', timeout: '500ms' });
    assert.equal(o.plan.mode, 'open');
    assert.equal(o.plan.rate, 250.5);
    assert.equal(o.plan.concurrency, 64);
    assert.equal(o.plan.durationMs, 120_000);
    assert.equal(o.timeoutMs, 500);
    assert.equal(parseLoadTestOptions({ duration: '3' }).plan.durationMs, 3000);
    assert.equal(parseLoadTestOptions({ requests: '100' }).plan.durationMs, undefined);
  });

  it('every number is bounded: a usage error naming the option', () => {
    const cases: [Record<string, string | boolean>, RegExp][] = [
      [{ concurrency: '0' }, /--concurrency must be between 1 and 10000/],
      [{ concurrency: 'many' }, /--concurrency expects a whole number/],
      [{ requests: '1.5' }, /--requests expects a whole number/],
      [{ requests: '0' }, /--requests must be between 1/],
      [{ rate: '-5' }, /--rate must be between 0.1 and 1000000/],
      [{ rate: '1e9' }, /--rate must be between/],
      [{ rate: 'fast' }, /--rate expects a number/],
      [{ duration: '10x' }, /--duration expects a duration/],
      [{ duration: '50ms' }, /--duration must be between 100ms and 24h/],
      [{ duration: '25h' }, /--duration must be between 100ms and 24h/],
      [{ warmup: '-1' }, /--warmup must be between 0/],
      [{ batch: '0' }, /--batch must be between 1 and 65536/],
      [{ batch: '100000' }, /--batch must be between 1 and 65536/],
      [{ timeout: '0' }, /--timeout must be between 1ms and 1h/],
      [{ timeout: '2h' }, /--timeout must be between 1ms and 1h/],
      [{ 'max-errors': 'x' }, /--max-errors expects a whole number/],
      [{ 'max-errors': '-1' }, /--max-errors must be between 0/],
      [{ workers: '65' }, /--workers must be between 1 and 64/],
      [{ protocol: 'grpc' }, /--protocol must be oip or mlflow/],
      [
        { protocol: 'mlflow', binary: true },
        /--binary sends Open Inference Protocol binary tensors; it cannot go with --protocol mlflow/,
      ],
      [{ columns: 'a,b' }, /--columns needs --data/],
      [{ columns: ' , ', data: 'x.csv' }, /--columns names no column/],
    ];
    for (const [values, pattern] of cases)
      assert.throws(
        () => parseLoadTestOptions(values),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message),
        JSON.stringify(values),
      );
  });

  it('options that do not fit the target are usage errors before anything is opened', async () => {
    const ctx = {
      cwd: '/nonexistent',
      registry: () => Promise.reject(new Error('must not open the registry')),
    } as unknown as CommandContext;
    const cases: [string, Record<string, string | boolean>, RegExp][] = [
      ['ftp://x', {}, /is not a URL, a models:\/ URI nor a \.onnx file/],
      ['https://x', {}, /https is not supported/],
      ['http://127.0.0.1:1', { workers: '2' }, /--workers and --no-batching apply to in-process runs/],
      ['http://127.0.0.1:1', { 'no-batching': true }, /--workers and --no-batching apply to in-process runs/],
      ['m.onnx', { model: 'm' }, /--model, --protocol and --binary apply to a URL/],
      ['models:/m@prod', { protocol: 'mlflow' }, /--model, --protocol and --binary apply to a URL/],
      ['m.onnx', { binary: true }, /--model, --protocol and --binary apply to a URL/],
    ];
    for (const [where, values, pattern] of cases)
      await assert.rejects(
        loadtestCommand.run(ctx, [where], values),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message),
        where,
      );
  });
});
