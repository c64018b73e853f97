import { strict as assert } from 'assert';
import { stitchChunks, type Chunk } from '../../src/data/stitch';
import { HOUR_MS } from '../../src/base/time';

/** Small seeded PRNG so the test is deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const T0 = Date.UTC(2024, 0, 1);

/** Splits [0, n) into windows of `len` hours, each overlapping the previous by `overlap` hours. */
function windows(n: number, len: number, overlap: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; ; s += len - overlap) {
    out.push([s, Math.min(n, s + len)]);
    if (s + len >= n) return out;
  }
}

/** What Radar returns for one window: MIN0_MAX over the window, rounded to 6 decimals, some points missing. */
function radarChunk(series: number[], [a, b]: [number, number], drop: Set<number>): Chunk {
  let max = 0;
  for (let i = a; i < b; i++) if (!drop.has(i)) max = Math.max(max, series[i]);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = a; i < b; i++) {
    if (drop.has(i)) continue;
    timestamps.push(T0 + i * HOUR_MS);
    values.push(Number((series[i] / max).toFixed(6)));
  }
  return { timestamps, values };
}

function maxRelError(stitched: { timestamps: number[]; values: number[] }, series: number[]): number {
  const max = Math.max(...series);
  let worst = 0;
  stitched.timestamps.forEach((t, k) => {
    const want = series[(t - T0) / HOUR_MS] / max;
    if (want === 0) assert.equal(stitched.values[k], 0, 'zeros stay zeros');
    else worst = Math.max(worst, Math.abs(stitched.values[k] - want) / want);
  });
  return worst;
}

describe('data/stitch', () => {
  it('recovers an arbitrary positive series from separately MIN0_MAX-normalised, rounded chunks with drops, zero overlaps and missing points', () => {
    const r = rng(1);
    const n = 24 * 45;
    const series = Array.from({ length: n }, (_, i) => (1000 + 3 * i) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 24)) * (i % 168 < 120 ? 1 : 0.8) * (0.9 + 0.2 * r()));
    for (let i = 300; i < 330; i++) series[i] *= 0.03; // deep drop (an outage) inside a chunk
    const wins = windows(n, 7 * 24, 24);
    // The 3rd overlap is mostly zeros (a total outage across 20 of its 24 hours).
    const ov = wins[3][0];
    for (let i = ov; i < ov + 20; i++) series[i] = 0;
    const drop = new Set<number>();
    for (let i = 0; i < n; i++) if (r() < 0.03) drop.add(i);
    // A traffic spike makes chunk 5's max far above its neighbours', so the scales differ a lot.
    series[wins[5][0] + 80] *= 6;
    const chunks = wins.map((w) => radarChunk(series, w, drop));
    const out = stitchChunks(chunks);
    assert.equal(out.fallbacks.length, 0);
    assert.equal(out.timestamps.length, n - drop.size);
    assert.equal(Math.max(...out.values), 1);
    const err = maxRelError(out, series);
    assert.ok(err < 1e-3, `max relative error ${err}`);
    // Chunk scales were really different, so a naive concatenation would be far off.
    assert.ok(Math.max(...out.factors) / Math.min(...out.factors) > 2, `factors ${out.factors}`);
  });

  it('falls back to the ratio of daily median levels when an overlap has no traffic on both sides', () => {
    const n = 24 * 21;
    const daily = Array.from({ length: 24 }, (_, h) => 50 + 40 * Math.sin((2 * Math.PI * h) / 24) + (h === 19 ? 30 : 0));
    const series = Array.from({ length: n }, (_, i) => daily[i % 24]);
    const wins = windows(n, 7 * 24, 24);
    const [ovStart] = wins[1];
    for (let i = ovStart - 6; i < ovStart + 30; i++) series[i] = 0; // a total outage covering the whole overlap
    series[wins[1][0] + 100] *= 3; // chunk 1 on a different scale than chunk 0
    const out = stitchChunks(wins.map((w) => radarChunk(series, w, new Set())), { label: 'XX http' });
    assert.deepEqual(out.fallbacks, [1]);
    assert.ok(maxRelError(out, series) < 1e-3, 'a periodic series has equal daily medians, so the level fallback is exact');
  });

  it('still uses the overlap when one huge attack spike squeezes the rest of a chunk below 1 % of its max', () => {
    const n = 24 * 14;
    const series = Array.from({ length: n }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / 24));
    series[200] = 2_000; // an L3 DDoS 200x the background, inside chunk 1: its other hours keep < 0.75 % of the max
    const wins = windows(n, 7 * 24, 24);
    const out = stitchChunks(wins.map((w) => radarChunk(series, w, new Set())));
    assert.deepEqual(out.fallbacks, []);
    assert.ok(maxRelError(out, series) < 1e-3, `max relative error ${maxRelError(out, series)}`);
  });

  it('takes the later chunk on overlap hours and keeps all-zero series at zero', () => {
    const a: Chunk = { timestamps: [0, 1, 2].map((h) => T0 + h * HOUR_MS), values: [1, 0.5, 0.5] };
    const b: Chunk = { timestamps: [1, 2, 3].map((h) => T0 + h * HOUR_MS), values: [0.25, 0.3, 1] }; // revised hour 2
    const out = stitchChunks([a, b]);
    // factor for b = median(0.5/0.25, 0.5/0.3) = 1.8333, so b's hour 3 is the max; dividing by it leaves b's own values.
    const f = (2 + 0.5 / 0.3) / 2;
    assert.deepEqual(out.values.map((v) => +v.toFixed(6)), [1 / f, 0.25, 0.3, 1].map((v) => +v.toFixed(6)));
    const z = stitchChunks([{ timestamps: [T0], values: [0] }, { timestamps: [T0, T0 + HOUR_MS], values: [0, 0] }]);
    assert.deepEqual(z.values, [0, 0]);
  });
});
