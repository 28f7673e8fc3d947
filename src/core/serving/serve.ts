import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, MlopsError } from '../errors';
import { fsError, isNodeError } from '../util/fsx';
import type { Registry } from '../registry/registry';
import { ModelSet, type ModelSpec } from './deploy/modelSet';
import type { DeployEvent } from './deploy/slot';
import { fileTarget, isModelUri, registryTarget, type Target, type VersionInfo } from './deploy/target';
import { inputFeatureNames, recordFeatureNames } from './predlog/features';
import { PREDICTIONS_DIR } from './predlog/layout';
import { PredictionLog } from './predlog/writer';
import type { BatchingOptions, WorkerPool } from './runtime';
import { InferenceHttpServer } from './server/httpServer';
import { InferenceService } from './server/inferenceService';
import { ServingMetrics } from './server/servingMetrics';
import { WindowStats } from './server/windowStats';

export const SERVER_NAME = 'mlops-studio';
export const DEFAULT_MAX_BODY_BYTES = 64 << 20;

export interface ServeOptions {
  /** models:/ URIs or .onnx paths, each served under its model name. */
  models: string[];
  /** A share (0..1) of a served model's traffic goes to another version of it. */
  canary?: { uri: string; share: number }[];
  /** Another version of a served model runs a copy of every request. */
  shadow?: string[];
  /** Needed when any target is a models:/ URI; watched for alias moves. */
  registry?: Registry;
  /** Base for relative .onnx paths. */
  cwd?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  batching?: Partial<BatchingOptions>;
  workers?: number;
  intraOpThreads?: number;
  workerPath?: string;
  /** Slow registry poll beside the change notifications (ms, 0 = none). */
  pollMs?: number;
  /** Share of answered requests logged (0 = off). Default 1. */
  logRate?: number;
  /** Where the prediction log goes; default `<registry folder>/predictions` for an embedded registry. */
  logDir?: string;
  logMaxFileBytes?: number;
  logMaxTotalBytes?: number;
  logFlushMs?: number;
  /** Version string for GET /v2 and GET /version. */
  version?: string;
  /** Swaps, failed refreshes and log problems, for the adapter to show. */
  onEvent?: (e: DeployEvent | { type: 'log-error'; message: string }) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  models: ModelSet;
  metrics: ServingMetrics;
  window: WindowStats;
  /** The worker pool running the models (its counters: restarts, failure). */
  pool: WorkerPool;
  /** The prediction log's folder, or undefined when logging is off. */
  logDir: string | undefined;
  /** Stop accepting, answer the requests in flight, retire the runners, flush the log. */
  close(): Promise<void>;
}

function target(spec: string, registry: Registry | undefined, cwd: string): Target {
  if (isModelUri(spec)) {
    if (!registry)
      throw new MlopsError('INVALID_ARGUMENT', `${spec} needs a registry.`, 'Pass --registry, or serve an .onnx file.');
    return registryTarget(registry, spec);
  }
  if (!/\.onnx$/i.test(spec))
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `"${spec}" is neither a models:/ URI nor an .onnx file.`,
      'Give models:/<name>@<alias>, models:/<name>/<version> or a path ending in .onnx.',
    );
  return fileTarget(path.resolve(cwd, spec));
}

/** The prediction log's folder: --log-dir, else the embedded registry's predictions/ folder, else none. */
function logRoot(o: ServeOptions): string | undefined {
  if (o.logDir) return path.resolve(o.cwd ?? process.cwd(), o.logDir);
  if (o.registry?.kind === 'embedded') return path.join(o.registry.location, PREDICTIONS_DIR);
  return undefined;
}

/**
 * A --log-dir that cannot take files is refused before anything loads: the log is written off the
 * request path, so a bad folder would otherwise show up only as a warning per flush, every record lost.
 */
async function checkLogDir(dir: string, given: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, fsConstants.W_OK);
  } catch (e) {
    if (isNodeError(e, 'EEXIST', 'ENOTDIR'))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `--log-dir ${given}: ${dir} is a file, not a folder.`,
        'Give a folder for the prediction log.',
        { cause: e },
      );
    throw fsError(e, 'write the prediction log to', dir);
  }
}

