import * as vscode from 'vscode';
import { timeAgo } from '../../core/util/format';
import { COMMANDS, CONTEXT_VALUES } from '../ids';
import { md } from '../render/markdown';
import { versionDescription, versionMarkdown } from '../render/version';
import {
  elementId,
  versionContextValue,
  type LoadMoreElement,
  type ModelElement,
  type ProblemElement,
  type ServerElement,
  type TreeElement,
  type VersionElement,
} from './elements';

/** Turns tree elements into TreeItems. Tooltips are built on hover (resolveTooltip), not per row. */

/** The port a version is served on in this window (Serve Locally), if it is. */
export type ServedLookup = (model: string, version: number) => number | undefined;

export function treeItem(e: TreeElement, keyMetric: string, served: ServedLookup = () => undefined): vscode.TreeItem {
  switch (e.kind) {
    case 'model':
      return modelItem(e);
    case 'version':
      return versionItem(e, keyMetric, served(e.model, e.version));
    case 'loadMore':
      return loadMoreItem(e);
    case 'problem':
      return problemItem(e);
    case 'server':
      return serverItem(e);
  }
}

function serverItem(e: ServerElement): vscode.TreeItem {
  const item = new vscode.TreeItem(`MLflow ${e.serverVersion}`, vscode.TreeItemCollapsibleState.None);
  item.id = elementId(e);
  item.description = e.url;
  item.iconPath = new vscode.ThemeIcon('server-environment');
  item.contextValue = CONTEXT_VALUES.server;
  return item;
}

function problemItem(e: ProblemElement): vscode.TreeItem {
  const item = new vscode.TreeItem(e.message, vscode.TreeItemCollapsibleState.None);
  item.id = elementId(e);
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.contextValue = CONTEXT_VALUES.problem;
  item.command = { command: COMMANDS.showLog, title: 'Show Log' };
  return item;
}

function modelItem(e: ModelElement): vscode.TreeItem {
  const m = e.model;
  const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = elementId(e);
  const aliases = Object.entries(m.aliases).map(([a, v]) => `@${a} v${v}`);
  item.description = [...aliases, m.latestVersion !== null ? `latest v${m.latestVersion}` : 'no versions'].join(' · ');
  item.iconPath = new vscode.ThemeIcon('package');
  item.contextValue = CONTEXT_VALUES.model;
  return item;
}

function versionItem(e: VersionElement, keyMetric: string, servedPort: number | undefined): vscode.TreeItem {
  const v = e.data;
  const item = new vscode.TreeItem(`v${v.version}`, vscode.TreeItemCollapsibleState.None);
  item.id = elementId(e);
  item.description = versionDescription(v, keyMetric) + (servedPort !== undefined ? ` · served :${servedPort}` : '');
  item.iconPath = versionIcon(e);
  item.contextValue = versionContextValue(v, e.rollbackAliases, servedPort !== undefined);
  item.accessibilityInformation = { label: `${v.model} version ${v.version}, ${item.description}` };
  return item;
}

/** Aliased (serving), plain, archived: told apart by shape and colour. */
function versionIcon(e: VersionElement): vscode.ThemeIcon {
  if (e.data.status === 'archived') return new vscode.ThemeIcon('archive', new vscode.ThemeColor('disabledForeground'));
  if (e.data.aliases.length > 0) return new vscode.ThemeIcon('verified-filled', new vscode.ThemeColor('charts.green'));
  return new vscode.ThemeIcon('circle-outline');
}

function loadMoreItem(e: LoadMoreElement): vscode.TreeItem {
  const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
  item.id = elementId(e);
  item.iconPath = new vscode.ThemeIcon('ellipsis');
  item.contextValue = CONTEXT_VALUES.loadMore;
  item.command = { command: COMMANDS.loadMore, title: 'Load more', arguments: [e] };
  return item;
}

export function tooltipFor(e: TreeElement): vscode.MarkdownString | undefined {
  if (e.kind === 'version') return markdown(versionMarkdown(e.data));
  if (e.kind === 'model') {
    const m = e.model;
    const lines = [
      `### ${md(m.name)}`,
      m.description ? md(m.description) : '',
      Object.entries(m.aliases)
        .map(([a, v]) => `\`@${a}\` → v${v}`)
        .join('  \n'),
      Object.entries(m.tags)
        .map(([k, v]) => `${md(k)} = ${md(v)}`)
        .join('  \n'),
      `updated ${timeAgo(m.updatedAt)}`,
    ];
    return markdown(lines.filter(Boolean).join('\n\n'));
  }
  if (e.kind === 'server')
    return markdown(
      `Models from the MLflow tracking server **${md(e.url)}** (MLflow ${md(e.serverVersion)}).\n\nSign-in: the credentials kept by *Connect to MLflow…*, else MLflow's \`MLFLOW_TRACKING_*\` variables.`,
    );
  if (e.kind === 'problem')
    return markdown(
      `${md(e.message)}\n\nClick to open the log. **Select Registry…** or **Refresh** (the row's buttons) to try again.`,
    );
  return undefined;
}

function markdown(text: string): vscode.MarkdownString {
  const s = new vscode.MarkdownString(text);
  s.isTrusted = false; // registry content is data, never command links
  return s;
}
