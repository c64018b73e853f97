import { strict as assert } from 'assert';
import { nabProbation, nabSweep, scaledSigmoid, scoreNab, scoreNabProfiles, type NabFile } from '../../src/evaluate/nab';

describe('evaluate/nab', () => {
  it('scaled sigmoid: +0.98661 at the left edge, 0 at the right edge, -1 far after', () => {
    assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
    assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
    assert.equal(scaledSigmoid(0), 0);
    assert.equal(scaledSigmoid(3.5), -1);
  });

  it('probation is 15 % of the rows, at most 750', () => {
    assert.equal(nabProbation(20), 3);
    assert.equal(nabProbation(4032), 604);
    assert.equal(nabProbation(22695), 750);
  });

  it('reproduces a hand-computed example (standard profile)', () => {
    // 20 rows, probation = floor(0.15·20) = 3 rows (0..2). One window, rows 8..11 (width 4).
    // Detections at threshold 0.5: row 1 (0.95, in probation: ignored), row 9 (0.9, in the window), row 15 (0.8, after it).
    //   row 9:  position −(11 − 9 + 1)/4 = −0.75 → 2σ(3.75) − 1 = 0.954045; / maxTP (2σ(5) − 1 = 0.986614) → +0.966990
    //   row 15: position |11 − 15|/(4 − 1) = 1.3333 → 2σ(−6.6667) − 1 = −0.997459; × A_FP 0.11 → −0.109720
    //   raw = 0.966990 − 0.109720 = 0.857270; null = −1 (one missed window), perfect = +1
    //   normalised = 100 · (0.857270 + 1) / (1 + 1) = 92.8635
    const score = new Array(20).fill(0.1);
    score[1] = 0.95;
    score[9] = 0.9;
    score[15] = 0.8;
    const f: NabFile = { name: 'toy', score, windows: [[8, 11]] };
    const r = scoreNab([f], 'standard', 0.5);
    assert.ok(Math.abs(r.raw - 0.85727) < 1e-4, `raw ${r.raw}`);
    assert.equal(r.nullRaw, -1);
    assert.equal(r.perfectRaw, 1);
    assert.ok(Math.abs(r.score - 92.8635) < 1e-3, `score ${r.score}`);
    assert.deepEqual([r.tp, r.fp], [1, 1]);
    // The optimiser finds a better threshold: 0.85 keeps row 9 and drops the false positive at row 15.
    const best = scoreNab([f], 'standard');
    assert.equal(best.threshold, 0.9);
    assert.ok(Math.abs(best.raw - 0.96699) < 1e-4);
    // reward_low_FN_rate: null = −2, perfect = +1 → 100 · (0.96699 + 2) / 3 = 98.8997
    assert.ok(Math.abs(scoreNabProfiles([f]).reward_low_FN_rate.score - 98.8997) < 1e-3);
  });

  it('a detection only counts its earliest row in a window; more rows in the window change nothing', () => {
    const score = new Array(20).fill(0);
    score[9] = 1;
    score[10] = 1;
    score[11] = 1;
    const a = scoreNab([{ name: 'a', score, windows: [[8, 11]] }], 'standard', 1);
    assert.ok(Math.abs(a.raw - 0.96699) < 1e-4);
  });

  it('the null detector scores 0 and a perfect one 100, under every profile', () => {
    const files: NabFile[] = [
      { name: 'a', score: new Array(400).fill(0.5), windows: [[100, 139], [300, 339]] },
      { name: 'b', score: new Array(300).fill(0.5), windows: [[200, 229]] },
      { name: 'c', score: new Array(300).fill(0.5), windows: [] },
    ];
    for (const r of Object.values(scoreNabProfiles(files))) assert.equal(r.score, 0);
    const perfect = files.map((f) => ({ ...f, score: Array.from(f.score, (_, i) => (f.windows.some((w) => w[0] === i) ? 1 : 0)) }));
    for (const r of Object.values(scoreNabProfiles(perfect))) assert.ok(Math.abs(r.score - 100) < 1e-9, `${r.profile} ${r.score}`);
  });

  it('NaN scores never detect; windows entirely in probation do not count', () => {
    const f: NabFile = { name: 'p', score: new Array(100).fill(NaN), windows: [[2, 5], [50, 59]] };
    const { windows } = nabSweep([f], { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 });
    assert.equal(windows, 1);
    assert.equal(scoreNab([f], 'standard').score, 0);
  });
});
