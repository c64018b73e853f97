import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DAY_MS, HOUR_MS } from '../../src/base/time';
import { scoreRange } from '../../src/detect/detect';
import { toDetectHours } from '../../src/detect/hours';
import { budgetShare, probabilityOf } from '../../src/detect/probability';
import type { Config } from '../../src/config/schema';
import { processedPaths, resultDirs } from '../../src/data/paths';
import { loadCountryDetector, loadCountryRun } from '../../src/detect/load';
import { ANSWERS_PER_COUNTRY, createDetectionService, type DetectionServiceOptions } from '../../src/detect/service';
import { CAUSES, type DetectResult } from '../../src/detect/types';
import { DataError, NotFittedError, NotFoundError } from '../../src/errors';
import { createApp } from '../../src/server/app';
import type { DetectionService } from '../../src/server/deps';
import { listen } from '../../src/server/listen';
import { DETECTOR_FILES, type Detector } from '../../src/model/artifact';
import { makeTinyRun, TINY_HOURS, type TinyRun } from './fixtures';

const iso = (ms: number) => new Date(ms).toISOString();

/** Checks the documented DetectResult contract, key by key. */
function assertShape(r: DetectResult, withSeries: boolean): void {
  assert.deepEqual(Object.keys(r).sort(), ['country', 'events', 'from', 'hours', 'model', 'to', ...(withSeries ? ['series'] : [])].sort());
  assert.deepEqual(Object.keys(r.model).sort(), ['createdAt', 'detector', 'dir', 'falseAlarmsPerWeek', 'temperature', 'threshold', 'thresholdMethod', 'trainedFrom', 'trainedTo']);
  assert.equal(r.model.thresholdMethod, 'probability');
  assert.equal(r.model.threshold, 0.5);
  assert.ok(r.model.falseAlarmsPerWeek > 0, `falseAlarmsPerWeek ${r.model.falseAlarmsPerWeek}`);
  for (const h of r.hours) {
    assert.deepEqual(Object.keys(h), ['timestamp', 'scorable', 'probability', 'score', 'evidence', 'threshold', 'anomaly', 'signals']);
    assert.equal(h.threshold, 0.5);
    assert.equal(h.score, h.probability);
    if (!h.scorable) {
      // warm-up rows: no probability, never anomalous, no signal shares
      assert.equal(h.probability, null);
      assert.equal(h.evidence, null);
      assert.equal(h.anomaly, false);
      assert.deepEqual(h.signals, {});
      continue;
    }
    assert.ok(h.probability !== null && h.probability >= 0 && h.probability <= 1, `probability in [0, 1], got ${h.probability}`);
    assert.equal(h.anomaly, h.probability > h.threshold);
    // the evidence (decades, 3 decimals) is the probability's own: probability = 1 / (1 + 10^−evidence / budget)
    assert.ok(h.evidence !== null && Number.isFinite(h.evidence), `evidence of ${h.timestamp}`);
    const back = probabilityOf(Math.pow(10, -h.evidence), budgetShare(r.model.falseAlarmsPerWeek, HOUR_MS));
    assert.ok(Math.abs(back - h.probability) < 5e-4, `${h.timestamp}: probability ${h.probability} from evidence ${h.evidence} is ${back}`);
    const sum = Object.values(h.signals).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, `signal shares sum to 1, got ${sum}`);
  }
  for (const e of r.events) {
    assert.ok((CAUSES as readonly string[]).includes(e.cause));
    assert.ok(['low', 'medium', 'high', 'critical'].includes(e.severity));
    assert.ok(e.topSignals.length > 0 && e.topSignals.every((s) => typeof s.signal === 'string' && (s.direction === 'up' || s.direction === 'down')));
    // the peak is the event's most anomalous hour by evidence (its order holds where probabilities read 1)
    const inside = r.hours.filter((h) => h.anomaly && h.timestamp >= e.start && h.timestamp < e.end).map((h) => h.evidence!);
    assert.ok(e.peakEvidence !== undefined && inside.includes(e.peakEvidence) && inside.every((x) => x <= e.peakEvidence!), `peak evidence ${e.peakEvidence} of ${inside.join(', ')}`);
  }
}

