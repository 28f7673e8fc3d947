/** The webview side of the VS Code API. acquireVsCodeApi may be called once per page. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The API typed to one panel's contract: its messages to the host and its saved state (validated on load). */
export function panelApi<ToHost, State>(parseState: (raw: unknown) => State | undefined) {
  const api = acquireVsCodeApi();
  return {
    post: (message: ToHost): void => api.postMessage(message),
    loadState: (): State | undefined => parseState(api.getState()),
    saveState: (state: State): void => api.setState(state),
  };
}
