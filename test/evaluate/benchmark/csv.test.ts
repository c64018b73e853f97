import { strict as assert } from 'assert';
import { dedupeSorted, gridSeries, medianStepMs, parseTime } from '../../../src/evaluate/benchmark/csv';

describe('evaluate/benchmark/csv', () => {
  it('parses NAB and cloud-monitoring timestamps as UTC', () => {
    assert.equal(parseTime('2014-07-01 00:30:00'), Date.UTC(2014, 6, 1, 0, 30));
    assert.equal(parseTime('"2018-03-15T00:00:00Z"'), Date.UTC(2018, 2, 15));
    assert.equal(parseTime('2014-02-19 10:50:00.000000'), Date.UTC(2014, 1, 19, 10, 50));
  });

  it('sorts, averages duplicate timestamps, grids at the median step and carries the last value into holes', () => {
    const H = 3_600_000;
    const raw = { timestamps: [0, 2 * H, H, H, 5 * H, 6 * H], values: [1, 3, 2, 4, 6, 7], labels: [0, 0, 1, 1, 0, 1] };
    const d = dedupeSorted(raw);
    assert.deepEqual(d.timestamps, [0, H, 2 * H, 5 * H, 6 * H]);
    assert.deepEqual(d.values, [1, 3, 3, 6, 7]);
    assert.equal(medianStepMs(d.timestamps), H);
    const g = gridSeries('s', raw);
    assert.equal(g.frame.stepMs, H);
    assert.deepEqual(Array.from(g.frame.signals.value), [1, 3, 3, 3, 3, 6, 7]);
    assert.deepEqual(Array.from(g.frame.gap), [0, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(g.row), [0, 1, 2, 5, 6]);
    assert.equal(g.frame.signalKinds.value, 'volume');
    // runs of Label = 1 become windows
    assert.deepEqual(g.frame.labels.map((l) => [Date.parse(l.start) / H, Date.parse(l.end) / H]), [[1, 2], [6, 7]]);
    assert.deepEqual(g.frame.labelKind.map((k) => (k ? 1 : 0)), [0, 1, 0, 0, 0, 0, 1]);
  });

  it('a series with negative values is a rate (never log-transformed)', () => {
    const g = gridSeries('n', { timestamps: [0, 60_000, 120_000], values: [1, -2, 3] });
    assert.equal(g.frame.signalKinds.value, 'rate');
    assert.equal(g.frame.stepMs, 60_000);
  });
});