describe('detect/service', function () {
  this.timeout(180_000);
  let run: TinyRun;
  let svc: DetectionService;

  before(async () => {
    run = await makeTinyRun({ countries: ['AT'], uncalibrated: ['DE'] });
    svc = await createDetectionService(run.cfg);
  });
  after(async () => {
    await svc?.close?.();
    run?.cleanup();
  });

  it('when models are loaded, then only calibrated countries are served, with their data range', () => {
    const cs = svc.countries();
    assert.deepEqual(cs.map((c) => c.code), ['AT'], 'DE has no calibration.json and is skipped');
    const at = cs[0];
    assert.equal(at.name.length > 0, true);
    // every row of the table is served (the first week of feature history as warm-up rows); the table ends after TINY_HOURS hours
    assert.equal(at.dataFrom, iso(run.frame.timestamps[0]));
    assert.equal(at.dataTo, iso(run.frame.timestamps[TINY_HOURS - 1] + HOUR_MS));
    assert.ok(Date.parse(at.trainedFrom) < Date.parse(at.trainedTo));
  });

  it('when a country-day is asked for, then the result has the documented shape and equals scoreRange', async () => {
    const from = Date.parse('2023-02-07T00:00:00Z');
    const r = await svc.detect('AT', new Date(from), new Date(from + DAY_MS), { series: false });
    assertShape(r, false);
    assert.equal(r.country, 'AT');
    assert.equal(r.from, iso(from));
    assert.equal(r.to, iso(from + DAY_MS));
    assert.equal(r.hours.length, 24);
    assert.equal(r.model.dir, path.join(run.root, 'results', 'models', 'AT'));

    // the reference: scoreRange over exactly this day, from freshly loaded artifacts
    const { det, cal, frame } = await loadCountryRun(run.cfg, 'AT');
    const ref = toDetectHours(scoreRange(frame, det, cal, from, from + DAY_MS).hours);
    det.dispose();
    assert.equal(r.model.threshold, 0.5);
    assert.equal(r.model.temperature, cal!.temperature.T);
    assert.equal(r.model.detector, cal!.detector);
    assert.equal(r.model.falseAlarmsPerWeek, cal!.budget.falseAlarmsPerWeek);
    assert.equal(ref.length, 24);
    ref.forEach((h, i) => {
      const got = r.hours[i];
      assert.equal(got.timestamp, h.timestamp);
      assert.equal(got.scorable, true, `${h.timestamp} is past the warm-up`);
      assert.equal(got.scorable, h.scorable);
      assert.equal(got.anomaly, h.anomaly);
      assert.equal(got.threshold, h.threshold);
      // the service scores the whole table once; rolling sums started at another row differ by float rounding only
      assert.ok(got.score !== null && h.score !== null, `score of ${h.timestamp}`);
      assert.ok(Math.abs(got.score - h.score) <= 1e-5 * Math.max(1, Math.abs(h.score)), `score of ${h.timestamp}: ${got.score} vs ${h.score}`);
      for (const k of Object.keys(h.signals)) assert.ok(Math.abs(got.signals[k] - h.signals[k]) <= 2e-4, `${k} share of ${h.timestamp}`);
    });
  });

  it('when the range holds the injected outage, then its hours are flagged and grouped into an event, with series and label', async () => {
    const from = run.outage.start - 6 * HOUR_MS;
    const r = await svc.detect('AT', new Date(from), new Date(from + DAY_MS), { series: true });
    assertShape(r, true);
    const flagged = r.hours.filter((h) => h.anomaly).map((h) => Date.parse(h.timestamp));
    assert.ok(flagged.includes(run.outage.start), `outage start ${iso(run.outage.start)} flagged; flagged: ${flagged.map(iso).join(', ')}`);
    const ev = r.events.find((e) => Date.parse(e.start) <= run.outage.start && Date.parse(e.end) > run.outage.start);
    assert.ok(ev, 'an event covers the outage');
    assert.ok(ev!.topSignals.some((s) => (s.signal === 'http' || s.signal === 'netflows') && s.direction === 'down'), JSON.stringify(ev!.topSignals));
    const s = r.series!;
    assert.deepEqual(Object.keys(s.signals), ['http', 'netflows', 'l3', 'l7', 'bot_share', 'bgp_ips']);
    for (const v of Object.values(s.signals)) assert.equal(v.length, 24);
    assert.deepEqual(s.labels, [{ start: iso(run.outage.start), end: iso(run.outage.end), kind: 'outage' }]);
  });

  it('when Radar marks the hours of a dip unreliable (PIPELINE), then neither source alarms there, and the same dip unmarked does', async () => {
    const { det, cal, frame } = await loadCountryRun(run.cfg, 'AT');
    try {
      const from = run.outage.start - 6 * HOUR_MS;
      const to = from + DAY_MS;
      const rows = frame.timestamps.map((t, i) => (t >= run.outage.start && t < run.outage.end ? i : -1)).filter((i) => i >= 0);
      const unreliable = Uint8Array.from(frame.unreliable);
      for (const i of rows) unreliable[i] = 1;
      const marked = toDetectHours(scoreRange({ ...frame, unreliable }, det, cal, from, to).hours);
      const inDip = marked.filter((h) => Date.parse(h.timestamp) >= run.outage.start && Date.parse(h.timestamp) < run.outage.end);
      assert.equal(inDip.length, rows.length);
      // (a trailing window may still carry the hours before the dip; the dip's own values are no evidence)
      for (const h of inDip) assert.ok(!h.anomaly, `${h.timestamp}: anomaly with score ${h.score}`);
      const unmarked = toDetectHours(scoreRange(frame, det, cal, from, to).hours);
      assert.ok(unmarked.some((h) => h.anomaly && Date.parse(h.timestamp) >= run.outage.start && Date.parse(h.timestamp) < run.outage.end));
    } finally {
      det.dispose();
    }
  });

  it('when the country is unknown, then a NotFoundError lists the known ones', async () => {
    await assert.rejects(svc.detect('XX', new Date('2023-02-07T00:00:00Z'), new Date('2023-02-08T00:00:00Z'), { series: false }), (e: Error) => e instanceof NotFoundError && /Unknown country "XX"\. Known: AT$/.test(e.message));
    await assert.rejects(svc.detect('DE', new Date('2023-02-07T00:00:00Z'), new Date('2023-02-08T00:00:00Z'), { series: false }), NotFoundError);
  });

  it('when the range lies within the feature history, then its rows come back as warm-up rows (not scorable)', async () => {
    const r = await svc.detect('AT', new Date('2023-01-03T00:00:00Z'), new Date('2023-01-04T00:00:00Z'), { series: false });
    assertShape(r, false);
    assert.equal(r.hours.length, 24);
    assert.ok(r.hours.every((h) => !h.scorable && h.probability === null && !h.anomaly), 'the second day of data is warm-up');
    assert.deepEqual(r.events, []);
    // the whole table: every row comes back, warm-up rows first, then scored rows only
    const at = svc.countries()[0];
    const all = await svc.detect('AT', new Date(at.dataFrom), new Date(at.dataTo), { series: false });
    assert.equal(all.hours.length, TINY_HOURS);
    const k = all.hours.findIndex((h) => h.scorable);
    assert.ok(k >= 48 && k <= 168, `first scorable row ${k}: after the second day, within the first week of history`);
    assert.ok(all.hours.slice(k).every((h) => h.scorable), 'no warm-up row after the first scorable one');
    // a day straddling the end of the warm-up is warm-up, then scored, with the same probabilities as the whole table
    const w = Date.parse(all.hours[k].timestamp);
    const s = await svc.detect('AT', new Date(w - 12 * HOUR_MS), new Date(w + 12 * HOUR_MS), { series: false });
    assertShape(s, false);
    assert.deepEqual(s.hours.map((h) => h.scorable), [...Array(12).fill(false), ...Array(12).fill(true)]);
    assert.deepEqual(s.hours, all.hours.slice(k - 12, k + 12));
  });

  it('when the range lies outside the data, then a DataError gives the available range', async () => {
    const at = svc.countries()[0];
    const check = (e: Error) => e instanceof DataError && e.message.includes(at.dataFrom) && e.message.includes(at.dataTo);
    // before the start, after the end, and straddling the end
    await assert.rejects(svc.detect('AT', new Date(Date.parse(at.dataFrom) - DAY_MS), new Date(at.dataFrom), { series: false }), check);
    await assert.rejects(svc.detect('AT', new Date(Date.parse(at.dataFrom) - HOUR_MS), new Date(Date.parse(at.dataFrom) + HOUR_MS), { series: false }), check);
    await assert.rejects(svc.detect('AT', new Date('2024-01-03T00:00:00Z'), new Date('2024-01-04T00:00:00Z'), { series: false }), check);
    await assert.rejects(svc.detect('AT', new Date(Date.parse(at.dataTo) - HOUR_MS), new Date(Date.parse(at.dataTo) + HOUR_MS), { series: false }), check);
    // the last scorable hour alone is fine
    const r = await svc.detect('AT', new Date(Date.parse(at.dataTo) - HOUR_MS), new Date(at.dataTo), { series: false });
    assert.equal(r.hours.length, 1);
  });

  it('when served over HTTP, then /api/detect answers with the real service and an unknown country is a 404 listing the known ones', async () => {
    const running = await listen(createApp({ service: svc, config: run.cfg }), { host: '127.0.0.1', port: 0 });
    try {
      const ok = await fetch(`${running.url}/api/detect?country=at&date=2023-02-07&include=series`);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(ok.headers.get('cache-control'), 'no-store');
      assert.ok(ok.headers.get('content-security-policy'));
      const body = (await ok.json()) as DetectResult;
      assertShape(body, true);
      assert.deepEqual(body, await svc.detect('AT', new Date('2023-02-07T00:00:00Z'), new Date('2023-02-08T00:00:00Z'), { series: true }));
      const nf = await fetch(`${running.url}/api/detect?country=FR&date=2023-02-07`);
      assert.equal(nf.status, 404);
      assert.match(((await nf.json()) as { error: { message: string } }).error.message, /Unknown country or dataset "FR"\. Known: AT/);
      const out = await fetch(`${running.url}/api/detect?country=AT&date=2024-02-07`);
      assert.equal(out.status, 422);
      const health = (await (await fetch(`${running.url}/api/health`)).json()) as { models: number };
      assert.equal(health.models, 1);
    } finally {
      await running.close();
    }
  });

  it('when no model is trained and calibrated, then a NotFittedError says to run train and calibrate', async () => {
    const saved = process.env.RADARWATCH_RESULTS;
    process.env.RADARWATCH_RESULTS = path.join(run.root, 'empty');
    fs.mkdirSync(path.join(run.root, 'empty', 'models', 'FR'), { recursive: true });
    try {
      await assert.rejects(createDetectionService(run.cfg), (e: Error) => e instanceof NotFittedError && /radarwatch train/.test(e.message) && /calibrate/.test(e.message) && /FR/.test(e.message));
    } finally {
      process.env.RADARWATCH_RESULTS = saved;
    }
  });
});

