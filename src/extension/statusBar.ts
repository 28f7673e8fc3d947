import * as vscode from 'vscode';
import { isMlopsError } from '../core/errors';
import type { Registry } from '../core/registry/registry';
import type { RegisteredModel } from '../core/registry/types';
import { affects, readConfig } from './config';
import { COMMANDS, STATUS_BAR_ID, VIEWS } from './ids';
import type { LastUsedModel } from './lastModel';
import type { Log } from './log';
import type { RegistryService } from './registry/registryService';
import { statusBarAlias, statusBarModel } from './statusBarChoice';

const FOCUS_VIEW: vscode.Command = { command: `${VIEWS.models}.focus`, title: 'Show the Models view' };

/**
 * The workspace's registry at a glance: which version of a model holds `production` (or else the first
 * promotion alias it has); clicking it reveals that version in the Models view. The model is
 * `mlops.statusBar.model`, else the one last used in this workspace, else the only model; without one
 * the item says how many models there are. With the setting empty, the registry is read only once
 * something else opened it (the Models view, a command), so activation never loads the registry core.
 */
export class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[] = [];
  private seq = 0;

  constructor(
    private readonly service: RegistryService,
    private readonly lastModel: LastUsedModel,
    private readonly log: Log,
  ) {
    this.item.name = 'MLOps Studio: serving model version';
    this.subs.push(
      service.onDidChange(() => void this.update()),
      service.onDidChangeState(() => void this.update()),
      lastModel.onDidChange(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'statusBarModel') || affects(e, 'promotionAliases')) void this.update();
      }),
    );
  }

  async update(): Promise<void> {
    const seq = ++this.seq;
    const { statusBarModel: setting, promotionAliases } = readConfig();
    const state = this.service.state;
    if (!setting && state === 'noFolder') {
      this.item.hide();
      return;
    }
    if (!setting && (state === 'idle' || state === 'loading')) {
      this.show('$(database) MLOps', 'Model registry: not opened yet. Click to show the Models view.', FOCUS_VIEW);
      return;
    }
    const reg = state === 'missing' || state === 'error' ? undefined : await this.service.tryGet();
    if (seq !== this.seq) return; // a newer update is under way
    if (!reg) {
      const what = state === 'missing' ? 'no registry' : 'registry unavailable';
      this.show(
        `$(database) ${setting || 'MLOps'}: ${what}`,
        this.service.problem ?? 'The model registry is not open.',
        FOCUS_VIEW,
      );
      return;
    }
    try {
      const m = await this.modelToShow(reg, setting);
      if (seq !== this.seq) return;
      if (!m.model) {
        const n = m.count === 0 ? 'no models' : `${m.count}${m.more ? '+' : ''} models`;
        this.show(
          `$(database) MLOps: ${n}`,
          `The model registry at ${reg.location}. Select a model in the Models view (or set mlops.statusBar.model) to see which version serves it.`,
          FOCUS_VIEW,
        );
        return;
      }
      this.showModel(m.model, promotionAliases);
    } catch (e) {
      if (seq !== this.seq) return;
      if (!isMlopsError(e, 'NOT_FOUND')) this.log.error('Status bar', e);
      this.show(`$(warning) ${setting}`, e instanceof Error ? e.message : String(e), undefined);
    }
  }

  /** The model to follow, read from the registry; `count` and `more` describe the registry otherwise. */
  private async modelToShow(
    reg: Registry,
    setting: string,
  ): Promise<{ model?: RegisteredModel; count: number; more: boolean }> {
    if (setting) return { model: await reg.getModel(setting), count: 1, more: false };
    const last = this.lastModel.get();
    const lastUsed = last
      ? await reg.getModel(last).catch((e: unknown) => {
          if (isMlopsError(e, 'NOT_FOUND')) return undefined; // deleted since: fall back
          throw e;
        })
      : undefined;
    if (lastUsed) return { model: lastUsed, count: 1, more: false };
    const page = await reg.listModels({ maxResults: 2 });
    const names = page.items.map((x) => x.name);
    const more = page.nextPageToken !== undefined;
    const chosen = statusBarModel({ setting, lastUsed: undefined, models: names, more });
    return { model: page.items.find((x) => x.name === chosen), count: names.length, more };
  }

  private showModel(m: RegisteredModel, promotionAliases: string[]): void {
    const alias = statusBarAlias(m.aliases, promotionAliases);
    if (alias === undefined) {
      this.show(
        `$(package) ${m.name}: no alias`,
        `No version of ${m.name} holds ${promotionAliases.map((a) => `@${a}`).join(' or ') || 'a promotion alias'}.`,
        FOCUS_VIEW,
      );
      return;
    }
    const v = m.aliases[alias];
    this.show(
      `$(rocket) ${m.name}@${alias} v${v}`,
      `${m.name}: @${alias} is version ${v}. Click to reveal it in the Models view.`,
      {
        command: COMMANDS.revealVersion,
        title: 'Reveal',
        arguments: [m.name, v],
      },
    );
  }

  private show(text: string, tooltip: string, command: vscode.Command | undefined): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.show();
  }

  dispose(): void {
    this.subs.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
