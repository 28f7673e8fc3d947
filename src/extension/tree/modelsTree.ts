import * as vscode from 'vscode';
import { collectPages } from '../../core/registry/paging';
import type { Registry } from '../../core/registry/registry';
import type { AuditEvent, ModelVersion, RegisteredModel } from '../../core/registry/types';
import { readConfig } from '../config';
import type { RegistryService } from '../registry/registryService';
import type { LoadMoreElement, ModelElement, ServerElement, TreeElement, VersionElement } from './elements';
import { rollbackAliases } from './rollbackFlags';
import { type ServedLookup, tooltipFor, treeItem } from './treeItems';

interface Paged<T> {
  items: T[];
  more: LoadMoreElement | undefined;
}

/**
 * The Models view: registered models, then their versions newest first, `mlops.models.pageSize` at a
 * time with a "Load more…" row. Lists are cached until the registry changes; a refresh keeps how many
 * rows each list had loaded, so live updates do not collapse what the user paged through.
 */
export class ModelsTreeProvider implements vscode.TreeDataProvider<TreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private models: Paged<ModelElement> | undefined;
  private readonly versions = new Map<string, Paged<VersionElement>>();
  /** How many rows each list should show (root = ''): grows with "Load more…", survives refreshes. */
  private readonly wanted = new Map<string, number>();
  /** Counts refreshes, so a list that was loading across one is not cached. */
  private generation = 0;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The server row of an MLflow registry, fetched once per opened registry. */
  private server: { registry: Registry; row: Promise<ServerElement | undefined> } | undefined;

  constructor(private readonly service: RegistryService) {
    this.subscriptions.push(service.onDidChange(() => this.refresh()));
  }

  refresh(): void {
    this.generation++;
    this.models = undefined;
    this.versions.clear();
    this.changed.fire(undefined);
  }

  /** Which versions run in an endpoint of this window (set by the serving adapter). */
  servedLookup: ServedLookup = () => undefined;

  /** Redraws the rows (a version started or stopped being served) without reading the registry again. */
  repaint(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(e: TreeElement): vscode.TreeItem {
    return treeItem(e, readConfig().keyMetric, this.servedLookup);
  }

  resolveTreeItem(item: vscode.TreeItem, e: TreeElement): vscode.TreeItem {
    item.tooltip = tooltipFor(e);
    return item;
  }

  getParent(e: TreeElement): TreeElement | undefined {
    return e.kind === 'version' || e.kind === 'loadMore' ? e.parent : undefined;
  }

  async getChildren(e?: TreeElement): Promise<TreeElement[]> {
    if (e && e.kind !== 'model') return [];
    // A refresh can land during any await below (a CLI push, a re-opened registry). The list loaded
    // across it still answers this call but is not cached (the refresh asks again), and a failure
    // across it is not reported: the registry it read may have been closed under it on purpose.
    const generation = this.generation;
    const registry = await this.service.tryGet();
    if (!registry) return this.problemRows();
    try {
      if (!e) {
        let models = this.models;
        if (!models) {
          models = await this.loadModels(registry);
          if (generation === this.generation) this.models = models;
        }
        this.service.noteSuccess(models.items.length > 0);
        const server = await this.serverRow(registry);
        return server ? [server, ...withMore(models)] : withMore(models);
      }
      let page = this.versions.get(e.name);
      if (!page) {
        page = await this.loadVersions(registry, e);
        if (generation === this.generation) this.versions.set(e.name, page);
      }
      return withMore(page);
    } catch (err) {
      if (generation !== this.generation || !this.service.isCurrent(registry)) return [];
      this.service.noteFailure(e ? `Listing the versions of "${e.name}"` : 'Listing the models', err);
      return e ? [] : this.problemRows();
    }
  }

  private serverRow(registry: Registry): Promise<ServerElement | undefined> {
    if (!registry.serverVersion) return Promise.resolve(undefined);
    if (this.server?.registry !== registry) {
      const row = registry
        .serverVersion()
        .then((serverVersion): ServerElement => ({ kind: 'server', url: registry.location, serverVersion }))
        .catch(() => ({ kind: 'server' as const, url: registry.location, serverVersion: '(version unknown)' }));
      this.server = { registry, row };
    }
    return this.server.row;
  }

  /** Empty (the welcome view explains) unless the registry is broken: then the one-sentence reason. */
  private problemRows(): TreeElement[] {
    const message = this.service.problem;
    return message ? [{ kind: 'problem', message }] : [];
  }

  /** "Load more…": one more page of the list it ends. */
  loadMore(e: LoadMoreElement): void {
    const key = e.parent?.name ?? '';
    this.wanted.set(key, this.target(key) + readConfig().pageSize);
    if (e.parent) this.versions.delete(e.parent.name);
    else this.models = undefined;
    this.changed.fire(e.parent);
  }

  /** The element of a version, paging further if needed (the status bar reveals it). */
  async findVersion(model: string, version: number): Promise<VersionElement | undefined> {
    const roots = await this.getChildren();
    let parent = roots.find((r): r is ModelElement => r.kind === 'model' && r.name === model);
    for (let i = 0; !parent && this.models?.more && i < 100; i++) {
      this.loadMoreSilently('');
      parent = (await this.getChildren()).find((r): r is ModelElement => r.kind === 'model' && r.name === model);
    }
    if (!parent) return undefined;
    for (let i = 0; i < 100; i++) {
      const kids = await this.getChildren(parent);
      const hit = kids.find((k): k is VersionElement => k.kind === 'version' && k.version === version);
      if (hit || !this.versions.get(model)?.more) return hit;
      this.loadMoreSilently(model);
    }
    return undefined;
  }

  private loadMoreSilently(key: string): void {
    this.wanted.set(key, this.target(key) + readConfig().pageSize);
    if (key) this.versions.delete(key);
    else this.models = undefined;
  }

  private target(key: string): number {
    return Math.max(this.wanted.get(key) ?? 0, readConfig().pageSize);
  }

  private async loadModels(registry: Registry): Promise<Paged<ModelElement>> {
    const { items, more } = await collectPages(
      (pageToken, maxResults) => registry.listModels({ pageToken, maxResults }),
      this.target(''),
    );
    const els = items.map((m: RegisteredModel): ModelElement => ({ kind: 'model', name: m.name, model: m }));
    return { items: els, more: more ? { kind: 'loadMore', parent: undefined } : undefined };
  }

  private async loadVersions(registry: Registry, parent: ModelElement): Promise<Paged<VersionElement>> {
    const includeArchived = readConfig().showArchived;
    const [{ items, more }, history] = await Promise.all([
      collectPages(
        (pageToken, maxResults) => registry.listVersions(parent.name, { pageToken, maxResults, includeArchived }),
        this.target(parent.name),
      ),
      registry.history(parent.name),
    ]);
    const els = items.map((v) => versionElement(parent, v, history, items));
    return { items: els, more: more ? { kind: 'loadMore', parent } : undefined };
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.changed.dispose();
  }
}

function versionElement(
  parent: ModelElement,
  v: ModelVersion,
  history: AuditEvent[],
  listed: ModelVersion[],
): VersionElement {
  return {
    kind: 'version',
    model: v.model,
    version: v.version,
    data: v,
    parent,
    rollbackAliases: rollbackAliases(history, v, listed),
  };
}

function withMore<T extends TreeElement>(p: Paged<T>): TreeElement[] {
  return p.more ? [...p.items, p.more] : p.items;
}
