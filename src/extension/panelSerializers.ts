import * as vscode from 'vscode';

const registered = new Map<string, vscode.WebviewPanelSerializer>();

/**
 * Registers a panel's serializer with VS Code and keeps it, so the integration suite can hand it a panel
 * and a saved state as VS Code does on a window reload (a real reload would restart the suite with it).
 */
export function registerPanelSerializer(
  viewType: string,
  serializer: vscode.WebviewPanelSerializer,
): vscode.Disposable {
  registered.set(viewType, serializer);
  const registration = vscode.window.registerWebviewPanelSerializer(viewType, serializer);
  return {
    dispose: () => {
      if (registered.get(viewType) === serializer) registered.delete(viewType);
      registration.dispose();
    },
  };
}

/** What VS Code does with a panel of `viewType` it restores: the registered serializer takes it over. */
export async function restorePanel(viewType: string, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  const serializer = registered.get(viewType);
  if (!serializer) throw new Error(`No serializer is registered for the view type ${viewType}.`);
  await serializer.deserializeWebviewPanel(panel, state);
}
