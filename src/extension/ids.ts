/**
 * Every id the extension contributes or reads, in one typed module (CONVENTIONS 8). package.json must
 * declare exactly these commands: the integration suite fails when one side has an id the other lacks.
 * This file imports nothing, so tests and package checks can load it outside VS Code.
 */
export const COMMANDS = {
  pushVersion: 'mlops.pushVersion',
  refresh: 'mlops.refresh',
  selectRegistry: 'mlops.selectRegistry',
  createRegistry: 'mlops.createRegistry',
  openRegistryFolder: 'mlops.openRegistryFolder',
  showLog: 'mlops.showLog',
  showArchived: 'mlops.showArchived',
  hideArchived: 'mlops.hideArchived',
  promote: 'mlops.promote',
  rollback: 'mlops.rollback',
  compareWith: 'mlops.compareWith',
  showHistory: 'mlops.showHistory',
  showDetails: 'mlops.showDetails',
  copyModelUri: 'mlops.copyModelUri',
  archive: 'mlops.archive',
  restore: 'mlops.restore',
  deleteVersion: 'mlops.deleteVersion',
  cleanUpArtifacts: 'mlops.cleanUpArtifacts',
  connectMlflow: 'mlops.connectMlflow',
  driftCompare: 'mlops.drift.compare',
  driftCompareWith: 'mlops.drift.compareWith',
  showDrift: 'mlops.showDrift',
  editTags: 'mlops.editTags',
  runMonitors: 'mlops.runMonitors',
  /** Runs a monitor's retrain command as a VS Code task (the bundled `mlops retrain`). */
  retrain: 'mlops.retrain',
  // `mlops.monitor.*`, singular: VS Code owns the view's prefix `mlops.monitors.` (focus, collapse…).
  refreshMonitors: 'mlops.monitor.refresh',
  /** The drift panel on a monitor's reference and current data. */
  monitorShowDrift: 'mlops.monitor.showDrift',
  /** A check's value over time with its thresholds (a small chart panel). */
  checkHistory: 'mlops.monitor.showCheckHistory',
  /** Writes mlops.yaml from a template (the Monitors view's welcome button). */
  createMonitorsConfig: 'mlops.monitor.createConfig',
  quantizeVersion: 'mlops.quantizeVersion',
  serveLocally: 'mlops.serving.serveLocally',
  serveModel: 'mlops.serving.serveModel',
  stopEndpoint: 'mlops.serving.stop',
  openServingPanel: 'mlops.serving.openPanel',
  showLatency: 'mlops.serving.showLatency',
  /** Internal: a serving status bar item's quick pick (Serving Panel, Latency Panel, Copy URL, Copy curl, Stop). */
  endpointActions: 'mlops.serving.endpointActions',
  /** Internal (hidden from the palette): the "Load more…" row. */
  loadMore: 'mlops.loadMore',
  /** Internal: the status bar item reveals the version it names. */
  revealVersion: 'mlops.revealVersion',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const VIEW_CONTAINER = 'mlops';
export const VIEWS = { models: 'mlops.models', serving: 'mlops.servingEndpoints', monitors: 'mlops.monitors' } as const;

/** Context keys the `when` clauses of package.json read. */
export const CONTEXT_KEYS = {
  /** idle | loading | missing | empty | ready | error | noFolder */
  registryState: 'mlops.registryState',
  /** The registry is open read-only (untrusted workspace): mutating menu items hide. */
  readOnly: 'mlops.readOnly',
  /** There is no mlops.yaml at the workspace root: the Monitors view shows its welcome text. */
  noMonitorsConfig: 'mlops.monitors.noConfig',
} as const;

export type RegistryState = 'idle' | 'loading' | 'missing' | 'empty' | 'ready' | 'error' | 'noFolder';

/**
 * Tree item context values: a base plus `+flag`s, matched in package.json with regexes that also name
 * the view (CONVENTIONS 7), e.g. `mlops:version+aliased+rollback`.
 */
export const CONTEXT_VALUES = {
  model: 'mlops:model',
  version: 'mlops:version',
  loadMore: 'mlops:loadMore',
  problem: 'mlops:problem',
  server: 'mlops:server',
  /** A running endpoint in the Serving view. */
  endpoint: 'mlops:endpoint',
  /** A monitor in the Monitors view, with flags: +retrain +drift +alias. */
  monitor: 'mlops:monitor',
  /** A check of a monitor, e.g. mlops:check+drift. */
  check: 'mlops:check',
  /** A problem of mlops.yaml in the Monitors view (click to go to its line). */
  monitorProblem: 'mlops:monitorProblem',
} as const;

export const VERSION_FLAGS = ['aliased', 'rollback', 'archived', 'served'] as const;
export type VersionFlag = (typeof VERSION_FLAGS)[number];

export const SETTINGS_SECTION = 'mlops';
/** Keys under `mlops.` (package.json contributes.configuration). */
export const SETTINGS = {
  registryUri: 'registry.uri',
  pageSize: 'models.pageSize',
  showArchived: 'models.showArchived',
  keyMetric: 'models.keyMetric',
  promotionAliases: 'promotion.aliases',
  statusBarModel: 'statusBar.model',
  servingPort: 'serving.port',
  servingMaxBatchSize: 'serving.maxBatchSize',
  servingMaxQueueDelayMs: 'serving.maxQueueDelayMs',
  servingLogPredictions: 'serving.logPredictions',
  servingWorkers: 'serving.workers',
} as const;

/** Scheme of the read-only documents (details, history, comparison). */
export const DOC_SCHEME = 'mlops';
export const STATUS_BAR_ID = 'mlops.statusBar';
export const OUTPUT_CHANNEL_NAME = 'MLOps Studio';
