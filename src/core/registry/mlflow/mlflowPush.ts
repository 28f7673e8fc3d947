import { MlopsError, throwIfAborted } from '../../errors';
import { preparePush, type PreparedPush } from '../push';
import type { ActionContext, OperationOptions, PushInput } from '../types';
import { artifactPathOf, hashRemote } from './artifacts';
import type { MlflowClient } from './client';
import { decodeEvents } from './auditTags';
import { aliasesOf, statusOf } from './convert';
import type { Lookups } from './lookups';
import { isMlflowError } from './remoteErrors';
import { assertTagKeyFits, assertUserTagKeys, putLong, TAG } from './tags';
import type { Logger, MlflowTransport } from './transport';
import { mlmodelYaml } from './mlmodel';
import { UndoLog } from './undo';
import { filterLiteral, recordToTags, tagsToRecord, type ModelVersionJson, type RegisteredModelJson } from './wire';

export interface PushDeps {
  client: MlflowClient;
  http: MlflowTransport;
  lookups: Lookups;
  experimentId: string;
  log?: Logger;
}

/** What a push registered: the version, as the server answered it, and the model's aliases after it. */
export interface PushOutcome {
  version: number;
  registered: ModelVersionJson;
  aliases: Record<string, number>;
  /** True when an earlier push with the same file and idempotency key had registered it already. */
  reused: boolean;
}

/**
 * A push, as MLflow's own clients do it: a run holds the metrics and params (MLflow's run page shows
 * them) and the file (uploaded through the artifact proxy, then downloaded again and hashed), and a model
 * version points at it with an explicit `mlflow-artifacts:/` source and carries our tags. Each step is
 * undone if a later one fails: the run is marked FAILED and deleted (MLflow keeps deleted runs in its
 * trash until `mlflow gc`), the files are deleted, a version and a model created here are deleted.
 * With an idempotency key, a version of this model already tagged with the same push key (same file,
 * same key) is returned instead of registering another: a retried CI job gets the version its first
 * attempt registered.
 */
