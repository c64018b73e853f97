import { strict as assert } from 'assert';
import { DEEP_DRIFT_PRIOR, DEEP_DRIFT_Q, DRIFT_Q, driftCorrectedTailProbs, fitTail, MIN_ONLINE_VALUES, tailProb, tailQuantile } from '../../src/calibrate/tail';

describe('calibrate/tail driftCorrectedTailProbs', () => {
  const held = fitTail(Array.from({ length: 1000 }, (_, i) => (i / 1000) * 2)); // held-out evidence in [0, 2)
  const p99 = held.quantiles[99];

  it('is the fitted sketch alone until the window holds MIN_ONLINE_VALUES values, and while recent rows behave as it says', () => {
    const hot = Float64Array.from({ length: MIN_ONLINE_VALUES + 1 }, () => 1.99);
    const p = driftCorrectedTailProbs(held, hot, 100);
    assert.equal(p[MIN_ONLINE_VALUES - 1], tailProb(held, 1.99));
    assert.ok(p[MIN_ONLINE_VALUES] > tailProb(held, 1.99));
    // recent rows drawn like the held-out ones: no correction
    const calm = Float64Array.from({ length: 600 }, (_, i) => ((i * 7919) % 1000) / 500);
    const q = driftCorrectedTailProbs(held, calm, 500);
    const k = Array.from(calm.subarray(99, 599)).filter((v) => v >= p99).length;
    assert.ok(k <= 5 * 1.2 + 1, `${k} of 500 past the 99th percentile`);
    assert.ok(Math.abs(q[599] / tailProb(held, calm[599]) - Math.max(1, (k + 1) / (500 * DRIFT_Q + 1))) < 1e-12);
  });

  it('scales every probability by how much more often recent rows pass the sketch\'s 99th percentile, keeping their order', () => {
    // a fifth of the last 500 rows are beyond the held-out 99th percentile: 20× more often than fitted
    const x = Float64Array.from({ length: 502 }, (_, i) => (i % 5 === 0 ? 1.995 : 0.5));
    x[500] = 1.5;
    x[501] = 3;
    const p = driftCorrectedTailProbs(held, x, 500);
    const factor = (100 + 1) / (500 * DRIFT_Q + 1);
    assert.ok(Math.abs(p[500] - Math.min(1, tailProb(held, 1.5) * factor)) < 1e-12);
    assert.ok(p[501] < p[500], 'a stronger value stays stronger');
    // never more liberal than the sketch, even when recent rows are quieter than the held-out ones
    const quiet = Float64Array.from({ length: 300 }, () => 0.1);
    quiet[299] = 1.9;
    assert.equal(driftCorrectedTailProbs(held, quiet, 200)[299], tailProb(held, 1.9));
  });

  it('scales values beyond the 1-in-1000 level by the excess there when that is larger, one earlier event barely', () => {
    const deep = tailQuantile(held, DEEP_DRIFT_Q);
    assert.ok(tailProb(held, deep) <= DEEP_DRIFT_Q && tailProb(held, deep - 1e-6) > DEEP_DRIFT_Q, `deep level ${deep}`);
    // also where the tail starts from a large atom at the maximum (a stream that never moved)
    const flat = fitTail(new Array(500).fill(0), 1);
    const flatDeep = tailQuantile(flat, DEEP_DRIFT_Q);
    assert.ok(tailProb(flat, flatDeep) <= DEEP_DRIFT_Q && tailProb(flat, flatDeep - 1e-6) > DEEP_DRIFT_Q, `flat deep level ${flatDeep}`);
    const strong = deep + 1; // a row beyond the deep level
    const middle = 1.995; // beyond the 99th percentile, not the deep level
    // a heavy tail: 30 of the last 600 rows beyond the deep level (each also beyond the 99th percentile)
    const heavy = Float64Array.from({ length: 602 }, (_, i) => (i % 20 === 0 ? deep + 0.5 : 0.5));
    heavy[600] = strong;
    heavy[601] = middle;
    const p = driftCorrectedTailProbs(held, heavy, 600);
    const atQ = (30 + 1) / (600 * DRIFT_Q + 1);
    const atDeep = (30 + DEEP_DRIFT_PRIOR) / (600 * DEEP_DRIFT_Q + DEEP_DRIFT_PRIOR);
    assert.ok(atDeep > atQ);
    assert.ok(Math.abs(p[600] / tailProb(held, strong) - atDeep) < 1e-9, `deep row factor ${p[600] / tailProb(held, strong)}`);
    // the row after it, beyond the 99th percentile only, gets that level's excess (the strong row replaced row 0)
    assert.ok(Math.abs(p[601] / tailProb(held, middle) - atQ) < 1e-9, `middle row factor ${p[601] / tailProb(held, middle)}`);
    // one earlier event of five rows: the 99th-percentile count alone would not move, the deep one moves by its prior
    const once = Float64Array.from({ length: 601 }, (_, i) => (i >= 300 && i < 305 ? deep + 0.5 : 0.5));
    once[600] = strong;
    const f = driftCorrectedTailProbs(held, once, 600)[600] / tailProb(held, strong);
    assert.ok(Math.abs(f - (5 + DEEP_DRIFT_PRIOR) / (600 * DEEP_DRIFT_Q + DEEP_DRIFT_PRIOR)) < 1e-9 && f < 2, `factor ${f}`);
  });

  it('leaves censored rows and rows older than the window out of the history, and returns NaN before `from`', () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => (i < 200 ? 1.995 : 0.5));
    x[399] = 1.9;
    const base = tailProb(held, 1.9);
    assert.ok(driftCorrectedTailProbs(held, x, 300)[399] > base); // hot rows 99..199 are inside the window
    assert.equal(driftCorrectedTailProbs(held, x, 150)[399], base); // …and outside this one
    const censored = Uint8Array.from({ length: 400 }, (_, i) => (i < 200 ? 1 : 0));
    assert.equal(driftCorrectedTailProbs(held, x, 300, 0, censored)[399], base);
    const part = driftCorrectedTailProbs(held, x, 300, 390);
    assert.ok(Number.isNaN(part[389]));
    assert.equal(part[399], driftCorrectedTailProbs(held, x, 300)[399]);
  });
});

