import { strict as assert } from 'assert';
import { rollingMeanStd, rollingMedianPrev, rollingZ } from '../../src/features/rolling';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
};

describe('features/rolling', () => {
  it('gives hand-computed trailing mean and population std, with partial windows at the start', () => {
    // x = 1, 2, 4, 8, 16 with w = 3: windows [1] [1,2] [1,2,4] [2,4,8] [4,8,16].
    const r = rollingMeanStd([1, 2, 4, 8, 16], 3);
    close(r.mean, [1, 1.5, 7 / 3, 14 / 3, 28 / 3]);
    close(r.std, [0, 0.5, Math.sqrt(14 / 9), Math.sqrt(56 / 9), Math.sqrt(224 / 9)]);
  });

  it('z-scores each value against the window ending one hour earlier, with a floor for flat windows', () => {
    const x = [1, 2, 4, 8, 16];
    const z = rollingZ(x, rollingMeanStd(x, 3), 1e-3);
    // t = 3: window [1, 2, 4] → mean 7/3, std sqrt(14/9); z = (8 − 7/3) / sqrt(14/9).
    close(z, [0, (2 - 1) / 1e-3, (4 - 1.5) / 0.5, (8 - 7 / 3) / Math.sqrt(14 / 9), (16 - 14 / 3) / Math.sqrt(56 / 9)], 1e-9);
  });

  it('keeps precision on a long series far from zero (running sums do not drift)', () => {
    const n = 30000;
    const x = Float64Array.from({ length: n }, (_, i) => 1e6 + (i % 2));
    const r = rollingMeanStd(x, 24);
    assert.ok(Math.abs(r.mean[n - 1] - (1e6 + 0.5)) < 1e-6);
    assert.ok(Math.abs(r.std[n - 1] - 0.5) < 1e-6);
  });

  it('takes the median of the previous w values, skipping NaN and honouring minCount', () => {
    const x = [5, 1, NaN, 3, 9, 2];
    // w = 3 windows before t: [] [5] [5,1] [5,1,NaN] [1,NaN,3] [NaN,3,9]
    close(rollingMedianPrev(x, 3, 1), [NaN, 5, 3, 3, 2, 6]);
    close(rollingMedianPrev(x, 3, 2), [NaN, NaN, 3, 3, 2, 6]);
  });

  it('matches a brute-force median on random data with ties', () => {
    const x = Float64Array.from({ length: 500 }, (_, i) => ((i * 7919) % 13) - 6);
    const w = 24;
    const got = rollingMedianPrev(x, w);
    for (let t = 1; t < x.length; t++) {
      const win = Array.from(x.slice(Math.max(0, t - w), t)).sort((a, b) => a - b);
      const k = win.length;
      const want = k % 2 ? win[(k - 1) / 2] : (win[k / 2 - 1] + win[k / 2]) / 2;
      assert.equal(got[t], want, `t = ${t}`);
    }
  });
});