export async function pushToMlflow(
  d: PushDeps,
  input: PushInput,
  ctx: ActionContext,
  opts: OperationOptions = {},
): Promise<PushOutcome> {
  const p = await preparePush(input, opts);
  const { model, alias, parentVersion } = p.input;
  preflight(p);
  // Reads before any write: an unknown parent must leave nothing behind.
  if (parentVersion !== undefined) await d.lookups.modelAndVersion(model, parentVersion);
  const existing = await d.lookups.modelOrNull(model);
  if (existing && p.pushKey !== null) {
    const found = await d.client.searchVersions({
      model,
      tag: { key: TAG.pushKey, value: p.pushKey },
      maxResults: 1,
      orderBy: ['version_number ASC'],
    });
    const first = found.model_versions?.[0];
    if (first) return finishRetriedPush(d, existing, first, alias, ctx);
  }
  throwIfAborted(opts.signal, 'Pushing the model');

  const undo = new UndoLog(d.log);
  try {
    opts.onProgress?.({ stage: 'Creating the MLflow run' });
    const run = await d.client
      .createRun({
        experimentId: d.experimentId,
        runName: `mlops push ${model}`,
        user: ctx.actor,
        tags: recordToTags({
          'mlflow.user': ctx.actor,
          'mlflow.source.name': 'mlops-studio',
          'mlops.model': model,
          [TAG.sha256]: p.sha256,
        }),
      })
      .catch((e: unknown) => {
        if (!isMlflowError(e, 'RESOURCE_DOES_NOT_EXIST')) throw e;
        throw new MlopsError(
          'NOT_FOUND',
          `${d.client.server} has no experiment with id "${d.experimentId}" to hold the push's run.`,
          'Set MLFLOW_EXPERIMENT_ID to an existing experiment id, or unset it to use the Default experiment ("0").',
        );
      });
    const runId = run.info.run_id;
    undo.add(`run ${runId} (failed push)`, async () => {
      await d.client.updateRun(runId, 'FAILED');
      await d.client.deleteRun(runId);
    });
    const base = artifactPathOf(run.info.artifact_uri ?? '');
    if (base === null) {
      throw new MlopsError(
        'INVALID_STATE',
        `${d.client.server} stores this experiment's artifacts at "${run.info.artifact_uri ?? ''}" and does not proxy them, so the model cannot be uploaded.`,
        'Run the server with artifact serving on (the default, e.g. `mlflow server --artifacts-destination ...`), or choose an experiment whose artifact location is mlflow-artifacts:/ (MLFLOW_EXPERIMENT_ID).',
      );
    }
    await logRun(d.client, runId, p);

    const dir = `${base}/model`;
    const file = `${dir}/${p.fileName}`;
    // Undo is recorded before each upload: a PUT that fails half-way may still have stored something.
    undo.add(`file ${file}`, () => d.http.deleteArtifact(file));
    await d.http.putArtifact(file, p.bytes, {
      signal: opts.signal,
      onUpload: (done, total) => opts.onProgress?.({ stage: 'Uploading', done, total }),
    });
    undo.add(`file ${dir}/MLmodel`, () => d.http.deleteArtifact(`${dir}/MLmodel`));
    const mlmodel = mlmodelYaml({
      fileName: p.fileName,
      runId,
      signature: p.inspection.signature,
      onnx: p.inspection.summary,
    });
    await d.http.putArtifact(`${dir}/MLmodel`, Buffer.from(mlmodel), { signal: opts.signal });
    const got = await hashRemote(d.http, file, opts, 'Verifying the upload');
    if (got.sha256 !== p.sha256 || got.size !== p.bytes.length) {
      throw new MlopsError(
        'CORRUPT',
        `The file uploaded to ${d.client.server} came back different (sha256 ${got.sha256.slice(0, 12)}…, ${got.size} bytes; sent ${p.sha256.slice(0, 12)}…, ${p.bytes.length} bytes).`,
        "Nothing was registered. Check the server's artifact store (disk space, a proxy rewriting bodies), then push again.",
      );
    }
    await d.client.updateRun(runId, 'FINISHED');
    // The registration calls below take no signal (an aborted create would leave its outcome unknown),
    // so a cancel is honoured here, before them.
    throwIfAborted(opts.signal, 'Pushing the model');

    opts.onProgress?.({ stage: 'Registering' });
    if (!existing) await createModel(d, model, undo);
    // Registration cannot be retried safely; if its outcome is unknown, undo finds the version by run id.
    undo.add(`the version registered from run ${runId}`, () => deleteVersionsOfRun(d.client, model, runId));
    const mv = await waitReady(
      d,
      await d.client.createVersion({
        name: model,
        source: `mlflow-artifacts:/${dir}`,
        runId,
        description: p.input.description ?? '',
        tags: recordToTags(versionTags(p, ctx)),
      }),
    );
    const version = Number(mv.version);

    const rm = await d.lookups.model(model);
    const events: Parameters<Lookups['record']>[3] = [{ action: 'create-version', version }];
    if (alias !== undefined) {
      const from = aliasesOf(rm)[alias] ?? null;
      await d.client.setAlias(model, alias, version);
      undo.add(`alias "${alias}"`, () =>
        from === null ? d.client.deleteAlias(model, alias) : d.client.setAlias(model, alias, from),
      );
      events.push({ action: 'promote', alias, fromVersion: from, toVersion: version });
    }
    await d.lookups.record(model, rm, ctx, events, undo);
    await d.lookups.trimHistory(model, rm, events.length);
    const aliases = aliasesOf(rm);
    if (alias !== undefined) aliases[alias] = version;
    return { version, registered: mv, aliases, reused: false };
  } catch (e) {
    throw await undo.unwind(e);
  }
}

/**
 * The version an earlier attempt registered. Its alias is given only if that attempt never got to it
 * (its process died between registering and moving the alias): when the history shows the alias was
 * moved to it once, later moves by others are left alone.
 */
async function finishRetriedPush(
  d: PushDeps,
  rm: RegisteredModelJson,
  mv: ModelVersionJson,
  alias: string | undefined,
  ctx: ActionContext,
): Promise<PushOutcome> {
  const version = Number(mv.version);
  const aliases = aliasesOf(rm);
  const outcome = { version, registered: mv, aliases, reused: true };
  if (alias === undefined || aliases[alias] === version || statusOf(mv) === 'archived') return outcome;
  const history = decodeEvents(rm.name, tagsToRecord(rm.tags)).events;
  if (history.some((e) => e.alias === alias && e.toVersion === version)) return outcome;
  const from = aliases[alias] ?? null;
  const undo = new UndoLog(d.log);
  try {
    await d.client.setAlias(rm.name, alias, version);
    undo.add(`alias "${alias}"`, () =>
      from === null ? d.client.deleteAlias(rm.name, alias) : d.client.setAlias(rm.name, alias, from),
    );
    await d.lookups.record(
      rm.name,
      rm,
      ctx,
      [{ action: 'promote', alias, fromVersion: from, toVersion: version }],
      undo,
    );
  } catch (e) {
    throw await undo.unwind(e);
  }
  aliases[alias] = version;
  return outcome;
}

