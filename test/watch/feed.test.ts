import { strict as assert } from 'assert';
import { HOUR_MS, type SignalKind } from '../../src/data/types';
import { extendSeries, newestCompleteHour, type LiveWindow } from '../../src/watch/feed';
import type { StoredHour } from '../../src/watch/store';

const T0 = Date.UTC(2026, 0, 1);
const kinds: Record<string, SignalKind> = { http: 'volume', netflows: 'volume', bot_share: 'rate' };

/** 200 stored hours: http = 0.2 + 0.1·(h mod 24)/24 on the training scale, netflows half of it, bot share 30 %. */
function tail(): StoredHour[] {
  return Array.from({ length: 200 }, (_, i) => {
    const http = 0.2 + (0.1 * (i % 24)) / 24;
    return { hour: T0 + i * HOUR_MS, values: { http, netflows: http / 2, bot_share: 30 }, gap: 0, unreliable: 0 };
  });
}

/** A live window over the last 24 stored hours and `extra` new ones, each volume series rescaled to its own max (MIN0_MAX). */
function live(extra: number, opts: { drop?: number[]; netflowsLast?: number } = {}): LiveWindow {
  const from = T0 + 176 * HOUR_MS;
  const n = 24 + extra;
  const ts = Array.from({ length: n }, (_, i) => from + i * HOUR_MS);
  const http = ts.map((t) => 0.2 + (0.1 * (((t - T0) / HOUR_MS) % 24)) / 24);
  const max = Math.max(...http);
  const values = http.map((v, i) => (opts.drop?.includes(i) ? NaN : v / max));
  const nf = opts.netflowsLast === undefined ? n : opts.netflowsLast;
  return {
    country: 'AT',
    fromMs: from,
    toMs: ts[n - 1],
    points: {
      http: { timestamps: ts, values, stepMs: HOUR_MS },
      netflows: { timestamps: ts.slice(0, nf), values: http.slice(0, nf).map((v) => v / (max * 3)), stepMs: HOUR_MS },
      bot_share: { timestamps: ts, values: ts.map(() => 31), stepMs: HOUR_MS },
    },
    unreliable: [{ start: T0 + 201 * HOUR_MS, end: T0 + 202 * HOUR_MS }],
  };
}

describe('watch/feed', () => {
  it('puts new MIN0_MAX hours back on the stored scale through the overlap, and keeps absolute signals as they are', () => {
    const added = extendSeries(tail(), live(6), T0 + 205 * HOUR_MS, kinds, { maxInterpolateHours: 3 });
    assert.deepEqual(added.map((h) => h.hour), Array.from({ length: 6 }, (_, i) => T0 + (200 + i) * HOUR_MS));
    for (const h of added) {
      const i = (h.hour - T0) / HOUR_MS;
      const http = 0.2 + (0.1 * (i % 24)) / 24;
      assert.ok(Math.abs(h.values.http - http) < 1e-12, `http at ${i}: ${h.values.http} vs ${http}`);
      assert.ok(Math.abs(h.values.netflows - http / 2) < 1e-12, `netflows at ${i}`);
      assert.equal(h.values.bot_share, 31);
      assert.equal(h.gap, 0);
    }
    assert.deepEqual(added.map((h) => h.unreliable), [0, 1, 0, 0, 0, 0], 'PIPELINE annotation spans flag their hours');
  });

  it('fills a missing new hour from its neighbours and flags it as a gap', () => {
    const added = extendSeries(tail(), live(6, { drop: [26] }), T0 + 205 * HOUR_MS, kinds, { maxInterpolateHours: 3 });
    assert.deepEqual(added.map((h) => h.gap), [0, 0, 1, 0, 0, 0]);
    const [a, b, c] = [added[1].values.http, added[2].values.http, added[3].values.http];
    assert.ok(Math.abs(b - (a + c) / 2) < 1e-12, 'linear interpolation');
  });

  it('counts an hour as complete only when every traffic signal has it', () => {
    assert.equal(newestCompleteHour(live(6)), T0 + 205 * HOUR_MS);
    assert.equal(newestCompleteHour(live(6, { netflowsLast: 27 })), T0 + 202 * HOUR_MS, 'netflows lags three hours');
    const empty = live(6);
    empty.points.http = { timestamps: [], values: [], stepMs: HOUR_MS };
    assert.equal(newestCompleteHour(empty), undefined);
    const quarter = live(0);
    // 15-minute points: the hour of the last point counts only when its last quarter is in
    quarter.points.http = { timestamps: [T0, T0 + 15 * 60e3, T0 + 30 * 60e3], values: [1, 1, 1], stepMs: HOUR_MS / 4 };
    quarter.points.netflows = quarter.points.http;
    assert.equal(newestCompleteHour(quarter), T0 - HOUR_MS);
  });

  it('returns nothing when there is nothing after the stored hours', () => {
    assert.deepEqual(extendSeries(tail(), live(0), T0 + 199 * HOUR_MS, kinds, { maxInterpolateHours: 3 }), []);
  });
});
