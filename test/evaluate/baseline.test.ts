import { strict as assert } from 'assert';
import type { CountryFrame } from '../../src/data/types';
import { robustSigma, runBaseline, similarDayForecast } from '../../src/evaluate/baseline';
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

/** An hourly frame with one volume signal `v`. */
function frameOf(name: string, v: Float64Array, kind: 'volume' | 'count' | 'rate' = 'volume'): CountryFrame {
  const n = v.length;
  return {
    id: 'XX',
    timestamps: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
    signalNames: [name],
    signalKinds: { [name]: kind },
    signals: { [name]: v },
    gap: new Uint8Array(n),
    unreliable: new Uint8Array(n),
    labelKind: new Array(n).fill(''),
    labels: [],
  };
}

const CFG = { lookbackDays: 28, similarDays: 6, madK: 6 };
const share = (flags: Uint8Array, from: number) => flags.subarray(from).reduce((a, b) => a + b, 0) / (flags.length - from);

describe('evaluate/baseline', () => {
  it('robustSigma stays honest when most residuals are 0 (MAD = 0)', () => {
    const r = Array.from({ length: 100 }, (_, i) => (i % 10 < 7 ? 0 : i % 2 ? 1 : -1));
    assert.ok(robustSigma(r) > 0.3, `sigma ${robustSigma(r)}`);
  });

  it('a bursty attack background (heavy-tailed noise, 2 % bursts of 2–4×) flags under 1 % of hours; a real attack still flags', () => {
    const rng = createRng(11);
    const n = 24 * 120;
    const l3 = Float64Array.from({ length: n }, () => Math.exp(0.35 * rng.normal()) * (rng() < 0.02 ? 2 + 2 * rng() : 1));
    const quiet = runBaseline(frameOf('l3', l3), CFG);
    assert.ok(share(quiet.flagged, 24 * 29) < 0.01, `flag share ${share(quiet.flagged, 24 * 29)}`);
    const hit = Float64Array.from(l3);
    for (let t = 24 * 100; t < 24 * 100 + 4; t++) hit[t] *= 40;
    const r = runBaseline(frameOf('l3', hit), CFG);
    for (let t = 24 * 100; t < 24 * 100 + 4; t++) assert.equal(r.flagged[t], 1, `attack hour ${t}`);
    // attack volumes only count upward: a quiet spell is not an incident
    const low = Float64Array.from(l3);
    for (let t = 24 * 100; t < 24 * 100 + 4; t++) low[t] *= 0.01;
    const q = runBaseline(frameOf('l3', low), CFG);
    for (let t = 24 * 100; t < 24 * 100 + 4; t++) assert.equal(q.flagged[t], 0);
  });

  it('a sparse count (70 % zeros) flags under 2 % of hours; a sustained burst still flags', () => {
    const rng = createRng(5);
    const n = 24 * 100;
    const x = Float64Array.from({ length: n }, () => (rng() < 0.7 ? 0 : 1 + Math.floor(rng() * 4)));
    const quiet = runBaseline(frameOf('crashes', x, 'count'), CFG);
    const s = share(quiet.flagged, 24 * 29);
    assert.ok(s < 0.02, `flag share ${s} (the old rule flagged ~40 %)`);
    const hit = Float64Array.from(x);
    for (let t = 24 * 90; t < 24 * 90 + 3; t++) hit[t] = 200;
    const r = runBaseline(frameOf('crashes', hit, 'count'), CFG);
    assert.ok(r.flagged.subarray(24 * 90, 24 * 90 + 3).some((v) => v === 1), 'a 50× burst of crashes flags');
  });

  it('works on 5-minute data (a day is 288 steps)', () => {
    const n = 288 * 10;
    const rng = createRng(2);
    const v = Float64Array.from({ length: n }, (_, t) => 100 * (1.5 + Math.sin((2 * Math.PI * (t % 288)) / 288)) * (1 + 0.02 * rng.normal()));
    const f = { ...frameOf('http', v), stepMs: 300_000, timestamps: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 300_000) };
    const quiet = runBaseline(f, CFG);
    assert.ok(Number.isNaN(quiet.score[288 * 4 - 1]) && Number.isFinite(quiet.score[288 * 5]), "scores start once 3 days of history and a scale exist");
    assert.ok(share(quiet.flagged, 288 * 4) < 0.005);
    for (let t = 288 * 8; t < 288 * 8 + 24; t++) f.signals.http[t] *= 0.1;
    const hit = runBaseline(f, CFG);
    assert.equal(hit.flagged[288 * 8 + 1], 1);
  });

  it('forecasts a purely daily series exactly from similar days, and is causal', () => {
    const y = Float64Array.from({ length: 24 * 40 }, (_, t) => Math.sin((2 * Math.PI * (t % 24)) / 24));
    const f = similarDayForecast(y, 28, 6);
    assert.ok(Number.isNaN(f[24 * 4 - 1]), 'no forecast before MIN_HISTORY_DAYS + 1 days');
    for (let t = 24 * 4; t < y.length; t++) assert.ok(Math.abs(f[t] - y[t]) < 1e-12);
    const y2 = Float64Array.from(y);
    y2[24 * 35] = 50; // changing hour t must not change forecasts at or before t
    const f2 = similarDayForecast(y2, 28, 6);
    for (let t = 0; t <= 24 * 35; t++) assert.ok(Object.is(f[t], f2[t]) || f[t] === f2[t]);
  });

  it('similar-days forecast equals a brute-force definition (closest days with a value, ties to the nearer day) with gaps and ties', () => {
    // The definition spelled out: at t, rank the previous days by the squared distance of their day before t's
    // time of day (NaN steps add nothing), ties to the nearer day; the median of the first 6 with a value at t.
    const brute = (y: Float64Array, lookback: number, k: number, P: number): Float64Array => {
      const out = new Float64Array(y.length).fill(NaN);
      for (let t = P * 4; t < y.length; t++) {
        const avail = Math.min(lookback, Math.floor(t / P) - 1);
        const cand: { L: number; d: number }[] = [];
        for (let L = 1; L <= avail; L++) {
          let d = 0;
          for (let j = t - P; j < t; j++) {
            const x = y[j] - y[j - L * P];
            if (x === x) d += x * x;
          }
          cand.push({ L, d });
        }
        cand.sort((a, b) => a.d - b.d || a.L - b.L);
        const vals = cand.map((c) => y[t - c.L * P]).filter((v) => v === v).slice(0, k).sort((a, b) => a - b);
        const m = vals.length;
        if (m) out[t] = m % 2 ? vals[(m - 1) / 2] : (vals[m / 2 - 1] + vals[m / 2]) / 2;
      }
      return out;
    };
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const [P, days, ints] of [[24, 40, false], [4, 60, true], [1, 50, true], [12, 35, false]] as const) {
      const y = Float64Array.from({ length: P * days }, (_, i) => (rnd() < 0.08 ? NaN : ints ? Math.floor(rnd() * 3) : Math.sin((2 * Math.PI * (i % P)) / P) + rnd()));
      const want = brute(y, 28, 6, P);
      const got = similarDayForecast(y, 28, 6, P);
      // the running sums may differ from fresh sums in the last bits; integer data (exact sums, many ties) must match exactly
      for (let t = 0; t < y.length; t++) {
        if (ints) assert.ok(Object.is(got[t], want[t]), `P=${P} t=${t}: ${got[t]} vs ${want[t]}`);
        else assert.ok(Object.is(got[t], want[t]) || Math.abs(got[t] - want[t]) < 1e-9, `P=${P} t=${t}: ${got[t]} vs ${want[t]}`);
      }
    }
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
