import type { InferRequest } from '../types';
import { contentTypeOf, parseJsonBody, readBody } from './body';
import { HttpError } from './httpError';
import { csvToRequest, mlflowJsonToRequest, predictions } from './mlflowInput';
import { sendJson, sendText } from './respond';
import type { Route, RouteContext } from './route';

const SUPPORTED =
  "Send application/json (MLflow's dataframe_split, dataframe_records, instances or inputs) or text/csv.";

/** MLflow's health answer: "\n" with 200 while the model is loaded (503 while shutting down). */
function ping(ctx: RouteContext) {
  const ready = ctx.state.models.ready && !ctx.state.draining;
  sendText(ctx.res, ready ? 200 : 503, '\n');
}

async function invocations(ctx: RouteContext) {
  const ct = contentTypeOf(ctx.req);
  const charset = ct.params.charset?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8')
    throw new HttpError(415, `Charset "${charset}" is not supported; send UTF-8.`);
  const isCsv = ct.mediaType === 'text/csv';
  if (!isCsv && ct.mediaType !== 'application/json')
    throw new HttpError(415, `Content-Type "${ct.mediaType || '(none)'}" is not supported. ${SUPPORTED}`);
  const unknown = Object.keys(ct.params).filter((p) => p !== 'charset' && !(isCsv && p === 'header'));
  if (unknown.length > 0) throw new HttpError(415, `Unknown Content-Type parameter "${unknown[0]}". ${SUPPORTED}`);

  const model = ctx.state.models.first();
  const { service } = ctx.state;
  const body = await readBody(ctx.req, ctx.state.maxBodyBytes);
  // Columns map by the version that will answer; a canary of another width still gets a valid request.
  const { live, role } = model.pick();
  const schema = { signature: live.info.signature, tags: live.info.tags };
  const request: InferRequest = isCsv
    ? csvToRequest(body.toString('utf8'), schema)
    : mlflowJsonToRequest(parseJsonBody(body), schema);
  const meta = { protocol: 'mlflow' as const, arrivedAt: ctx.arrivedAt, arrivedPerf: ctx.arrivedPerf };
  let answered;
  try {
    answered = await service.run(model, live, role, request, ctx.signal);
  } catch (e) {
    if (e instanceof HttpError) service.failed(e, request, meta);
    throw e;
  }
  sendJson(
    ctx.res,
    200,
    { predictions: predictions(answered.response.outputs) },
    {
      'X-Model-Version': String(answered.live.served.version),
    },
  );
  service.answered(answered, request, meta);
}

export const MLFLOW_ROUTES: Route[] = [
  { methods: ['GET'], pattern: /^\/ping$/, name: 'health', errors: 'mlflow', handle: ping },
  { methods: ['GET'], pattern: /^\/health$/, name: 'health', errors: 'mlflow', handle: ping },
  {
    methods: ['GET'],
    pattern: /^\/version$/,
    name: 'version',
    errors: 'mlflow',
    handle: (ctx) => sendText(ctx.res, 200, ctx.state.version),
  },
  { methods: ['POST'], pattern: /^\/invocations$/, name: 'invocations', errors: 'mlflow', handle: invocations },
];

/** MLflow's error codes for our statuses (its clients switch on error_code). */
export function mlflowErrorCode(status: number): string {
  if (status === 404) return 'RESOURCE_DOES_NOT_EXIST';
  if (status === 503) return 'TEMPORARILY_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'BAD_REQUEST';
}
