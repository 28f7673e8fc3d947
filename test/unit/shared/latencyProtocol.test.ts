import assert from 'node:assert/strict';
import {
  LATENCY_PROTOCOL,
  type LatencyView,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
  roleLabel,
  roleLabels,
} from '../../../src/shared/latencyProtocol';
import {
  type CompareView,
  parseHostMessage as parseServingHost,
  parseWebviewMessage as parseServingWebview,
} from '../../../src/shared/servingProtocol';

const VIEW: LatencyView = {
  title: 'fraud@production :5000',
  running: true,
  range: 'live',
  snapshot: {
    source: 'live',
    from: 0,
    to: 4000,
    bucketMs: 2000,
    lines: [
      {
        version: 3,
        role: 'primary',
        points: [{ t: 0, requests: 10, errors: 1, p50: 1, p95: 2, p99: 3, queueMs: 0.2, computeMs: 0.5, batchSize: 2 }],
      },
    ],
    roles: [
      { version: 3, role: 'primary', share: null },
      { version: 4, role: 'canary', share: 0.1 },
    ],
    totals: { requests: 10, errors: 1, perSecond: 2.5, p50: 1, p95: 2, p99: 3 },
    notes: [],
  },
};

/** VIEW with its snapshot's fields replaced (each call a fresh copy). */
const withSnapshot = (patch: Record<string, unknown>) => ({
  type: 'latency',
  view: { ...structuredClone(VIEW), snapshot: { ...structuredClone(VIEW.snapshot), ...patch } },
});

describe('the Latency panel contract, validated both ways', () => {
  it('accepts what fits and drops the rest (host to webview)', () => {
    assert.deepEqual(parseHostMessage({ type: 'latency', view: VIEW }), { type: 'latency', view: VIEW });
    const badPoint = structuredClone(VIEW);
    (badPoint.snapshot.lines[0].points[0] as unknown as Record<string, unknown>).p99 = 'slow';
    assert.equal(parseHostMessage({ type: 'latency', view: badPoint }), undefined);
    assert.equal(parseHostMessage({ type: 'latency', view: { ...VIEW, range: 'week' } }), undefined);
    // Roles: a shadow line fits; an unknown role, a share outside (0, 1] or a snapshot without roles does not.
    const shadowLine = { ...VIEW.snapshot.lines[0], version: 5, role: 'shadow' };
    assert.ok(parseHostMessage(withSnapshot({ lines: [shadowLine] })));
    assert.equal(parseHostMessage(withSnapshot({ lines: [{ ...shadowLine, role: 'champion' }] })), undefined);
    for (const share of [0, 1.5, '10%', undefined])
      assert.equal(
        parseHostMessage(withSnapshot({ roles: [{ version: 4, role: 'canary', share }] })),
        undefined,
        `share ${String(share)}`,
      );
    assert.equal(parseHostMessage(withSnapshot({ roles: undefined })), undefined);
    assert.equal(
      parseHostMessage({
        type: 'latency',
        view: { ...VIEW, snapshot: { ...VIEW.snapshot, totals: { p50: Infinity } } },
      }),
      undefined,
    );
    assert.deepEqual(
      parseHostMessage({ type: 'latencyError', title: 't', running: false, range: 'hour', message: 'No log.' }),
      { type: 'latencyError', title: 't', running: false, range: 'hour', message: 'No log.' },
    );
    assert.equal(parseHostMessage({ type: 'latencyError', title: 't', running: false, range: 'hour' }), undefined);
    assert.equal(parseHostMessage({ type: 'other' }), undefined);
    // What the panel is about: a model and a version (or null for an endpoint's model), and a title.
    const about = { model: 'fraud', version: 3, title: 'fraud v3' };
    assert.deepEqual(parseHostMessage({ type: 'about', about }), { type: 'about', about });
    assert.ok(parseHostMessage({ type: 'about', about: { ...about, version: null, title: 'fraud@production' } }));
    for (const bad of [
      { ...about, model: '' },
      { ...about, model: 7 },
      { ...about, version: 0 },
      { ...about, version: 1.5 },
      { ...about, version: '3' },
      { ...about, title: undefined },
      { ...about, title: 'x'.repeat(501) },
    ])
      assert.equal(parseHostMessage({ type: 'about', about: bad }), undefined, JSON.stringify(bad).slice(0, 80));
  });

  it('accepts what fits and drops the rest (webview to host)', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocol: LATENCY_PROTOCOL }), {
      type: 'ready',
      protocol: LATENCY_PROTOCOL,
    });
    assert.equal(parseWebviewMessage({ type: 'ready', protocol: 99 }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'setRange', range: 'day' }), { type: 'setRange', range: 'day' });
    assert.equal(parseWebviewMessage({ type: 'setRange', range: 'year' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', range: 'live', charts: ['percentiles'], points: 3 }), {
      type: 'rendered',
      range: 'live',
      charts: ['percentiles'],
      points: 3,
    });
    assert.equal(parseWebviewMessage({ type: 'rendered', range: 'live', charts: [], points: -1 }), undefined);
  });

  it('restores a saved state, and starts afresh from one that does not fit', () => {
    const about = { model: 'fraud', version: null, title: 'fraud@production' };
    assert.deepEqual(parseViewState({ protocol: LATENCY_PROTOCOL, range: 'hour', last: VIEW, about }), {
      protocol: LATENCY_PROTOCOL,
      range: 'hour',
      last: VIEW,
      about,
    });
    assert.deepEqual(
      parseViewState({ protocol: LATENCY_PROTOCOL, range: 'x', last: { nope: 1 }, about: { model: 'fraud' } }),
      { protocol: LATENCY_PROTOCOL, range: 'live', last: null, about: null },
    );
    // A state saved before panels were restored has no `about`: its panel cannot come back, the rest still fits.
    assert.equal(parseViewState({ protocol: LATENCY_PROTOCOL, range: 'hour', last: VIEW })?.about, null);
    assert.equal(parseViewState({ protocol: 0 }), undefined);
    // A view saved before roles were sent is not drawn from the state: the host's next message redraws it.
    const { roles: _, ...before } = VIEW.snapshot;
    assert.equal(
      parseViewState({ protocol: LATENCY_PROTOCOL, range: 'live', last: { ...VIEW, snapshot: before } })?.last,
      null,
    );
  });
});

