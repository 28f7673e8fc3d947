import * as vscode from 'vscode';
import { aliasUri, versionUri } from '../../core/registry/uri';
import { registerCommand } from '../boundary';
import { openDoc } from '../docs/documents';
import { COMMANDS } from '../ids';
import { pickOne } from '../ui/prompt';
import { flashStatus } from '../ui/toast';
import type { Deps } from './deps';
import { asModelName, asVersionRef, pickModel, pickVersion, targetVersion } from './target';

/** Read-only looks at the registry: details, history, comparison, model URIs. */
export function registerInspect(d: Deps): vscode.Disposable[] {
  return [
    registerCommand(d.log, COMMANDS.showDetails, async (arg?: unknown) => {
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Show Details', true);
      return (await openDoc({ kind: 'details', model: v.model, version: v.version })).uri.toString();
    }),

    registerCommand(d.log, COMMANDS.showHistory, async (arg?: unknown) => {
      const reg = await d.service.get();
      // A plain model name is accepted too (other extensions, the palette with an argument).
      const ref = typeof arg === 'string' && !arg.startsWith('models:') ? undefined : asVersionRef(arg);
      const model = ref?.model ?? asModelName(arg) ?? (await pickModel(reg, 'Show History'));
      await reg.getModel(model); // a clear "no model named …" before opening a document
      return (await openDoc({ kind: 'history', model, version: ref?.version })).uri.toString();
    }),

    registerCommand(d.log, COMMANDS.compareWith, async (arg?: unknown, otherArg?: unknown) => {
      const other = typeof otherArg === 'number' ? otherArg : undefined;
      const reg = await d.service.get();
      const a = await targetVersion(reg, arg, 'Compare', true);
      const b =
        other ?? (await pickVersion(reg, `Compare ${a.model} v${a.version} with…`, a.model, true, a.version)).version;
      await reg.getVersion(a.model, b);
      return (await openDoc({ kind: 'compare', model: a.model, a: a.version, b })).uri.toString();
    }),

    registerCommand(d.log, COMMANDS.copyModelUri, async (arg?: unknown, whichArg?: unknown) => {
      const which = typeof whichArg === 'string' ? whichArg : undefined;
      const reg = await d.service.get();
      const v = await targetVersion(reg, arg, 'Copy Model URI', true);
      const uris = [versionUri(v.model, v.version), ...v.aliases.map((a) => aliasUri(v.model, a))];
      const uri =
        which !== undefined
          ? (uris.find((u) => u === which || u.endsWith(`@${which}`)) ?? uris[0])
          : uris.length === 1
            ? uris[0]
            : await pickOne(
                uris.map((u) => ({ label: u, value: u })),
                { title: 'Copy Model URI', placeHolder: 'By version number, or by alias (follows promotions)' },
              );
      await vscode.env.clipboard.writeText(uri);
      flashStatus(`Copied ${uri}`);
      return uri;
    }),
  ];
}
