import * as vscode from 'vscode';
import { waitFor } from '../../helpers/wait';

/**
 * Waits until the active tab is VS Code's Markdown preview of a document whose name contains `name`:
 * the preview opens asynchronously (the tab model reaches the extension host after the command returns).
 */
export async function waitForMarkdownPreview(name: string): Promise<vscode.Tab> {
  let seen = 'no tab';
  try {
    return await waitFor(
      `the Markdown preview of "${name}"`,
      () => {
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        const input = tab?.input;
        seen = tab
          ? `"${tab.label}" (${input instanceof vscode.TabInputWebview ? input.viewType : typeof input})`
          : 'no tab';
        return tab &&
          input instanceof vscode.TabInputWebview &&
          /markdown\.preview/.test(input.viewType) &&
          tab.label.includes(name)
          ? tab
          : undefined;
      },
      10_000,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; the active tab is ${seen}`);
  }
}
