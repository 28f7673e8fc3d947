import * as vscode from 'vscode';
import { MlopsError } from '../core/errors';
import { affects, readConfig } from './config';
import { COMMANDS, STATUS_BAR_ID } from './ids';
import type { Log } from './log';
import type { RegistryService } from './registry/registryService';

/**
 * For `mlops.statusBar.model`: which version holds `production` (or else the first promotion alias the
 * model has). Clicking it reveals that version in the Models view. Hidden when the setting is empty, so
 * the registry is only opened for the status bar when the user asked for it.
 */
export class ModelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[] = [];
  private seq = 0;

  constructor(
    private readonly service: RegistryService,
    private readonly log: Log,
  ) {
    this.item.name = 'MLOps Studio: serving model version';
    this.subs.push(
      service.onDidChange(() => void this.update()),
      service.onDidChangeState(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, 'statusBarModel') || affects(e, 'promotionAliases')) void this.update();
      }),
    );
  }

  /** The alias the status bar follows: production if the model has it, else the first configured one it has. */
  static pickAlias(aliases: Record<string, number>, promotionAliases: string[]): string | undefined {
    if (aliases.production !== undefined) return 'production';
    return promotionAliases.find((a) => aliases[a] !== undefined);
  }

  async update(): Promise<void> {
    const seq = ++this.seq;
    const { statusBarModel: model, promotionAliases } = readConfig();
    if (!model) {
      this.item.hide();
      return;
    }
    const reg =
      this.service.state === 'missing' || this.service.state === 'error' ? undefined : await this.service.tryGet();
    if (seq !== this.seq) return; // a newer update is under way
    if (!reg) {
      this.show(`$(package) ${model}: no registry`, 'The model registry is not open.', undefined);
      return;
    }
    try {
      const m = await reg.getModel(model);
      if (seq !== this.seq) return;
      const alias = ModelStatusBar.pickAlias(m.aliases, promotionAliases);
      if (alias === undefined) {
        this.show(
          `$(package) ${model}: no alias`,
          `No version of ${model} holds ${promotionAliases.map((a) => `@${a}`).join(' or ') || 'a promotion alias'}.`,
          undefined,
        );
        return;
      }
      const v = m.aliases[alias];
      this.show(
        `$(rocket) ${model}@${alias} v${v}`,
        `${model}: @${alias} is version ${v}. Click to reveal it in the Models view.`,
        {
          command: COMMANDS.revealVersion,
          title: 'Reveal',
          arguments: [model, v],
        },
      );
    } catch (e) {
      if (seq !== this.seq) return;
      if (!(e instanceof MlopsError && e.code === 'NOT_FOUND')) this.log.error('Status bar', e);
      this.show(`$(warning) ${model}`, e instanceof Error ? e.message : String(e), undefined);
    }
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
