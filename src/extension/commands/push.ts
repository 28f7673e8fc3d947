import path from 'node:path';
import * as vscode from 'vscode';
import { cancelled, MlopsError } from '../../core/errors';
import { validateAlias, validateModelName } from '../../core/registry/names';
import type { Registry } from '../../core/registry/registry';
import type { ModelVersion } from '../../core/registry/types';
import { versionUri } from '../../core/registry/uri';
import { formatBytes } from '../../core/util/format';
import { registerCommand, UserCancelled } from '../boundary';
import { readConfig } from '../config';
import { COMMANDS } from '../ids';
import { askText, pickOne, pickOrType } from '../ui/prompt';
import { showInfo } from '../ui/toast';
import { actionContext, type Deps } from './deps';
import { parseMetricsText } from './metricsText';
import { asModelName, optionsArg } from './target';

/** Answers given up front (other extensions, tests); anything missing is asked for. */
export interface PushOptions {
  file?: string;
  model?: string;
  metrics?: Record<string, number> | string;
  /** "" = no alias. */
  alias?: string;
  description?: string;
}

/**
 * Push Model Version…: the palette, the Explorer's context menu on *.onnx (the file comes as a Uri) and
 * a model row (the model comes from it). Copying and hashing show progress and can be cancelled.
 */
export function registerPush(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.pushVersion, async (arg?: unknown, rawOpts?: unknown) => {
    const opts = optionsArg<PushOptions>(rawOpts);
    const file = opts.file ?? (arg instanceof vscode.Uri ? arg.fsPath : undefined) ?? (await askFile());
    if (!file.toLowerCase().endsWith('.onnx')) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${path.basename(file)} is not an .onnx file.`,
        'Export the model to ONNX first.',
      );
    }
    const reg = await d.service.get({ create: true });
    const model = validateModelName(
      opts.model ?? (arg instanceof vscode.Uri ? undefined : asModelName(arg)) ?? (await askModel(reg, file)),
    );
    const metrics =
      typeof opts.metrics === 'object' ? opts.metrics : parseMetricsText(opts.metrics ?? (await askMetrics()));
    const alias = opts.alias ?? (await askAlias(reg, model));
    if (alias) validateAlias(alias);

    const v = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Pushing ${path.basename(file)} as ${model}`,
        cancellable: true,
      },
      async (progress, token): Promise<ModelVersion> => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          const pushed = await reg.pushVersion(
            { filePath: file, model, metrics, alias: alias || undefined, description: opts.description },
            actionContext(undefined),
            {
              signal: abort.signal,
              onProgress: (p) => {
                // withProgress takes increments; stages without byte counts just change the message.
                const pct = p.total ? Math.round(((p.done ?? 0) / p.total) * 100) : undefined;
                const increment = pct !== undefined && pct > last ? pct - last : undefined;
                if (pct !== undefined) last = Math.max(last, pct);
                progress.report({ message: p.total ? `${p.stage} (${formatBytes(p.total)})` : p.stage, increment });
              },
            },
          );
          if (token.isCancellationRequested) throw cancelled('Pushing the model');
          return pushed;
        } finally {
          sub.dispose();
        }
      },
    );
    d.log.info(`Pushed ${versionUri(v.model, v.version)} from ${file} (sha256 ${v.artifact.sha256}).`);
    d.tree.refresh();
    showInfo(`Pushed ${versionUri(v.model, v.version)}${v.aliases.length ? ` @${v.aliases.join(' @')}` : ''}.`, {
      title: 'Reveal',
      run: () => vscode.commands.executeCommand(COMMANDS.revealVersion, v.model, v.version),
    });
    return v;
  });
}

async function askFile(): Promise<string> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'ONNX models': ['onnx'] },
    openLabel: 'Push',
    title: 'Push Model Version: the ONNX file',
  });
  if (!picked?.[0]) throw new UserCancelled();
  return picked[0].fsPath;
}

async function askModel(reg: Registry, file: string): Promise<string> {
  const models = (await reg.listModels({ maxResults: 1000 })).items.map((m) => m.name);
  const guess = path.basename(file, path.extname(file));
  return pickOrType({
    title: 'Push Model Version: model name',
    placeHolder: 'Pick a model, or type a new name',
    items: models,
    newLabel: 'New model',
    value: models.length === 0 ? guess : undefined,
    validate: validateModelName,
  });
}

async function askMetrics(): Promise<string> {
  return askText({
    title: 'Push Model Version: metrics (optional)',
    prompt: 'name=value pairs, separated by spaces',
    placeHolder: 'auc=0.94 accuracy=0.91',
    validate: parseMetricsText,
  });
}

async function askAlias(reg: Registry, model: string): Promise<string> {
  const inUse = await reg.getModel(model).then(
    (m) => Object.keys(m.aliases),
    () => [],
  );
  const names = [...new Set([...readConfig().promotionAliases, ...inUse])];
  return pickOne(
    [
      { label: 'No alias', value: '' },
      ...names.map((a) => ({ label: `@${a}`, description: 'move this alias to the new version', value: a })),
    ],
    {
      title: 'Push Model Version: alias (optional)',
      placeHolder: 'Give the new version an alias right away?',
    },
  );
}
