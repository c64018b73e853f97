import { strict as assert } from 'assert';
import { computeFeatures } from '../../src/features/build';
import { exampleWindows, featuresToShow, reconstructionExample, reconstructionFigure, trainingCurveFigure, trainingFigures } from '../../src/report/training';
import type { EpochRecord } from '../../src/train/trainer';
import { trainedFixture } from './fixtures';

const history: EpochRecord[] = [
  { epoch: 1, loss: 1.2, valLoss: 1.0, seconds: 0.1 },
  { epoch: 2, loss: 0.8, valLoss: 0.7, seconds: 0.1 },
  { epoch: 3, loss: 0.6, valLoss: 0.75, seconds: 0.1 },
];

describe('report/training', () => {
  it('training curves: both losses per epoch, the restored best epoch marked and lined', () => {
    const fig = trainingCurveFigure(history, { bestEpoch: 2, bestValLoss: 0.7, stopReason: 'patience', trainSeconds: 0.3, country: 'AT' });
    assert.deepEqual(fig.data[0].y, [1.2, 0.8, 0.6]);
    assert.deepEqual(fig.data[1].y, [1.0, 0.7, 0.75]);
    assert.deepEqual([fig.data[2].x, fig.data[2].y], [[2], [0.7]]);
    assert.equal((fig.layout!.shapes as { x0: number }[])[0].x0, 2);
    assert.equal((fig.layout!.yaxis as { type: string }).type, 'log');
    assert.match(String((fig.layout!.title as { text: string }).text), /3 epochs, stopped by patience/);
  });

  it('featuresToShow picks <signal>.level per signal, else the signal\'s first feature', () => {
    assert.deepEqual(featuresToShow(['a.level', 'a.z3', 'b.mean3', 'b.z3'], ['a', 'a', 'b', 'b']), ['a.level', 'b.mean3']);
  });

  describe('on a trained, saved and reloaded detector', function () {
    this.timeout(120_000);

    it('example windows: the first validation week, then a week around the first label after training', async () => {
      const { frame, det } = await trainedFixture();
      const w = exampleWindows(frame, det.meta);
      assert.equal(w.length, 2);
      assert.equal(w[0].from, Date.parse(det.meta.split.validation.from));
      assert.equal(w[0].to - w[0].from, 7 * 24 * 3_600_000);
      assert.match(w[1].title, /outage/);
      const labelStart = Date.parse(frame.labels[0].start);
      assert.ok(w[1].from <= labelStart && labelStart < w[1].to);
    });

    it('reconstruction example: actual values are the detector\'s own features of those hours, reconstructions differ, score per hour', async () => {
      const { frame, det, cal } = await trainedFixture();
      const [w] = exampleWindows(frame, det.meta);
      const ex = reconstructionExample(frame, det, w.from, w.to, { title: w.title, cal });
      assert.equal(ex.timestamps.length, 168);
      assert.equal(ex.timestamps[0], w.from);
      assert.deepEqual(ex.features.map((f) => f.name), featuresToShow(det.spec.contNames, det.spec.contSignal));
      // the same rows computed on the whole frame (features are causal, so history alone decides them)
      const all = computeFeatures(frame, det.spec);
      const r0 = all.timestamps.indexOf(w.from);
      const j = all.contNames.indexOf(ex.features[0].name);
      for (const r of [0, 50, 167]) assert.ok(Math.abs(ex.features[0].actual[r] - all.cont[(r0 + r) * all.contNames.length + j]) < 1e-5);
      assert.ok(ex.features[0].recon.some((v, r) => Math.abs(v - ex.features[0].actual[r]) > 1e-4));
      assert.equal(ex.score.length, 168);
      assert.equal(ex.threshold, cal.threshold.value);

      const fig = reconstructionFigure(ex);
      const k = ex.features.length;
      assert.equal(fig.data.filter((t) => t.name === 'actual').length, k);
      assert.equal(fig.data.filter((t) => t.name === 'reconstruction').length, k);
      const thr = fig.data.find((t) => String(t.name).startsWith('threshold'))!;
      assert.deepEqual(thr.y, [cal.threshold.value, cal.threshold.value]);
      assert.equal(thr.yaxis, `y${k + 1}`);
      assert.equal(trainingFigures(det.history, det.meta, [ex, ex]).length, 3);
    });
  });
});
