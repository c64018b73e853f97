import { strict as assert } from 'assert';
import { computeFeatures } from '../../src/features/build';
import { fitFeatureSpec } from '../../src/features/spec';
import { featuresSchema } from '../../src/config/schema';
import { DataError } from '../../src/errors';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { cloneFrame, makeFrame } from './fixtures';

const cfg = featuresSchema.parse({ baselineWeeks: 1 });

/** Row t of a FeatureSet as [cont..., cat...]. */
function row(fs: ReturnType<typeof computeFeatures>, t: number): number[] {
  const nc = fs.contNames.length;
  const k = fs.catNames.length;
  return [...fs.cont.subarray(t * nc, (t + 1) * nc), ...fs.cat.subarray(t * k, (t + 1) * k)];
}

/** Rows [a, b) of a frame as a new frame. */
function sliceFrame(f: CountryFrame, a: number, b: number): CountryFrame {
  const signals: Record<string, Float64Array> = {};
  for (const s of f.signalNames) signals[s] = f.signals[s].slice(a, b);
  return { ...f, timestamps: f.timestamps.slice(a, b), signals, gap: f.gap.slice(a, b), unreliable: f.unreliable.slice(a, b), labelKind: f.labelKind.slice(a, b) };
}

describe('features/build', () => {
  const frame = makeFrame('AT', 168 * 8);
  const spec = fitFeatureSpec(frame, { start: 0, end: 168 * 5 }, cfg);

  it('produces consistent shapes, names, source signals and warmup', () => {
    const fs = computeFeatures(frame, spec);
    const n = frame.timestamps.length;
    assert.equal(fs.rows, n);
    assert.deepEqual(fs.timestamps, frame.timestamps);
    assert.equal(fs.cont.length, n * fs.contNames.length);
    assert.equal(fs.cat.length, n * fs.catNames.length);
    assert.deepEqual(fs.contNames, spec.contNames);
    assert.deepEqual(fs.contSignal, fs.contNames.map((c) => c.split('.')[0]));
    assert.ok(fs.contNames.includes('http.z24') && fs.contNames.includes('bgp_ips.resid'));
    assert.deepEqual(fs.catNames, ['hour', 'weekday', 'month', 'dayType', 'season']);
    for (let j = 0; j < fs.catNames.length; j++) for (let i = 0; i < n; i++) assert.ok(fs.cat[i * 5 + j] >= 0 && fs.cat[i * 5 + j] < fs.catCardinalities[j]);
    assert.ok(fs.cont.every((v) => Number.isFinite(v) && Math.abs(v) <= cfg.clip));
    assert.equal(fs.warmup.reduce((a, b) => a + b, 0), 168);
    assert.equal(fs.warmup[167], 1);
    assert.equal(fs.warmup[168], 0);
  });

  it('builds only the configured rolling statistics, and the z columns equal the full set\'s', () => {
    const zOnly = fitFeatureSpec(frame, { start: 0, end: 168 * 5 }, featuresSchema.parse({ baselineWeeks: 1, rollingHours: [3, 24], rollingStats: ['z'] }));
    assert.deepEqual(zOnly.contNames.slice(0, 4), ['http.level', 'http.z3', 'http.z24', 'http.resid']);
    assert.equal(zOnly.contNames.length, 6 * 4);
    const a = computeFeatures(frame, zOnly);
    const b = computeFeatures(frame, fitFeatureSpec(frame, { start: 0, end: 168 * 5 }, featuresSchema.parse({ baselineWeeks: 1, rollingHours: [3, 24] })));
    const ja = a.contNames.indexOf('l7.z24');
    const jb = b.contNames.indexOf('l7.z24');
    for (const t of [200, 500, 1000]) assert.equal(a.cont[t * a.contNames.length + ja], b.cont[t * b.contNames.length + jb]);
  });

  it('is causal: a huge spike from t+1 on leaves every feature of rows ≤ t unchanged', () => {
    const t = 700;
    const base = computeFeatures(frame, spec);
    const spiked = cloneFrame(frame);
    for (const s of spiked.signalNames) for (let i = t + 1; i < spiked.timestamps.length; i++) spiked.signals[s][i] = s === 'bot_share' ? 100 : spiked.signals[s][i] * 1e6;
    const after = computeFeatures(spiked, spec);
    for (let i = 0; i <= t; i++) assert.deepEqual(row(after, i), row(base, i), `row ${i}`);
    assert.notDeepEqual(row(after, t + 1), row(base, t + 1), 'the spike itself is visible');
  });

  it('scores a prefix exactly as the full batch (streaming = batch)', () => {
    const full = computeFeatures(frame, spec);
    const prefix = computeFeatures(sliceFrame(frame, 0, 900), spec);
    for (const i of [0, 168, 500, 899]) assert.deepEqual(row(prefix, i), row(full, i));
  });

  it('round-trips the spec through JSON to identical features', () => {
    const again = JSON.parse(JSON.stringify(spec));
    const a = computeFeatures(frame, spec);
    const b = computeFeatures(frame, again);
    assert.deepEqual(b, a);
  });

  it('shows an outage: the residual hits the negative clip for every outage hour, z24 drops, bot share untouched', () => {
    const f = cloneFrame(frame);
    const t0 = 168 * 6 + 10;
    for (let i = t0; i < t0 + 4; i++) f.signals.http[i] = 0;
    const fs = computeFeatures(f, spec);
    const col = (name: string, i: number) => fs.cont[i * fs.contNames.length + fs.contNames.indexOf(name)];
    for (let i = t0; i < t0 + 4; i++) assert.equal(col('http.resid', i), -cfg.clip, `resid at outage hour ${i - t0}`);
    assert.ok(col('http.z24', t0) < -5, `z24 at the first outage hour: ${col('http.z24', t0)}`);
    assert.ok(Math.abs(col('http.resid', t0 - 1)) < 5, 'the hour before is unremarkable');
    assert.equal(col('bot_share.resid', t0 + 1), computeFeatures(frame, spec).cont[(t0 + 1) * fs.contNames.length + fs.contNames.indexOf('bot_share.resid')]);
  });

  it('names a missing signal and the expected list, and rejects a broken hourly grid', () => {
    const f = cloneFrame(frame);
    delete f.signals.l7;
    assert.throws(
      () => computeFeatures(f, spec),
      (e: unknown) => e instanceof DataError && /lacks signal\(s\) l7\. Expected signals http, netflows, l3, l7, bot_share, bgp_ips \(see meta\.json\); got http, netflows, l3, bot_share, bgp_ips/.test(e.message),
    );
    const g = cloneFrame(frame);
    g.timestamps[5] += HOUR_MS / 2;
    assert.throws(() => computeFeatures(g, spec), (e: unknown) => e instanceof DataError && /is not on a regular 1h grid at row 5/.test(e.message));
    const h = cloneFrame(frame);
    h.signals.http[9] = NaN;
    assert.throws(() => computeFeatures(h, spec), (e: unknown) => e instanceof DataError && /"http".*NaN/.test(e.message));
  });

  it('handles an imported series with its own signal names and kinds, in UTC', () => {
    const n = 168 * 4;
    const ts = Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * HOUR_MS);
    const f: CountryFrame = {
      id: 'my-isp',
      timestamps: ts,
      signalNames: ['latency_ms', 'sessions'],
      signalKinds: { latency_ms: 'rate', sessions: 'count' },
      signals: {
        latency_ms: Float64Array.from(ts, (_, i) => 140 + 20 * Math.sin(i / 3)),
        sessions: Float64Array.from(ts, (_, i) => 1000 + (i % 24) * 10),
      },
      gap: new Uint8Array(n),
      unreliable: new Uint8Array(n),
      labelKind: new Array(n).fill(''),
      labels: [],
    };
    const s = fitFeatureSpec(f, { start: 0, end: n }, featuresSchema.parse({ baselineWeeks: 1, rollingHours: [6, 48] }));
    assert.deepEqual(s.signals.map((x) => x.transform.name), ['identity', 'log']);
    assert.equal(s.calendar.timezone, 'UTC');
    const fs = computeFeatures(f, s);
    assert.deepEqual(fs.contNames.slice(0, 8), ['latency_ms.level', 'latency_ms.mean6', 'latency_ms.mean48', 'latency_ms.std6', 'latency_ms.std48', 'latency_ms.z6', 'latency_ms.z48', 'latency_ms.resid']);
    assert.equal(fs.cat[0], 0, 'hour 0 UTC');
  });

  it('featurises three years × six signals fast (measured, not asserted)', function () {
    const big = makeFrame('AT', 26280, '2022-01-03T00:00:00Z', 3);
    const full = featuresSchema.parse({});
    let t = performance.now();
    const s = fitFeatureSpec(big, { start: 0, end: 15768 }, full);
    const fitMs = performance.now() - t;
    t = performance.now();
    const fs = computeFeatures(big, s);
    const ms = performance.now() - t;
    console.log(`      fit ${fitMs.toFixed(0)} ms, computeFeatures ${ms.toFixed(0)} ms for ${fs.rows} rows × ${fs.contNames.length} continuous features`);
    assert.equal(fs.rows, 26280);
  });
});
