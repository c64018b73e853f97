import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { fitCalibration, type Calibration } from '../../src/calibrate/calibrate';
import { HOUR_MS } from '../../src/base/time';
import { scoreRange } from '../../src/detect/detect';
import { assertFiniteScores } from '../../src/detect/finite';
import { DataError } from '../../src/errors';
import { initBackend } from '../../src/model/backend';
import { trainCountry, type TrainResult } from '../../src/train/country';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from '../train/fixtures';

describe('detect/finite', () => {
  const t0 = Date.UTC(2025, 3, 12);
  const hours = (n: number) => Array.from({ length: n }, (_, i) => t0 + i * HOUR_MS);

  it('passes finite scores, including 0', () => {
    assert.doesNotThrow(() => assertFiniteScores([0, 0.5, 12], hours(3), 'AT'));
  });

  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`when a score is ${bad}, then it throws naming the first such hour and how many there are`, () => {
      assert.throws(
        () => assertFiniteScores([0.4, bad, 1, bad], hours(4), 'AT'),
        (e: Error) => e instanceof DataError && e.message.startsWith(`AT: the model scored 2025-04-12T01:00:00.000Z as ${bad} (2 of 4 hours non-finite)`),
      );
    });
  }

  describe('scoreRange', () => {
    let result: TrainResult;
    const frame = makeFrame('AT', 24 * 7 * 4);
    before(async () => {
      await initBackend();
      result = await trainCountry(frame, tinyCountryConfig(1), { progress: false });
    });
    after(() => result.model.dispose());

    it('when a weight became NaN in memory, then scoring a day is an error, never "anomaly: false"', () => {
      const det = { model: result.model, spec: result.spec, config: result.config };
      const v = result.split.validation;
      const cal: Calibration = fitCalibration(frame, det, frame.timestamps[v.start], frame.timestamps[v.end - 1] + HOUR_MS);
      const from = frame.timestamps[24 * 7 * 3];
      assert.doesNotThrow(() => scoreRange(frame, det, cal, from, from + 24 * HOUR_MS));
      const layer = result.model.layers.filter((l) => l.getWeights().length > 0).slice(-1)[0];
      const ws = layer.getWeights();
      const poisoned = tf.tidy(() => ws.map((w, i) => (i === 0 ? tf.fill(w.shape, NaN) : w.clone())));
      layer.setWeights(poisoned);
      poisoned.forEach((w) => w.dispose());
      assert.throws(() => scoreRange(frame, det, cal, from, from + 24 * HOUR_MS), (e: Error) => e instanceof DataError && /the model scored \S+ as NaN \(24 of 24 hours non-finite\)/.test(e.message));
    });
  });
});
