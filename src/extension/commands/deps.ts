import type * as vscode from 'vscode';
import type { Registry } from '../../core/registry/registry';
import type { ActionContext } from '../../core/registry/types';
import { defaultActor } from '../../core/util/actor';
import type { LastUsedModel } from '../lastModel';
import type { Log } from '../log';
import type { RegistryService } from '../registry/registryService';
import type { MlflowSecrets } from '../secrets';
import type { TreeElement } from '../tree/elements';
import type { ModelsTreeProvider } from '../tree/modelsTree';

/** What command handlers work with; built once in activate(). */
export interface Deps {
  log: Log;
  service: RegistryService;
  tree: ModelsTreeProvider;
  treeView: vscode.TreeView<TreeElement>;
  secrets: MlflowSecrets;
  /** The workspace's memory (ExtensionContext.workspaceState): answers remembered per model. */
  state: vscode.Memento;
  /** The model last used here: commands that act on a model set it; the status bar follows it. */
  lastModel: LastUsedModel;
}

/** Who acts, for the audit history: MLOPS_ACTOR or the OS user, as in the CLI. */
export function actionContext(reason: string | undefined): ActionContext {
  return { actor: defaultActor(), reason: reason || null };
}

export type { Registry };
