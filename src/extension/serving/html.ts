import { escapeHtml as esc, pageHead, type PanelHtmlOptions } from '../webviewPage';

/**
 * The serving panel's HTML (the shared head and CSP are in ../webviewPage.ts). No remote URL: the
 * webview never calls the endpoint (connect-src is 'none'); the host does.
 */
export function servingPanelHtml(o: PanelHtmlOptions): string {
  return `${pageHead(o, 'Test serving')}
<body>
<header>
  <div>
    <p class="subject" id="subject">Waiting for the endpoint…</p>
    <p class="muted"><span id="url"></span> <span id="state"></span></p>
  </div>
</header>
<section id="request" aria-labelledby="request-title">
  <h2 id="request-title">Request</h2>
  <div class="mode" role="tablist" aria-label="Request editor">
    <vscode-button id="tab-form" role="tab">Form</vscode-button><vscode-button id="tab-json" role="tab" secondary>JSON</vscode-button>
  </div>
  <div id="form-pane" role="tabpanel">
    <p class="muted" id="example-source"></p>
    <div id="fields"></div>
  </div>
  <div id="json-pane" role="tabpanel" hidden>
    <vscode-textarea id="json" rows="12" monospace aria-label="OIP v2 request (JSON)"></vscode-textarea>
    <p class="field-error" id="json-error" role="alert" hidden></p>
  </div>
  <div class="actions"><vscode-button id="send">Send</vscode-button><vscode-button id="copy-curl" secondary>Copy as curl</vscode-button></div>
</section>
<section id="response" aria-labelledby="response-title" hidden>
  <h2 id="response-title">Response</h2>
  <p id="response-summary" role="status" aria-live="polite"></p>
  <div id="outputs"></div>
</section>
<section id="history-section" aria-labelledby="history-title" hidden>
  <h2 id="history-title">History</h2>
  <table id="history" aria-label="Last requests"></table>
</section>
<section id="data" aria-labelledby="data-title">
  <h2 id="data-title">Data</h2>
  <div class="load-form">
    <label>Rows from a workspace file <vscode-textfield id="load-data" placeholder="empty: examples generated from the signature" aria-label="Data file of the workspace (CSV, JSONL or Parquet); empty for generated examples" aria-describedby="data-error"></vscode-textfield></label>
    <vscode-button id="load-browse" secondary>Browse…</vscode-button>
  </div>
  <p class="field-error" id="data-error" role="alert" hidden></p>
  <p class="muted">Used by the load test and by Compare.</p>
</section>
<section id="load" aria-labelledby="load-title">
  <h2 id="load-title">Load test</h2>
  <div class="load-form">
    <label>Mode <vscode-single-select id="load-mode" aria-label="Load test mode"><vscode-option value="closed">Concurrency (closed loop)</vscode-option><vscode-option value="open">Rate (open loop)</vscode-option></vscode-single-select></label>
    <label>Concurrency <vscode-textfield id="load-concurrency" type="number" min="1" aria-label="Concurrency"></vscode-textfield></label>
    <label id="rate-label">Rate (req/s) <vscode-textfield id="load-rate" type="number" min="1" aria-label="Rate, requests per second"></vscode-textfield></label>
    <label>Duration (s) <vscode-textfield id="load-duration" type="number" min="1" aria-label="Duration in seconds"></vscode-textfield></label>
    <vscode-button id="load-start">Run load test</vscode-button>
    <vscode-button id="load-cancel" secondary hidden>Cancel</vscode-button>
  </div>
  <p class="field-error" id="load-error" role="alert" hidden></p>
  <div id="load-progress" hidden><progress id="load-bar" max="1" value="0"></progress> <span id="load-progress-text"></span></div>
  <div id="load-result" hidden>
    <table id="load-summary" aria-label="Load test results"></table>
    <div class="actions"><vscode-button id="export-json" secondary>Export JSON</vscode-button><vscode-button id="export-csv" secondary>Export CSV</vscode-button></div>
    <div class="charts">
      <div><h3>Latency histogram</h3><div class="chart-box"><canvas id="hist-chart" role="img" aria-label="Latency histogram (log scale)"></canvas></div></div>
      <div><h3>Latency percentiles over time</h3><div class="chart-box"><canvas id="pct-chart" role="img" aria-label="p50, p95 and p99 latency per second"></canvas></div></div>
      <div><h3>Throughput over time</h3><div class="chart-box"><canvas id="tput-chart" role="img" aria-label="Requests per second"></canvas></div></div>
    </div>
  </div>
</section>
<section id="compare" aria-labelledby="compare-title">
  <h2 id="compare-title">Compare</h2>
  <p class="muted" id="compare-note">The same requests on the served version and another one: latency side by side and how far their outputs agree.</p>
  <div class="load-form" id="compare-form">
    <label>With <vscode-single-select id="compare-version" aria-label="Version to compare with"></vscode-single-select></label>
    <label>Requests <vscode-textfield id="compare-requests" type="number" min="1" aria-label="Requests to compare on"></vscode-textfield></label>
    <vscode-button id="compare-start">Compare</vscode-button>
    <vscode-button id="compare-cancel" secondary hidden>Cancel</vscode-button>
  </div>
  <p class="field-error" id="compare-error" role="alert" hidden></p>
  <div id="compare-progress" hidden><progress id="compare-bar" max="1" value="0"></progress> <span id="compare-progress-text"></span></div>
  <div id="compare-result" hidden>
    <p class="muted" id="compare-source"></p>
    <table id="compare-table" aria-label="Latency side by side"></table>
    <table id="agreement" aria-label="Output agreement"></table>
  </div>
</section>
<script type="module" nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
