import { escapeHtml as esc, pageHead, type PanelHtmlOptions } from '../webviewPage';

/** The Latency panel's HTML (the shared head and CSP are in ../webviewPage.ts). */
export function latencyPanelHtml(o: PanelHtmlOptions): string {
  return `${pageHead(o, 'Latency')}
<body>
<header>
  <div>
    <p class="subject" id="subject">Waiting for latency data…</p>
    <p class="muted" id="span"></p>
  </div>
  <div class="range" role="group" aria-label="Time range">
    <vscode-button id="range-live" data-range="live" secondary>Live</vscode-button><vscode-button id="range-hour" data-range="hour" secondary>Last hour</vscode-button><vscode-button id="range-day" data-range="day" secondary>Last day</vscode-button>
  </div>
</header>
<p class="field-error" id="error" role="alert" hidden></p>
<section id="summary-section" aria-labelledby="summary-title" hidden>
  <h2 id="summary-title">Summary</h2>
  <table id="summary" aria-label="Latency summary"></table>
  <ul class="muted notes" id="notes"></ul>
</section>
<section id="charts-section" hidden>
  <div class="charts">
    <div><h3>Latency percentiles</h3><div class="chart-box"><canvas id="pct-chart" role="img" aria-label="p50, p95 and p99 latency over time, per version"></canvas></div></div>
    <div><h3>Throughput and errors</h3><div class="chart-box"><canvas id="tput-chart" role="img" aria-label="Requests and errors per second over time, per version"></canvas></div></div>
    <div><h3>Queue vs compute</h3><div class="chart-box"><canvas id="split-chart" role="img" aria-label="Mean queue time and compute time over time"></canvas></div></div>
    <div><h3>Batch size</h3><div class="chart-box"><canvas id="batch-chart" role="img" aria-label="Mean requests per model run over time"></canvas></div></div>
  </div>
</section>
<p class="muted" id="empty" hidden>No request in this range yet.</p>
<script type="module" nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
