import { strict as assert } from 'assert';
import { categoricalNll, expectedCalibrationError, fitTemperature } from '../../src/calibrate/temperature';
import { createRng } from '../../src/util/random';

/** Logits that are right 70% of the time but 5× too confident. */
function overconfident(rows: number, card: number, seed: number) {
  const rng = createRng(seed);
  const logits = new Float32Array(rows * card);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const truth = rng.int(0, card - 1);
    labels[r] = truth;
    const predicted = rng() < 0.7 ? truth : (truth + 1 + rng.int(0, card - 2)) % card;
    for (let c = 0; c < card; c++) logits[r * card + c] = 5 * ((c === predicted ? 2 : 0) + 0.3 * rng.normal());
  }
  return { logits, labels, card };
}

describe('calibrate/temperature', () => {
  it('computes NLL by hand for a two-class row', () => {
    // softmax([0, ln 3]) = [0.25, 0.75]; true class 1 → −ln 0.75
    const nll = categoricalNll([{ logits: [0, Math.log(3)], card: 2, labels: [1] }]);
    assert.ok(Math.abs(nll - -Math.log(0.75)) < 1e-12);
    assert.ok(Math.abs(categoricalNll([{ logits: [0, Math.log(3)], card: 2, labels: [1] }], 2) - -Math.log(Math.sqrt(3) / (1 + Math.sqrt(3)))) < 1e-12);
  });

  it('lowers NLL and ECE on a miscalibrated toy set with T > 1', () => {
    const t = fitTemperature([overconfident(2000, 6, 1)]);
    assert.ok(t.T > 1.5, `T=${t.T}`);
    assert.ok(t.nllAfter < t.nllBefore * 0.8, `${t.nllAfter} vs ${t.nllBefore}`);
    assert.ok(t.eceAfter < t.eceBefore, `${t.eceAfter} vs ${t.eceBefore}`);
    // the fitted T is a minimum: nudging it either way does not lower NLL
    const heads = [overconfident(2000, 6, 1)];
    assert.ok(categoricalNll(heads, t.T) <= categoricalNll(heads, t.T * 1.1) + 1e-9);
    assert.ok(categoricalNll(heads, t.T) <= categoricalNll(heads, t.T / 1.1) + 1e-9);
  });

  it('ECE is 0 for a perfectly calibrated, perfectly accurate head', () => {
    assert.ok(expectedCalibrationError([{ logits: [100, 0, 0, 100], card: 2, labels: [0, 1] }]) < 1e-9);
  });
});
