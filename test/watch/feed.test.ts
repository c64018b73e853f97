import { strict as assert } from 'assert';
import type { SignalKind } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import type { RadarChunk } from '../../src/data/chunks';
import type { RawSeries } from '../../src/radar/endpoints';
import type { RadarAnnotation } from '../../src/radar/parse';
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

/** A parsed answer of `series` as data/chunks readChunk returns it. */
function answer(series: RawSeries, timestamps: number[], columns: Record<string, number[]>, o: { stepMs?: number; normalization?: string; annotations?: RadarAnnotation[] } = {}): RadarChunk {
  return {
    kind: 'series',
    series,
    where: `AT ${series}`,
    stepMs: o.stepMs ?? HOUR_MS,
    parsed: { series: [{ name: 'serie_0', timestamps, columns }], meta: { dateRanges: [], annotations: o.annotations ?? [], normalization: o.normalization ?? 'MIN0_MAX' } },
  };
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
  const pipeline: RadarAnnotation = { dataSource: 'HTTP', eventType: 'PIPELINE', description: '', start: T0 + 201 * HOUR_MS, end: T0 + 202 * HOUR_MS, isInstantaneous: false };
  return {
    country: 'AT',
    fromMs: from,
    toMs: ts[n - 1],
    chunks: [
      answer('http', ts, { values }, { annotations: [pipeline] }),
      answer('netflows', ts.slice(0, nf), { values: http.slice(0, nf).map((v) => v / (max * 3)) }),
      answer('bot_class', ts, { bot: ts.map(() => 31), human: ts.map(() => 69) }, { normalization: 'PERCENTAGE' }),
    ],
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
    assert.deepEqual(added.map((h) => h.gapSignals), [[], [], ['http'], [], [], []], 'the filled hour names the signal that was missing');
    const [a, b, c] = [added[1].values.http, added[2].values.http, added[3].values.http];
    assert.ok(Math.abs(b - (a + c) / 2) < 1e-12, 'linear interpolation');
  });

  it('counts an hour as complete only when every traffic signal has it', () => {
    assert.equal(newestCompleteHour(live(6)), T0 + 205 * HOUR_MS);
    assert.equal(newestCompleteHour(live(6, { netflowsLast: 27 })), T0 + 202 * HOUR_MS, 'netflows lags three hours');
    const empty = live(6);
    empty.chunks[0] = answer('http', [], { values: [] });
    assert.equal(newestCompleteHour(empty), undefined);
    const quarter = live(0);
    // 15-minute points: the hour of the last point counts only when its last quarter is in
    const q = [T0, T0 + 15 * 60e3, T0 + 30 * 60e3];
    quarter.chunks = [answer('http', q, { values: [1, 1, 1] }, { stepMs: HOUR_MS / 4 }), answer('netflows', q, { values: [1, 1, 1] }, { stepMs: HOUR_MS / 4 })];
    assert.equal(newestCompleteHour(quarter), T0 - HOUR_MS);
  });

  it('returns nothing when there is nothing after the stored hours', () => {
    assert.deepEqual(extendSeries(tail(), live(0), T0 + 199 * HOUR_MS, kinds, { maxInterpolateHours: 3 }), []);
  });
});
