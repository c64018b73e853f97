import { strict as assert } from 'assert';
import { alertScores } from '../../../src/evaluate/benchmark/run';

const H = 3_600_000;

describe('evaluate/benchmark alertScores', () => {
  it('keeps a row only when it beats every score of the hold window before it', () => {
    const ts = [0, 1, 2, 3, 4, 5, 6].map((h) => h * H);
    //               rise  plateau  deeper  falls  new
    const score = [0.1, 0.9, 0.9, 0.95, 0.2, 0.1, 0.3];
    assert.deepEqual(Array.from(alertScores(score, ts, 3 * H)), [0.1, 0.9, -Infinity, 0.95, -Infinity, -Infinity, -Infinity]);
    // once the hold has passed, the next rise alerts again
    assert.deepEqual(Array.from(alertScores([0.9, 0.1, 0.1, 0.1, 0.5], [0, 1, 2, 3, 4].map((h) => h * H), 2 * H)), [0.9, -Infinity, -Infinity, -Infinity, 0.5]);
  });

  it('never lets a non-alert row pass a threshold, even a negative one (log odds)', () => {
    const out = alertScores([-3, -1, -2, -0.5], [0, H, 2 * H, 3 * H], 12 * H);
    assert.deepEqual(Array.from(out), [-3, -1, -Infinity, -0.5]);
    assert.ok(!(out[2] >= -10));
  });

  it('keeps NaN (not scorable) as NaN and never lets it hide a later alert', () => {
    const out = alertScores([NaN, NaN, 0.7, 0.2], [0, H, 2 * H, 3 * H], 12 * H);
    assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
    assert.deepEqual(Array.from(out.subarray(2)), [0.7, -Infinity]);
  });
});
