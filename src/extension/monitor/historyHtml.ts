import { escapeHtml as esc, pageHead, type PanelHtmlOptions } from '../webviewPage';

/** The check history panel's HTML (the shared head and CSP are in ../webviewPage.ts). */
export function historyPanelHtml(o: PanelHtmlOptions): string {
  return `${pageHead(o, 'Monitor history')}
<body>
<header>
  <div>
    <p class="subject" id="subject">Loading…</p>
    <p class="summary" id="summary" role="status" aria-live="polite"></p>
    <p class="muted" id="window"></p>
  </div>
  <div class="actions"><vscode-button id="refresh">Refresh</vscode-button></div>
</header>
<div id="error" hidden role="alert"><p id="error-text"></p></div>
<main id="content" hidden>
  <p id="empty" class="muted" hidden>No evaluation yet: run the monitors (MLOps: Run Monitors, or mlops monitor --once).</p>
  <div class="chart-box"><canvas id="history-chart" role="img" aria-label="The check's value per evaluation with its thresholds"></canvas></div>
</main>
<script type="module" nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
