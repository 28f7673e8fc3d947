import * as vscode from 'vscode';
import { errorMessage, hasReason } from '../../core/errors';
import type { Registry } from '../../core/registry/registry';
import { LiveLatency } from '../../core/serving/latency/live';
import { servedRoles } from '../../core/serving/latency/roles';
import { readServingConfig } from '../config';
import { loadServingCore } from './loadServingCore';
import type { RunningServer } from './servingCore';

/** What to serve: a registry URI (a version or an alias, which is followed) or an .onnx file. */
export interface EndpointSpec {
  /** models:/fraud@production, models:/fraud/3, or an absolute .onnx path. */
  target: string;
  /** What the user sees: "fraud@production", "fraud v3", "model.onnx". */
  label: string;
  registry?: Registry;
}

/** A running endpoint: an in-process HTTP server whose inference runs in worker threads. */
export interface Endpoint {
  readonly id: string;
  readonly label: string;
  readonly target: string;
  /** The served model's name (the OIP v2 path segment). */
  readonly model: string;
  /** http://127.0.0.1:<port>, as bound (pass it through env.asExternalUri before showing it). */
  readonly url: string;
  readonly port: number;
  readonly server: RunningServer;
  /** The version answering now (an alias endpoint follows the alias); 0 for a bare .onnx file. */
  liveVersion(): number | undefined;
  /** Requests per second over the last sampling window (updated every few seconds). */
  readonly rate: { perSecond: number; total: number };
  /** The registry it was started from (undefined for an .onnx file): Compare loads other versions from it. */
  readonly registry: Registry | undefined;
  /** Latency per version over the last minutes, sampled with the rate (the Latency panel draws it). */
  readonly latency: LiveLatency;
}

export interface EndpointLog {
  info(msg: string): void;
  warn?(msg: string): void;
  error(scope: string, e: unknown): void;
}

const RATE_EVERY_MS = 2000;

/** An endpoint whose server can be replaced in place (same id and port) when the registry is re-opened. */
class RunningEndpoint implements Endpoint {
  readonly rate = { perSecond: 0, total: 0 };
  readonly model: string;
  private current!: { server: RunningServer; latency: LiveLatency };

  constructor(
    readonly id: string,
    public spec: EndpointSpec,
    server: RunningServer,
  ) {
    this.model = server.models.first().name;
    this.replace(spec, server);
  }

  replace(spec: EndpointSpec, server: RunningServer): void {
    this.spec = spec;
    const latency = new LiveLatency(
      () => server.metrics.render(),
      this.model,
      undefined,
      () => server.metrics.takeRecentLatencies(),
      // The metrics are per version; the served model says which role each version plays.
      () => servedRoles(server.models.get(this.model)),
    );
    latency.sample();
    this.current = { server, latency };
  }

  get label(): string {
    return this.spec.label;
  }
  get target(): string {
    return this.spec.target;
  }
  get registry(): Registry | undefined {
    return this.spec.registry;
  }
  get server(): RunningServer {
    return this.current.server;
  }
  get latency(): LiveLatency {
    return this.current.latency;
  }
  get url(): string {
    return this.current.server.url;
  }
  get port(): number {
    return this.current.server.port;
  }
  liveVersion(): number | undefined {
    return this.current.server.models.get(this.model)?.primary.live?.served.version;
  }
}

/**
 * The endpoints this window runs. Several may run at once (one per target: serving the same target again
 * returns the running one). All of them stop on dispose, which runs in `deactivate` (context
 * subscriptions); being in-process, they also end with the extension host if VS Code skips deactivation.
 */
export class EndpointManager implements vscode.Disposable {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private restarting: Promise<void> | undefined;

  constructor(private readonly log: EndpointLog) {}

  list(): Endpoint[] {
    return [...this.endpoints.values()];
  }

  get(id: string): Endpoint | undefined {
    return this.endpoints.get(id);
  }

  /** The endpoint serving this model version now, if any. */
  serving(model: string, version: number): Endpoint | undefined {
    return this.list().find((e) => e.model === model && e.liveVersion() === version);
  }

  async start(spec: EndpointSpec): Promise<{ endpoint: Endpoint; started: boolean }> {
    const running = this.list().find((e) => e.target === spec.target);
    if (running) return { endpoint: running, started: false };
    const cfg = readServingConfig();
    // The configured port is for the first endpoint; when it is taken, any free port will do.
    const wanted = cfg.port && !this.list().some((e) => e.port === cfg.port) ? cfg.port : 0;
    const server = await this.open(spec, wanted);
    const endpoint = new RunningEndpoint(String(this.nextId++), spec, server);
    this.endpoints.set(endpoint.id, endpoint);
    this.log.info(`serving ${spec.label} (${spec.target}) on ${server.url}`);
    this.ensureTimer();
    this.changed.fire();
    return { endpoint, started: true };
  }

