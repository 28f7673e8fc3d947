import * as vscode from 'vscode';
import { DOC_SCHEME } from '../ids';
import { showRenderedMarkdown } from '../ui/showMarkdown';
import type { RegistryService } from '../registry/registryService';
import { compareMarkdown } from '../render/compare';
import { historyMarkdown } from '../render/history';
import { versionMarkdown } from '../render/version';

/** What a read-only document shows; carried in the URI's query so a reload re-renders it. */
export type DocRequest =
  | { kind: 'details'; model: string; version: number }
  | { kind: 'history'; model: string; version?: number }
  | { kind: 'compare'; model: string; a: number; b: number }
  /** A report computed once (Quantize): its text lives in this window only, it cannot be re-rendered. */
  | { kind: 'report'; id: number; title: string };

const reports = new Map<number, string>();

export function docUri(req: DocRequest): vscode.Uri {
  const title =
    req.kind === 'details'
      ? `${req.model} v${req.version}`
      : req.kind === 'history'
        ? `${req.model} history`
        : req.kind === 'compare'
          ? `${req.model} v${req.a} ↔ v${req.b}`
          : req.title;
  // The path names the tab; the query says what to render.
  return vscode.Uri.from({
    scheme: DOC_SCHEME,
    path: `/${title.replace(/[/\\]/g, '_')}.md`,
    query: new URLSearchParams({ q: JSON.stringify(req) }).toString(),
  });
}

export function parseDocUri(uri: vscode.Uri): DocRequest {
  return JSON.parse(new URLSearchParams(uri.query).get('q') ?? '{}') as DocRequest;
}

/**
 * Renders details, history and comparisons as read-only Markdown documents (a content provider's
 * documents cannot be edited), and re-renders the open ones when the registry changes.
 */
export class DocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly service: RegistryService) {
    this.sub = service.onDidChange(() => {
      for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === DOC_SCHEME) this.changed.fire(d.uri);
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const req = parseDocUri(uri);
    if (req.kind === 'report')
      return (
        reports.get(req.id) ?? '# Not available\n\nThis report was made in an earlier window: run the command again.\n'
      );
    try {
      const reg = await this.service.get();
      switch (req.kind) {
        case 'details':
          return versionMarkdown(await reg.getVersion(req.model, req.version)) + '\n';
        case 'history':
          return historyMarkdown(req.model, await reg.history(req.model), req.version);
        case 'compare': {
          const [a, b] = await Promise.all([reg.getVersion(req.model, req.a), reg.getVersion(req.model, req.b)]);
          return compareMarkdown(a, b);
        }
      }
    } catch (e) {
      // The document stays open after, e.g., the version was deleted: say so in it.
      return `# Not available\n\n${e instanceof Error ? e.message : String(e)}\n`;
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

/** Opens the document rendered (its .md path makes it Markdown); it re-renders when the registry changes. */
export async function openDoc(req: DocRequest): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(docUri(req));
  await showRenderedMarkdown(doc);
  return doc;
}

/** Opens a computed report read-only and rendered (an untitled document would ask to be saved on close). */
export async function openReport(title: string, markdown: string): Promise<vscode.TextDocument> {
  const id = reports.size + 1;
  reports.set(id, markdown);
  return openDoc({ kind: 'report', id, title });
}
