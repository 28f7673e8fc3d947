import assert from 'node:assert/strict';
import { MlopsError } from '../../../src/core/errors';
import { OverloadedError } from '../../../src/core/serving/runtime';
import { HttpError, toHttpError } from '../../../src/core/serving/server/httpError';

describe('serving: HTTP status of runtime errors (decided on codes, as Triton maps its own)', () => {
  it('maps each code to its status', () => {
    const cases: [unknown, number][] = [
      [new MlopsError('INVALID_ARGUMENT', 'bad input'), 400],
      [new MlopsError('NOT_FOUND', 'no model'), 404],
      [new MlopsError('UNAVAILABLE', 'draining'), 503],
      [new MlopsError('CANCELLED', 'gone'), 503],
      [new MlopsError('INTERNAL', 'worker crashed'), 500],
      [new MlopsError('IO', 'disk'), 500],
      [new Error('bug'), 500],
      [new HttpError(413, 'too big'), 413],
    ];
    for (const [e, status] of cases) assert.equal(toHttpError(e).status, status, String(e));
  });

  it("answers a full queue with 503 and the runtime's Retry-After", () => {
    const e = toHttpError(new OverloadedError('The queue is full.', 7));
    assert.equal(e.status, 503);
    assert.equal(e.headers['Retry-After'], '7');
    assert.match(e.message, /The queue is full\. Retry in 7 s/);
  });
});
