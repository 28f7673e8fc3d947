import { errorMessage } from '../../core/errors';
import type { RunningServer, ServeOptions } from '../../core/serving/serve';
import { UsageError } from '../args';
import { EXIT } from '../cli';
import type { CommandContext, CommandSpec } from '../context';
import { boundedBytes, boundedInt, boundedNumber, isLoopback, list, parseCanary, parseLogRate } from './serveOptions';
import { MAX_BATCH_SIZE } from '../../core/serving/runtime/runner';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'Serve models over HTTP: Open Inference Protocol v2, MLflow /invocations, Prometheus /metrics',
  usage:
    '<models:/name@alias | models:/name/3 | file.onnx>... [--port 8080] [--host 127.0.0.1] [--max-batch 32] [--max-delay-ms 1] [--max-queue 1024] [--no-batching] [--workers n] [--threads n] [--canary models:/m@challenger=10%] [--shadow models:/m@challenger] [--log-predictions 1|0.1|off] [--log-dir <dir>] [--max-body 64MiB] [--summary-every 5] [--json]',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'max-batch': { type: 'string' },
    'max-delay-ms': { type: 'string' },
    'max-queue': { type: 'string' },
    'no-batching': { type: 'boolean' },
    workers: { type: 'string' },
    threads: { type: 'string' },
    canary: { type: 'string', multiple: true },
    shadow: { type: 'string', multiple: true },
    'log-predictions': { type: 'string' },
    'log-dir': { type: 'string' },
    'max-body': { type: 'string' },
    'summary-every': { type: 'string' },
    poll: { type: 'string' },
  },
  positionals: [1, 64],
  help: [
    'Each model is served under its name: models:/fraud@production as "fraud", ./iris.onnx as "iris".',
    'A model served by alias follows it: promote or roll back from anywhere and the server loads and warms',
    'the new version, then switches with no failed request. X-Model-Version says which version answered.',
    '',
    'Routes: GET /v2, /v2/health/live, /v2/health/ready, /v2/models/<m>[/versions/<v>][/ready],',
    '        POST /v2/models/<m>[/versions/<v>]/infer, POST /v2/repository/index (Open Inference Protocol v2);',
    '        POST /invocations, GET /ping, /health, /version (MLflow scoring protocol, first model);',
    '        GET /metrics (Prometheus).',
    "Infer takes JSON, or Triton's binary tensor data (header Inference-Header-Content-Length), as",
    "Triton's clients send it; FP16 inputs only come that way.",
    '',
    '--canary sends a share of the traffic to another version; --shadow runs another version on a copy of',
    'every request and records how often it agrees (/metrics, prediction log), the answer is unchanged.',
    '--log-predictions: share of requests written to <registry>/predictions/<model>/*.jsonl (default 1);',
    '  an MLflow registry or bare .onnx files need --log-dir. Feed it to `mlops drift --current <dir>`.',
    '--port 0 picks a free port. --host other than 127.0.0.1 exposes the models to the network (no auth).',
    '--poll <seconds>: also re-check the aliases this often (default 30; 0 = only on change notifications).',
    'Ctrl-C or SIGTERM: stop accepting, answer the requests in flight, flush the log, exit 0.',
    '',
    'Examples:',
    '  mlops serve models:/fraud@production --port 8080',
    '  mlops serve models:/fraud@production --canary models:/fraud@challenger=10% --json',
    '  mlops serve ./model.onnx --log-dir ./predictions --no-batching',
  ].join('\n'),
  async run(ctx, positionals, values) {
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    if (host.trim() === '') throw new UsageError('--host is empty.', 'serve');
    const batching = values['no-batching'] === true;
    if (batching && (values['max-batch'] !== undefined || values['max-delay-ms'] !== undefined))
      throw new UsageError('--no-batching cannot be combined with --max-batch or --max-delay-ms.', 'serve');
    const logDir = values['log-dir'] as string | undefined;
    if (logDir !== undefined && logDir.trim() === '')
      throw new UsageError(
        '--log-dir is empty.',
        'serve',
        'Give the folder for the prediction log, or leave --log-dir out.',
      );
    const logRate = parseLogRate(values['log-predictions']);
    if (logDir !== undefined && logRate === 0)
      throw new UsageError(
        '--log-dir names a prediction log folder, but --log-predictions off logs nothing.',
        'serve',
        'Drop one of the two.',
      );
    const canary = list(values.canary).map(parseCanary);
    const shadow = list(values.shadow);
    const summaryEvery = boundedNumber('summary-every', values['summary-every'], 0, 3600) ?? 5;
    const poll = boundedNumber('poll', values.poll, 0, 86_400);
    const opts: ServeOptions = {
      models: positionals,
      canary,
      shadow,
      cwd: ctx.cwd,
      host,
      port: boundedInt('port', values.port, 0, 65535) ?? 8080,
      maxBodyBytes: boundedBytes('max-body', values['max-body'], 1024, 2 ** 31 - 1),
      batching: {
        enabled: !batching,
        maxBatchSize: boundedInt('max-batch', values['max-batch'], 1, MAX_BATCH_SIZE),
        maxQueueDelayMs: boundedNumber('max-delay-ms', values['max-delay-ms'], 0, 10_000),
        maxQueueSize: boundedInt('max-queue', values['max-queue'], 1, 1_000_000),
      },
      workers: boundedInt('workers', values.workers, 1, 64),
      intraOpThreads: boundedInt('threads', values.threads, 1, 256),
      logRate,
      logDir,
      pollMs: poll === undefined ? undefined : poll * 1000,
      version: '0.1.0',
      onEvent: (e) => {
        if (e.type === 'swap' && e.from !== null) {
          ctx.err(`${e.model}: ${e.role} now serves v${e.to} (was v${e.from}).`);
          if (e.inputsChanged)
            ctx.err(
              `warning: ${e.model} v${e.to} takes other inputs than v${e.from} (${e.inputsChanged.join('; ')}): requests for v${e.from}'s inputs now fail with 400.`,
            );
        } else if (e.type === 'refresh-failed')
          ctx.err(`warning: ${e.target} could not be reloaded; still serving the current version: ${e.message}`);
        else if (e.type === 'log-error') ctx.err(`warning: ${e.message}`);
      },
    };
    const needsRegistry = [...positionals, ...canary.map((c) => c.uri), ...shadow].some((s) =>
      s.trim().startsWith('models:/'),
    );
    if (needsRegistry) opts.registry = await ctx.registry();
    if (!isLoopback(host))
      ctx.err(
        `warning: listening on ${host}: anyone who can reach this machine can call these models (there is no authentication).`,
      );

    const { startServing } = await import('../../core/serving/serve');
    const server = await startServing(opts);
    announce(ctx, server, opts);
    await untilStopped(ctx, server, summaryEvery);
    return EXIT.OK;
  },
};

