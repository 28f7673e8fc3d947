import * as vscode from 'vscode';

const KEY = 'mlops.lastModel';

/**
 * The model last used in this workspace (selected in the Models view, pushed, promoted...), kept in the
 * workspace state: the status bar follows it when `mlops.statusBar.model` is empty.
 */
export class LastUsedModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  get(): string | undefined {
    return this.memento.get<string>(KEY);
  }

  async set(model: string): Promise<void> {
    if (this.get() === model) return;
    await this.memento.update(KEY, model);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
