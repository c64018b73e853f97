import { strict as assert } from 'assert';
import type { CountryFrame } from '../../src/data/types';
import { runBaseline, similarDayForecast } from '../../src/evaluate/baseline';
import { createRng } from '../../src/util/random';

function seasonalFrame(days: number, seed: number): CountryFrame {
  const rng = createRng(seed);
  const n = days * 24;
  const http = new Float64Array(n);
  for (let t = 0; t < n; t++) http[t] = 100 * (1.5 + Math.sin((2 * Math.PI * (t % 24)) / 24)) * (1 + 0.02 * rng.normal());
  return {
    id: 'XX',
    timestamps: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
    signalNames: ['http'],
    signalKinds: { http: 'volume' },
    signals: { http },
    gap: new Uint8Array(n),
    unreliable: new Uint8Array(n),
    labelKind: new Array(n).fill(''),
    labels: [],
  };
}

describe('evaluate/baseline', () => {
  it('forecasts a purely daily series exactly from similar days, and is causal', () => {
    const y = Float64Array.from({ length: 24 * 40 }, (_, t) => Math.sin((2 * Math.PI * (t % 24)) / 24));
    const f = similarDayForecast(y, 28, 6);
    assert.ok(Number.isNaN(f[24 * 29 - 1]), 'no forecast before the lookback is full');
    for (let t = 24 * 29; t < y.length; t++) assert.ok(Math.abs(f[t] - y[t]) < 1e-12);
    const y2 = Float64Array.from(y);
    y2[24 * 35] = 50; // changing hour t must not change forecasts at or before t
    const f2 = similarDayForecast(y2, 28, 6);
    for (let t = 0; t <= 24 * 35; t++) assert.ok(Object.is(f[t], f2[t]) || f[t] === f2[t]);
  });

  it('flags a deep drop and stays quiet on normal noise', () => {
    const frame = seasonalFrame(60, 3);
    const normal = runBaseline(frame, { lookbackDays: 28, similarDays: 6, madK: 6 });
    const normalFlags = normal.flagged.reduce((a, b) => a + b, 0);
    assert.ok(normalFlags <= 3, `false flags on clean data: ${normalFlags}`);
    for (let t = 24 * 50 + 3; t < 24 * 50 + 9; t++) frame.signals.http[t] *= 0.1;
    const hit = runBaseline(frame, { lookbackDays: 28, similarDays: 6, madK: 6 });
    for (let t = 24 * 50 + 3; t < 24 * 50 + 9; t++) assert.equal(hit.flagged[t], 1, `hour ${t}`);
    assert.equal(hit.topSignal[24 * 50 + 4], 'http');
  });
});
