import path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { parseModelUri } from '../../core/registry/uri';
import { registerCommand } from '../boundary';
import type { Deps } from '../commands/deps';
import { pickModel, pickVersion } from '../commands/target';
import { PREDICTIONS_DIR } from '../../core/serving/predlog/layout';
import { COMMANDS } from '../ids';
import { pickOne } from '../ui/prompt';
import { showInfo } from '../ui/toast';
import { curlExample, externalUrl } from './urls';
import type { Endpoint, EndpointManager, EndpointSpec } from './endpoints';
import { LatencyPanel, LATENCY_VIEW_TYPE } from './latencyPanel';
import { latencyPanelSerializer } from './latencyRestore';
import { endpointSubject, predictionsRoot, versionSubject } from './latencySubject';
import { registerPanelSerializer } from '../panelSerializers';
import { ServingPanel } from './servingPanel';

/** What Serve Locally returns to executeCommand callers (tests, other extensions). */
export interface ServeResult {
  id: string;
  label: string;
  model: string;
  url: string;
  port: number;
  started: boolean;
}

const result = (e: Endpoint, started: boolean): ServeResult => ({
  id: e.id,
  label: e.label,
  model: e.model,
  url: e.url,
  port: e.port,
  started,
});

/**
 * Serve Locally (a version row, an .onnx file in the Explorer, a models:/ URI), Serve Model… (the
 * palette: a model, then an alias to follow or a version), Stop, Open Serving Panel, and the status bar
 * item's quick pick.
 */
