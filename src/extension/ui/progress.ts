import * as vscode from 'vscode';

/** What long work reports: a stage message and, when it knows, how far along it is (0-100). */
export type ReportProgress = (message: string, percent?: number) => void;

/**
 * Long work in a notification with progress and a Cancel button (CONVENTIONS 12); `signal` aborts when
 * the user cancels. Percentages are turned into the increments `withProgress` takes.
 */
export function withProgress<T>(
  title: string,
  work: (report: ReportProgress, signal: AbortSignal) => Promise<T>,
  opts: { cancellable?: boolean } = {},
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: opts.cancellable ?? true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        const report: ReportProgress = (message, percent) => {
          const pct = percent === undefined ? undefined : Math.round(percent);
          const increment = pct !== undefined && pct > last ? pct - last : undefined;
          if (pct !== undefined) last = Math.max(last, pct);
          progress.report({ message, increment });
        };
        try {
          return await work(report, abort.signal);
        } finally {
          sub.dispose();
        }
      },
    ),
  );
}
