import path from 'node:path';
import { modelLogDir } from '../../core/serving/predlog/layout';
import type { LatencyAbout } from '../../shared/latencyProtocol';
import type { Endpoint } from './endpoints';

/** What a Latency panel is about: a running endpoint (live and its log) or a version's prediction log. */
export interface LatencySubject {
  key: string;
  title: string;
  /** Set when an endpoint serves it: live data comes from there, as long as it runs. */
  endpointId?: string;
  /** The model's prediction log folder, if it has one (an embedded registry, or the endpoint's log). */
  logDir?: string;
  /** Only this version's records from the log (a version's context menu). */
  version?: number;
  /** What the webview keeps so the panel can come back after a window reload (endpoints do not). */
  about: LatencyAbout;
}

/** The subject of an endpoint: live from its metrics, history from its prediction log (when it keeps one). */
export function endpointSubject(e: Pick<Endpoint, 'id' | 'label' | 'port' | 'model' | 'server'>): LatencySubject {
  return {
    key: `endpoint:${e.id}`,
    title: `${e.label} :${e.port}`,
    endpointId: e.id,
    logDir: e.server.logDir ? modelLogDir(e.server.logDir, e.model) : undefined,
    about: { model: e.model, version: null, title: e.label },
  };
}

/** The subject of a version nobody serves: its prediction log under the registry's predictions folder. */
export function versionSubject(model: string, version: number, predictionsRoot: string | undefined): LatencySubject {
  return {
    key: `version:${model}/${version}`,
    title: `${model} v${version}`,
    logDir: predictionsRoot ? modelLogDir(predictionsRoot, model) : undefined,
    version,
    about: { model, version, title: `${model} v${version}` },
  };
}

/**
 * The subject of a panel VS Code restores after a window reload. A version's panel is the same panel again.
 * An endpoint's did not survive the reload (its server ran in the old extension host), so its panel comes
 * back on what outlives it: the model's prediction log, every version, under the label it had.
 */
export function restoredSubject(about: LatencyAbout, predictionsRoot: string | undefined): LatencySubject {
  if (about.version !== null) return versionSubject(about.model, about.version, predictionsRoot);
  return {
    key: `log:${about.model}`,
    title: about.title,
    logDir: predictionsRoot ? modelLogDir(predictionsRoot, about.model) : undefined,
    about,
  };
}

/** The predictions folder of an embedded registry (where endpoints served from it log), else undefined. */
export function predictionsRoot(reg: { kind: string; location: string }, dirName: string): string | undefined {
  return reg.kind === 'embedded' ? path.join(reg.location, dirName) : undefined;
}
