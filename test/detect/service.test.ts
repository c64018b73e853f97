import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DAY_MS, HOUR_MS } from '../../src/base/time';
import { scoreRange, toDetectHours } from '../../src/detect/detect';
import { loadCountryRun } from '../../src/detect/load';
import { createDetectionService } from '../../src/detect/service';
import { CAUSES, type DetectResult } from '../../src/detect/types';
import { DataError, NotFittedError, NotFoundError } from '../../src/errors';
import { createApp } from '../../src/server/app';
import type { DetectionService } from '../../src/server/deps';
import { listen } from '../../src/server/listen';
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
    assert.deepEqual(Object.keys(h), ['timestamp', 'scorable', 'probability', 'score', 'threshold', 'anomaly', 'signals']);
    assert.equal(h.threshold, 0.5);
    assert.equal(h.score, h.probability);
    if (!h.scorable) {
      // warm-up rows: no probability, never anomalous, no signal shares
      assert.equal(h.probability, null);
      assert.equal(h.anomaly, false);
      assert.deepEqual(h.signals, {});
      continue;
    }
    assert.ok(h.probability !== null && h.probability >= 0 && h.probability <= 1, `probability in [0, 1], got ${h.probability}`);
    assert.equal(h.anomaly, h.probability > h.threshold);
    const sum = Object.values(h.signals).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, `signal shares sum to 1, got ${sum}`);
  }
  for (const e of r.events) {
    assert.ok((CAUSES as readonly string[]).includes(e.cause));
    assert.ok(['low', 'medium', 'high', 'critical'].includes(e.severity));
    assert.ok(e.topSignals.length > 0 && e.topSignals.every((s) => typeof s.signal === 'string' && (s.direction === 'up' || s.direction === 'down')));
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