/** Copies the model folder and processed table of `from` under the id `to` (the copy passes every check, fingerprint included). */
function cloneCountry(cfg: Config, from: string, to: string): void {
  const src = resultDirs.model(from);
  const dst = resultDirs.model(to);
  fs.mkdirSync(dst, { recursive: true });
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  const a = processedPaths(cfg.data.processedDir, from);
  const b = processedPaths(cfg.data.processedDir, to);
  fs.copyFileSync(a.csv, b.csv);
  fs.copyFileSync(a.labels, b.labels);
  fs.writeFileSync(b.meta, JSON.stringify({ ...JSON.parse(fs.readFileSync(a.meta, 'utf8')), id: to }));
}

/** A detector loader that records loads and disposals, optionally waiting on a gate per country before loading. */
function countingLoader(gates: Record<string, Promise<void>> = {}) {
  const loads: string[] = [];
  const disposed: string[] = [];
  const load = async (cfg: Config, cc: string): Promise<Detector> => {
    loads.push(cc);
    await gates[cc];
    const det = await loadCountryDetector(cfg, cc);
    const dispose = det.dispose;
    return {
      ...det,
      dispose() {
        disposed.push(cc);
        dispose();
      },
    };
  };
  return { loads, disposed, load };
}

const DAY = (iso: string) => [new Date(iso), new Date(Date.parse(iso) + DAY_MS)] as const;

