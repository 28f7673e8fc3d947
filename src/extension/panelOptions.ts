import * as vscode from 'vscode';

/**
 * Every panel's webview options: scripts on; resources only from dist/ and media/ (CONVENTIONS 5); the
 * page is not kept while hidden (each panel restores its state from setState or the host resends it).
 */
export function panelOptions(
  context: Pick<vscode.ExtensionContext, 'extensionUri'>,
): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
  };
}
