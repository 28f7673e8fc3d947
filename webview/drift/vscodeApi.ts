import { type DriftViewState, parseViewState, type WebviewToHost } from '../../src/shared/driftProtocol';
import { panelApi } from '../shared/vscodeApi';

/** The drift panel's side of the VS Code API, typed to the drift contract. */
export const { post, loadState, saveState } = panelApi<WebviewToHost, DriftViewState>(parseViewState);