export function registerServingCommands(
  context: vscode.ExtensionContext,
  d: Deps,
  endpoints: EndpointManager,
): vscode.Disposable[] {
  const serve = async (spec: EndpointSpec): Promise<ServeResult> => {
    const { endpoint, started } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Starting an endpoint for ${spec.label}…` },
      () => endpoints.start(spec),
    );
    const url = await externalUrl(endpoint.url);
    showInfo(
      started ? `Serving ${endpoint.label} on ${url}` : `${endpoint.label} is already served on ${url}`,
      { title: 'Open Serving Panel', run: () => ServingPanel.show(context, endpoint, d.log) },
      { title: 'Copy URL', run: () => void vscode.env.clipboard.writeText(url) },
    );
    return result(endpoint, started);
  };

  /** A registry target from a tree row, `{ model, version }` or a models:/ URI. */
  const registrySpec = async (arg: unknown): Promise<EndpointSpec | undefined> => {
    let uri: string | undefined;
    if (typeof arg === 'string') uri = arg;
    else if (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri)) {
      const o = arg as { model?: unknown; version?: unknown; alias?: unknown };
      if (typeof o.model === 'string' && typeof o.alias === 'string') uri = `models:/${o.model}@${o.alias}`;
      else if (typeof o.model === 'string' && typeof o.version === 'number') uri = `models:/${o.model}/${o.version}`;
    }
    if (!uri) return undefined;
    const ref = parseModelUri(uri);
    const label =
      ref.kind === 'alias'
        ? `${ref.model}@${ref.alias}`
        : ref.kind === 'version'
          ? `${ref.model} v${ref.version}`
          : `${ref.model}@latest`;
    return { target: uri, label, registry: await d.service.get() };
  };

  const fileSpec = (uri: vscode.Uri): EndpointSpec => {
    if (uri.scheme !== 'file' || !/\.onnx$/i.test(uri.fsPath))
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${uri.fsPath} is not a local .onnx file.`,
        'Serve an .onnx file or a model version.',
      );
    return { target: uri.fsPath, label: path.basename(uri.fsPath) };
  };

  /** The palette: a model, then one of its aliases (followed) or versions, or an .onnx file. */
  const askSpec = async (): Promise<EndpointSpec> => {
    const reg = await d.service.get();
    const name = await pickModel(reg, 'Serve Model: choose a model');
    const model = await reg.getModel(name);
    const versions = await reg.listVersions(name, { maxResults: 1000 });
    const uri = await pickOne(
      [
        ...Object.entries(model.aliases).map(([alias, v]) => ({
          label: `@${alias}`,
          description: `v${v}, follows the alias`,
          value: `models:/${name}@${alias}`,
        })),
        ...versions.items.map((v) => ({
          label: `v${v.version}`,
          description: v.aliases.map((a) => `@${a}`).join(' '),
          value: `models:/${name}/${v.version}`,
        })),
      ],
      { title: `Serve ${name}`, placeHolder: 'An alias (the endpoint follows it) or a version' },
    );
    return (await registrySpec(uri))!;
  };

  /** The endpoint a Stop / Open Panel acts on: an id, a Serving view row, a served version, or asked for. */
  const endpointOf = async (arg: unknown, title: string): Promise<Endpoint> => {
    if (typeof arg === 'string') {
      const e = endpoints.get(arg) ?? endpoints.list().find((x) => x.target === arg || x.label === arg);
      if (e) return e;
    }
    if (arg && typeof arg === 'object') {
      const o = arg as { id?: unknown; model?: unknown; version?: unknown };
      if (typeof o.id === 'string' && endpoints.get(o.id)) return endpoints.get(o.id)!;
      if (typeof o.model === 'string' && typeof o.version === 'number') {
        const e = endpoints.serving(o.model, o.version);
        if (e) return e;
      }
    }
    const all = endpoints.list();
    if (all.length === 0)
      throw new MlopsError(
        'NOT_FOUND',
        'No endpoint is running.',
        'Right-click a model version and choose Serve Locally.',
      );
    if (all.length === 1) return all[0];
    return pickOne(
      all.map((e) => ({ label: e.label, description: `:${e.port}`, value: e })),
      { title, placeHolder: 'Endpoint' },
    );
  };

  /**
   * Show Latency: an endpoint (id, Serving view row, status bar menu) is live; a version row shows the
   * endpoint serving it if one does, else the version's prediction log; from the palette, a running
   * endpoint or else a version.
   */
  const showLatency = async (arg: unknown) => {
    const o = arg && typeof arg === 'object' ? (arg as { id?: unknown; model?: unknown; version?: unknown }) : {};
    let endpoint =
      typeof arg === 'string'
        ? endpoints.get(arg)
        : typeof o.id === 'string'
          ? endpoints.get(o.id)
          : typeof o.model === 'string' && typeof o.version === 'number'
            ? endpoints.serving(o.model, o.version)
            : undefined;
    let ref =
      typeof o.model === 'string' && typeof o.version === 'number' ? { model: o.model, version: o.version } : undefined;
    if (!endpoint && !ref) {
      if (endpoints.list().length > 0) endpoint = await endpointOf(undefined, 'Show the latency of which endpoint?');
      else ref = await pickVersion(await d.service.get(), 'Show Latency: choose a model');
    }
    const subject = endpoint
      ? endpointSubject(endpoint)
      : versionSubject(ref!.model, ref!.version, predictionsRoot(await d.service.get(), PREDICTIONS_DIR));
    LatencyPanel.show(subject, { context, endpoints, log: d.log });
    return { title: subject.title, live: endpoint !== undefined };
  };

  const stop = async (e: Endpoint) => {
    await endpoints.stop(e.id);
    ServingPanel.endpointStopped(e.id);
    return { stopped: e.label, port: e.port };
  };

  // An endpoint can also go without Stop (a registry re-open that cannot serve it again): its panel says so.
  let known = new Set<string>();
  const gone = endpoints.onDidChange(() => {
    const now = new Set(endpoints.list().map((e) => e.id));
    for (const id of known) if (!now.has(id)) ServingPanel.endpointStopped(id);
    known = now;
  });

  return [
    gone,
    // A Latency panel open when the window reloads comes back on the same prediction log.
    registerPanelSerializer(LATENCY_VIEW_TYPE, latencyPanelSerializer(context, endpoints, d.service, d.log)),
    registerCommand(d.log, COMMANDS.serveLocally, async (arg?: unknown) => {
      const clicked =
        arg instanceof vscode.Uri ? arg : Array.isArray(arg) && arg[0] instanceof vscode.Uri ? arg[0] : undefined;
      const spec = clicked ? fileSpec(clicked) : ((await registrySpec(arg)) ?? (await askSpec()));
      return serve(spec);
    }),
    registerCommand(d.log, COMMANDS.serveModel, async (arg?: unknown) => {
      const spec = arg instanceof vscode.Uri ? fileSpec(arg) : ((await registrySpec(arg)) ?? (await askSpec()));
      return serve(spec);
    }),
    registerCommand(d.log, COMMANDS.stopEndpoint, async (arg?: unknown) =>
      stop(await endpointOf(arg, 'Stop which endpoint?')),
    ),
    registerCommand(d.log, COMMANDS.openServingPanel, async (arg?: unknown) => {
      const e = await endpointOf(arg, 'Open the serving panel of which endpoint?');
      ServingPanel.show(context, e, d.log);
      return { label: e.label };
    }),
    registerCommand(d.log, COMMANDS.showLatency, (arg?: unknown) => showLatency(arg)),
    registerCommand(d.log, COMMANDS.endpointActions, async (arg?: unknown) => {
      const e = await endpointOf(arg, 'Endpoint');
      const action = await pickOne(
        [
          { label: '$(beaker) Open Serving Panel', value: 'panel' as const },
          { label: '$(graph-line) Open Latency Panel', value: 'latency' as const },
          { label: '$(copy) Copy URL', value: 'url' as const },
          { label: '$(terminal) Copy curl Example', value: 'curl' as const },
          { label: '$(debug-stop) Stop', value: 'stop' as const },
        ],
        { title: `${e.label} on :${e.port}` },
      );
      if (action === 'panel') ServingPanel.show(context, e, d.log);
      else if (action === 'latency') LatencyPanel.show(endpointSubject(e), { context, endpoints, log: d.log });
      else if (action === 'url') await vscode.env.clipboard.writeText(await externalUrl(e.url));
      else if (action === 'curl') await vscode.env.clipboard.writeText(await curlExample(e));
      else await stop(e);
    }),
  ];
}
