import * as vscode from 'vscode';
import type { QuantizeReport } from '../../core/optimize/types';
import { defaultActor } from '../../core/util/actor';
import { registerCommand } from '../boundary';
import type { Deps } from '../commands/deps';
import { optionsArg, targetVersion } from '../commands/target';
import { readServingConfig } from '../config';
import { openReport } from '../docs/documents';
import { COMMANDS } from '../ids';
import { quantizeReportMarkdown } from '../render/quantize';
import { withProgress } from '../ui/progress';
import { showInfo } from '../ui/toast';
import { loadOptimizeCore } from './loadOptimizeCore';

/** Answers up front (other extensions, tests); the command asks nothing today, so these only tune it. */
export interface QuantizeOptions {
  /** Batch size the verdict is measured at; default: the mlops.serving.maxBatchSize setting. */
  batch?: number;
  minSpeedup?: number;
  maxAccuracyDrop?: number;
  /** Compare on generated inputs even when the version names reference data. */
  generatedData?: boolean;
}

/** What the command returns: the report, and the document showing it. */
export interface QuantizeResult {
  report: QuantizeReport;
  document: string;
}

/**
 * Quantize (int8)… on a version: the same core call as `mlops quantize models:/m/3 --push` (quantize,
 * measure against the source, keep only if worth it, register the kept model with lineage, move no
 * alias), with progress and Cancel; the report opens rendered.
 */
export function registerQuantize(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.quantizeVersion, async (arg?: unknown, rawOpts?: unknown) => {
    const opts = optionsArg<QuantizeOptions>(rawOpts);
    const reg = await d.service.get();
    const v = await targetVersion(reg, arg, 'Quantize (int8)');
    const source = `models:/${v.model}/${v.version}`;
    const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const report = await withProgress(`Quantizing ${v.model} v${v.version} (int8)`, async (progress, signal) => {
      progress('loading the optimizer');
      const core = await loadOptimizeCore();
      return core.runQuantize({
        source,
        cwd: root ?? process.cwd(),
        registry: () => d.service.get(),
        mode: 'int8',
        rule: {
          minSpeedup: opts.minSpeedup ?? core.DEFAULT_MIN_SPEEDUP,
          ...(opts.maxAccuracyDrop !== undefined ? { maxAccuracyDrop: opts.maxAccuracyDrop } : {}),
        },
        servingBatch: opts.batch ?? readServingConfig().maxBatchSize,
        generatedData: opts.generatedData === true,
        push: true,
        actor: defaultActor(),
        signal,
        onProgress: (stage) => progress(stage),
      });
    });
    d.log.info(`quantize ${source}: ${report.verdict.sentence}`);
    const doc = await openReport(`${v.model} v${v.version} int8 report`, quantizeReportMarkdown(report));
    const kept = report.registered;
    if (kept) {
      d.tree.refresh();
      void d.lastModel.set(kept.model);
      showInfo(
        `Registered ${kept.uri}: ${report.verdict.sentence}`,
        { title: 'Promote…', run: () => vscode.commands.executeCommand(COMMANDS.promote, kept) },
        {
          title: 'Reveal',
          run: () => vscode.commands.executeCommand(COMMANDS.revealVersion, kept.model, kept.version),
        },
      );
    } else showInfo(`Not worth it: ${report.verdict.sentence}`);
    const result: QuantizeResult = { report, document: doc.uri.toString() };
    return result;
  });
}
