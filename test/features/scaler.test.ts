import { strict as assert } from 'assert';
import { applyRobustScaler, fitRobustScaler } from '../../src/features/scaler';

describe('features/scaler', () => {
  it('centres on the median and scales by IQR / 1.349 over kept rows only', () => {
    const col = Float64Array.from([1, 2, 3, 4, 5, 1000]);
    const keep = Uint8Array.from([1, 1, 1, 1, 1, 0]);
    const s = fitRobustScaler([col], keep);
    assert.equal(s.center[0], 3);
    assert.ok(Math.abs(s.scale[0] - 2 / 1.349) < 1e-12);
  });

  it('falls back to the mean absolute deviation for mostly-constant columns, then to 1 for constant ones', () => {
    const sparse = new Float64Array(100);
    sparse[7] = 10; // IQR 0; mean |x − 0| = 0.1
    const flat = new Float64Array(100).fill(5);
    const s = fitRobustScaler([sparse, flat], new Uint8Array(100).fill(1));
    assert.ok(Math.abs(s.scale[0] - 1.2533 * 0.1) < 1e-12);
    assert.equal(s.center[1], 5);
    assert.equal(s.scale[1], 1);
  });

  it('writes row-major [rows, features] and clips to ±clip', () => {
    const a = Float64Array.from([0, 1, 100]);
    const b = Float64Array.from([0, -1, -100]);
    const out = applyRobustScaler([a, b], { center: [0, 0], scale: [0.5, 1] }, 10);
    assert.deepEqual([...out], [0, 0, 2, -1, 10, -10]);
  });
});
