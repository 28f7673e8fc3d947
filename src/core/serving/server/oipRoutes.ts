import {
  attachBinaryInputs,
  binaryOutputChoice,
  binaryResponse,
  headerLength,
  INFERENCE_HEADER_LENGTH,
} from '../binaryTensors';
import type { InferRequest, InferResponse } from '../types';
import { contentTypeOf, parseJsonBody, readBody } from './body';
import { signatureMetadata } from './datatypes';
import { HttpError } from './httpError';
import { findModel } from './inferenceService';
import { inferResponseJson } from './inferJson';
import { sendJson, sendText } from './respond';
import type { Route, RouteContext } from './route';

/** Triton reports ONNX models under this platform name; KServe clients show it as is. */
export const ONNX_PLATFORM = 'onnxruntime_onnx';

const MODEL = '([^/]+)';
/**
 * Bodies read as JSON. Triton and KServe parse the body whatever its type, and clients rely on it: no
 * type at all, text/plain, and curl -d's form type are taken too; other formats are 415, except a binary
 * body with Triton's Inference-Header-Content-Length (binaryTensors.ts).
 */
const JSON_TYPES = new Set(['', 'application/json', 'text/plain', 'application/x-www-form-urlencoded']);
const VERSION = '(?:/versions/([^/]+))?';

function modelMetadata(ctx: RouteContext) {
  const [name, version] = ctx.params;
  const { model, live } = findModel(ctx.state.models, name, version);
  const shown = live ?? model.primary.live;
  if (!shown) throw new HttpError(503, `Model "${name}" is not loaded yet.`);
  const body = {
    name: model.name,
    versions: model.versions().map(String),
    platform: ONNX_PLATFORM,
    ...signatureMetadata(shown.info.signature),
  };
  sendJson(ctx.res, 200, body, { 'X-Model-Version': String(shown.served.version) });
}

function modelReady(ctx: RouteContext) {
  const [name, version] = ctx.params;
  const { model, live } = findModel(ctx.state.models, name, version);
  const ready = (live ?? model.primary.live) !== undefined && !ctx.state.draining;
  sendJson(ctx.res, ready ? 200 : 400, { name: model.name, ready });
}

/** The request as the runtime takes it: an object with an `inputs` array; the runtime checks the rest. */
export function asInferRequest(body: unknown): InferRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'The inference request must be a JSON object with an "inputs" array.');
  const r = body as Partial<InferRequest>;
  if (!Array.isArray(r.inputs) || r.inputs.length === 0)
    throw new HttpError(400, 'The inference request has no "inputs" array (each input: name, shape, datatype, data).');
  if (r.id !== undefined && typeof r.id !== 'string') throw new HttpError(400, 'The request "id" must be a string.');
  if (r.outputs !== undefined && !Array.isArray(r.outputs))
    throw new HttpError(400, 'The request "outputs" must be an array of {"name": ...} objects.');
  if (
    r.parameters !== undefined &&
    (typeof r.parameters !== 'object' || r.parameters === null || Array.isArray(r.parameters))
  )
    throw new HttpError(400, 'The request "parameters" must be an object.');
  return r as InferRequest;
}

/** The request from its body: plain JSON, or (with the header) JSON followed by binary tensors. */
function inferRequestOf(body: Buffer, jsonLength: string | string[] | undefined): InferRequest {
  if (jsonLength === undefined) return asInferRequest(parseJsonBody(body));
  const n = headerLength(jsonLength, body.length);
  const request = asInferRequest(parseJsonBody(body.subarray(0, n)));
  attachBinaryInputs(request, body.subarray(n));
  return request;
}

async function infer(ctx: RouteContext) {
  const [name, version] = ctx.params;
  const jsonLength = ctx.req.headers[INFERENCE_HEADER_LENGTH];
  const ct = contentTypeOf(ctx.req);
  // With the binary extension's header the body is JSON + raw tensors whatever its declared type (Triton
  // reads it so); without it, only a JSON body can be read.
  if (jsonLength === undefined && ct.mediaType === 'application/octet-stream')
    throw new HttpError(
      400,
      'The body is application/octet-stream but the Inference-Header-Content-Length header is missing: a binary request needs it (the byte length of the JSON part before the tensors). Add the header, or send plain JSON as application/json.',
    );
  if (jsonLength === undefined && !JSON_TYPES.has(ct.mediaType) && !ct.mediaType.endsWith('+json'))
    throw new HttpError(415, `Content-Type "${ct.mediaType}" is not supported; send application/json.`);
  // Resolve the model before reading the body: an unknown model is a 404 whatever the body.
  findModel(ctx.state.models, name, version);
  const request = inferRequestOf(await readBody(ctx.req, ctx.state.maxBodyBytes), jsonLength);
  const binaryOutput = binaryOutputChoice(request);
  const meta = { protocol: 'oip' as const, arrivedAt: ctx.arrivedAt, arrivedPerf: ctx.arrivedPerf };
  const { service } = ctx.state;
  let answered;
  try {
    answered = await service.infer(name, version, request, ctx.signal);
  } catch (e) {
    if (e instanceof HttpError) service.failed(e, request, meta);
    throw e;
  }
  const response = answered.response;
  if (request.id !== undefined) response.id = request.id;
  const headers = { 'X-Model-Version': String(answered.live.served.version) };
  if (response.outputs.some((o) => binaryOutput(o.name))) sendBinary(ctx, response, binaryOutput, headers);
  else sendText(ctx.res, 200, inferResponseJson(response), 'application/json', headers);
  service.answered(answered, request, meta);
}

