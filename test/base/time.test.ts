import { strict as assert } from 'assert';
import { describeStep, gridStep, HOUR_MS, isoSeconds, isoUtc, stepsIn } from '../../src/base/time';

describe('base/time', () => {
  it('names steps, counts them in a duration and reads a grid step', () => {
    assert.deepEqual([300_000, 900_000, HOUR_MS, 24 * HOUR_MS, 90_000].map(describeStep), ['5m', '15m', '1h', '1d', '90s']);
    assert.equal(stepsIn(24 * HOUR_MS, 900_000), 96);
    assert.equal(stepsIn(HOUR_MS, 24 * HOUR_MS, 2), 2, 'at least min');
    assert.equal(gridStep([0, 900_000, 1_800_000]), 900_000);
    assert.equal(gridStep([0]), HOUR_MS, 'hourly when one point cannot say');
  });

  it('writes ISO-8601 UTC: isoUtc drops only zero milliseconds, isoSeconds truncates to the second', () => {
    const t = Date.UTC(2024, 0, 31, 13, 0, 0);
    assert.equal(isoUtc(t), '2024-01-31T13:00:00Z');
    assert.equal(isoSeconds(t), '2024-01-31T13:00:00Z');
    assert.equal(isoUtc(t + 250), '2024-01-31T13:00:00.250Z');
    assert.equal(isoSeconds(t + 250), '2024-01-31T13:00:00Z');
  });
});
