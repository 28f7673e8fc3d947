import assert from 'node:assert/strict';
import { isMlopsError } from '../../../src/core/errors';
import { parseDuration } from '../../../src/core/util/duration';

describe('parseDuration', () => {
  it('reads a number and a unit', () => {
    assert.deepEqual(parseDuration('90s', '--ttl'), { ms: 90_000, label: '90s' });
    assert.equal(parseDuration(' 1.5h ', '--ttl').ms, 5_400_000);
    assert.equal(parseDuration('1w', '--ttl').ms, 604_800_000);
  });

  it('says a zero duration is zero, not that it is not a duration', () => {
    assert.throws(
      () => parseDuration('0s', '--grace'),
      (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /"0s" is zero/.test(e.message),
    );
  });

  it('refuses text without a unit, or with an unknown one', () => {
    for (const bad of ['10', 'h', '5y', '-1h', '1e3s', '']) {
      assert.throws(
        () => parseDuration(bad, '--ttl'),
        (e: unknown) => isMlopsError(e, 'INVALID_ARGUMENT') && /is not a duration/.test(e.message),
        bad,
      );
    }
  });
});
