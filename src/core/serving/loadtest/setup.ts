import { isMlopsError, MlopsError } from '../../errors';
import { binaryRequestBody } from '../binaryTensors';
import type { InferRequest, ModelRunner } from '../types';
import { readDataRows } from './dataRows';
import { HttpTarget } from './httpTarget';
import type { InputSpec } from './inputSpec';
import { mlflowBody, oipBody, randomRequestPool, rowRequestPool, singleMatrixInput } from './requests';
import { RunnerTarget } from './runnerTarget';
import { fetchServerModel, servedModels } from './serverMetadata';

/** Building targets and their request pools from what the user names (a server, a model, a data file). */

export type Protocol = 'oip' | 'mlflow';

/** Where the requests come from: random examples from the signature, or rows of a data file. */
export interface RequestSource {
  /** Rows per request (the first dim of the input when it is free). */
  batch: number;
  data?: { file: string; displayName?: string; columns?: string[] };
  signal?: AbortSignal;
}

export interface PreparedRequests {
  requests: InferRequest[];
  /** One line saying what is sent ("64 random examples", "1,000 rows of x.csv (3 incomplete skipped)"). */
  description: string;
}

export async function prepareRequests(specs: InputSpec[], src: RequestSource): Promise<PreparedRequests> {
  if (!src.data) {
    const requests = randomRequestPool(specs, src.batch);
    return { requests, description: `${requests.length} distinct random examples built from the signature` };
  }
  const spec = singleMatrixInput(specs);
  const d = await readDataRows(src.data.file, {
    columns: src.data.columns,
    width: spec.shape[1],
    displayName: src.data.displayName,
    signal: src.signal,
  });
  const skipped = d.skippedRows ? ` (${d.skippedRows} incomplete rows skipped)` : '';
  return {
    requests: rowRequestPool(specs, d.rows, src.batch),
    description: `${d.rows.length} rows of ${src.data.displayName ?? src.data.file}, columns ${d.columns.join(', ')}${skipped}`,
  };
}

export interface HttpTargetSetup extends RequestSource {
  /** The server's base URL ("http://127.0.0.1:8080"). */
  baseUrl: string;
  /** Required when the server serves several models. */
  model?: string;
  protocol: Protocol;
  /** OIP only: send tensors (and ask for outputs) as Triton's binary tensor data, as Triton's clients do. */
  binary?: boolean;
  connections: number;
  timeoutMs: number;
}

/**
 * A target for a running server: learns the model's signature from its OIP v2 metadata, pre-builds the
 * bodies and opens keep-alive connections. MLflow's own scoring server has no metadata: with
 * `protocol: 'mlflow'` and a data file, the rows alone make the requests.
 */
export async function prepareHttpTarget(
  setup: HttpTargetSetup,
): Promise<{ target: HttpTarget; model: string; description: string }> {
  const { base, model: inUrl } = serverOf(setup.baseUrl);
  const wanted = setup.model ?? inUrl;
  let specs: InputSpec[];
  let model = wanted ?? '';
  try {
    const served = await fetchServerModel(base, wanted);
    specs = served.inputs;
    model = served.model;
  } catch (e) {
    const noMetadata = isMlopsError(e, 'NOT_FOUND') || isMlopsError(e, 'INVALID_ARGUMENT');
    if (!(setup.protocol === 'mlflow' && setup.data && noMetadata)) throw e;
    specs = [{ name: 'input', datatype: 'FP32', shape: [null, null] }];
  }
  if (setup.protocol === 'mlflow' && wanted) await checkInvocationsModel(base, wanted);
  const prepared = await prepareRequests(specs, setup);
  if (setup.protocol === 'oip' && !model)
    throw new MlopsError('INVALID_ARGUMENT', 'No model name to send OIP requests to.', 'Name it with --model.');
  const url = setup.protocol === 'oip' ? `${base}/v2/models/${encodeURIComponent(model)}/infer` : `${base}/invocations`;
  if (setup.binary && setup.protocol !== 'oip')
    throw new MlopsError(
      'INVALID_ARGUMENT',
      "Binary tensor data is part of the Open Inference Protocol, not MLflow's.",
      'Use --binary with --protocol oip.',
    );
  const { bodies, bodyHeaders } = setup.binary
    ? binaryBodies(prepared.requests)
    : { bodies: prepared.requests.map(setup.protocol === 'oip' ? oipBody : mlflowBody), bodyHeaders: undefined };
  const target = new HttpTarget({
    url,
    bodies,
    bodyHeaders,
    connections: setup.connections,
    timeoutMs: setup.timeoutMs,
  });
  return { target, model, description: prepared.description };
}

/**
 * The server's base URL and the model a URL names: the infer URL `mlops serve` prints
 * (`…/v2/models/fraud/infer`), a model's metadata URL, `/v2` or `/invocations` all name the same server.
 */
export function serverOf(url: string): { base: string; model?: string } {
  const trimmed = url.replace(/\/+$/, '');
  const m = /^(.*?)\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?(?:\/(?:infer|ready))?$/.exec(trimmed);
  if (m) return { base: m[1], model: decodeURIComponent(m[2]) };
  const root = /^(.*?)\/(?:v2|invocations)$/.exec(trimmed);
  return { base: root ? root[1] : trimmed };
}

/**
 * MLflow's /invocations has no model in its path: a server of several models answers it with the first
 * one (as `mlops serve` does). Load-testing another one that way would measure the wrong model.
 */
async function checkInvocationsModel(base: string, model: string): Promise<void> {
  const names = await servedModels(base);
  if (names && names.length > 1 && names[0] !== model)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The server at ${base} answers /invocations with "${names[0]}", not "${model}" (it serves ${names.join(', ')}).`,
      `Load-test "${model}" with --protocol oip, or serve it first.`,
    );
}

/** Binary request bodies, each with the header saying where its JSON part ends. */
function binaryBodies(requests: InferRequest[]): { bodies: Buffer[]; bodyHeaders: Record<string, string>[] } {
  const built = requests.map((r) => binaryRequestBody(r, true));
  return {
    bodies: built.map((b) => b.body),
    bodyHeaders: built.map((b) => ({
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(b.jsonLength),
    })),
  };
}

/** A target for a model in this process (no HTTP), through the runner the server would use. */
export async function prepareRunnerTarget(
  runner: ModelRunner,
  specs: InputSpec[],
  src: RequestSource & { timeoutMs: number; ownsRunner?: boolean },
): Promise<{ target: RunnerTarget; description: string }> {
  const prepared = await prepareRequests(specs, src);
  return {
    target: new RunnerTarget(runner, prepared.requests, src.timeoutMs, src.ownsRunner ?? false),
    description: prepared.description,
  };
}
