import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { InferOutcome, InferRequestBody, OutputTensor } from '../../shared/servingProtocol';

const TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 16 << 20;

/**
 * One OIP v2 inference over HTTP, from the extension host to the endpoint (the webview never calls the
 * endpoint itself): the latency as the client sees it, the version that answered (X-Model-Version), and
 * the outputs; a refused request gives the server's own error sentence.
 */
export function sendInference(
  baseUrl: string,
  model: string,
  id: number,
  body: InferRequestBody,
): Promise<InferOutcome> {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(model)}/infer`);
  const payload = Buffer.from(JSON.stringify(body));
  const start = performance.now();
  const ms = () => Math.round((performance.now() - start) * 1000) / 1000;
  return new Promise<InferOutcome>((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length) },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES >> 20} MB`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const latencyMs = ms();
          const status = res.statusCode ?? 0;
          let parsed: { outputs?: OutputTensor[]; error?: string } = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof parsed;
          } catch {
            // An answer that is not JSON is reported by status below.
          }
          const version = res.headers['x-model-version'];
          if (status >= 200 && status < 300 && Array.isArray(parsed.outputs))
            resolve({
              id,
              ok: true,
              status,
              latencyMs,
              modelVersion: typeof version === 'string' ? version : null,
              outputs: parsed.outputs.map((o) => ({
                name: String(o.name),
                datatype: String(o.datatype),
                shape: Array.isArray(o.shape) ? o.shape : [],
                data: Array.isArray(o.data) ? (o.data.flat(Infinity) as OutputTensor['data']) : [],
              })),
            });
          else
            resolve({
              id,
              ok: false,
              status,
              latencyMs,
              message: typeof parsed.error === 'string' ? parsed.error : `The endpoint answered HTTP ${status}.`,
            });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) =>
      resolve({ id, ok: false, status: null, latencyMs: ms(), message: `The request failed: ${e.message}.` }),
    );
    req.end(payload);
  });
}