function describeModels(server: RunningServer) {
  return [...server.models.models.values()].map((m) => ({
    name: m.name,
    versions: m.versions(),
    target: m.primary.target.label,
    ...(m.canary ? { canary: { target: m.canary.slot.target.label, share: m.canary.share } } : {}),
    ...(m.shadow ? { shadow: m.shadow.target.label } : {}),
  }));
}

function announce(ctx: CommandContext, server: RunningServer, opts: ServeOptions): void {
  const models = describeModels(server);
  if (ctx.json) {
    // One line, so a script can read it as soon as the server is ready.
    ctx.out(JSON.stringify({ url: server.url, models, predictionLog: server.logDir ?? null }));
    return;
  }
  ctx.out(server.url);
  for (const m of models) {
    const extra = [
      m.canary ? `canary ${m.canary.target} ${Math.round(m.canary.share * 1000) / 10}%` : '',
      m.shadow ? `shadow ${m.shadow}` : '',
    ].filter(Boolean);
    ctx.err(
      `Serving ${m.name} v${m.versions[0]} (${m.target})${extra.length ? `, ${extra.join(', ')}` : ''}: POST ${server.url}/v2/models/${encodeURIComponent(m.name)}/infer`,
    );
  }
  ctx.err(`MLflow: POST ${server.url}/invocations (${models[0].name}); metrics: ${server.url}/metrics`);
  if (server.logDir)
    ctx.err(
      `Prediction log: ${server.logDir}${opts.logRate !== undefined && opts.logRate < 1 ? ` (${opts.logRate * 100}% of requests)` : ''}`,
    );
  else if ((opts.logRate ?? 1) > 0)
    ctx.err('Prediction log: off (give --log-dir to keep one for an MLflow registry or .onnx files).');
  ctx.err('Press Ctrl-C to stop.');
}

/** Serves until the command's signal aborts (Ctrl-C) or SIGTERM, printing a summary line every few seconds. */
async function untilStopped(ctx: CommandContext, server: RunningServer, everySeconds: number): Promise<void> {
  const timer =
    everySeconds > 0
      ? setInterval(() => {
          const w = server.window.take();
          if (w.requests === 0) return;
          ctx.err(
            `${w.requests} requests (${w.perSecond.toFixed(1)} req/s), p50 ${w.p50.toFixed(2)} ms, p99 ${w.p99.toFixed(2)} ms, ${w.errors} errors`,
          );
        }, everySeconds * 1000)
      : undefined;
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.once('SIGTERM', onTerm);
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) stop.abort();
  try {
    await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }));
    if (!ctx.json) ctx.err('Stopping: answering the requests in flight, flushing the prediction log…');
    const total = server.window.take();
    await server.close();
    if (!ctx.json) ctx.err(`Stopped after ${total.totalRequests} requests (${total.totalErrors} errors).`);
  } catch (e) {
    ctx.err(`error while stopping: ${errorMessage(e)}`);
    throw e;
  } finally {
    if (timer) clearInterval(timer);
    process.off('SIGTERM', onTerm);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
