import * as vscode from 'vscode';
import type { MlopsStudioApi } from './api';
import { registerInspect } from './commands/inspect';
import { registerPush } from './commands/push';
import { registerEditTags } from './commands/editTags';
import { registerCleanUp } from './commands/cleanUp';
import { registerRegistryCommands } from './commands/registryCommands';
import { registerTransitions } from './commands/transitions';
import { registerConnectMlflow } from './commands/connectMlflow';
import { registerDriftCommands } from './drift/commands';
import { registerMonitors } from './monitor/monitorCommands';
import { registerServingCommands } from './serving/commands';
import { registerQuantize } from './optimize/quantizeCommand';
import { EndpointManager } from './serving/endpoints';
import { EndpointStatusBar, ServingTreeProvider } from './serving/endpointViews';
import { LatencyPanel } from './serving/latencyPanel';
import { ServingPanel } from './serving/servingPanel';
import { DriftPanel } from './drift/driftPanel';
import { MlflowSecrets } from './secrets';
import type { Deps } from './commands/deps';
import { affects } from './config';
import { DocumentProvider } from './docs/documents';
import { DOC_SCHEME, VIEWS } from './ids';
import { Log } from './log';
import { coreLoadedAt } from './registry/lazyState';
import { RegistryService } from './registry/registryService';
import { LastUsedModel } from './lastModel';
import { ModelStatusBar } from './statusBar';
import type { TreeElement } from './tree/elements';
import { ModelsTreeProvider } from './tree/modelsTree';
import { userSentence } from './boundary';
import { showError } from './ui/toast';
import { restorePanel } from './panelSerializers';

/**
 * Wires the adapter together. Activation stays cheap: nothing here opens the registry or loads sql.js /
 * the ONNX reader; that happens when the Models view is first shown, a command runs, or the status bar
 * has a model to show (RegistryService.get).
 */
export function activate(context: vscode.ExtensionContext): MlopsStudioApi | undefined {
  const started = Date.now();
  const log = new Log();
  context.subscriptions.push(log);
  try {
    const api = wire(context, log);
    api.activationMs = Date.now() - started;
    log.info(
      `MLOps Studio activated in ${api.activationMs} ms (${vscode.env.appName} ${vscode.version}, ${vscode.workspace.isTrusted ? 'trusted' : 'untrusted: registry read-only'}).`,
    );
    return api;
  } catch (e) {
    // Reported, not swallowed: the user learns the extension is not working and where to look.
    log.error('Activation', e);
    void showError(`MLOps Studio could not start: ${userSentence('Activation', e)}`, {
      title: 'Show Log',
      run: () => log.show(),
    });
    return undefined;
  }
}

/** The endpoints Serve Locally started: stopped in deactivate (awaited, within VS Code's few seconds). */
let endpoints: EndpointManager | undefined;

function wire(context: vscode.ExtensionContext, log: Log): MlopsStudioApi {
  const secrets = new MlflowSecrets(context.secrets);
  const service = new RegistryService(log, secrets, context.globalStorageUri.fsPath);
  const tree = new ModelsTreeProvider(service);
  const treeView = vscode.window.createTreeView<TreeElement>(VIEWS.models, {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const docs = new DocumentProvider(service);
  const lastModel = new LastUsedModel(context.workspaceState);
  const statusBar = new ModelStatusBar(service, lastModel, log);
  context.subscriptions.push(
    service,
    tree,
    treeView,
    docs,
    lastModel,
    statusBar,
    // The model selected last is the one the status bar follows (unless mlops.statusBar.model says).
    treeView.onDidChangeSelection((e) => {
      const el = e.selection[0];
      if (el?.kind === 'model') void lastModel.set(el.name);
      else if (el?.kind === 'version') void lastModel.set(el.model);
    }),
    vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, docs),
  );

  endpoints = new EndpointManager(log);
  const served = endpoints;
  tree.servedLookup = (model, version) => served.serving(model, version)?.port;
  const endpointBar = new EndpointStatusBar(served);
  const servingTree = new ServingTreeProvider(served);
  let servedKey = '';
  context.subscriptions.push(
    served,
    endpointBar,
    servingTree,
    vscode.window.createTreeView(VIEWS.serving, { treeDataProvider: servingTree }),
    // Endpoints started from a registry that was re-opened since restart from the new one.
    service.onDidChange(
      () =>
        void served.followRegistry(
          (r) => service.isCurrent(r),
          () => service.get(),
        ),
    ),
    // Redraw the Models rows only when the set of served versions changes (not on every rate update).
    served.onDidChange(() => {
      const key = served
        .list()
        .map((e) => `${e.model}/${e.liveVersion()}:${e.port}`)
        .join(',');
      if (key !== servedKey) {
        servedKey = key;
        tree.repaint();
      }
    }),
  );

  const deps: Deps = { log, service, tree, treeView, secrets, state: context.workspaceState, lastModel };
  const monitors = registerMonitors(context, deps);
  context.subscriptions.push(
    ...registerRegistryCommands(deps),
    ...registerTransitions(deps),
    ...registerInspect(deps),
    registerPush(deps),
    registerEditTags(deps),
    registerCleanUp(deps),
    registerConnectMlflow(deps),
    registerQuantize(deps),
    ...registerDriftCommands(context, deps),
    ...registerServingCommands(context, deps, served),
    ...monitors.disposables,
  );

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affects(e, 'registryUri')) void service.reopen('mlops.registry.uri changed');
      else if (affects(e, 'showArchived') || affects(e, 'pageSize') || affects(e, 'keyMetric')) tree.refresh();
    }),
    // Trust granted: the registry becomes writable, so open it again without read-only.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void service.reopen('workspace trusted')),
  );
  void statusBar.update();

  return {
    registryState: () => service.state,
    problem: () => service.problem,
    treeChildren: (parent) => tree.getChildren(parent),
    treeItem: (e) => tree.resolveTreeItem(tree.getTreeItem(e), e),
    onDidRefreshTree: (listener) => tree.onDidChangeTreeData(() => listener()),
    coreLoadedAt,
    driftPanels: () => DriftPanel.describeOpen(),
    servingEndpoints: () =>
      served.list().map((e) => ({
        id: e.id,
        label: e.label,
        model: e.model,
        url: e.url,
        port: e.port,
        version: e.liveVersion() ?? null,
      })),
    servingStatusBar: () => endpointBar.texts(),
    servingPanels: () => ServingPanel.describeOpen(),
    ...monitors.api,
    latencyPanels: () => LatencyPanel.describeOpen(),
    restorePanel,
    activationMs: 0,
  };
}

export async function deactivate(): Promise<void> {
  // Everything else is in context.subscriptions; the registry closes with RegistryService.dispose. The
  // endpoints are awaited here so their ports are free when the extension host goes.
  await endpoints?.stopAll();
  endpoints = undefined;
}
