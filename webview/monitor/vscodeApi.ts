import { type MonitorViewState, parseViewState, type WebviewToHost } from '../../src/shared/monitorProtocol';
import { panelApi } from '../shared/vscodeApi';

/** The history panel's side of the VS Code API, typed to the monitor contract. */
export const { post, loadState, saveState } = panelApi<WebviewToHost, MonitorViewState>(parseViewState);
