import assert from 'node:assert/strict';
import { argmax } from '../../../src/core/stats/argmax';

describe('argmax (top-1, shared by shadow agreement, Compare, quantize accuracy and monitor metrics)', () => {
  it('finds the largest value of a row inside a flat tensor, the first one on a tie', () => {
    const rows = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0.0]);
    assert.equal(argmax(rows, 0, 3), 1);
    assert.equal(argmax(rows, 3, 3), 0, 'a tie goes to the first class');
    assert.equal(argmax([3, -1, 9]), 2, 'a whole array by default');
  });

  it('reads JSON numbers and numeric strings alike, and NaN never wins', () => {
    assert.equal(argmax(['1', '4', '2']), 1);
    assert.equal(argmax([NaN, -5, -7]), 1);
    assert.equal(argmax([]), 0);
  });
});
