import { strict as assert } from 'assert';
import { checkStep, daysGrid, describeFill, detectStep, fillGaps, gridPhase, hourRange, medianStep, parseDay, parseStep, resampleToGrid, stepRange } from '../../src/data/grid';
import { DataError } from '../../src/errors';
import { HOUR_MS } from '../../src/base/time';

const T0 = Date.UTC(2024, 0, 1);
const H = (h: number, m = 0) => T0 + h * HOUR_MS + m * 60_000;

describe('data/grid', () => {
  it('builds a UTC grid of whole days from `from` 00:00 to the last step of `to` (23:00 hourly, 23:45 at 15 minutes), inclusive', () => {
    const g = daysGrid('2024-01-01', '2024-01-02');
    assert.equal(g.length, 48);
    assert.equal(g[0], T0);
    assert.equal(g[47], H(47));
    assert.equal(daysGrid('2024-03-31', '2024-03-31').length, 24, 'UTC has no DST day');
    const q = daysGrid('2024-01-01', '2024-01-02', 15 * 60_000);
    assert.deepEqual([q.length, q[1] - q[0], q[q.length - 1]], [192, 15 * 60_000, H(47, 45)]);
    assert.throws(() => daysGrid('2024-01-05', '2024-01-01'), /reversed/);
    assert.throws(() => daysGrid('2024-01-01', '2024-01-01', 7 * 60_000), /does not divide a day/);
    assert.throws(() => parseDay('2024-02-30', 'from'), (e: unknown) => e instanceof DataError && /from "2024-02-30" is not a calendar date; expected YYYY-MM-DD/.test(e.message));
    assert.deepEqual(hourRange(H(1, 30), H(3, 5)), [H(1), H(2), H(3)]);
  });

  it('resamples 15-minute points by mean (levels), sum, or last (counts)', () => {
    const ts = [H(0), H(0, 15), H(0, 30), H(0, 45), H(1, 15), H(1, 45), H(3)];
    const vs = [1, 2, 3, 6, 10, 20, 7];
    const g = [H(0), H(1), H(2), H(3)];
    assert.deepEqual(Array.from(resampleToGrid(ts, vs, g, 'mean')), [3, 15, NaN, 7]);
    assert.deepEqual(Array.from(resampleToGrid(ts, vs, g, 'sum')), [12, 30, NaN, 7]);
    assert.deepEqual(Array.from(resampleToGrid(ts, vs, g, 'last')), [6, 20, NaN, 7]);
    assert.equal(medianStep(ts.slice(0, 4)), 15 * 60_000);
  });

  it('holds a count sampled every 4 h over the hours its step covers, and no further', () => {
    const g = Array.from({ length: 12 }, (_, i) => H(i));
    const out = resampleToGrid([H(0), H(4)], [100, 90], g, 'last', 4 * HOUR_MS);
    assert.deepEqual(Array.from(out), [100, 100, 100, 100, 90, 90, 90, 90, NaN, NaN, NaN, NaN]);
  });

  it('interpolates short gaps linearly and flags them', () => {
    const col = [0, 10, NaN, NaN, 40, 50, NaN, 70];
    const r = fillGaps(col, 3);
    assert.deepEqual(Array.from(r.values), [0, 10, 20, 30, 40, 50, 60, 70]);
    assert.deepEqual(Array.from(r.filled), [0, 0, 1, 1, 0, 0, 1, 0]);
    assert.deepEqual(r.counts, { linear: 3, seasonal: 0, nearest: 0 });
  });

  it('fills long gaps from the same hour one week earlier, else the nearest valid value', () => {
    const n = 168 + 48;
    const col = Array.from({ length: n }, (_, i) => 100 + (i % 24)); // daily pattern
    for (let i = 170; i < 180; i++) col[i] = NaN; // 10 h > maxInterpolateHours
    const r = fillGaps(col, 3);
    for (let i = 170; i < 180; i++) assert.equal(r.values[i], 100 + ((i - 168) % 24), `hour ${i} = value a week earlier`);
    assert.equal(r.counts.seasonal, 10);
    assert.equal(r.filled.reduce((a, b) => a + b, 0), 10);
    // No week of history and a gap at the edge: nearest valid value.
    const edge = fillGaps([NaN, NaN, 5, 6, NaN, NaN, NaN, NaN, NaN], 3);
    assert.deepEqual(Array.from(edge.values), [5, 5, 5, 6, 6, 6, 6, 6, 6]);
    assert.deepEqual(edge.counts, { linear: 0, seasonal: 0, nearest: 7 });
    // A gap exactly maxInterpolateHours long is still interpolated; one hour longer is not.
    assert.equal(fillGaps([0, NaN, NaN, NaN, 4], 3).counts.linear, 3);
    assert.equal(fillGaps([0, NaN, NaN, NaN, NaN, 5], 3).counts.linear, 0);
  });

  it('refuses a column without any valid value', () => {
    assert.throws(() => fillGaps([NaN, NaN], 3, 'AT http'), (e: unknown) => e instanceof DataError && /AT http: no valid value in 2 hours/.test(e.message));
  });

  it('parses and checks steps from 1m to 1d that divide a day', () => {
    assert.deepEqual(['5m', '15min', '1h', '1d', '90s', '2 hours'].map((x) => parseStep(x)), [300_000, 900_000, HOUR_MS, 24 * HOUR_MS, 90_000, 2 * HOUR_MS]);
    assert.throws(() => parseStep('30s'), /30s is out of range; expected a step from 1m to 1d/);
    assert.throws(() => parseStep('7m'), /7m does not divide a day/);
    assert.throws(() => checkStep(2 * 24 * HOUR_MS), /2d is out of range/);
  });

  it('detects the step as the median spacing, snapped to a common step, and the grid phase', () => {
    const M = 60_000;
    // NAB-like: 5-minute points at :04, :09 … with one duplicate and one 10-minute hole.
    const ts = [4, 9, 14, 14, 19, 29, 34, 39].map((m) => T0 + m * M);
    assert.deepEqual(detectStep(ts), { stepMs: 5 * M, median: 5 * M });
    assert.equal(gridPhase(ts, 5 * M), 4 * M);
    assert.deepEqual(stepRange(ts[0], ts[ts.length - 1], 5 * M, 4 * M), [4, 9, 14, 19, 24, 29, 34, 39].map((m) => T0 + m * M));
    // Irregular 5–10 minute spacing (NAB realTraffic) snaps to a common step; hourly data stays hourly.
    assert.equal(detectStep([0, 5, 14, 19, 28, 37].map((m) => T0 + m * M)).stepMs, 10 * M);
    assert.equal(detectStep(Array.from({ length: 10 }, (_, i) => H(i))).stepMs, HOUR_MS);
  });

  it('resamples and fills on a 5-minute grid with gap limits and the seasonal lag in time', () => {
    const S = 300_000;
    const g = Array.from({ length: 12 }, (_, i) => T0 + i * S);
    // Two points in step 1 (a duplicated timestamp): mean; the grid step comes from the grid.
    assert.deepEqual(Array.from(resampleToGrid([T0, T0 + S, T0 + S, T0 + 3 * S], [1, 2, 4, 8], g, 'mean')).slice(0, 4), [1, 3, NaN, 8]);
    // maxInterpolateHours 1 = 12 steps of 5 minutes: an 11-step gap is interpolated, at an hourly grid it would not be.
    const col = [0, ...Array(11).fill(NaN), 12];
    assert.equal(fillGaps(col, 1, 'c', { stepMs: S }).counts.linear, 11);
    assert.equal(fillGaps(col, 1, 'c').counts.linear, 0);
    // Seasonal lag = one week in steps (2016 at 5 minutes).
    const wk = 2016;
    const long = Array.from({ length: wk + 40 }, (_, i) => (i % 288) + 1);
    for (let i = wk + 5; i < wk + 30; i++) long[i] = NaN;
    const r = fillGaps(long, 1, 'c', { stepMs: S });
    assert.equal(r.counts.seasonal, 25);
    assert.equal(r.values[wk + 10], long[10]);
    assert.throws(() => fillGaps([NaN], 1, 'x', { stepMs: S, fix: 'fix the export' }), /no valid value in 1 steps of 5m.*\(fix the export\)/);
    assert.match(describeFill(3, S), /gaps <= 3 h \(36 steps of 5m\)/);
  });
});