describe('the Latency panel names each version by its role', () => {
  const line = (version: number, role: 'primary' | 'canary' | 'shadow') => ({ version, role });
  it('says nothing of roles while one version serves alone, or an alias moved from one to the next', () => {
    const alone = { lines: [line(3, 'primary')], roles: [{ version: 3, role: 'primary' as const, share: null }] };
    assert.equal(roleLabel(line(3, 'primary'), alone), 'v3');
    const moved = {
      lines: [line(4, 'primary'), line(3, 'primary')],
      roles: [{ version: 4, role: 'primary' as const, share: null }],
    };
    assert.deepEqual(roleLabels(moved), ['v4', 'v3']);
  });

  it('names primary, canary with its share, and shadow once either is in play', () => {
    const canary = {
      lines: [line(4, 'canary'), line(3, 'primary')],
      roles: [
        { version: 3, role: 'primary' as const, share: null },
        { version: 4, role: 'canary' as const, share: 0.1 },
      ],
    };
    assert.deepEqual(roleLabels(canary), ['v3 (primary)', 'v4 (canary 10%)']);
    assert.equal(roleLabel(line(4, 'canary'), canary), 'v4 (canary 10%)');
    assert.equal(roleLabel(line(4, 'canary'), { ...canary, roles: [] }), 'v4 (canary)', 'no share known');
    assert.equal(
      roleLabel(line(4, 'canary'), { ...canary, roles: [{ ...canary.roles[1], share: 0.125 }] }),
      'v4 (canary 12.5%)',
    );
    // A shadow has no line (its copies are not timed) but is still named.
    const shadow = {
      lines: [line(3, 'primary')],
      roles: [
        { version: 3, role: 'primary' as const, share: null },
        { version: 4, role: 'shadow' as const, share: null },
      ],
    };
    assert.deepEqual(roleLabels(shadow), ['v3 (primary)', 'v4 (shadow)']);
    assert.equal(roleLabel(line(3, 'primary'), shadow), 'v3 (primary)');
  });
});

describe('the serving panel contract: Compare and data files', () => {
  const side = { label: 'v3', count: 5, errors: 0, firstError: null, p50: 1, p95: 2, p99: 3, mean: 1.1, max: 4 };
  const RESULT: CompareView = {
    a: side,
    b: { ...side, label: 'v4' },
    requests: 5,
    compared: 5,
    maxAbsDiff: null,
    top1: null,
    mismatched: ['scores'],
    cancelled: false,
    source: '5 examples',
  };

  it('checks compare requests and results', () => {
    assert.deepEqual(parseServingWebview({ type: 'compare', params: { version: 4, requests: 100, data: null } }), {
      type: 'compare',
      params: { version: 4, requests: 100, data: null },
    });
    assert.equal(
      parseServingWebview({ type: 'compare', params: { version: 0, requests: 100, data: null } }),
      undefined,
    );
    assert.equal(
      parseServingWebview({ type: 'compare', params: { version: 4, requests: 1e6, data: null } }),
      undefined,
    );
    assert.deepEqual(parseServingHost({ type: 'compareResult', result: RESULT }), {
      type: 'compareResult',
      result: RESULT,
    });
    assert.equal(parseServingHost({ type: 'compareResult', result: { ...RESULT, maxAbsDiff: 'big' } }), undefined);
    assert.deepEqual(parseServingHost({ type: 'compareError', message: 'No file.', field: 'data' }), {
      type: 'compareError',
      message: 'No file.',
      field: 'data',
    });
  });

  it('takes only workspace-relative data paths', () => {
    const load = (data: unknown) =>
      parseServingWebview({
        type: 'loadTest',
        params: { mode: 'closed', concurrency: 2, rate: null, durationMs: 2000, data },
      });
    assert.ok(load('data/val.csv'));
    assert.ok(load(null));
    assert.ok(load(undefined), 'a saved state from before data files still loads');
    for (const bad of ['/etc/passwd', '../x.csv', 'a/../../x.csv', 'C:\\x.csv', '', 42])
      assert.equal(load(bad), undefined, `refused: ${String(bad)}`);
    assert.deepEqual(parseServingHost({ type: 'dataFile', path: 'data/val.csv' }), {
      type: 'dataFile',
      path: 'data/val.csv',
    });
    assert.equal(parseServingHost({ type: 'dataFile', path: '../val.csv' }), undefined);
    assert.deepEqual(parseServingHost({ type: 'loadError', message: 'Missing.', field: 'data' }), {
      type: 'loadError',
      message: 'Missing.',
      field: 'data',
    });
  });
});
