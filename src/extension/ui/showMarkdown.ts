import * as vscode from 'vscode';

/**
 * Shows a Markdown document rendered (VS Code's Markdown preview: tables, code, no `\_` escapes), as a
 * user reads a report; falls back to the source when the built-in Markdown extension is disabled.
 */
export async function showRenderedMarkdown(doc: vscode.TextDocument): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    await vscode.window.showTextDocument(doc, { preview: true });
  }
}
