import { strict as assert } from 'assert';
import type { Calibration } from '../../src/calibrate/calibrate';
import { fitThreshold } from '../../src/calibrate/threshold';
import { fitTail } from '../../src/calibrate/tail';
import { calibrationData, calibrationFigures, histogram, logBins, reliabilityBins, scoreDistributionFigure, shareAbove, thresholdComparisonFigure, thresholdList, type CalibrationData } from '../../src/report/calibration';
import { quantile } from '../../src/util/stats';
import { trainedFixture } from './fixtures';

/** A calibration fitted on `scores` with the real threshold rules. */
function calibrationOf(scores: number[], method: 'mad' | 'p99' | 'p99.5' = 'mad'): Calibration {
  const thresholds = { mad: fitThreshold(scores, 'mad', { k: 3, scale: 'log' }), p99: fitThreshold(scores, 'p99'), 'p99.5': fitThreshold(scores, 'p99.5') };
  return {
    version: 2,
    // The evidence part is not read by the threshold figures: an autoencoder-only calibration with a minimal evidence model.
    detector: 'autoencoder',
    seasonal: null,
    evidence: { windows: [1], onlineRows: 672, aeCapDecades: 2, streams: [], combined: fitTail(scores) },
    budget: { falseAlarmsPerWeek: 1, share: 1 / 168 },
    temperature: { T: 1.5, nllBefore: 2, nllAfter: 1.8, eceBefore: 0.1, eceAfter: 0.03, n: 100 },
    threshold: thresholds[method],
    thresholds,
    fittedOn: { from: '2024-01-01T00:00:00.000Z', to: '2024-01-10T00:00:00.000Z', rows: scores.length, normalRows: scores.length },
    validationScores: { p50: 1, p90: 2, p99: 3, max: 4 },
    createdAt: '2024-01-10T00:00:00.000Z',
  };
}

describe('report/calibration', () => {
  it('reliabilityBins: hand-computed confidence and accuracy per bin, and T flattens confidence', () => {
    // Two 2-class rows: logits [0, ln 3] → p = 0.75 for class 1 (true: correct), [ln 9, 0] → p = 0.9 for class 0 (true 1: wrong).
    const head = { logits: [0, Math.log(3), Math.log(9), 0], card: 2, labels: [1, 1] };
    const bins = reliabilityBins([head], 1, 10);
    assert.equal(bins.length, 10);
    assert.equal(bins[7].count, 1);
    assert.ok(Math.abs(bins[7].confidence - 0.75) < 1e-12);
    assert.equal(bins[7].accuracy, 1);
    assert.equal(bins[9].count, 1);
    assert.ok(Math.abs(bins[9].confidence - 0.9) < 1e-12);
    assert.equal(bins[9].accuracy, 0);
    assert.ok(Number.isNaN(bins[0].confidence));
    // T = 2: p = 1/(1+3^-0.5) ≈ 0.634 and 1/(1+9^-0.5) = 0.75
    const t2 = reliabilityBins([head], 2, 10);
    assert.equal(t2[6].count, 1);
    assert.equal(t2[7].count, 1);
    assert.ok(Math.abs(t2[7].confidence - 0.75) < 1e-12);
  });

  it('logBins spans the positive values; histogram counts every positive value once', () => {
    const xs = [0.01, 0.1, 1, 10, 100, 0, -1];
    const edges = logBins(xs, 4);
    assert.ok(Math.abs(edges[0] - 0.01) < 1e-12 && Math.abs(edges[4] - 100) < 1e-9);
    assert.deepEqual(histogram(xs, edges), [1, 1, 1, 2]);
    assert.equal(shareAbove([1, 2, 3, 4], 2.5), 0.5);
  });

  it('thresholdList: mad, p99, p99.5 in that order with the method in use marked', () => {
    const cal = calibrationOf(Array.from({ length: 200 }, (_, i) => 1 + (i % 17) / 10), 'p99');
    assert.deepEqual(
      thresholdList(cal).map((t) => [t.method, t.inUse]),
      [['mad', false], ['p99', true], ['p99.5', false]],
    );
  });

  it('the distribution figure draws each threshold at its fitted value; the comparison figure shows the shares each flags', () => {
    const normal = Array.from({ length: 400 }, (_, i) => Math.exp(Math.sin(i) * 0.5));
    const labelled = [5, 6, 7, 0.9];
    const cal = calibrationOf(normal);
    const d: CalibrationData = {
      country: 'AT',
      timestamps: [...normal, ...labelled].map((_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
      scores: [...normal, ...labelled],
      kind: [...normal.map(() => 1), ...labelled.map(() => 2)],
      cal,
      reliability: { before: [], after: [] },
    };
    const lines = scoreDistributionFigure(d).data.filter((t) => t.mode === 'lines');
    assert.deepEqual(
      lines.map((t) => [(t.meta as { method: string }).method, (t.x as number[])[0], (t.x as number[])[1]]),
      [
        ['mad', cal.thresholds.mad.value, cal.thresholds.mad.value],
        ['p99', cal.thresholds.p99.value, cal.thresholds.p99.value],
        ['p99.5', cal.thresholds['p99.5'].value, cal.thresholds['p99.5'].value],
      ],
    );
    assert.equal(cal.thresholds.p99.value, quantile(normal, 0.99));
    const [normalBars, labelBars] = thresholdComparisonFigure(d).data;
    assert.deepEqual(normalBars.y, [shareAbove(normal, cal.thresholds.mad.value), shareAbove(normal, cal.thresholds.p99.value), shareAbove(normal, cal.thresholds['p99.5'].value)]);
    assert.ok(Math.abs((normalBars.y as number[])[1] - 0.01) <= 0.0025, 'p99 flags about 1% of the normal hours it was fitted on');
    assert.deepEqual(labelBars.y, [0.75, 0.75, 0.75]);
  });

  describe('on a trained, saved and calibrated detector', function () {
    this.timeout(120_000);

    it('recomputes the validation scores exactly as calibrate fitted them (same thresholds from the same normal scores)', async () => {
      const { frame, det, cal } = await trainedFixture();
      const d = calibrationData(frame, det, cal);
      const normal = d.scores.filter((_, i) => d.kind[i] === 1);
      assert.equal(normal.length, cal.fittedOn.normalRows);
      assert.equal(d.timestamps.length, cal.fittedOn.rows);
      assert.ok(d.kind.includes(2), 'the validation outage shows up as labelled hours');
      for (const m of ['mad', 'p99', 'p99.5'] as const) {
        const refit = fitThreshold(normal, m, { k: det.config.calibrate.madK, scale: det.config.calibrate.madScale });
        assert.ok(Math.abs(refit.value - cal.thresholds[m].value) <= 1e-9 * cal.thresholds[m].value, `${m}: ${refit.value} vs ${cal.thresholds[m].value}`);
      }
      const figs = calibrationFigures(d);
      assert.equal(figs.length, 4);
      const drawn = Object.fromEntries(figs[0].data.filter((t) => t.meta).map((t) => [(t.meta as { method: string }).method, (t.meta as { threshold: number }).threshold]));
      assert.deepEqual(drawn, { mad: cal.thresholds.mad.value, p99: cal.thresholds.p99.value, 'p99.5': cal.thresholds['p99.5'].value });
      // reliability bins cover every normal row of every calendar head
      const rows = d.reliability.after.reduce((s, b) => s + b.count, 0);
      assert.equal(rows, cal.temperature.n);
      assert.match(String((figs[3].layout!.title as { text: string }).text), new RegExp(cal.temperature.nllAfter.toFixed(3)));
    });
  });
});
