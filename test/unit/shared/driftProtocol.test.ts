import assert from 'node:assert/strict';
import {
  DRIFT_PROTOCOL,
  parseHostMessage,
  parseViewState,
  parseWebviewMessage,
} from '../../../src/shared/driftProtocol';

/** The drift panel's contract is validated on receipt, in both directions: what does not fit is dropped. */
describe('drift panel message contract', () => {
  it('accepts the webview messages it declares, normalised', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocol: DRIFT_PROTOCOL, extra: 1 }), {
      type: 'ready',
      protocol: DRIFT_PROTOCOL,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseWebviewMessage({ type: 'openFile', which: 'current' }), {
      type: 'openFile',
      which: 'current',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'exportReport', format: 'md' }), {
      type: 'exportReport',
      format: 'md',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', rows: 9, generatedAt: '2026-01-01T00:00:00Z' }), {
      type: 'rendered',
      rows: 9,
      generatedAt: '2026-01-01T00:00:00Z',
    });
  });

  it('drops what does not fit', () => {
    for (const bad of [
      null,
      'ready',
      { type: 'ready', protocol: 99 },
      { type: 'openFile', which: '/etc/passwd' },
      { type: 'exportReport', format: 'exe' },
      { type: 'rendered', rows: -1, generatedAt: 'x' },
      { type: 'rendered', rows: 1.5, generatedAt: 'x' },
      { type: 'runCommand', command: 'rm -rf' },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
    const files = { reference: { path: '/a', label: 'a' }, current: { path: '/b', label: 'b' } };
    assert.equal(parseHostMessage({ type: 'result', files, result: { version: 1 } }), undefined);
    assert.equal(parseHostMessage({ type: 'loading', files: null, message: 'x', fraction: null }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'loading', files, message: 'x', fraction: 0.5 }), {
      type: 'loading',
      files,
      message: 'x',
      fraction: 0.5,
    });
  });

  it('restores a saved view state, falling back to defaults for what is damaged', () => {
    assert.equal(parseViewState({ protocol: 0 }), undefined);
    const s = parseViewState({
      protocol: DRIFT_PROTOCOL,
      files: null,
      selected: 3,
      sort: { key: 'bogus', descending: 1 },
      onlyDrifted: 'yes',
      filter: 'ag',
    });
    assert.deepEqual(s, {
      protocol: DRIFT_PROTOCOL,
      files: null,
      selected: null,
      sort: { key: 'verdict', descending: true },
      onlyDrifted: false,
      filter: 'ag',
    });
  });
});
