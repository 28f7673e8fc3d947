import * as vscode from 'vscode';
import { COMMANDS, CONTEXT_VALUES } from '../ids';
import type { Endpoint, EndpointManager } from './endpoints';

/** "412 req/s", "0.3 req/s", "idle". */
export function rateText(perSecond: number): string {
  if (perSecond <= 0) return 'idle';
  return `${perSecond >= 10 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1)} req/s`;
}

function versionText(e: Endpoint): string {
  const v = e.liveVersion();
  return v ? ` (v${v})` : '';
}

/**
 * One status bar item per running endpoint: `$(radio-tower) fraud@production :53817 · 412 req/s`;
 * clicking it offers the endpoint's actions (COMMANDS.endpointActions).
 */
export class EndpointStatusBar implements vscode.Disposable {
  private readonly items = new Map<string, vscode.StatusBarItem>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly endpoints: EndpointManager) {
    this.sub = endpoints.onDidChange(() => this.update());
  }

  update(): void {
    const live = new Set<string>();
    for (const e of this.endpoints.list()) {
      live.add(e.id);
      let item = this.items.get(e.id);
      if (!item) {
        item = vscode.window.createStatusBarItem(`mlops.serving.${e.id}`, vscode.StatusBarAlignment.Left, 40);
        item.name = `MLOps endpoint ${e.label}`;
        item.command = { title: 'Endpoint actions', command: COMMANDS.endpointActions, arguments: [e.id] };
        this.items.set(e.id, item);
      }
      item.text = `$(radio-tower) ${e.label} :${e.port} · ${rateText(e.rate.perSecond)}`;
      item.tooltip = `Serving ${e.label}${versionText(e)} on 127.0.0.1:${e.port} (${e.rate.total.toLocaleString('en-US')} requests). Click for actions.`;
      item.accessibilityInformation = { label: `Endpoint ${e.label} on port ${e.port}, ${rateText(e.rate.perSecond)}` };
      item.show();
    }
    for (const [id, item] of this.items)
      if (!live.has(id)) {
        item.dispose();
        this.items.delete(id);
      }
  }

  /** The status bar texts, for the integration suite. */
  texts(): string[] {
    return [...this.items.values()].map((i) => i.text);
  }

  dispose(): void {
    this.sub.dispose();
    for (const i of this.items.values()) i.dispose();
    this.items.clear();
  }
}

/** The Serving view: one row per running endpoint, with Open Serving Panel and Stop inline. */
export class ServingTreeProvider implements vscode.TreeDataProvider<Endpoint>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly endpoints: EndpointManager) {
    this.sub = endpoints.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(e?: Endpoint): Endpoint[] {
    return e ? [] : this.endpoints.list();
  }

  getTreeItem(e: Endpoint): vscode.TreeItem {
    const item = new vscode.TreeItem(e.label, vscode.TreeItemCollapsibleState.None);
    item.id = `endpoint:${e.id}`;
    item.description = `:${e.port}${versionText(e)} · ${rateText(e.rate.perSecond)}`;
    item.tooltip = `${e.target}\nhttp://127.0.0.1:${e.port}/v2/models/${e.model}/infer`;
    item.iconPath = new vscode.ThemeIcon('radio-tower', new vscode.ThemeColor('charts.green'));
    item.contextValue = CONTEXT_VALUES.endpoint;
    item.command = { title: 'Open Serving Panel', command: COMMANDS.openServingPanel, arguments: [e.id] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