function preflight(p: PreparedPush): void {
  if (filterLiteral(p.input.model) === null) {
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The model name "${p.input.model}" contains both ' and ", which MLflow's search filter cannot express.`,
      'Rename the model without one of the quote characters.',
    );
  }
  assertUserTagKeys(Object.keys(p.input.tags));
  for (const k of Object.keys(p.input.metrics)) assertTagKeyFits('metric', k, TAG.metricPrefix);
  for (const k of Object.keys(p.input.params)) assertTagKeyFits('param', k, TAG.paramPrefix);
}

/** Everything a version needs to be read back without its run: MLflow's UI shows these tags too. */
function versionTags(p: PreparedPush, ctx: ActionContext): Record<string, string> {
  const t: Record<string, string> = { ...p.input.tags };
  t[TAG.sha256] = p.sha256;
  t[TAG.size] = String(p.bytes.length);
  t[TAG.fileName] = p.fileName;
  t[TAG.status] = 'active';
  t[TAG.createdBy] = ctx.actor;
  putLong(t, TAG.signature, JSON.stringify(p.inspection.signature));
  putLong(t, TAG.onnx, JSON.stringify(p.inspection.summary));
  if (p.input.parentVersion !== undefined) t[TAG.parentVersion] = String(p.input.parentVersion);
  if (p.input.runId) t[TAG.runId] = p.input.runId;
  if (p.pushKey !== null) t[TAG.pushKey] = p.pushKey;
  for (const [k, v] of Object.entries(p.input.metrics)) t[TAG.metricPrefix + k] = String(v);
  for (const [k, v] of Object.entries(p.input.params)) t[TAG.paramPrefix + k] = v;
  return t;
}

/** Metrics and params on the run, in batches within MLflow's limits (1000 metrics, 100 params). */
async function logRun(client: MlflowClient, runId: string, p: PreparedPush): Promise<void> {
  const now = Date.now();
  const metrics = Object.entries(p.input.metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 }));
  const params = recordToTags(p.input.params);
  const lineage = p.input.runId ? [{ key: 'mlops.source_run_id', value: p.input.runId }] : [];
  for (let i = 0; i === 0 || i * 1000 < metrics.length || i * 100 < params.length; i++) {
    await client.logBatch(runId, {
      metrics: metrics.slice(i * 1000, (i + 1) * 1000),
      params: params.slice(i * 100, (i + 1) * 100),
      tags: i === 0 ? lineage : [],
    });
  }
}

async function createModel(d: PushDeps, model: string, undo: UndoLog): Promise<void> {
  try {
    await d.client.createModel(model, '', []);
  } catch (e) {
    if (isMlflowError(e, 'RESOURCE_ALREADY_EXISTS')) return; // created meanwhile by someone else: theirs
    throw e;
  }
  undo.add(`model "${model}"`, async () => {
    // Only if still empty: another push may have registered a version in it meanwhile.
    const left = await d.client.searchVersions({ model, maxResults: 1, orderBy: [] });
    if (!left.model_versions?.length) await d.client.deleteModel(model);
  });
}

async function deleteVersionsOfRun(client: MlflowClient, model: string, runId: string): Promise<void> {
  const found = await client.searchVersions({ model, runId, maxResults: 100, orderBy: [] });
  for (const v of found.model_versions ?? []) await client.deleteVersion(model, Number(v.version));
}

/** Servers may register asynchronously (PENDING_REGISTRATION); wait for READY, fail on FAILED_REGISTRATION. */
async function waitReady(d: PushDeps, mv: ModelVersionJson): Promise<ModelVersionJson> {
  const deadline = Date.now() + 60_000;
  let cur = mv;
  while (cur.status === 'PENDING_REGISTRATION' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    cur = await d.client.getVersion(cur.name, Number(cur.version));
  }
  if (cur.status === 'FAILED_REGISTRATION' || cur.status === 'PENDING_REGISTRATION') {
    throw new MlopsError(
      'REMOTE',
      `${d.client.server} could not register version ${cur.version} of "${cur.name}" (${cur.status}${cur.status_message ? `: ${cur.status_message}` : ''}).`,
      "Check the server's log, then push again.",
    );
  }
  return cur;
}
