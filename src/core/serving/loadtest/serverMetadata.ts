import { MlopsError } from '../../errors';
import { type InputSpec, inputSpecsFromMetadata } from './inputSpec';

/** What the load tester learns from a running OIP v2 server before it starts. */
export interface ServerModel {
  model: string;
  /** The version the metadata names (`versions[0]`), when it names one. */
  version?: string;
  inputs: InputSpec[];
}

const METADATA_TIMEOUT_MS = 10_000;

/**
 * Asks the server at `baseUrl` for a model's signature: `GET /v2/models/<m>`. Without a model name, the
 * repository index (`POST /v2/repository/index`) must list exactly one model.
 */
export async function fetchServerModel(baseUrl: string, model?: string): Promise<ServerModel> {
  const base = baseUrl.replace(/\/+$/, '');
  const name = model ?? (await onlyModel(base));
  const res = await call(base, `/v2/models/${encodeURIComponent(name)}`, 'GET');
  if (res.status === 404)
    throw new MlopsError('NOT_FOUND', `The server at ${base} serves no model named "${name}".`, await servedHint(base));
  if (res.status !== 200)
    throw new MlopsError('REMOTE', `The server at ${base} answered ${res.status} to a model metadata request.`);
  const meta = res.body as { name?: unknown; versions?: unknown };
  const versions = Array.isArray(meta?.versions) ? meta.versions : [];
  return {
    model: name,
    version: typeof versions[0] === 'string' ? versions[0] : undefined,
    inputs: inputSpecsFromMetadata(meta, `The server at ${base}`),
  };
}

async function onlyModel(base: string): Promise<string> {
  const names = await servedModels(base);
  if (names === undefined)
    throw new MlopsError(
      'INVALID_ARGUMENT',
      `The server at ${base} does not list its models.`,
      'Name the model to load-test with --model <name>.',
    );
  if (names.length === 1) return names[0];
  if (names.length === 0) throw new MlopsError('NOT_FOUND', `The server at ${base} serves no model.`);
  throw new MlopsError(
    'INVALID_ARGUMENT',
    `The server at ${base} serves ${names.length} models (${names.join(', ')}).`,
    'Name the one to load-test with --model <name>.',
  );
}

/** Model names from the repository index, or undefined when the server has no index. */
export async function servedModels(base: string): Promise<string[] | undefined> {
  const res = await call(base, '/v2/repository/index', 'POST', '{}');
  if (res.status !== 200 || !Array.isArray(res.body)) return undefined;
  const names = (res.body as { name?: unknown }[])
    .map((m) => m?.name)
    .filter((n): n is string => typeof n === 'string');
  return [...new Set(names)];
}

async function servedHint(base: string): Promise<string> {
  const names = await servedModels(base).catch(() => undefined);
  return names?.length ? `It serves: ${names.join(', ')}.` : 'Check the name given with --model.';
}

async function call(
  base: string,
  path: string,
  method: string,
  body?: string,
): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      body,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      signal: AbortSignal.timeout(METADATA_TIMEOUT_MS),
    });
  } catch (e) {
    throw new MlopsError(
      'UNAVAILABLE',
      `Cannot reach a server at ${base}.`,
      'Start one with `mlops serve <model>` or check the URL and port.',
      { cause: e },
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}
