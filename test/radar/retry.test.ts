import { strict as assert } from 'assert';
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay } from '../../src/radar/retry';

const headers = (h: Record<string, string>) => new Headers(h);

describe('radar/retry', () => {
  it('retries 408, 429 and 5xx; never 400, 401, 404 or 422', () => {
    assert.deepEqual(
      [408, 429, 500, 502, 503, 504, 400, 401, 403, 404, 422].map(isRetryableStatus),
      [true, true, true, true, true, true, false, false, false, false, false],
    );
  });

  it('full jitter: uniform below base·2^attempt, capped', () => {
    const p = { baseMs: 500, capMs: 30_000 };
    assert.deepEqual([0, 1, 2, 3].map((a) => backoffDelay(a, p, () => 0.999999)), [499, 999, 1999, 3999]);
    assert.equal(backoffDelay(10, p, () => 0.5), 15_000);
    assert.equal(backoffDelay(3, p, () => 0), 0);
  });

  it('reads retry-after-ms first, then retry-after as seconds or an HTTP date (past dates give 0)', () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '9' }), now), 9000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Sat, 01 Mar 2025 12:00:30 GMT' }), now), 30_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Sat, 01 Mar 2025 11:00:00 GMT' }), now), 0);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfter(headers({}), now), undefined);
  });

  it('the server hint wins over backoff but is bounded', () => {
    const p = { retries: 3, baseMs: 500, capMs: 30_000, maxRetryAfterMs: 360_000 };
    assert.equal(retryDelay(0, p, 300_000, () => 0.5), 300_000);
    assert.equal(retryDelay(0, p, 86_400_000, () => 0.5), 360_000);
    assert.equal(retryDelay(2, p, undefined, () => 0.5), 1000);
  });
});
