import * as vscode from 'vscode';
import { newNonce, type PanelHtmlOptions } from './webviewPage';

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

/** A panel's page: the host's HTML builder around dist/webview/<bundle>.js and .css, with a fresh nonce. */
export function panelPageHtml(
  webview: vscode.Webview,
  context: Pick<vscode.ExtensionContext, 'extensionUri'>,
  bundle: string,
  html: (o: PanelHtmlOptions) => string,
): string {
  const dist = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  return html({
    cspSource: webview.cspSource,
    nonce: newNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${bundle}.css`)).toString(),
  });
}