/** A response with binary outputs: the JSON part, then their bytes; the header says where the JSON ends. */
function sendBinary(
  ctx: RouteContext,
  response: InferResponse,
  binaryOutput: (name: string) => boolean,
  headers: Record<string, string>,
): void {
  const { json, tail } = binaryResponse(response, binaryOutput);
  const head = Buffer.from(inferResponseJson(json as InferResponse));
  const body = Buffer.concat([head, ...tail]);
  ctx.res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.length,
    'Inference-Header-Content-Length': head.length,
    ...headers,
  });
  ctx.res.end(body);
}

async function repositoryIndex(ctx: RouteContext) {
  const body = await readBody(ctx.req, ctx.state.maxBodyBytes);
  let onlyReady = false;
  if (body.length > 0) {
    const parsed = parseJsonBody(body) as { ready?: unknown } | null;
    if (parsed && typeof parsed === 'object' && parsed.ready !== undefined) {
      if (typeof parsed.ready !== 'boolean') throw new HttpError(400, '"ready" must be true or false.');
      onlyReady = parsed.ready;
    }
  }
  const out: { name: string; version: string; state: string; reason: string }[] = [];
  for (const m of ctx.state.models.models.values()) {
    for (const v of m.versions()) out.push({ name: m.name, version: String(v), state: 'READY', reason: '' });
    if (!m.ready && !onlyReady) out.push({ name: m.name, version: '', state: 'LOADING', reason: 'loading' });
  }
  sendJson(ctx.res, 200, out);
}

export const OIP_ROUTES: Route[] = [
  {
    methods: ['GET'],
    pattern: /^\/v2\/?$/,
    name: 'server_metadata',
    errors: 'oip',
    handle: (ctx) =>
      sendJson(ctx.res, 200, {
        name: ctx.state.name,
        version: ctx.state.version,
        extensions: ['model_repository', 'binary_tensor_data'],
      }),
  },
  {
    methods: ['GET'],
    pattern: /^\/v2\/health\/live$/,
    name: 'health',
    errors: 'oip',
    handle: (ctx) => sendJson(ctx.res, 200, { live: true }),
  },
  {
    methods: ['GET'],
    pattern: /^\/v2\/health\/ready$/,
    name: 'health',
    errors: 'oip',
    handle: (ctx) => {
      const ready = ctx.state.models.ready && !ctx.state.draining;
      sendJson(ctx.res, ready ? 200 : 503, { ready });
    },
  },
  {
    methods: ['GET'],
    pattern: new RegExp(`^/v2/models/${MODEL}${VERSION}/?$`),
    name: 'model_metadata',
    errors: 'oip',
    handle: modelMetadata,
  },
  {
    methods: ['GET'],
    pattern: new RegExp(`^/v2/models/${MODEL}${VERSION}/ready$`),
    name: 'model_ready',
    errors: 'oip',
    handle: modelReady,
  },
  {
    methods: ['POST'],
    pattern: new RegExp(`^/v2/models/${MODEL}${VERSION}/infer$`),
    name: 'infer',
    errors: 'oip',
    handle: infer,
  },
  {
    methods: ['POST'],
    pattern: /^\/v2\/repository\/index$/,
    name: 'repository_index',
    errors: 'oip',
    handle: repositoryIndex,
  },
  {
    methods: ['POST'],
    pattern: new RegExp(`^/v2/repository/models/${MODEL}/(load|unload)$`),
    name: 'repository_control',
    errors: 'oip',
    handle: () => {
      throw new HttpError(
        501,
        'Loading and unloading models through the API is not supported; start `mlops serve` with the models instead.',
      );
    },
  },
];
