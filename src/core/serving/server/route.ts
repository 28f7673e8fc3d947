import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModelSet } from '../deploy/modelSet';
import type { InferenceService } from './inferenceService';

/** What every handler can reach. */
export interface ServerState {
  service: InferenceService;
  models: ModelSet;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** Set once shutdown began: readiness turns false, requests in flight still finish. */
  draining: boolean;
  /** Product name and version for GET /v2 and GET /version. */
  name: string;
  version: string;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  state: ServerState;
  /** Decoded path parameters, in the order the pattern captures them. */
  params: string[];
  /** Epoch ms and performance.now() when the request arrived. */
  arrivedAt: number;
  arrivedPerf: number;
  /**
   * Aborted when the client goes away before its answer: its connection's signal (httpServer.ts), shared
   * by the requests of a kept-alive connection, so listeners must be removed once a request is answered.
   */
  signal: AbortSignal;
}

/** Errors are answered in the shape each protocol's clients read. */
export type ErrorShape = 'oip' | 'mlflow';

export interface Route {
  methods: readonly string[];
  pattern: RegExp;
  /** Low-cardinality name for the HTTP metrics ("infer", "metadata", ...). */
  name: string;
  errors: ErrorShape;
  handle(ctx: RouteContext): Promise<void> | void;
}
