import assert from 'node:assert/strict';
import { signatureChanges, signatureWarning } from '../../../src/core/registry/signatureChange';
import type { ModelSignature } from '../../../src/core/registry/types';

const sig = (inputs: ModelSignature['inputs'], outputs: ModelSignature['outputs'] = []): ModelSignature => ({
  inputs,
  outputs,
});
const x = (shape: (number | string | null)[] | null, elemType = 'float32', name = 'x') => ({ name, elemType, shape });

describe('signatureChanges: what a caller of an alias would notice', () => {
  it('sees nothing when only the name of a dynamic dimension changes', () => {
    assert.deepEqual(signatureChanges(sig([x(['batch', 4])]), sig([x(['N', 4])])), []);
    assert.deepEqual(signatureChanges(sig([x([null, 4])]), sig([x(['batch', 4])])), []);
  });

  it('names sizes, ranks, element types, and inputs or outputs added and removed', () => {
    assert.deepEqual(signatureChanges(sig([x(['batch', 4])]), sig([x(['batch', 5])])), [
      'input "x" float32[batch,4] → float32[batch,5]',
    ]);
    assert.deepEqual(signatureChanges(sig([x([1, 4])]), sig([x(['batch', 4])])), [
      'input "x" float32[1,4] → float32[batch,4]',
    ]);
    assert.deepEqual(signatureChanges(sig([x(['b', 4])]), sig([x(['b', 4, 1])])), [
      'input "x" float32[b,4] → float32[b,4,1]',
    ]);
    assert.deepEqual(signatureChanges(sig([x(['b', 4])]), sig([x(['b', 4], 'float64')])), [
      'input "x" float32[b,4] → float64[b,4]',
    ]);
    assert.deepEqual(signatureChanges(sig([x(['b', 4])]), sig([x(null)])), ['input "x" float32[b,4] → float32[?]']);
    assert.deepEqual(
      signatureChanges(sig([x([4])], [x([3], 'float32', 'y')]), sig([x([4], 'float32', 'z')], [x([3], 'int64', 'y')])),
      ['input "x" removed', 'input "z" added (float32[4])', 'output "y" float32[3] → int64[3]'],
    );
  });

  it('does not compare with an unknown signature, nor a version with itself', () => {
    assert.deepEqual(signatureChanges(null, sig([x([4])])), []);
    assert.deepEqual(signatureChanges(sig([x([4])]), null), []);
    const a = { version: 2, signature: sig([x([4])]) };
    assert.equal(signatureWarning('m', 'production', a, a), undefined);
    assert.match(
      signatureWarning('m', 'production', a, { version: 3, signature: sig([x([5])]) }) ?? '',
      /^The signature of m v3 differs from v2, which holds @production: input "x" float32\[4\] → float32\[5\]\./,
    );
  });
});