describe('detect/service: lazy loading and the LRU of loaded countries', function () {
  this.timeout(300_000);
  let run: TinyRun;
  const services: DetectionService[] = [];
  const lazy = async (opts: DetectionServiceOptions = {}) => {
    const svc = await createDetectionService(run.cfg, { preload: false, ...opts });
    services.push(svc);
    return svc;
  };

  before(async () => {
    run = await makeTinyRun({ countries: ['AT'], epochs: 3 });
    for (const cc of ['BR', 'CH', 'FR']) cloneCountry(run.cfg, 'AT', cc);
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close?.();
  });
  after(() => run?.cleanup());

  it('when the service starts lazily, then no model is loaded until a country is first asked for, and countries() is complete from the start', async () => {
    const l = countingLoader();
    const svc = await lazy({ loadDetector: l.load });
    assert.deepEqual(l.loads, [], 'nothing loaded at start');
    assert.deepEqual(svc.countries().map((c) => c.code), ['AT', 'BR', 'CH', 'FR']);
    const at = svc.countries()[0];
    assert.equal(at.dataFrom, iso(run.frame.timestamps[0]));
    assert.equal(at.dataTo, iso(run.frame.timestamps[TINY_HOURS - 1] + HOUR_MS));
    assert.ok(Date.parse(at.trainedFrom) < Date.parse(at.trainedTo));
    assert.deepEqual(svc.degraded?.(), []);
    assert.deepEqual(svc.cache?.(), { mode: 'lazy', loaded: 0, loading: 0, megabytes: 0, maxCountries: 0, maxMegabytes: 1024, loads: 0, evictions: 0, answers: { kept: 0, hits: 0, misses: 0 } });
    // a range outside the data is refused before anything is loaded
    await assert.rejects(svc.detect('AT', ...DAY('2024-01-03T00:00:00Z'), { series: false }), DataError);
    assert.deepEqual(l.loads, []);
    await svc.detect('BR', ...DAY('2023-02-07T00:00:00Z'), { series: false });
    await svc.detect('BR', ...DAY('2023-02-08T00:00:00Z'), { series: false });
    assert.deepEqual(l.loads, ['BR'], 'the first request loads the country, later ones reuse it');
    assert.equal(svc.cache?.().loaded, 1);
    assert.ok(svc.cache!().megabytes > 0);
  });

  it('when many first requests for a country arrive at once, then they share one load and get the same answer', async () => {
    const l = countingLoader();
    const svc = await lazy({ loadDetector: l.load });
    const days = ['2023-02-07', '2023-02-07', '2023-02-08', '2023-02-09', '2023-02-07', '2023-02-10'].map((d) => DAY(`${d}T00:00:00Z`));
    const rs = await Promise.all(days.map(([f, t]) => svc.detect('CH', f, t, { series: true })));
    assert.deepEqual(l.loads, ['CH']);
    assert.deepEqual(rs[0], rs[1]);
    assert.deepEqual(rs[0], rs[4]);
    assert.deepEqual(rs.map((r) => r.from.slice(0, 10)), ['2023-02-07', '2023-02-07', '2023-02-08', '2023-02-09', '2023-02-07', '2023-02-10']);
  });

  it('when more countries are asked for than maxCountries, then the least recently used is evicted with its model disposed, and reloads on its next request', async () => {
    const l = countingLoader();
    const svc = await lazy({ loadDetector: l.load, cache: { maxCountries: 2 } });
    const ask = (cc: string) => svc.detect(cc, ...DAY('2023-02-07T00:00:00Z'), { series: false });
    await ask('AT');
    await ask('BR');
    await ask('AT'); // AT is now the most recently used
    assert.deepEqual(l.disposed, []);
    await ask('CH');
    assert.deepEqual(l.disposed, ['BR'], 'BR was the least recently used');
    assert.deepEqual([svc.cache!().loaded, svc.cache!().evictions], [2, 1]);
    await ask('BR');
    assert.deepEqual(l.loads, ['AT', 'BR', 'CH', 'BR']);
    assert.deepEqual(l.disposed, ['BR', 'AT'], 'then AT was');
    await svc.close?.();
    assert.deepEqual([...l.disposed].sort(), ['AT', 'BR', 'BR', 'CH'], 'close() disposes the rest');
  });

  it('when the estimated memory exceeds maxMegabytes, then least recently used countries are evicted until it fits', async () => {
    const probe = await lazy();
    await probe.detect('AT', ...DAY('2023-02-07T00:00:00Z'), { series: false });
    const one = probe.cache!().megabytes;
    const l = countingLoader();
    const svc = await lazy({ loadDetector: l.load, cache: { maxMegabytes: one * 2.5 } });
    for (const cc of ['AT', 'BR', 'CH', 'FR']) await svc.detect(cc, ...DAY('2023-02-07T00:00:00Z'), { series: false });
    assert.deepEqual(l.disposed, ['AT', 'BR']);
    assert.equal(svc.cache!().loaded, 2);
    assert.ok(svc.cache!().megabytes <= one * 2.5, `${svc.cache!().megabytes} MB within ${one * 2.5}`);
  });

  it('when countries are evicted while concurrent requests load and use them, then every request completes and each model is disposed once, after its last use', async () => {
    const l = countingLoader();
    // one country at a time, 100-row blocks: most requests load a country or score a block after another one's load
    const svc = await lazy({ loadDetector: l.load, cache: { maxCountries: 1 }, blockRows: 100 });
    const days = ['2023-01-20', '2023-02-07', '2023-02-12'];
    const rs = await Promise.all(['AT', 'BR', 'CH', 'FR'].flatMap((cc) => days.map(async (d) => [cc, await svc.detect(cc, ...DAY(`${d}T00:00:00Z`), { series: true })] as const)));
    for (const [cc, r] of rs) {
      assert.equal(r.country, cc);
      assert.equal(r.hours.length, 24);
      assert.ok(r.hours.every((h) => h.scorable && h.probability !== null), `${cc} ${r.from}: every hour scored (a disposed model would have thrown)`);
    }
    assert.equal(svc.cache!().loaded, 1);
    assert.equal(l.disposed.length, l.loads.length - 1, 'every load but the one kept was disposed');
    for (const cc of new Set(l.loads)) assert.ok(l.disposed.filter((x) => x === cc).length <= l.loads.filter((x) => x === cc).length, `${cc} disposed at most once per load`);
  });

  it('when a range is asked for as JSON, then the body is detect() serialised, a repeat is answered from the kept body, and kept bodies are bounded and counted in memory', async () => {
    const l = countingLoader();
    const svc = await lazy({ loadDetector: l.load, cache: { maxCountries: 1 } });
    const day = DAY('2023-02-07T00:00:00Z');
    const body = await svc.detectJson!('AT', ...day, { series: false });
    assert.deepEqual(JSON.parse(body.toString('utf8')), JSON.parse(JSON.stringify(await svc.detect('AT', ...day, { series: false }))));
    const mb = svc.cache!().megabytes;
    assert.equal(await svc.detectJson!('AT', ...day, { series: false }), body, 'the same range again: the kept body');
    assert.notEqual(await svc.detectJson!('AT', ...day, { series: true }), body, 'with series: another answer');
    assert.deepEqual(svc.cache!().answers, { kept: 2, hits: 1, misses: 2 });
    assert.ok(svc.cache!().megabytes > mb, 'kept bodies count towards the cache\'s memory');
    // more distinct ranges than a country keeps: the least recently used go, the count stays bounded
    for (let h = 0; h < ANSWERS_PER_COUNTRY + 10; h++) await svc.detectJson!('AT', new Date(Date.parse('2023-02-01T00:00:00Z') + h * HOUR_MS), new Date(Date.parse('2023-02-01T01:00:00Z') + h * HOUR_MS), { series: false });
    assert.equal(svc.cache!().answers!.kept, ANSWERS_PER_COUNTRY);
    // evicting the country drops its bodies with it; errors are thrown like detect()'s
    await svc.detectJson!('BR', ...day, { series: false });
    assert.deepEqual(l.disposed, ['AT']);
    assert.equal(svc.cache!().answers!.kept, 1);
    await assert.rejects(svc.detectJson!('AT', ...DAY('2024-01-03T00:00:00Z'), { series: false }), DataError);
    await assert.rejects(svc.detectJson!('XX', ...day, { series: false }), NotFoundError);
  });

  it('when blocks are scored on demand, then answers equal the eager path (the whole table scored at start) for the same ranges', async () => {
    const eager = await createDetectionService(run.cfg, { preload: true, countries: ['AT'] });
    services.push(eager);
    assert.equal(eager.cache?.().mode, 'preloaded');
    // blocks of 100 rows: ranges inside one block, across blocks, in the warm-up, and the whole table
    const svc = await lazy({ countries: ['AT'], blockRows: 100 });
    const at = svc.countries()[0];
    assert.deepEqual(eager.countries(), svc.countries());
    const ranges: [string, string][] = [
      ['2023-02-07T00:00:00Z', '2023-02-08T00:00:00Z'],
      ['2023-01-03T00:00:00Z', '2023-01-04T00:00:00Z'],
      [new Date(run.outage.start - 30 * HOUR_MS).toISOString(), new Date(run.outage.start + 50 * HOUR_MS).toISOString()],
      [at.dataFrom, at.dataTo],
    ];
    for (const [f, t] of ranges) {
      const [want, got] = await Promise.all([eager.detect('AT', new Date(f), new Date(t), { series: true }), svc.detect('AT', new Date(f), new Date(t), { series: true })]);
      assert.equal(got.hours.length, want.hours.length);
      assert.deepEqual(got.series, want.series);
      assert.deepEqual(got.model, want.model);
      want.hours.forEach((h, i) => {
        const g = got.hours[i];
        assert.deepEqual([g.timestamp, g.scorable, g.anomaly], [h.timestamp, h.scorable, h.anomaly], `${f}: row ${i}`);
        if (h.score === null) return assert.equal(g.score, null);
        // rolling sums started at another row differ by float rounding only
        assert.ok(Math.abs(g.score! - h.score) <= 1e-5 * Math.max(1, Math.abs(h.score)), `${h.timestamp}: ${g.score} vs ${h.score}`);
        for (const k of Object.keys(h.signals)) assert.ok(Math.abs(g.signals[k] - h.signals[k]) <= 2e-4, `${k} share of ${h.timestamp}`);
      });
      assert.deepEqual(got.events.map((e) => [e.start, e.end, e.cause, e.severity]), want.events.map((e) => [e.start, e.end, e.cause, e.severity]));
      const [ws, gs] = await Promise.all([eager.summarize!('AT', new Date(f), new Date(t)), svc.summarize!('AT', new Date(f), new Date(t))]);
      assert.deepEqual([gs.rows, gs.scorableRows, gs.anomalousRows, gs.peakAt, gs.events.length], [ws.rows, ws.scorableRows, ws.anomalousRows, ws.peakAt, ws.events.length]);
    }
    // the outage is found either way
    const r = await svc.detect('AT', new Date(run.outage.start - 6 * HOUR_MS), new Date(run.outage.start + 18 * HOUR_MS), { series: false });
    assert.ok(r.hours.some((h) => h.anomaly && Date.parse(h.timestamp) === run.outage.start));
  });

  it('when a processed table is cut short, then its country is degraded at start, naming the file and the fix', async () => {
    cloneCountry(run.cfg, 'AT', 'NL');
    const csv = processedPaths(run.cfg.data.processedDir, 'NL').csv;
    try {
      const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
      fs.writeFileSync(csv, lines.slice(0, -24).join('\n') + '\n');
      const l = countingLoader();
      const svc = await lazy({ loadDetector: l.load });
      assert.ok(!svc.countries().some((c) => c.code === 'NL'));
      const d = svc.degraded?.().find((x) => x.country === 'NL');
      assert.ok(d, 'NL is degraded');
      assert.match(d.reason, /NL\.csv: its first row is at .* not the 1008 rows \(step 1h\) that .*NL\.meta\.json describes; the table is truncated .*radarwatch preprocess --countries NL/);
      assert.deepEqual(l.loads, []);
    } finally {
      fs.rmSync(resultDirs.model('NL'), { recursive: true, force: true });
    }
  });

  it('when a model passes the start checks but fails its fingerprint when first loaded, then those requests fail naming the check and the country is degraded from then on', async () => {
    cloneCountry(run.cfg, 'AT', 'DE');
    try {
      // finite weights of the right size, but not the calibrated ones: only re-scoring the fingerprint shows it
      const w = path.join(resultDirs.model('DE'), DETECTOR_FILES.weights);
      const v = new Float32Array(new Uint8Array(fs.readFileSync(w)).buffer);
      for (let i = 0; i < v.length; i++) v[i] = v[i] * 1.5 + 0.01;
      fs.writeFileSync(w, Buffer.from(v.buffer));
      const l = countingLoader();
      const svc = await lazy({ loadDetector: l.load });
      assert.ok(svc.countries().some((c) => c.code === 'DE'), 'DE passes discovery');
      const failed = (e: Error) => e instanceof DataError && /fingerprint\.json: fingerprint check failed/.test(e.message) && !e.message.includes('\n');
      await Promise.all([
        assert.rejects(svc.detect('DE', ...DAY('2023-02-07T00:00:00Z'), { series: false }), failed),
        assert.rejects(svc.summarize!('DE', ...DAY('2023-02-08T00:00:00Z')), failed),
      ]);
      assert.deepEqual(l.loads, ['DE'], 'one load, shared');
      assert.ok(!svc.countries().some((c) => c.code === 'DE'), 'no longer offered');
      assert.deepEqual(svc.degraded?.().map((d) => d.country), ['DE']);
      assert.match(svc.degraded!()[0].reason, /fingerprint check failed/);
      await assert.rejects(svc.detect('DE', ...DAY('2023-02-07T00:00:00Z'), { series: false }), (e: Error) => e instanceof NotFoundError && /"DE" is not served: .*fingerprint check failed/.test(e.message));
      assert.deepEqual(l.loads, ['DE'], 'not loaded again');
      // the others are unaffected
      assert.equal((await svc.detect('AT', ...DAY('2023-02-07T00:00:00Z'), { series: false })).hours.length, 24);
      // and /api/health says so
      const running = await listen(createApp({ service: svc, config: run.cfg }), { host: '127.0.0.1', port: 0 });
      try {
        const h = (await (await fetch(`${running.url}/api/health`)).json()) as { status: string; degraded: { country: string }[]; cache: { mode: string; loaded: number } };
        assert.equal(h.status, 'degraded');
        assert.deepEqual(h.degraded.map((d) => d.country), ['DE']);
        assert.deepEqual([h.cache.mode, h.cache.loaded], ['lazy', 1]);
      } finally {
        await running.close();
      }
    } finally {
      fs.rmSync(resultDirs.model('DE'), { recursive: true, force: true });
    }
  });
});