  /** Starts a server for the spec on `port` (0 = any); a taken port falls back to any free one. */
  private async open(spec: EndpointSpec, port: number): Promise<RunningServer> {
    const cfg = readServingConfig();
    const core = await loadServingCore();
    const open = (p: number) =>
      core.startServing({
        models: [spec.target],
        registry: spec.registry,
        host: '127.0.0.1',
        port: p,
        workers: cfg.workers || undefined,
        batching: { maxBatchSize: cfg.maxBatchSize, maxQueueDelayMs: cfg.maxQueueDelayMs },
        logRate: cfg.logPredictions,
        onEvent: (e) => {
          if (e.type === 'log-error') this.log.info(`serving ${spec.label}: prediction log: ${e.message}`);
          else if (e.type === 'swap') {
            this.log.info(`serving ${spec.label}: now v${e.to}${e.from !== null ? ` (was v${e.from})` : ''}`);
            if (e.inputsChanged)
              void vscode.window.showWarningMessage(
                `${spec.label} now serves v${e.to}, which takes other inputs than v${e.from} (${e.inputsChanged.join('; ')}): requests for the old inputs fail.`,
              );
            this.changed.fire();
          } else this.log.info(`serving ${spec.label}: ${JSON.stringify(e)}`);
        },
      });
    let server: RunningServer;
    try {
      server = await open(port);
    } catch (e) {
      if (port === 0 || !hasReason(e, 'PORT_IN_USE')) throw e;
      this.log.info(`serving ${spec.label}: port ${port} is taken (${errorMessage(e)}); using a free port.`);
      server = await open(0);
    }
    return server;
  }

  /**
   * The registry was re-opened (Refresh, Select Registry, a changed setting): endpoints started from the
   * old one, now closed, would keep answering but stop following their alias. Each is restarted from the
   * new registry on its port (the same URL); one whose model the new registry lacks is stopped, and says so.
   */
  async followRegistry(isCurrent: (r: Registry) => boolean, current: () => Promise<Registry>): Promise<void> {
    const stale = this.list().filter(
      (e): e is RunningEndpoint => e instanceof RunningEndpoint && !!e.spec.registry && !isCurrent(e.spec.registry),
    );
    if (stale.length === 0) return;
    this.restarting ??= (async () => {
      let registry: Registry;
      try {
        registry = await current();
      } catch (e) {
        this.log.error('Re-opening the registry for the running endpoints', e);
        return;
      }
      for (const e of stale) {
        if (this.endpoints.get(e.id) !== e) continue;
        const spec = { ...e.spec, registry };
        try {
          await e.server.close();
          e.replace(spec, await this.open(spec, e.port));
          this.log.info(`serving ${e.label}: restarted from the re-opened registry on ${e.url}`);
        } catch (err) {
          this.log.error(`Restarting ${e.label} after the registry was re-opened`, err);
          this.endpoints.delete(e.id);
          void vscode.window.showWarningMessage(
            `Stopped serving ${e.label}: the re-opened registry could not serve it (${errorMessage(err)}).`,
          );
        }
      }
      this.changed.fire();
    })().finally(() => (this.restarting = undefined));
    await this.restarting;
  }

  async stop(id: string): Promise<boolean> {
    const e = this.endpoints.get(id);
    if (!e) return false;
    this.endpoints.delete(id);
    this.changed.fire();
    if (this.endpoints.size === 0) this.stopTimer();
    await e.server.close().catch((err: unknown) => this.log.error(`stopping ${e.label}`, err));
    this.log.info(`stopped serving ${e.label} (${e.url})`);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((e) => this.stop(e.id)));
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const e of this.endpoints.values()) {
        const w = e.server.window.take();
        e.rate.perSecond = w.perSecond;
        e.rate.total = w.totalRequests;
        e.latency.sample();
      }
      this.changed.fire();
    }, RATE_EVERY_MS);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Runs in deactivate: VS Code gives it a few seconds, and the servers close their sockets at once. */
  dispose(): void {
    this.stopTimer();
    void this.stopAll();
    this.changed.dispose();
  }
}
