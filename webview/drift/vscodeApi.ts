import { type DriftViewState, parseViewState, type WebviewToHost } from '../../src/shared/driftProtocol';

/** The webview side of the VS Code API, typed to the drift contract. acquireVsCodeApi may be called once. */
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

export function loadState(): DriftViewState | undefined {
  return parseViewState(api.getState());
}

export function saveState(state: DriftViewState): void {
  api.setState(state);
}