/** Starts serving: loads and warms every model, then listens. Rejects (and frees everything) if any fails. */
export async function startServing(o: ServeOptions): Promise<RunningServer> {
  const cwd = o.cwd ?? process.cwd();
  if (o.logDir && (o.logRate ?? 1) > 0) await checkLogDir(path.resolve(cwd, o.logDir), o.logDir);
  const specs: ModelSpec[] = o.models.map((m) => ({ primary: target(m, o.registry, cwd) }));
  const forModel = (t: Target, what: string) => {
    const spec = specs.find((s) => s.primary.model === t.model);
    if (!spec)
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${what} ${t.label} names model "${t.model}", which is not served.`,
        `Serve it too, e.g. \`mlops serve models:/${t.model}@production ${what} ${t.label}\`.`,
      );
    return spec;
  };
  for (const c of o.canary ?? []) {
    const t = target(c.uri, o.registry, cwd);
    const spec = forModel(t, '--canary');
    if (spec.canary)
      throw new MlopsError('INVALID_ARGUMENT', `Model "${t.model}" has two canaries.`, 'Give one --canary per model.');
    spec.canary = { target: t, share: c.share };
  }
  for (const s of o.shadow ?? []) {
    const t = target(s, o.registry, cwd);
    const spec = forModel(t, '--shadow');
    if (spec.shadow)
      throw new MlopsError('INVALID_ARGUMENT', `Model "${t.model}" has two shadows.`, 'Give one --shadow per model.');
    spec.shadow = t;
  }

  const metrics = new ServingMetrics();
  const onEvent = o.onEvent ?? (() => undefined);
  const root = (o.logRate ?? 1) > 0 ? logRoot(o) : undefined;
  const log = root
    ? new PredictionLog({
        root,
        sampleRate: o.logRate ?? 1,
        maxFileBytes: o.logMaxFileBytes,
        maxTotalBytes: o.logMaxTotalBytes,
        flushMs: o.logFlushMs,
        onDrop: (model, n) => metrics.logDrop(model, n),
        onError: (message) => onEvent({ type: 'log-error', message }),
      })
    : undefined;
  // Feature names are written beside the log when a version starts serving, one write at a time (each
  // rewrites features.json); close() waits for the last.
  let namesWritten: Promise<void> = Promise.resolve();
  const remember = (info: VersionInfo | undefined) => {
    if (!root || !info) return;
    const names = inputFeatureNames(info.signature, info.tags);
    namesWritten = namesWritten
      .then(() => recordFeatureNames(root, info.served.model, info.served.version, names))
      .catch((e: unknown) =>
        onEvent({ type: 'log-error', message: `Could not record the feature names: ${errorMessage(e)}` }),
      );
  };

  // Loaded lazily: importing the runtime starts nothing, but keeps `mlops --help` free of it.
  const { WorkerPool } = await import('./runtime');
  const pool = WorkerPool.create({ workers: o.workers, intraOpThreads: o.intraOpThreads, workerPath: o.workerPath });
  let models: ModelSet | undefined;
  try {
    models = await ModelSet.start(specs, {
      registry: o.registry,
      pollMs: o.pollMs,
      factory: (info) => {
        if (!info.signature)
          throw new MlopsError(
            'INVALID_MODEL_FILE',
            `${info.served.model} v${info.served.version} has no signature, so requests cannot be checked.`,
            'Push the model again: the signature is read from the ONNX graph.',
          );
        return pool.createRunner({
          served: info.served,
          modelPath: info.modelPath,
          signature: info.signature,
          batching: o.batching,
        });
      },
      onEvent: (e) => {
        if (e.type === 'swap') {
          metrics.swapped(e.model, e.role, e.to, e.from !== null);
          remember(models?.get(e.model)?.byVersion(e.to)?.live.info);
        }
        onEvent(e);
      },
    });
    for (const m of models.models.values()) for (const s of m.slots) remember(s.live?.info);
    const window = new WindowStats();
    const service = new InferenceService(models, metrics, window, log);
    const state = {
      service,
      models,
      maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      draining: false,
      name: SERVER_NAME,
      version: o.version ?? '0.1.0',
    };
    const http = await InferenceHttpServer.listen(state, metrics, {
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 0,
      headersTimeoutMs: o.headersTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      keepAliveTimeoutMs: o.keepAliveTimeoutMs,
    });
    const set = models;
    let closing: Promise<void> | undefined;
    return {
      url: http.url,
      port: http.port,
      models: set,
      metrics,
      window,
      pool,
      logDir: root,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          await set.close();
          await pool.close();
          await log?.close();
          await namesWritten;
        })()),
    };
  } catch (e) {
    await models?.close().catch(() => undefined);
    await pool.close().catch(() => undefined);
    await log?.close().catch(() => undefined);
    throw e;
  }
}
