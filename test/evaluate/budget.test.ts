import { strict as assert } from 'assert';
import { labelRows, poolBudgets, recallAtBudgets, thresholdAtFpr } from '../../src/evaluate/budget';

describe('evaluate/budget', () => {
  it('thresholdAtFpr leaves at most floor(b·N) normal rows strictly above it', () => {
    const score = [0.1, 0.9, 0.5, 0.7, 0.3, 0.2, 0.8, 0.4, 0.6, NaN];
    const normal = new Array(10).fill(1);
    assert.equal(thresholdAtFpr(score, normal, 0), 0.9); // nothing above the max
    assert.equal(thresholdAtFpr(score, normal, 0.1), 0.8); // 1 of 10 above: 0.9
    assert.equal(thresholdAtFpr(score, normal, 0.25), 0.7); // floor(2.5) = 2 above: 0.9, 0.8
    assert.equal(thresholdAtFpr(score, new Array(10).fill(0), 0.1), Infinity);
  });

  it('recall at a budget: a window counts once any evaluated row in it is above the threshold', () => {
    // 100 rows, windows [10, 13) and [50, 52); normal rows score i/1000, the first window peaks at 0.5, the second at 0.05
    const score = Float64Array.from({ length: 100 }, (_, i) => i / 1000);
    score[11] = 0.5;
    score[50] = 0.05;
    const evaluated = new Uint8Array(100).fill(1);
    const windows = [
      { start: 10, end: 13, kind: 'outage' },
      { start: 50, end: 52, kind: 'l3_ddos' },
    ];
    // 95 normal rows: at 1 % floor(0.95) = 0 may be above → threshold = max normal (0.099): only the first window
    const [b1, b5] = recallAtBudgets(score, evaluated, windows, [0.01, 0.05]);
    assert.equal(b1.normalRows, 95);
    assert.equal(b1.falsePositiveRows, 0);
    assert.deepEqual([b1.detected, b1.events], [1, 2]);
    assert.deepEqual(b1.perKind, { outage: { events: 1, detected: 1 }, l3_ddos: { events: 1, detected: 0 } });
    // at 5 % floor(4.75) = 4 rows may be above: threshold 0.095, still not enough for 0.05
    assert.equal(b5.falsePositiveRows, 4);
    assert.equal(b5.detected, 1);
    // rows outside the evaluated range are ignored entirely
    const none = recallAtBudgets(score, Uint8Array.from({ length: 100 }, (_, i) => (i >= 20 ? 1 : 0)), windows, [0.01]);
    assert.equal(none[0].events, 1);
    const pooled = poolBudgets([[b1], none]);
    assert.deepEqual([pooled[0].events, pooled[0].detected], [3, 1]);
  });

  it('labelRows maps windows onto rows of any step', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const frame = { timestamps: Array.from({ length: 24 }, (_, i) => t0 + i * 300_000), stepMs: 300_000, labels: [{ start: new Date(t0 + 600_000).toISOString(), end: new Date(t0 + 1_500_000).toISOString(), kind: 'outage' as const, source: 'csv' as const }] };
    assert.deepEqual(labelRows(frame), [{ start: 2, end: 5, kind: 'outage' }]);
  });
});
