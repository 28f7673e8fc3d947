import { parseViewState, type ServingViewState, type WebviewToHost } from '../../src/shared/servingProtocol';
import { panelApi } from '../shared/vscodeApi';

/** The serving panel's side of the VS Code API, typed to the serving contract. */
export const { post, loadState, saveState } = panelApi<WebviewToHost, ServingViewState>(parseViewState);
