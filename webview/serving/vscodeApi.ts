import { parseViewState, type ServingViewState, type WebviewToHost } from '../../src/shared/servingProtocol';

/** The webview side of the VS Code API, typed to the serving contract. acquireVsCodeApi may be called once. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

export function loadState(): ServingViewState | undefined {
  return parseViewState(api.getState());
}

export function saveState(state: ServingViewState): void {
  api.setState(state);
}
