import path from 'node:path';
import * as vscode from 'vscode';
import { MlopsError } from '../../core/errors';
import { registerCommand, UserCancelled } from '../boundary';
import { writeSetting } from '../config';
import { COMMANDS, VIEWS } from '../ids';
import { workspaceRoot } from '../registry/registryService';
import type { LoadMoreElement } from '../tree/elements';
import { pickFolder } from '../ui/pickFile';
import { pickOne } from '../ui/prompt';
import { showInfo } from '../ui/toast';
import type { Deps } from './deps';

/** Commands about the registry itself and the view: refresh, select, create, open, log, paging. */
export function registerRegistryCommands(d: Deps): vscode.Disposable[] {
  return [
    registerCommand(d.log, COMMANDS.refresh, async () => {
      // Re-open too, so a registry repaired or created by hand is picked up.
      await d.service.reopen('refresh');
    }),

    registerCommand(d.log, COMMANDS.showLog, () => d.log.show()),

    registerCommand(d.log, COMMANDS.showArchived, () => writeSetting('showArchived', true)),
    registerCommand(d.log, COMMANDS.hideArchived, () => writeSetting('showArchived', false)),

    registerCommand(d.log, COMMANDS.loadMore, (e: LoadMoreElement) => d.tree.loadMore(e)),

    registerCommand(d.log, COMMANDS.createRegistry, async () => {
      const reg = await d.service.get({ create: true });
      showInfo(`The model registry is ready at ${reg.location}.`);
      return reg.location;
    }),

    registerCommand(d.log, COMMANDS.selectRegistry, async (uri?: string) => {
      const chosen = uri ?? (await askRegistryUri());
      await writeSetting('registryUri', chosen);
      return chosen;
    }),

    registerCommand(d.log, COMMANDS.openRegistryFolder, async () => {
      const loc = await d.service.location();
      if (loc.kind === 'mlflow') return vscode.env.openExternal(vscode.Uri.parse(loc.url));
      const uri = vscode.Uri.file(loc.dir);
      const root = workspaceRoot();
      const inside =
        root !== undefined &&
        !path.relative(root, loc.dir).startsWith('..') &&
        !path.isAbsolute(path.relative(root, loc.dir));
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        throw new MlopsError(
          'NOT_FOUND',
          `There is no registry folder at ${loc.dir} yet.`,
          'Push a model or create a registry first.',
        );
      }
      return vscode.commands.executeCommand(inside ? 'revealInExplorer' : 'revealFileInOS', uri);
    }),

    registerCommand(d.log, COMMANDS.revealVersion, async (model: string, version: number) => {
      await vscode.commands.executeCommand(`${VIEWS.models}.focus`);
      const el = await d.tree.findVersion(model, version);
      if (!el)
        throw new MlopsError(
          'NOT_FOUND',
          `Version ${version} of "${model}" is not in the Models view.`,
          'Show archived versions, or refresh.',
        );
      await d.treeView.reveal(el, { select: true, focus: true, expand: true });
    }),
  ];
}

/** Select Registry…: a folder, an MLflow server, or back to the default. */
async function askRegistryUri(): Promise<string> {
  const how = await pickOne(
    [
      {
        label: '$(folder) Registry folder…',
        description: 'an embedded registry (a folder with registry.sqlite)',
        value: 'folder',
      },
      { label: '$(globe) MLflow tracking server…', description: 'http(s)://host:port', value: 'mlflow' },
      { label: '$(home) Default', description: '.mlops at the workspace root', value: 'default' },
    ],
    { title: 'Select Registry', placeHolder: 'Where is the model registry?' },
  );
  if (how === 'default') return '';
  if (how === 'mlflow') {
    // Connecting checks the server and keeps its credentials in secret storage, then sets the URI itself.
    const info = (await vscode.commands.executeCommand(COMMANDS.connectMlflow)) as { url: string } | undefined;
    if (!info) throw new UserCancelled();
    return info.url;
  }
  return (await pickFolder({ title: 'Registry folder', openLabel: 'Use as Registry' })).fsPath;
}
