import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOUR_MS } from '../../src/base/time';
import { fitCalibration } from '../../src/calibrate/calibrate';
import { saveCalibration } from '../../src/calibrate/store';
import { parseConfig } from '../../src/config/load';
import { resultDirs } from '../../src/data/paths';
import { describeProcessed, preprocessCountries, preprocessCountryDetailed } from '../../src/data/preprocess';
import { readProcessed, readProcessedMeta } from '../../src/data/processed';
import { RADAR_SIGNALS, type CountryFrame } from '../../src/data/types';
import { loadCountryDetector } from '../../src/detect/load';
import { DataError } from '../../src/errors';
import { saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import type { RawSeries } from '../../src/radar/endpoints';
import { fetchRadar } from '../../src/radar/fetch';
import { rawChunkPath } from '../../src/radar/raw-store';
import { trainCountry } from '../../src/train/country';
import { Watcher } from '../../src/watch/watcher';
import { tinyCountryConfig } from '../train/fixtures';

const T0 = Date.UTC(2024, 0, 1);
const iso = (h: number) => new Date(T0 + h * HOUR_MS).toISOString().replace('.000Z', 'Z');
const N = 96; // 2024-01-01 .. 2024-01-04
/** The "true" HTTP volume behind the two separately normalised chunks. */
const httpTrue = (h: number) => 200 + 120 * Math.sin((2 * Math.PI * h) / 24) + h;

describe('data/preprocess', () => {
  let raw: string;
  let out: string;
  const write = (series: RawSeries, startH: number, endH: number, result: unknown) => {
    const file = rawChunkPath(raw, 'synthetic', 'AT', series, iso(startH), iso(endH));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ success: true, errors: [], result }));
  };
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const meta = (extra: object = {}) => ({ dateRange: [{ startTime: iso(0), endTime: iso(N) }], aggInterval: 'ONE_HOUR', normalization: 'MIN0_MAX', ...extra });
  /** A MIN0_MAX /timeseries chunk over hours [a, b), rounded to 6 decimals like Radar, without hours in `skip`. */
  const minmaxChunk = (f: (h: number) => number, a: number, b: number, skip: number[] = [], m: object = meta()) => {
    const hs = range(a, b).filter((h) => !skip.includes(h));
    const max = Math.max(...hs.map(f));
    return { serie_0: { timestamps: hs.map(iso), values: hs.map((h) => (f(h) / max).toFixed(6)) }, meta: m };
  };

  before(() => {
    raw = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-raw-'));
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-out-'));
    const pipeline = { confidenceInfo: { level: 5, annotations: [
      { dataSource: 'HTTP', eventType: 'PIPELINE', description: 'data loss', startDate: iso(3), endDate: iso(5), isInstantaneous: false },
      // The outage below, also announced in the series meta: must not become a second label.
      { dataSource: 'ALL', eventType: 'OUTAGE', description: 'power', startDate: iso(34), endDate: iso(37), isInstantaneous: false },
    ] } };
    // Two overlapping http chunks (25 h overlap) on different MIN0_MAX scales; hour 60 missing.
    write('http', 0, 48, minmaxChunk(httpTrue, 0, 49, [], meta(pipeline)));
    write('http', 24, 95, minmaxChunk(httpTrue, 24, N, [60]));
    // netflows at 15-minute resolution: hourly value = mean of 4 points.
    const q = range(0, N * 4);
    write('netflows', 0, 95, { serie_0: { timestamps: q.map((k) => new Date(T0 + k * 900_000).toISOString()), values: q.map((k) => String(((k % 4) + 1) / 4)) }, meta: meta({ aggInterval: 'FIFTEEN_MINUTES' }) });
    write('l3', 0, 95, minmaxChunk((h) => (h === 50 ? 10 : 1), 0, N));
    write('l7', 0, 95, minmaxChunk((h) => 1 + (h % 5), 0, N));
    write('bot_class', 0, 95, { main: { timestamps: range(0, N).map(iso), BOT: range(0, N).map((h) => String(20 + (h % 10))), HUMAN: range(0, N).map((h) => String(80 - (h % 10))) }, meta: { ...meta(), normalization: 'PERCENTAGE' } });
    // BGP IPs every 4 hours, no aggInterval in meta (the endpoint has none): held between samples.
    const b4 = range(0, N / 4).map((k) => 4 * k);
    write('bgp_ips', 0, 95, { serie_0: { timestamps: b4.map(iso), ipv4: b4.map((h) => String(h < 70 ? 5000 : 4200)), ipv6: b4.map(() => '9e9') }, meta: { dateRange: { startTime: iso(0), endTime: iso(N) } } });
    write('outages', 0, 95, { annotations: [{ id: '1', dataSource: 'ALL', description: null, scope: null, startDate: iso(34), endDate: iso(37), locations: ['AT'], asns: [], eventType: 'OUTAGE', outage: { outageCause: 'POWER_OUTAGE', outageType: 'NATIONWIDE' } }] });
    write('anomalies', 0, 95, { trafficAnomalies: [
      { uuid: 'a1', type: 'LOCATION', status: 'VERIFIED', startDate: '2024-01-03T05:15:00Z', endDate: '2024-01-03T07:00:00Z', locationDetails: { code: 'AT', name: 'Austria' } },
      { uuid: 'a2', type: 'LOCATION', status: 'UNVERIFIED', startDate: iso(80), endDate: iso(82), locationDetails: { code: 'AT', name: 'Austria' } },
    ] });
  });
  after(() => {
    fs.rmSync(raw, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  const opts = () => ({ rawDir: raw, source: 'synthetic', country: 'AT', from: '2024-01-01', to: '2024-01-04', cfg: { fill: { maxInterpolateHours: 3 } } });

  it('stitches two overlapping http chunks on different scales into one continuous MIN0_MAX series', () => {
    const { frame, gapHours } = preprocessCountryDetailed(opts());
    assert.equal(frame.timestamps.length, N);
    assert.deepEqual(frame.signalNames, [...RADAR_SIGNALS]);
    const max = Math.max(...range(0, N).map(httpTrue));
    for (const h of range(0, N)) {
      const want = h === 60 ? (httpTrue(59) + httpTrue(61)) / 2 / max : httpTrue(h) / max; // hour 60: interpolated
      assert.ok(Math.abs(frame.signals.http[h] - want) < 1e-4, `hour ${h}: ${frame.signals.http[h]} vs ${want}`);
    }
    assert.equal(gapHours.http, 1);
    assert.deepEqual(range(0, N).filter((h) => frame.gap[h]), [60]);
  });

  it('resamples, derives bot share and holds sparse BGP counts', () => {
    const { frame, resample } = preprocessCountryDetailed(opts());
    assert.ok(range(0, N).every((h) => Math.abs(frame.signals.netflows[h] - 1) < 1e-12), 'mean of 0.25..1 is 0.625 on every hour, rescaled to max 1');
    assert.match(resample.netflows, /mean of 15-minute points/);
    assert.equal(frame.signals.bot_share[13], 23);
    assert.equal(frame.signals.l3[50], 1);
    assert.equal(frame.signals.l3[49], 0.1);
    assert.deepEqual([frame.signals.bgp_ips[67], frame.signals.bgp_ips[68], frame.signals.bgp_ips[71], frame.signals.bgp_ips[72]], [5000, 5000, 5000, 4200]);
    assert.equal(frame.signals.bgp_ips[95], 4200);
    assert.ok(RADAR_SIGNALS.every((s) => frame.signals[s].every(Number.isFinite)));
  });

  it('marks PIPELINE hours unreliable and puts merged labels on the right hours', () => {
    const { frame } = preprocessCountryDetailed(opts());
    assert.deepEqual(range(0, N).filter((h) => frame.unreliable[h]), [3, 4]);
    assert.deepEqual(frame.labels.map((l) => [l.kind, l.source, l.start, l.end]), [
      ['outage', 'radar-outage', '2024-01-02T10:00:00Z', '2024-01-02T13:00:00Z'],
      ['partial_outage', 'radar-anomaly', '2024-01-03T05:15:00Z', '2024-01-03T07:00:00Z'],
    ]);
    const labelled = range(0, N).filter((h) => frame.labelKind[h]).map((h) => `${h}:${frame.labelKind[h]}`);
    assert.deepEqual(labelled, ['34:outage', '35:outage', '36:outage', '53:partial_outage', '54:partial_outage']);
    const withUnverified = preprocessCountryDetailed({ ...opts(), includeUnverified: true }).frame;
    assert.equal(withUnverified.labelKind[80], 'partial_outage');
  });

  it('writes every country with processed.ts and reads back the same frame', async () => {
    const [r] = preprocessCountries({ ...opts(), countries: ['AT'], processedDir: out });
    assert.equal(r.meta.rows, N);
    assert.equal(r.meta.gapHours.http, 1);
    assert.match(describeProcessed(r.meta), /^AT: 96 rows 2024-01-01\.\.2024-01-04; gap hours http=1 .*labels outage=1 partial_outage=1$/);
    const back = await readProcessed(out, 'AT');
    assert.deepEqual(back, preprocessCountryDetailed(opts()).frame);
  });

  it('says to run fetch when raw data is missing or does not cover the range', () => {
    assert.throws(() => preprocessCountryDetailed({ ...opts(), country: 'DE' }), (e: unknown) => e instanceof DataError && /No raw data for DE.*radarwatch fetch --countries DE --source synthetic --from 2024-01-01 --to 2024-01-04/.test(e.message));
    assert.throws(() => preprocessCountryDetailed({ ...opts(), from: '2025-01-01', to: '2025-01-02' }), /do not cover 2025-01-01\.\.2025-01-02.*radarwatch fetch/);
  });
});

describe('data/preprocess at data.aggInterval 15m: local mock → fetch → preprocess → train → calibrate', function () {
  this.timeout(300_000);
  const Q = 15 * 60_000;
  const NOW = Date.parse('2025-06-01T00:00:00Z');
  const [FROM, TO] = ['2024-03-04', '2024-03-24']; // three weeks from a Monday
  let root: string;
  let saved: string | undefined;
  const config = () => {
    const base = tinyCountryConfig(3);
    return parseConfig({ ...base, countries: ['AT'], data: { ...base.data, aggInterval: '15m', rawDir: path.join(root, 'raw'), processedDir: path.join(root, 'processed') } });
  };
  let quarter: CountryFrame;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-15m-'));
    saved = process.env.RADARWATCH_RESULTS;
    process.env.RADARWATCH_RESULTS = path.join(root, 'results');
    const cfg = config();
    await fetchRadar({ countries: ['AT'], from: FROM, to: TO, source: 'synthetic', cfg, now: NOW });
    const [r] = preprocessCountries({ countries: ['AT'], source: 'synthetic', from: FROM, to: TO, rawDir: cfg.data.rawDir, processedDir: cfg.data.processedDir, cfg: cfg.data });
    assert.equal(r.meta.stepMs, Q);
    quarter = await readProcessed(cfg.data.processedDir, 'AT');
  });
  after(() => {
    if (saved === undefined) delete process.env.RADARWATCH_RESULTS;
    else process.env.RADARWATCH_RESULTS = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes a 15-minute table: 96 rows a day, every signal finite, BGP counts held through the hour', () => {
    assert.equal(quarter.stepMs, Q);
    assert.equal(quarter.timestamps.length, 21 * 96);
    assert.equal(quarter.timestamps[quarter.timestamps.length - 1], Date.parse(`${TO}T23:45:00Z`));
    assert.ok(quarter.timestamps.every((t, i) => i === 0 || t - quarter.timestamps[i - 1] === Q));
    assert.ok(RADAR_SIGNALS.every((s) => quarter.signals[s].every(Number.isFinite)));
    assert.equal(Math.max(...quarter.signals.http), 1, 'one MIN0_MAX scale over the range');
    const meta = readProcessedMeta(config().data.processedDir, 'AT');
    assert.deepEqual([meta.resample?.http, meta.resample?.bgp_ips], ['15m as received', 'last value held for 1 h']);
    assert.match(meta.fill.rule, /\(12 steps of 15m\)/);
    assert.match(describeProcessed(meta), /^AT: 2016 rows of 15m 2024-03-04\.\.2024-03-24; gap steps /);
  });

  it('gives hourly means of the quarters that match the hourly table, and a daily shape that runs through the hour', async () => {
    const raw1h = path.join(root, 'raw-1h');
    await fetchRadar({ countries: ['AT'], from: FROM, to: TO, source: 'synthetic', cfg: config(), rawDir: raw1h, aggInterval: '1h', now: NOW });
    const hourly = preprocessCountryDetailed({ rawDir: raw1h, source: 'synthetic', country: 'AT', from: FROM, to: TO, cfg: { fill: { maxInterpolateHours: 3 }, aggInterval: '1h' } }).frame;
    assert.equal(hourly.stepMs, undefined);
    const ratios: number[] = [];
    let ramps = 0;
    let along = 0;
    const nf = hourly.signals.netflows;
    for (let h = 1; h + 1 < hourly.timestamps.length; h++) {
      if ([h - 1, h, h + 1].some((k) => hourly.gap[k]) || [0, 1, 2, 3].some((q) => quarter.gap[4 * h + q])) continue;
      const q = [0, 1, 2, 3].map((k) => quarter.signals.netflows[4 * h + k]);
      // the quarters of an hour tell the same story as the hourly table: their mean follows it up to the mock's 3 % jitter
      ratios.push(q.reduce((a, b) => a + b, 0) / 4 / nf[h]);
      // on a ramp of the daily cycle, the quarters climb (or fall) through the hour instead of standing still
      if (Math.abs(nf[h + 1] - nf[h - 1]) > 0.2 * nf[h]) {
        ramps++;
        if (Math.sign(q[3] - q[0]) === Math.sign(nf[h + 1] - nf[h - 1])) along++;
      }
    }
    ratios.sort((a, b) => a - b);
    const spread = ratios[Math.floor(ratios.length * 0.95)] / ratios[Math.floor(ratios.length * 0.05)];
    assert.ok(spread < 1.08, `hourly mean of quarters / hourly value varies by a factor ${spread} (median ${ratios[ratios.length >> 1]})`);
    assert.ok(ramps > 50 && along > 0.8 * ramps, `${along} of ${ramps} ramp hours have quarters moving with the ramp`);
  });

  it('trains and calibrates a tiny model on the 15-minute table through the usual functions', async () => {
    await initBackend();
    const cfg = config();
    const r = await trainCountry(quarter, cfg, { progress: false });
    await saveDetector(resultDirs.model('AT'), r, cfg, { country: 'AT' });
    r.model.dispose();
    const det = await loadCountryDetector(cfg, 'AT');
    try {
      assert.equal(det.spec.stepMs, Q);
      const v = det.meta.split.validation;
      const cal = fitCalibration(quarter, det, Date.parse(v.from), Date.parse(v.to));
      assert.ok(cal.fittedOn.rows > 96, `${cal.fittedOn.rows} validation rows of 15 minutes`);
      assert.ok(Number.isFinite(cal.threshold.value) && cal.threshold.value > 0, JSON.stringify(cal.threshold));
      assert.ok(cal.budget.share > 0 && cal.budget.share < 0.01, 'the false-alarm budget is per week, so a row of 15 minutes gets a quarter of an hour\'s share');
      saveCalibration(det.dir, cal);
    } finally {
      det.dispose();
    }
    // the watcher keeps an hourly series: it refuses a 15-minute model up front instead of mixing steps
    await assert.rejects(Watcher.open({ cfg, countries: ['AT'], source: 'synthetic', dbPath: path.join(root, 'watch.db'), now: () => NOW, out: () => undefined }), (e: Error) => e instanceof DataError && /Cannot watch AT: its model works on 15m steps/.test(e.message));
  });
});

