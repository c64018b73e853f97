import { strict as assert } from 'assert';
import { scoreRows } from '../../src/detect/score';
import type { FeatureSet } from '../../src/features/types';

// 2 rows, continuous features http.level, http.resid, l3.level; one categorical head with 2 classes.
const fs: FeatureSet = {
  rows: 2,
  timestamps: [0, 3_600_000],
  cont: Float32Array.from([1, -2, 0, 0, 0, 3]),
  contNames: ['http.level', 'http.resid', 'l3.level'],
  contSignal: ['http', 'http', 'l3'],
  cat: Int32Array.from([1, 0]),
  catNames: ['hour'],
  catCardinalities: [2],
  warmup: new Uint8Array(2),
};
const recon = { contRecon: Float32Array.from([0, 0, 0, 0, 0, 0]), catLogits: [Float32Array.from([0, Math.log(3), 0, 0])] };

describe('detect/score', () => {
  it('scores contWeight·MSE + catWeight·CE with per-signal shares, by hand', () => {
    const s = scoreRows(fs, recon, { contWeight: 1, catWeight: 0.5 });
    // row 0: sq errors 1, 4, 0 → MSE 5/3; CE = −ln(0.75)
    const ce0 = -Math.log(0.75);
    assert.ok(Math.abs(s.contMse[0] - 5 / 3) < 1e-6);
    assert.ok(Math.abs(s.catCe[0] - ce0) < 1e-6);
    assert.ok(Math.abs(s.score[0] - (5 / 3 + 0.5 * ce0)) < 1e-6);
    assert.deepEqual(s.signalNames, ['http', 'l3', 'calendar']);
    const total = 5 / 3 + 0.5 * ce0;
    assert.ok(Math.abs(s.signalShare[0] - 5 / 3 / total) < 1e-6);
    assert.equal(s.signalShare[1], 0);
    assert.ok(Math.abs(s.signalShare[2] - (0.5 * ce0) / total) < 1e-6);
    // row 1: only l3 error (9/3 = 3) and CE = ln 2
    assert.ok(Math.abs(s.score[1] - (3 + 0.5 * Math.log(2))) < 1e-6);
    assert.ok(s.signalShare[3 + 1] > 0.8);
  });

  it('temperature scales the categorical logits', () => {
    const t1 = scoreRows(fs, recon, { contWeight: 0, catWeight: 1 }, 1);
    const t2 = scoreRows(fs, recon, { contWeight: 0, catWeight: 1 }, 2);
    // softmax([0, ln3/2]) for the true class 1 → √3/(1+√3)
    assert.ok(Math.abs(t2.score[0] - -Math.log(Math.sqrt(3) / (1 + Math.sqrt(3)))) < 1e-6);
    assert.notEqual(t1.score[0], t2.score[0]);
  });

  it('reads direction from the seasonal residual, or the reconstruction error without one', () => {
    const s = scoreRows(fs, recon, { contWeight: 1, catWeight: 1 });
    assert.deepEqual([...s.direction.http], [-2, 0]);
    assert.deepEqual([...s.direction.l3], [0, 3]);
  });
});
