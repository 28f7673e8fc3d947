import path from 'node:path';
import * as vscode from 'vscode';
import { cancelled, isMlopsError, MlopsError } from '../../core/errors';
import { validateAlias, validateModelName } from '../../core/registry/names';
import type { Registry } from '../../core/registry/registry';
import { signatureWarning } from '../../core/registry/signatureChange';
import type { ModelVersion } from '../../core/registry/types';
import { versionUri } from '../../core/registry/uri';
import { formatBytes } from '../../core/util/format';
import { registerCommand } from '../boundary';
import { COMMANDS } from '../ids';
import { pickFile } from '../ui/pickFile';
import { withProgress } from '../ui/progress';
import { confirmModal, showInfo, showWarning } from '../ui/toast';
import { actionContext, type Deps } from './deps';
import { parseKeyValueText, parseMetricsText } from './metricsText';
import {
  askAlias,
  askDescription,
  askMetrics,
  askModel,
  askParams,
  askParent,
  askTrainingData,
  TRAINING_DATA_TAG,
} from './pushQuestions';
import { asModelName, optionsArg } from './target';

/**
 * Answers given up front (other extensions, tests). The file and the model are asked for when missing;
 * the optional answers are asked for only when no answers were given at all (a menu or the palette).
 */
export interface PushOptions {
  file?: string;
  model?: string;
  metrics?: Record<string, number> | string;
  params?: Record<string, string> | string;
  description?: string;
  /** The parent version (lineage); null = none. */
  parent?: number | null;
  /** The training data file, stored as the `reference_data` tag; null = none. */
  trainingData?: string | null;
  /** "" = no alias. */
  alias?: string;
}

/**
 * Push Model Version…: the palette, the Explorer's context menu on *.onnx (the file comes as a Uri) and
 * a model row (the model comes from it). Copying and hashing show progress and can be cancelled. With an
 * alias, the version is pushed first; the alias then moves, after a confirmation when the version it
 * leaves has another signature (its callers may break).
 */
export function registerPush(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.pushVersion, async (arg?: unknown, rawOpts?: unknown) => {
    const opts = optionsArg<PushOptions>(rawOpts);
    const interactive = Object.keys(opts).length === 0;
    const file =
      opts.file ??
      (arg instanceof vscode.Uri ? arg.fsPath : undefined) ??
      (
        await pickFile({
          title: 'Push Model Version: the ONNX file',
          filters: { 'ONNX models': ['onnx'] },
          openLabel: 'Push',
        })
      ).fsPath;
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
    const ask = <T>(given: T | undefined, question: () => Promise<T>, none: T): Promise<T> =>
      given !== undefined ? Promise.resolve(given) : interactive ? question() : Promise.resolve(none);

    const metrics = parseIf(await ask(opts.metrics, askMetrics, {}), parseMetricsText);
    const params = parseIf(await ask(opts.params, askParams, {}), (s) => parseKeyValueText(s));
    const description = (await ask(opts.description, askDescription, '')) || undefined;
    const parent = (await ask(opts.parent, () => askParent(reg, model), undefined)) ?? undefined;
    const trainingData = (await ask(opts.trainingData, () => askTrainingData(d.state, model), undefined)) ?? undefined;
    const alias = await ask(opts.alias, () => askAlias(reg, model), '');
    if (alias) validateAlias(alias);
    const replaced = alias ? await holderOf(reg, model, alias) : undefined;

    const v = await withProgress(`Pushing ${path.basename(file)} as ${model}`, async (report, signal) => {
      const pushed = await reg.pushVersion(
        {
          filePath: file,
          model,
          metrics,
          params,
          description,
          parentVersion: parent,
          tags: trainingData ? { [TRAINING_DATA_TAG]: trainingData } : undefined,
        },
        actionContext(undefined),
        {
          signal,
          onProgress: (p) =>
            report(
              p.total ? `${p.stage} (${formatBytes(p.total)})` : p.stage,
              p.total ? ((p.done ?? 0) / p.total) * 100 : undefined,
            ),
        },
      );
      if (signal.aborted) throw cancelled('Pushing the model');
      return pushed;
    });
    d.log.info(`Pushed ${versionUri(v.model, v.version)} from ${file} (sha256 ${v.artifact.sha256}).`);
    const final = alias ? await moveAlias(d, reg, v, alias, replaced, interactive) : v;
    d.tree.refresh();
    void d.lastModel.set(v.model);
    showInfo(
      `Pushed ${versionUri(final.model, final.version)}${final.aliases.length ? ` @${final.aliases.join(' @')}` : ''}.`,
      { title: 'Reveal', run: () => vscode.commands.executeCommand(COMMANDS.revealVersion, v.model, v.version) },
    );
    return final;
  });
}

/**
 * Gives the pushed version the alias (recorded as a promotion, as `mlops push --alias` does). When the
 * version the alias leaves has another signature, asks first (a menu) or warns (answers given up front).
 */
async function moveAlias(
  d: Deps,
  reg: Registry,
  v: ModelVersion,
  alias: string,
  replaced: ModelVersion | undefined,
  interactive: boolean,
): Promise<ModelVersion> {
  const warning = replaced ? signatureWarning(v.model, alias, replaced, v) : undefined;
  if (warning) {
    d.log.warn(warning);
    if (
      interactive &&
      !(await confirmModal(
        `Move @${alias} to ${v.model} v${v.version}?`,
        `${warning} The version is pushed either way.`,
        `Move @${alias}`,
      ))
    ) {
      showInfo(`Pushed ${versionUri(v.model, v.version)}; @${alias} stays on v${replaced?.version}.`);
      return v;
    }
    if (!interactive) void showWarning(warning);
  }
  await reg.promote(v.model, alias, v.version, actionContext(undefined));
  return reg.getVersion(v.model, v.version);
}

async function holderOf(reg: Registry, model: string, alias: string): Promise<ModelVersion | undefined> {
  try {
    return await reg.getVersionByAlias(model, alias);
  } catch (e) {
    if (isMlopsError(e, 'NOT_FOUND')) return undefined; // a new model, or an alias not set yet
    throw e;
  }
}

function parseIf<T>(x: T | string, parse: (s: string) => T): T {
  return typeof x === 'string' ? parse(x) : x;
}
