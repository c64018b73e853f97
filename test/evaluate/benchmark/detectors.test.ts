import { strict as assert } from 'assert';
import { probabilityLogOdds, probabilityOf } from '../../../src/detect/probability';

describe('evaluate/benchmark/detectors', () => {
  it('scores a calibrated detector by its probability\'s log-odds: the same order, the same scale in every series, never saturated', () => {
    const budget = 2.5e-4;
    // the log-odds is the probability's logit: p / (1 − p) = 10^score
    for (const e of [0, 1, 3.6, 5, 9]) {
      const prob = probabilityOf(Math.pow(10, -e), budget);
      assert.ok(Math.abs(1 / (1 + Math.pow(10, -probabilityLogOdds(e, budget))) - prob) < 1e-12, `evidence ${e}`);
    }
    // at the budget the probability is 0.5 and the log-odds 0, whatever the budget
    for (const b of [1e-5, 3e-3]) assert.ok(Math.abs(probabilityLogOdds(-Math.log10(b), b)) < 1e-12);
    // two strong rows the probability cannot tell apart (both exactly 1 in floating point) keep their order
    assert.equal(probabilityOf(1e-25, budget), 1);
    assert.equal(probabilityOf(1e-30, budget), 1);
    assert.ok(probabilityLogOdds(30, budget) > probabilityLogOdds(25, budget));
  });
});
