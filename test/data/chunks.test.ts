import { strict as assert } from 'assert';
import { HOUR_MS } from '../../src/base/time';
import { chunksToSeries, readChunk, signalPoints, type RadarChunk } from '../../src/data/chunks';
import { DataError } from '../../src/errors';

const T0 = Date.UTC(2024, 0, 1);
const Q = 15 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const range = (n: number, step: number, from = T0) => Array.from({ length: n }, (_, i) => from + i * step);

/** A Radar time-series envelope: one series, values as strings, meta as Radar sends it. */
function envelope(ts: number[], columns: Record<string, number[]>, meta: Record<string, unknown>) {
  return { success: true, errors: [], result: { serie_0: { timestamps: ts.map(iso), ...Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, v.map(String)])) }, meta } };
}

describe('data/chunks', () => {
  it('reads time-series and label answers, and rejects values their normalization cannot hold, naming the refetch for a chunk file', () => {
    const s = readChunk({ series: 'http', where: 'AT http', envelope: envelope(range(4, Q), { values: [0.5, 1, 0.25, 0] }, { aggInterval: 'FIFTEEN_MINUTES', normalization: 'MIN0_MAX' }) });
    assert.equal(s.kind, 'series');
    assert.equal(s.kind === 'series' && s.stepMs, Q);
    assert.deepEqual(signalPoints([s], 'http').map((p) => [p.values, p.stepMs, p.normalization]), [[[0.5, 1, 0.25, 0], Q, 'MIN0_MAX']]);
    assert.deepEqual(signalPoints([s], 'netflows'), [], 'no answer of its series');
    const l = readChunk({ series: 'anomalies', where: 'AT anomalies', envelope: { success: true, result: { trafficAnomalies: [{ uuid: 'a' }] } } });
    assert.deepEqual(l, { kind: 'labels', series: 'anomalies', where: 'AT anomalies', items: [{ uuid: 'a' }] });
    const file = '/raw/radar/AT/http@15m/20240101T00_20240107T23.json';
    assert.throws(() => readChunk({ series: 'http', where: file, envelope: envelope(range(2, Q), { values: [1, 1e308] }, { normalization: 'MIN0_MAX' }) }), (e: unknown) => e instanceof DataError && /values\[1\] is 1e\+308.*--agg-interval 15m/.test(e.message));
    assert.throws(() => readChunk({ series: 'outages', where: 'AT outages', envelope: { success: true, result: { annotations: {} } } }), /expected result\.annotations to be an array/);
  });

  it('without stored context: stitches MIN0_MAX answers onto one scale (max 1), holds hourly counts over 15-minute steps, flags unreliable steps', () => {
    const truth = (t: number) => 2 + Math.sin((2 * Math.PI * (t - T0)) / (24 * HOUR_MS));
    const ts1 = range(40 * 4, Q);
    const ts2 = range(40 * 4, Q, T0 + 24 * HOUR_MS); // overlaps the first by 16 hours
    const scaled = (ts: number[]) => {
      const max = Math.max(...ts.map(truth));
      return ts.map((t) => truth(t) / max);
    };
    const pipeline = { dataSource: 'HTTP', eventType: 'PIPELINE', description: '', startDate: iso(T0 + 30 * HOUR_MS + 20 * 60_000), endDate: iso(T0 + 31 * HOUR_MS), isInstantaneous: false };
    const bgpTs = range(64, HOUR_MS);
    const chunks: RadarChunk[] = [
      readChunk({ series: 'http', where: 'a', envelope: envelope(ts1, { values: scaled(ts1) }, { aggInterval: 'FIFTEEN_MINUTES', normalization: 'MIN0_MAX', confidenceInfo: { level: 3, annotations: [pipeline] } }) }),
      readChunk({ series: 'http', where: 'b', envelope: envelope(ts2, { values: scaled(ts2) }, { aggInterval: 'FIFTEEN_MINUTES', normalization: 'MIN0_MAX' }) }),
      readChunk({ series: 'bgp_ips', where: 'c', envelope: envelope(bgpTs, { ipv4: bgpTs.map((_, h) => 5000 + h) }, {}) }),
    ];
    const grid = range(64 * 4, Q);
    const r = chunksToSeries(chunks, { country: 'AT', kinds: { http: 'volume', bgp_ips: 'count' }, grid, stepMs: Q, fill: { maxInterpolateHours: 3 } });
    const max = Math.max(...grid.map(truth));
    grid.forEach((t, i) => assert.ok(Math.abs(r.signals.http[i] - truth(t) / max) < 1e-9, `http at step ${i}`));
    assert.deepEqual(Array.from(r.signals.bgp_ips.slice(4, 12)), [5001, 5001, 5001, 5001, 5002, 5002, 5002, 5002]);
    assert.deepEqual([r.resample.http, r.resample.bgp_ips], ['15m as received', 'last value held for 1 h']);
    assert.deepEqual(grid.filter((_, i) => r.unreliable[i]).map((t) => (t - T0) / Q), [121, 122, 123], '30:15, 30:30, 30:45');
    assert.equal(r.filledSteps.http, 0);
    // answers that disagree on normalization cannot share a scale
    const pct = readChunk({ series: 'http', where: 'd', envelope: envelope(ts2, { values: scaled(ts2) }, { normalization: 'PERCENTAGE' }) });
    assert.throws(() => chunksToSeries([chunks[0], pct], { country: 'AT', kinds: { http: 'volume' }, grid, stepMs: Q, fill: { maxInterpolateHours: 3 }, fix: { replace: (s) => `Refetch ${s}.` } }), /chunks mix normalizations \(MIN0_MAX, PERCENTAGE\); expected one\. Refetch http\./);
    assert.throws(() => chunksToSeries(chunks, { country: 'AT', kinds: { netflows: 'volume' }, grid, stepMs: Q, fill: { maxInterpolateHours: 3 }, fix: { missing: 'Fetch it.' } }), /No "netflows" answer for AT .*Fetch it\./);
  });

  it('with stored context: puts a new answer on the stored scale through the overlap and fills from the stored history, without rescaling', () => {
    const stored = range(48, HOUR_MS);
    const level = (t: number) => 0.3 + 0.1 * Math.cos((2 * Math.PI * (t - T0)) / (24 * HOUR_MS));
    const live = range(30, HOUR_MS, T0 + 24 * HOUR_MS); // 24 stored hours + 6 new
    const values = live.map((t, i) => (i === 27 ? NaN : level(t) * 2)); // another scale, one new hour missing
    const chunk = readChunk({ series: 'http', where: 'live', envelope: { success: true, result: { serie_0: { timestamps: live.map(iso), values: values.map((v) => (Number.isNaN(v) ? null : String(v))) }, meta: { aggInterval: 'ONE_HOUR', normalization: 'MIN0_MAX' } } } });
    const grid = range(6, HOUR_MS, T0 + 48 * HOUR_MS);
    const r = chunksToSeries([chunk], {
      country: 'AT',
      kinds: { http: 'volume' },
      grid,
      stepMs: HOUR_MS,
      fill: { maxInterpolateHours: 3 },
      context: { timestamps: stored, values: { http: stored.map(level) }, gap: stored.map(() => 0) },
    });
    grid.forEach((t, i) => {
      if (i === 3) return;
      assert.ok(Math.abs(r.signals.http[i] - level(t)) < 1e-9, `hour ${i}: ${r.signals.http[i]} vs ${level(t)}`);
    });
    assert.deepEqual(Array.from(r.gap), [0, 0, 0, 1, 0, 0]);
    assert.ok(Math.abs(r.signals.http[3] - (level(grid[2]) + level(grid[4])) / 2) < 1e-9, 'interpolated between its neighbours');
  });
});