describe('calibrate/tail tailProb beyond the maximum', () => {
  it('starts the exponential tail from the share of values tied at the maximum', () => {
    // unique maximum: the conformal 1 / (n + 1) times the exponential decay, as before
    const spread = fitTail(Array.from({ length: 99 }, (_, i) => i + 1));
    assert.ok(Math.abs(tailProb(spread, 100) - Math.exp(-1 / spread.beta) / 100) < 1e-15);
    // three values share the maximum: three times that
    const three = fitTail([...Array.from({ length: 96 }, (_, i) => i + 1), 99, 99, 99]);
    assert.ok(Math.abs(tailProb(three, 100) - (3 * Math.exp(-1 / three.beta)) / 100) < 1e-15);
    // a stream that never moved (every held-out value 0): a small step is ordinary, a large one still rare
    const flat = fitTail(new Array(500).fill(0), 1);
    assert.ok(tailProb(flat, 0.3) > 0.7, `small step ${tailProb(flat, 0.3)}`);
    assert.ok(tailProb(flat, 12) < 1e-5, `large step ${tailProb(flat, 12)}`);
    // mostly zeros with a few positive values: the maximum is unique, the atom at 0 changes nothing beyond it
    const sparse = fitTail([...new Array(480).fill(0), ...Array.from({ length: 20 }, (_, i) => i + 1)]);
    assert.ok(Math.abs(tailProb(sparse, 21) - Math.exp(-1 / sparse.beta) / 501) < 1e-15);
  });
});
