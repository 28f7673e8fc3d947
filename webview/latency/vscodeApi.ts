import { type LatencyViewState, parseViewState, type WebviewToHost } from '../../src/shared/latencyProtocol';
import { panelApi } from '../shared/vscodeApi';

/** The Latency panel's side of the VS Code API, typed to its contract. */
export const { post, loadState, saveState } = panelApi<WebviewToHost, LatencyViewState>(parseViewState);
