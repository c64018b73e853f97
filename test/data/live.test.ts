import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { fetchLiveFrame, min0MaxSignals, parseLiveSource, type LiveFrame } from '../../src/data/live';
import { preprocessCountries } from '../../src/data/preprocess';
import { readProcessed, writeProcessed } from '../../src/data/processed';
import { frameStep, type CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { ConfigError, DataError, InputError } from '../../src/errors';
import { fitFeatureSpec, type FeatureSpec } from '../../src/features/spec';
import { fetchRadar } from '../../src/radar/fetch';
import { startMockRadar } from '../../src/radar/mock-server';
import { SYNTHETIC_CONFIG, syntheticFrame } from '../detect/fixtures';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const FROM = Date.parse('2024-04-17T00:00:00Z');
const TO = FROM + 24 * HOUR_MS;

/** Row of `t` in `f`. */
const rowOf = (f: CountryFrame, t: number) => (t - f.timestamps[0]) / frameStep(f);

/** Largest relative difference between the live frame and the table on hours neither filled (values above `floor`). */
function maxRelDiff(live: CountryFrame, table: CountryFrame, signal: string, floor = 1e-3): number {
  let worst = 0;
  live.timestamps.forEach((t, i) => {
    const j = rowOf(table, t);
    if (live.gap[i] || table.gap[j]) return;
    const a = live.signals[signal][i];
    const b = table.signals[signal][j];
    if (Math.abs(b) < floor) return;
    worst = Math.max(worst, Math.abs(a - b) / Math.abs(b));
  });
  return worst;
}

describe('data/live', function () {
  this.timeout(180_000);
  let dir: string;
  let cfg: Config;
  let table: CountryFrame;
  let spec: FeatureSpec;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-live-'));
    cfg = parseConfig({ ...SYNTHETIC_CONFIG, data: { ...SYNTHETIC_CONFIG.data, rawDir: path.join(dir, 'raw'), processedDir: path.join(dir, 'processed') }, features: { ...SYNTHETIC_CONFIG.features, baselineWeeks: 1, rollingHours: [3, 24] } });
    // eight weeks of the generator, processed like the datasets: the table the "model" was trained on
    table = await syntheticFrame('AT', '2024-03-04', '2024-04-28');
    writeProcessed(cfg.data.processedDir, table, { source: 'synthetic', fill: { maxInterpolateHours: 3, rule: 'test' }, gapHours: {} });
    spec = fitFeatureSpec(table, { start: 0, end: 24 * 28 }, cfg.features);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('when the window lies inside the local table, then the live frame is the table on its own scale (anchored MIN0_MAX)', async () => {
    const live = await fetchLiveFrame({ cfg, country: 'AT', fromMs: FROM, toMs: TO, spec, source: 'synthetic', now: NOW });
    const f = live.frame;
    assert.equal(f.timestamps[0], FROM - spec.warmupRows * HOUR_MS, 'starts one feature history before the range');
    assert.equal(f.timestamps[f.timestamps.length - 1], TO - HOUR_MS);
    assert.deepEqual(f.signalNames, table.signalNames);
    assert.deepEqual(Object.keys(live.scale).sort(), min0MaxSignals().sort());
    for (const s of min0MaxSignals()) {
      assert.equal(live.scale[s].method, 'anchor', s);
      // MIN0_MAX values are rounded to 6 decimals per response; the median ratio keeps the rest exact
      assert.ok(maxRelDiff(f, table, s) < 2e-3, `${s}: ${maxRelDiff(f, table, s)}`);
    }
    for (const s of ['bot_share', 'bgp_ips']) assert.ok(maxRelDiff(f, table, s, 0) < 1e-9, s);
    assert.equal(live.anchorRequests, min0MaxSignals().length, 'one joint request per MIN0_MAX signal');
    // labels of the live feeds, for the same hours
    const kinds = (fr: CountryFrame, from: number) => fr.timestamps.map((t, i) => (t >= from ? fr.labelKind[i] : '')).join(',');
    const tableKinds = f.timestamps.map((t) => (t >= FROM ? table.labelKind[rowOf(table, t)] : '')).join(',');
    assert.equal(kinds(f, FROM), tableKinds);
  });

  it('when there is no local table, then the volumes are matched to the training level instead', async () => {
    const live: LiveFrame = await fetchLiveFrame({ cfg, country: 'AT', fromMs: FROM, toMs: TO, spec, source: 'synthetic', now: NOW, anchorTable: null });
    assert.equal(live.anchorRequests, 0);
    for (const s of ['http', 'netflows']) {
      assert.equal(live.scale[s].method, 'level');
      // roughly the table's scale: no trend to speak of within two months
      const med = (xs: ArrayLike<number>) => Array.from(xs).sort((a, b) => a - b)[xs.length >> 1];
      const ratio = med(live.frame.signals[s]) / med(table.signals[s].subarray(rowOf(table, FROM) - spec.warmupRows, rowOf(table, TO)));
      assert.ok(ratio > 0.7 && ratio < 1.4, `${s} median ratio ${ratio}`);
    }
  });

  it('when the source is radar, then it goes through RADAR_API_BASE with the token, and each anchor is one joint request', async () => {
    const mock = await startMockRadar({ seed: cfg.generator.seed, generator: cfg.generator, now: () => NOW, requireToken: true, token: 'secret-token' });
    try {
      const viaRadar = await fetchLiveFrame({ cfg, country: 'AT', fromMs: FROM, toMs: TO, spec, source: 'radar', baseUrl: mock.url, token: 'secret-token', now: NOW });
      for (const s of min0MaxSignals()) assert.ok(maxRelDiff(viaRadar.frame, table, s) < 2e-3, s);
      const joint = mock.requests.filter((r) => Array.isArray(r.query.name));
      assert.equal(joint.length, min0MaxSignals().length);
      for (const r of joint) {
        assert.deepEqual(r.query.name, ['live', 'anchor']);
        assert.equal((r.query.dateStart as string[]).length, 2);
      }
      assert.ok(mock.requests.every((r) => !(r.path.includes('timeseries') && r.query.dateStart === undefined)));
    } finally {
      await mock.close();
    }
  });

  it('when the source is radar without a token, then a ConfigError says how to get one', async () => {
    const saved = process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    try {
      await assert.rejects(fetchLiveFrame({ cfg, country: 'AT', fromMs: FROM, toMs: TO, spec, source: 'radar', baseUrl: 'http://127.0.0.1:9', now: NOW }), (e: Error) => e instanceof ConfigError && /CLOUDFLARE_API_TOKEN/.test(e.message));
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved;
    }
  });

  it('when the model works on 15-minute steps, then the live window is fetched at aggInterval=15m and lines up with its 15-minute table', async () => {
    const Q = 15 * 60_000;
    const cfg15 = parseConfig({ ...cfg, data: { ...cfg.data, aggInterval: '15m', rawDir: path.join(dir, 'raw15'), processedDir: path.join(dir, 'processed15') } });
    await fetchRadar({ countries: ['AT'], from: '2024-04-01', to: '2024-04-14', source: 'synthetic', cfg: cfg15, now: NOW });
    preprocessCountries({ countries: ['AT'], source: 'synthetic', from: '2024-04-01', to: '2024-04-14', rawDir: cfg15.data.rawDir, processedDir: cfg15.data.processedDir, cfg: cfg15.data });
    const table15 = await readProcessed(cfg15.data.processedDir, 'AT');
    const spec15 = fitFeatureSpec(table15, { start: 0, end: 96 * 7 }, cfg15.features);
    assert.equal(spec15.stepMs, Q);
    const from = Date.parse('2024-04-10T00:00:00Z');
    const to = from + 6 * HOUR_MS + 30 * 60_000;
    const mock = await startMockRadar({ seed: cfg.generator.seed, generator: cfg.generator, now: () => NOW });
    try {
      // the config still says 1h: the model's step decides what is fetched
      const live = await fetchLiveFrame({ cfg, country: 'AT', fromMs: from, toMs: to, spec: spec15, source: 'radar', baseUrl: mock.url, token: 't', now: NOW, anchorTable: table15 });
      const f = live.frame;
      assert.equal(f.stepMs, Q);
      assert.equal(f.timestamps[0], from - spec15.warmupRows * Q);
      assert.equal(f.timestamps[f.timestamps.length - 1], to - Q);
      for (const s of min0MaxSignals()) {
        assert.equal(live.scale[s].method, 'anchor', s);
        assert.ok(maxRelDiff(f, table15, s) < 2e-3, `${s}: ${maxRelDiff(f, table15, s)}`);
      }
      const series = mock.requests.filter((r) => r.path !== '/bgp/ips/timeseries' && r.path.includes('timeseries'));
      assert.ok(series.length > 0 && series.every((r) => r.query.aggInterval === '15m'), 'every series request asks for 15-minute points');
      for (const r of series) {
        const [a, b] = [r.query.dateStart, r.query.dateEnd].map((x) => Date.parse(Array.isArray(x) ? x[0] : (x as string)));
        assert.ok(b - a <= 7 * 24 * HOUR_MS, 'at most 7 days per series');
      }
    } finally {
      await mock.close();
    }
    // a step Radar does not serve is refused up front
    await assert.rejects(fetchLiveFrame({ cfg, country: 'AT', fromMs: from, toMs: to, spec: { ...spec15, stepMs: 5 * 60_000 }, source: 'synthetic', now: NOW }), (e: Error) => e instanceof DataError && /5m steps, but live Radar data comes at 1h or 15m only/.test(e.message));
  });

  it('when the range reaches past the last complete hour, or the source is unknown, then an InputError says so', async () => {
    await assert.rejects(fetchLiveFrame({ cfg, country: 'AT', fromMs: NOW - HOUR_MS, toMs: NOW + HOUR_MS, spec, source: 'synthetic', now: NOW }), (e: Error) => e instanceof InputError && /last complete hour/.test(e.message));
    assert.throws(() => parseLiveSource('csv'), (e: Error) => e instanceof InputError && /Expected one of: radar, synthetic/.test(e.message));
  });
});
