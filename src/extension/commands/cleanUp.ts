import type * as vscode from 'vscode';
import { MlopsError, readOnlyRegistry } from '../../core/errors';
import type { GcReport } from '../../core/registry/types';
import { formatBytes } from '../../core/util/format';
import { registerCommand } from '../boundary';
import { COMMANDS } from '../ids';
import { withProgress } from '../ui/progress';
import { confirmModal, showInfo } from '../ui/toast';
import type { Deps } from './deps';

/** What `mlops gc` keeps by default: an unreferenced file this young may belong to a push under way. */
const DEFAULT_GRACE_MS = 3_600_000;

interface CleanUpOptions {
  /** Skip the modal confirmation (like the CLI, which asks nothing). */
  confirm?: boolean;
  graceMs?: number;
}

const files = (n: number) => `${n} unreferenced model file${n === 1 ? '' : 's'}`;

/**
 * Clean Up Unreferenced Model Files…: `mlops gc` from the Models view. Deleting versions leaves their
 * ONNX files in the embedded registry's store; this shows what would go, asks, then removes them.
 */
export function registerCleanUp(d: Deps): vscode.Disposable {
  return registerCommand(d.log, COMMANDS.cleanUpArtifacts, async (raw?: unknown): Promise<GcReport | undefined> => {
    const opts = (raw ?? {}) as CleanUpOptions;
    const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    const reg = await d.service.get();
    if (d.service.readOnly) {
      // Refused before the preview, so nobody confirms a removal that cannot happen.
      throw readOnlyRegistry(reg.location);
    }
    if (!reg.collectGarbage) {
      throw new MlopsError(
        'INVALID_ARGUMENT',
        `${reg.location} is an MLflow server, which manages its own artifact store.`,
        'Clean it up on the server (`mlflow gc`).',
      );
    }
    const collect = reg.collectGarbage.bind(reg);
    const preview = await collect({ graceMs, dryRun: true });
    if (preview.removed.length === 0) {
      const young =
        preview.keptRecent > 0
          ? ` (${files(preview.keptRecent)} changed within the last hour stay, in case a push is under way)`
          : '';
      showInfo(`Nothing to clean up: every stored model file belongs to a version${young}.`);
      return preview;
    }
    const ok =
      opts.confirm === true ||
      (await confirmModal(
        `Remove ${files(preview.removed.length)} (${formatBytes(preview.bytesFreed)})?`,
        'They were left by deleted versions. Versions, aliases and the audit history are not touched.',
        'Remove',
      ));
    if (!ok) return undefined;
    const done = await withProgress('Cleaning up the model store', () => collect({ graceMs }), {
      cancellable: false,
    });
    d.log.info(
      `Removed ${files(done.removed.length)} (${done.bytesFreed} bytes): ${done.removed.map((a) => a.sha256).join(', ')}`,
    );
    showInfo(`Removed ${files(done.removed.length)} (${formatBytes(done.bytesFreed)}).`);
    return done;
  });
}
