import { escapeHtml as esc, pageHead, type PanelHtmlOptions } from '../webviewPage';

/** The drift panel's HTML (the shared head and CSP are in ../webviewPage.ts). */
export function driftPanelHtml(o: PanelHtmlOptions): string {
  return `${pageHead(o, 'Data drift')}
<body>
<header>
  <div>
    <p class="subject" id="subject" hidden></p>
    <p class="verdict" id="verdict" role="status" aria-live="polite">Loading…</p>
    <p class="files">Reference <a id="ref-file" tabindex="0" role="button"></a> · current <a id="cur-file" tabindex="0" role="button"></a></p>
    <p class="muted" id="computed"></p>
  </div>
  <div class="actions">
    <vscode-badge id="verdict-badge" variant="counter"></vscode-badge>
    <vscode-button id="refresh">Refresh</vscode-button>
    <vscode-button id="export" secondary>Export HTML report</vscode-button>
  </div>
</header>
<div id="loading" hidden><vscode-progress-bar></vscode-progress-bar><span id="loading-text">Reading…</span> <vscode-button id="cancel" secondary>Cancel</vscode-button></div>
<div id="error" hidden role="alert"><p id="error-text"></p><p class="muted" id="error-hint"></p></div>
<main id="content" hidden>
  <p id="stale" class="notice" hidden></p>
  <div class="toolbar">
    <vscode-textfield id="filter" placeholder="Filter features" aria-label="Filter features"></vscode-textfield>
    <vscode-checkbox id="only-drifted">Only drifted</vscode-checkbox>
  </div>
  <div class="table-box"><table id="features" aria-label="Features"></table></div>
  <p id="empty" class="muted" hidden>No feature matches.</p>
  <section class="charts">
    <div><h2 id="chart-title"></h2><p class="muted" id="chart-sub"></p><div class="chart-box"><canvas id="dist-chart" role="img" aria-label="Reference and current distribution"></canvas></div></div>
    <div id="time-section" hidden><h3>Drift over time</h3><div class="chart-box"><canvas id="time-chart" role="img" aria-label="Drift score per window with the threshold"></canvas></div></div>
  </section>
</main>
<script type="module" nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
