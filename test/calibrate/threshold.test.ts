import { strict as assert } from 'assert';
import { applyThreshold, fitThreshold } from '../../src/calibrate/threshold';
import { ConfigError, DataError, NotFittedError } from '../../src/errors';

describe('calibrate/threshold', () => {
  // 1..11: median 6, |x-6| = 5,4,3,2,1,0,1,2,3,4,5 → MAD 3.
  const scores = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

  it('MAD rule: median + k·1.4826·MAD, hand-computed', () => {
    const t = fitThreshold(scores, 'mad', { k: 2 });
    assert.equal(t.median, 6);
    assert.equal(t.mad, 3);
    assert.ok(Math.abs(t.value - (6 + 2 * 1.4826 * 3)) < 1e-12);
  });

  it('MAD rule on the log scale: exp(median(ln s) + k·1.4826·MAD(ln s)), hand-computed', () => {
    // ln of e^0..e^4 = 0,1,2,3,4 → median 2, MAD 1; k = 2 → exp(2 + 2·1.4826).
    const s = [0, 1, 2, 3, 4].map(Math.exp);
    const pad = [...s, ...s]; // 10 scores minimum; the duplicates keep median 2 and MAD 1.
    const t = fitThreshold(pad, 'mad', { k: 2, scale: 'log' });
    assert.equal(t.scale, 'log');
    assert.ok(Math.abs(t.value - Math.exp(2 + 2 * 1.4826)) < 1e-9);
    // On skewed scores the log rule sits further out than the linear one with the same k.
    assert.ok(t.value > fitThreshold(pad, 'mad', { k: 2, scale: 'linear' }).value);
  });

  it('p99 and p99.5 interpolate linearly between order statistics (numpy type 7)', () => {
    // position (n-1)·q = 10·0.99 = 9.9 → 10 + 0.9·(11-10) = 10.9
    assert.ok(Math.abs(fitThreshold(scores, 'p99').value - 10.9) < 1e-12);
    assert.ok(Math.abs(fitThreshold(scores, 'p99.5').value - 10.95) < 1e-12);
  });

  it('flags strictly above the threshold and refuses to apply before fitting', () => {
    const t = fitThreshold(scores, 'p99');
    assert.deepEqual([...applyThreshold(t, [10.9, 10.91, 0])], [0, 1, 0]);
    assert.throws(() => applyThreshold(undefined, [1]), NotFittedError);
  });

  it('rejects unknown methods listing the valid ones, and too few scores', () => {
    assert.throws(() => fitThreshold(scores, 'p42'), (e: unknown) => e instanceof ConfigError && /Valid: mad, p99, p99\.5/.test(e.message));
    assert.throws(() => fitThreshold([1, 2, 3], 'mad'), DataError);
  });
});
