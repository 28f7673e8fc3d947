import path from 'node:path';
import { MlopsError } from '../../core/errors';
import {
  type LoadTarget,
  type LoadTestProgress,
  openInProcessTarget,
  prepareHttpTarget,
  runLoadTest,
} from '../../core/serving/loadtest';
import { isModelUri, openLocalModel } from '../../core/serving/modelSource';
import { UsageError } from '../args';
import type { CommandContext, CommandSpec } from '../context';
import { type LoadTestCliOptions, parseLoadTestOptions } from './loadtestOptions';
import { progressLine, reportText } from './loadtestRender';

export const loadtestCommand: CommandSpec = {
  name: 'loadtest',
  summary: 'Load-test a running endpoint (URL) or a model in-process: latency percentiles, throughput, errors',
  usage:
    '<url | models:/name@alias | file.onnx> [--model <name>] [--concurrency 8] [--requests N | --duration 10s] [--rate R] [--warmup 50] [--data file.csv|jsonl [--columns a,b]] [--batch 1] [--protocol oip|mlflow] [--binary] [--timeout 30s] [--max-errors N] [--workers N] [--no-batching] [--quiet] [--json]',
  options: {
    model: { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
    requests: { type: 'string', short: 'n' },
    duration: { type: 'string', short: 'd' },
    rate: { type: 'string', short: 'r' },
    warmup: { type: 'string' },
    data: { type: 'string' },
    columns: { type: 'string' },
    batch: { type: 'string' },
    protocol: { type: 'string' },
    binary: { type: 'boolean' },
    timeout: { type: 'string' },
    'max-errors': { type: 'string' },
    workers: { type: 'string' },
    'no-batching': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
  },
  positionals: [1, 1],
  help: [
    'Target: an http:// URL of a running server (mlops serve, Triton, KServe, MLServer; the model signature',
    'is read from GET /v2/models/<m>), or a models:/ URI or .onnx file run in this process with no HTTP',
    '(sessions in worker threads, batching as the server does it): that measures the model alone.',
    '',
    'Closed loop (default): --concurrency senders, each sending its next request when the last is answered.',
    'Open loop (--rate): requests due at a fixed rate, latency measured from when each was due, so a stall',
    'counts against every request it delayed (coordinated omission corrected, as wrk2 does); --concurrency',
    'then caps the open connections (default 64). Stops after --requests or --duration (default 10s).',
    'Latency percentiles cover answered requests; errors are counted by kind (http_503, timeout, connection).',
    '',
    'Requests: random valid examples built from the signature (free dims = 1, first dim = --batch), or rows',
    'of --data (one 2-D input; its numeric columns in file order, or --columns in the order the model expects).',
    "--binary sends the tensors and asks for the outputs as raw bytes (Triton's binary tensor extension, as",
    "Triton's own clients do) instead of JSON numbers: a large float tensor then costs no text to parse.",
    '',
    'Exit codes: 0 done, 1 more errors than --max-errors (or no request answered), 2 usage, 130 interrupted.',
    '',
    'Examples:',
    '  mlops loadtest http://127.0.0.1:8080 --model fraud --concurrency 16 --duration 30s',
    '  mlops loadtest http://127.0.0.1:8080 --rate 2000 --duration 1m --max-errors 0',
    '  mlops loadtest models:/fraud@production --batch 8 --requests 5000 --json > report.json',
  ].join('\n'),
  async run(ctx, positionals, values) {
    const where = positionals[0];
    const o = parseLoadTestOptions(values);
    const http = /^https?:\/\//i.test(where);
    if (/^https:/i.test(where))
      throw new UsageError('https is not supported yet: load-test the server over http.', 'loadtest');
    if (http && !URL.canParse(where))
      throw new UsageError(`"${where}" is not a URL: give the server's, e.g. http://127.0.0.1:8080.`, 'loadtest');
    if (!http && !isModelUri(where) && !/\.onnx$/i.test(where))
      throw new UsageError(`"${where}" is not a URL, a models:/ URI nor a .onnx file.`, 'loadtest');
    if (http && (o.workers !== undefined || !o.batching))
      throw new UsageError('--workers and --no-batching apply to in-process runs; the server has its own.', 'loadtest');
    if (!http && (o.model !== undefined || o.protocol !== 'oip' || o.binary))
      throw new UsageError(
        '--model, --protocol and --binary apply to a URL; an in-process run has no HTTP.',
        'loadtest',
      );

    const { target, description } = http ? await httpTarget(ctx, where, o) : await inProcessTarget(ctx, where, o);
    let report;
    try {
      report = await runLoadTest(target, o.plan, {
        signal: ctx.signal,
        onProgress: o.quiet ? undefined : progressPrinter(ctx),
        progressIntervalMs: 250,
      });
    } finally {
      clearLiveLine();
      await target.close();
    }
    ctx.print(report, () => reportText(report, description));
    if (report.cancelled) return 130;
    const answered = report.latency.count;
    // Thrown after the report is printed: the CLI writes them as every command's errors (JSON with --json).
    if (o.maxErrors !== undefined && report.errorCount > o.maxErrors)
      throw new MlopsError(
        'INVALID_STATE',
        `${report.errorCount} requests failed, more than --max-errors ${o.maxErrors}.`,
        'See the errors above.',
      );
    if (answered === 0 && report.errorCount > 0) {
      const first = Object.entries(report.errorSamples ?? {}).map(([kind, message]) => `${kind}: ${message}`)[0];
      throw new MlopsError(
        'UNAVAILABLE',
        'No request was answered successfully.',
        first ? `The first error: ${first}` : 'See the errors above.',
      );
    }
    return 0;
  },
};

async function httpTarget(
  ctx: CommandContext,
  url: string,
  o: LoadTestCliOptions,
): Promise<{ target: LoadTarget; description: string }> {
  return prepareHttpTarget({
    baseUrl: url,
    model: o.model,
    protocol: o.protocol,
    binary: o.binary,
    batch: o.batch,
    data: o.data ? { file: path.resolve(ctx.cwd, o.data), displayName: o.data, columns: o.columns } : undefined,
    connections: o.plan.concurrency,
    timeoutMs: o.timeoutMs,
    signal: ctx.signal,
  });
}

async function inProcessTarget(
  ctx: CommandContext,
  ref: string,
  o: LoadTestCliOptions,
): Promise<{ target: LoadTarget; description: string }> {
  const model = await openLocalModel(ref, { cwd: ctx.cwd, registry: () => ctx.registry() });
  return openInProcessTarget(model, {
    batch: o.batch,
    data: o.data ? { file: path.resolve(ctx.cwd, o.data), displayName: o.data, columns: o.columns } : undefined,
    timeoutMs: o.timeoutMs,
    workers: o.workers,
    batching: { enabled: o.batching },
    signal: ctx.signal,
  });
}

let live = false;

/** A live line on a terminal; elsewhere (CI logs) one line per second at most. */
function progressPrinter(ctx: CommandContext): (p: LoadTestProgress) => void {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  return (p) => {
    if (tty) {
      live = true;
      process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
      return;
    }
    const now = Date.now();
    if (now - lastLine < 1000) return;
    lastLine = now;
    ctx.err(progressLine(p));
  };
}

function clearLiveLine(): void {
  if (live) process.stderr.write('\r\x1b[2K');
  live = false;
}
