import path from 'node:path';
import type { Context } from 'mocha';
import * as vscode from 'vscode';
import { REPO } from './env';
import { SEL, ui, uiAvailable } from './ui';

/**
 * After a failed test: a screenshot of the workbench and the notifications, so a red CI run says what
 * the user would have seen (.vscode-test/logs/, git-ignored).
 */
export async function captureOnFailure(this: Context): Promise<void> {
  const t = this.currentTest;
  if (!uiAvailable || !t || t.state !== 'failed') return;
  try {
    const file = path.join(REPO, '.vscode-test', 'logs', `failed-${t.title.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`);
    await ui.screenshot(file);
    await vscode.commands.executeCommand('notifications.showList');
    console.log(
      `      screenshot: ${file}\n      notifications: ${(await ui.text(SEL.notifications)).replace(/\n/g, ' | ')}`,
    );
    // Closed again: left open, the list covers the bottom right of the window and fails the next click.
    await vscode.commands.executeCommand('notifications.hideList');
  } catch (e) {
    console.log(`      (could not capture the failure: ${String(e)})`);
  }
}
