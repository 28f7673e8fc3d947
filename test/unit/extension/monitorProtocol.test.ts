import assert from 'node:assert/strict';
import {
  MONITOR_PROTOCOL,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
} from '../../../src/shared/monitorProtocol';

const subject = {
  monitor: 'models:/fraud@production',
  model: 'models:/fraud@production',
  check: 'drift',
  unit: 'share',
};
const history = {
  type: 'history',
  subject,
  thresholds: { warning: 0.2, critical: 0.5, lowerIsWorse: false },
  points: [
    { at: '2026-01-01T00:00:00Z', value: 0.1, state: 'ok' },
    { at: '2026-01-01T00:15:00Z', value: null, state: 'nodata' },
    { at: '2026-01-01T00:30:00Z', value: 1, state: 'critical' },
  ],
  window: 'reference data/ref.csv · current data/cur.csv',
};

/** The check history panel's contract is validated on receipt, both ways: what does not fit is dropped. */
describe('check history panel message contract', () => {
  it('accepts the host messages it declares', () => {
    assert.deepEqual(parseHostMessage(history), history);
    const error = { type: 'error', subject, message: 'mlops.yaml: no monitor named x' };
    assert.deepEqual(parseHostMessage(error), error);
  });

  it('drops host messages that do not fit: unknown state, a string value, no subject, unknown type', () => {
    const bad = [
      { ...history, points: [{ at: 'x', value: 1, state: 'breached' }] },
      { ...history, points: [{ at: 'x', value: '1', state: 'ok' }] },
      { ...history, points: [{ at: 'x', value: Number.NaN, state: 'ok' }] },
      { ...history, thresholds: { warning: 0.2, critical: '0.5', lowerIsWorse: false } },
      { ...history, subject: undefined },
      { ...history, window: 3 },
      { ...history, type: 'result' },
      null,
      'history',
    ];
    for (const b of bad) assert.equal(parseHostMessage(b), undefined, JSON.stringify(b));
  });

  it('accepts the webview messages it declares, normalised, and drops the rest', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocol: MONITOR_PROTOCOL, extra: 1 }), {
      type: 'ready',
      protocol: MONITOR_PROTOCOL,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', points: 2 }), { type: 'rendered', points: 2 });
    for (const b of [
      { type: 'ready', protocol: 2 },
      { type: 'rendered', points: -1 },
      { type: 'rendered', points: 1.5 },
      { type: 'retrain' },
      [],
    ])
      assert.equal(parseWebviewMessage(b), undefined, JSON.stringify(b));
  });

  it('restores a saved view state, and starts over from one of another version', () => {
    assert.deepEqual(parseViewState({ protocol: MONITOR_PROTOCOL, subject }), { protocol: MONITOR_PROTOCOL, subject });
    assert.deepEqual(parseViewState({ protocol: MONITOR_PROTOCOL, subject: { monitor: 1 } }), {
      protocol: MONITOR_PROTOCOL,
      subject: null,
    });
    assert.equal(parseViewState({ protocol: 0, subject }), undefined);
  });
});
