import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { HOUR_MS } from '../../src/base/time';
import { evidenceOut } from '../../src/detect/hours';
import { budgetShare, evidenceOf } from '../../src/detect/probability';
import { summarizeDetectResult } from '../../src/detect/summary';
import { DataError } from '../../src/errors';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import type { DetectionService } from '../../src/server/deps';
import { listen, type RunningServer } from '../../src/server/listen';
import { buildOverview, eventView, FEED_LIMIT, SummaryMemo, type Overview } from '../../src/server/overview';
import { createFakeService, FAKE_ANOMALIES } from './fake-service';
import { WatchReader } from '../../src/watch/view';
import { commitCycle, commitHours, probabilityHours } from './live-fixture';
import { makeWatchDb } from './watch-fixture';

const config = parseConfig({ countries: ['AT', 'DE', 'FR', 'US'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
/** The fake's data ends here; any later wall clock makes it historical. */
const DATA_END = Date.UTC(2025, 6, 1);
const NOW = DATA_END + 30 * 24 * HOUR_MS;

async function overviewOf(service: DetectionService, window: '24h' | '7d' | '30d', extra: Partial<Parameters<typeof buildOverview>[0]> = {}): Promise<Overview> {
  return buildOverview({ service, window, now: NOW, lateAfterHours: 3, configured: config.countries, ...extra });
}

describe('server/overview', () => {
  describe('buildOverview (detection service only)', () => {
    it('when the data is historical, then the window ends where the data ends and says so', async () => {
      const o = await overviewOf(createFakeService(['AT', 'DE', 'FR']), '7d');
      assert.equal(o.to, '2025-07-01T00:00:00.000Z');
      assert.equal(o.from, '2025-06-24T00:00:00.000Z');
      assert.equal(o.historical, true);
      assert.equal(o.watch, false);
      assert.equal(o.map.resolution, 110, 'AT, DE, FR and US are all on the coarse map');
    });

    it('when countries had events in the window, then their state, worst event and peak come back, most urgent first', async () => {
      const o = await overviewOf(createFakeService(['AT', 'DE', 'FR']), '7d');
      assert.deepEqual(
        o.countries.map((r) => [r.code, r.iso3, r.state, r.event?.severity ?? null, r.event?.cause ?? null, r.events]),
        [
          ['DE', 'DEU', 'event', 'critical', 'l3_ddos', 1],
          ['AT', 'AUT', 'event', 'high', 'outage', 2],
          ['FR', 'FRA', 'normal', null, null, 0],
        ],
      );
      const at = o.countries.find((r) => r.code === 'AT')!;
      assert.equal(at.scoredHours, 168);
      assert.equal(at.anomalousHours, 8);
      assert.ok(at.peakProbability! > 0.99 && at.peakAt!.startsWith('2025-06-26'));
      assert.equal(at.lastDataHour, '2025-06-30T23:00:00.000Z');
      assert.equal(at.hoursBehind, 0);
      assert.equal(at.trainedTo, '2024-10-01T00:00:00.000Z');
      assert.deepEqual(o.counts, { anomalous: 0, late: 0, event: 2, normal: 1, no_model: 1 });
      assert.deepEqual(o.unmodelled.map((u) => [u.code, u.iso3]), [['US', 'USA']]);
      assert.match(o.unmodelled[0].reason, /radarwatch train US/);
    });

    it('when the window is the last 24 h, then events of earlier days are left out', async () => {
      const o = await overviewOf(createFakeService(['AT', 'DE']), '24h');
      assert.deepEqual(o.countries.map((r) => r.state), ['normal', 'normal']);
      assert.deepEqual(o.feed, []);
      assert.equal(o.countries[0].scoredHours, 24);
    });

    it('when events happened, then the feed lists them newest first, each linking to the country view around it', async () => {
      const o = await overviewOf(createFakeService(['AT', 'DE']), '7d');
      assert.deepEqual(o.feed.map((e) => [e.country, e.start, e.status, e.source]), [
        ['AT', '2025-06-29T14:00:00.000Z', 'closed', 'detect'],
        ['DE', '2025-06-28T10:00:00.000Z', 'closed', 'detect'],
        ['AT', '2025-06-26T03:00:00.000Z', 'closed', 'detect'],
      ]);
      assert.equal(o.feed[2].view, 'country?country=AT&from=2025-06-25&to=2025-06-27&event=2025-06-26T03%3A00%3A00.000Z');
      assert.ok(o.feed[0].topSignals.length <= 3);
    });

    it('when an event runs to the end of up-to-date data, then the country is anomalous now and the event open', async () => {
      FAKE_ANOMALIES.FR = [{ start: '2025-06-30T20:00:00.000Z', hours: 4, kind: 'outage', signals: { http: -1, netflows: -1 }, peak: 500 }];
      try {
        const o = await overviewOf(createFakeService(['AT', 'FR']), '24h');
        const fr = o.countries[0];
        assert.deepEqual([fr.code, fr.state, fr.event?.status, fr.event?.end], ['FR', 'anomalous', 'open', '2025-07-01T00:00:00.000Z']);
        assert.equal(o.counts.anomalous, 1);
      } finally {
        delete FAKE_ANOMALIES.FR;
      }
    });

    it('when two countries both peak at probability 1 in their tables, then the one with more evidence ranks first and each reports its evidence', async () => {
      // ES's outage is rare, FR's a thousand times rarer; both read 1.0000
      FAKE_ANOMALIES.ES = [{ start: '2025-06-27T05:00:00.000Z', hours: 3, kind: 'outage', signals: { http: -1, netflows: -1 }, peak: 1e8 }];
      FAKE_ANOMALIES.FR = [{ start: '2025-06-27T05:00:00.000Z', hours: 3, kind: 'outage', signals: { http: -1, netflows: -1 }, peak: 1e11 }];
      try {
        const o = await overviewOf(createFakeService(['ES', 'FR']), '7d');
        assert.deepEqual(o.countries.map((r) => [r.code, r.state, r.event?.severity, r.peakProbability]), [
          ['FR', 'event', 'critical', 1],
          ['ES', 'event', 'critical', 1],
        ]);
        const [fr, es] = o.countries;
        assert.ok(fr.peakEvidence! > es.peakEvidence! && es.peakEvidence! > 10, `${fr.peakEvidence} > ${es.peakEvidence}`);
        // the peak is the event's: its rarest hour
        assert.deepEqual([fr.peakEvidence, fr.peakAt], [fr.event!.peakEvidence, fr.event!.peakAt]);
      } finally {
        delete FAKE_ANOMALIES.ES;
        delete FAKE_ANOMALIES.FR;
      }
    });

    it('when a country\'s data ends lateAfterHours or more before the others, then it is late, with the hours it is behind', async () => {
      const base = createFakeService(['AT', 'DE']);
      const service: DetectionService = { ...base, countries: () => base.countries().map((c) => (c.code === 'DE' ? { ...c, dataTo: '2025-06-30T18:00:00.000Z' } : c)) };
      const o = await overviewOf(service, '24h');
      const de = o.countries.find((r) => r.code === 'DE')!;
      assert.deepEqual([de.state, de.hoursBehind, de.lastDataHour], ['late', 6, '2025-06-30T17:00:00.000Z']);
      assert.equal(o.countries[0].code, 'DE', 'late sorts before normal');
    });

    it('when a model folder failed to load, then it is listed as unmodelled with its reason', async () => {
      const base = createFakeService(['AT']);
      const o = await overviewOf({ ...base, degraded: () => [{ country: 'DE', reason: 'calibration.json is missing' }] }, '24h');
      assert.deepEqual(o.unmodelled.map((u) => [u.code, u.reason.slice(0, 24)]), [['DE', 'calibration.json is miss'], ['FR', 'no model under results/m'], ['US', 'no model under results/m']]);
    });

    it('when a served model fails its checks on its first load during the build, then it is listed as unmodelled with the reason, not as a quiet row', async () => {
      const base = createFakeService(['AT', 'DE']);
      const reason = 'results/models/DE/fingerprint.json: fingerprint check failed: the raw score of 2025-01-08T00:00:00.000Z is 3.2, recorded 1.1';
      const degraded: { country: string; reason: string }[] = [];
      // a lazy service: DE is offered until its first load fails, then reported as degraded
      const service: DetectionService = {
        ...base,
        countries: () => base.countries().filter((c) => !degraded.some((d) => d.country === c.code)),
        degraded: () => degraded,
        async summarize(country, from, to) {
          if (country === 'DE') {
            degraded.push({ country: 'DE', reason });
            throw new DataError(reason);
          }
          return summarizeDetectResult(await base.detect(country, from, to, { series: false }));
        },
      };
      const o = await overviewOf(service, '7d');
      assert.deepEqual(o.countries.map((r) => r.code), ['AT']);
      assert.ok(o.feed.every((e) => e.country !== 'DE'), 'no event of DE in the feed');
      assert.deepEqual(o.unmodelled.find((u) => u.code === 'DE')?.reason, reason);
      assert.ok(o.warnings?.some((w) => w.startsWith('DE: ')), JSON.stringify(o.warnings));
    });

    it('when 250 countries are served, then every one gets a row, the feed stays bounded and the fine map is chosen', async () => {
      const codes = Object.keys(require('countries-and-timezones').getAllCountries()).sort();
      for (const cc of codes) FAKE_ANOMALIES[cc] ??= [{ start: '2025-06-10T00:00:00.000Z', hours: 2, kind: 'outage', signals: { http: -1 }, peak: 50 }];
      try {
        const o = await overviewOf(createFakeService(codes), '30d');
        assert.equal(o.countries.length, codes.length);
        assert.equal(o.feed.length, FEED_LIMIT);
        assert.equal(o.map.resolution, 50, 'small countries such as Singapore are only on the 50 m map');
      } finally {
        for (const cc of codes) if (!['AT', 'DE'].includes(cc)) delete FAKE_ANOMALIES[cc];
      }
    });

    it('when a build covers the ranges of the one before, then its summaries come from the memo; a moved range or a failed summary asks the service again', async () => {
      const svc = createFakeService(['AT', 'DE']);
      const memo = new SummaryMemo();
      const first = await overviewOf(svc, '7d', { memo });
      assert.equal(svc.calls.length, 2);
      assert.deepEqual(await overviewOf(svc, '7d', { memo }), first);
      assert.equal(svc.calls.length, 2, 'the same ranges: no summary asked again');
      await overviewOf(svc, '24h', { memo });
      assert.equal(svc.calls.length, 4, 'other ranges: asked again');
      const failing = createFakeService(['AT']);
      const fresh = new SummaryMemo();
      failing.failWith = new DataError('model folder damaged');
      assert.match((await overviewOf(failing, '7d', { memo: fresh })).warnings!.join(), /model folder damaged/);
      failing.failWith = undefined;
      const healed = await overviewOf(failing, '7d', { memo: fresh });
      assert.equal(healed.warnings, undefined, 'a failed summary is not kept');
      assert.equal(failing.calls.length, 2);
    });

    it('when an event crosses midnight, then its link spans the day before its start to the day after its end', () => {
      assert.equal(eventView('web-1', { start: '2025-06-26T22:00:00.000Z', end: '2025-06-27T01:00:00.000Z' }), 'country?country=web-1&from=2025-06-25&to=2025-06-28&event=2025-06-26T22%3A00%3A00.000Z');
    });
  });

  describe('buildOverview (with the watcher\'s hours)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-overview-peak-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('when two countries both peak at probability 1 in the watcher\'s hours, then the one with more evidence ranks first and each reports its evidence', async () => {
      const file = path.join(dir, 'watch.db');
      // the watcher's first hours after the table: an outage in each, saturated; DE's is the stronger
      const saturated = (evidence: number[]) => probabilityHours('AAA', DATA_END).map((h, i) => ({ ...h, score: 1, evidence: evidence[i] }));
      commitHours(file, 'AT', saturated([9.5, 11.25, 10]));
      commitHours(file, 'DE', saturated([12, 17.5, 16]));
      const reader = new WatchReader(file);
      try {
        const service = createFakeService(['AT', 'DE']);
        const tableEnd = (cc: string) => Date.parse(service.countries().find((c) => c.code === cc)!.dataTo);
        const watch = reader.window(DATA_END + 3 * HOUR_MS - 24 * HOUR_MS, DATA_END + 3 * HOUR_MS, tableEnd);
        const o = await overviewOf(service, '24h', { watch });
        assert.deepEqual(
          o.countries.map((r) => [r.code, r.state, r.event?.severity, r.peakProbability, r.peakEvidence, r.peakAt]),
          [
            ['DE', 'anomalous', 'critical', 1, 17.5, '2025-07-01T01:00:00.000Z'],
            ['AT', 'anomalous', 'critical', 1, 11.25, '2025-07-01T01:00:00.000Z'],
          ],
        );
        assert.deepEqual(o.countries.map((r) => r.event?.peakEvidence), [17.5, 11.25], 'the open events carry the same peak');
      } finally {
        reader.close();
      }
    });
  });

  describe('GET /api/overview', () => {
    let dir: string;
    let srv: RunningServer;
    let plain: RunningServer;
    const db = () => path.join(dir, 'watch.db');

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-overview-'));
      makeWatchDb(db());
      srv = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, watchDb: db(), now: () => NOW }), { host: '127.0.0.1', port: 0 });
      plain = await listen(createApp({ service: createFakeService(['AT', 'DE']), config, now: () => NOW }), { host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await srv?.close();
      await plain?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function get(server: RunningServer, query: string): Promise<{ status: number; body: Overview & { error?: { code: string; message: string } }; text: string }> {
      const res = await fetch(`${server.url}/api/overview${query}`);
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text), text };
    }

    it('when no window is given, then the last 24 h are answered', async () => {
      const r = await get(plain, '');
      assert.equal(r.status, 200);
      assert.equal(r.body.window, '24h');
      assert.equal(r.body.watch, false);
    });

    it('when the client accepts gzip, then the answer comes compressed; otherwise as plain JSON', async () => {
      const raw = (encoding: string) =>
        new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          http.get(`${plain.url}/api/overview?window=30d`, { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });
      const gz = await raw('gzip, deflate, br');
      const plainJson = await raw('identity');
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.equal(plainJson.headers['content-encoding'], undefined);
      assert.equal(gz.headers.vary, 'Accept-Encoding');
      assert.deepEqual(JSON.parse(zlib.gunzipSync(gz.body).toString('utf8')), JSON.parse(plainJson.body.toString('utf8')));
      assert.ok(gz.body.length < plainJson.body.length / 2);
    });

    it('when the window or a parameter is unknown, then 400 says what is accepted', async () => {
      const bad = await get(plain, '?window=1y');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error!.message, 'Unknown window "1y". Expected one of: 24h, 7d, 30d');
      const extra = await get(plain, '?window=7d&country=AT');
      assert.equal(extra.status, 400);
      assert.match(extra.body.error!.message, /Unknown query parameter "country". Allowed: window/);
    });

    it('when a watch database exists, then its open event makes the country anomalous and replaces the overlapping detected one', async () => {
      const r = await get(srv, '?window=7d');
      assert.equal(r.body.watch, true);
      const at = r.body.countries.find((c) => c.code === 'AT')!;
      assert.deepEqual([at.state, at.event?.source, at.event?.status, at.event?.start, at.watch?.status], ['anomalous', 'watch', 'open', '2025-06-26T03:00:00.000Z', 'ok']);
      assert.deepEqual(
        r.body.feed.filter((e) => e.country === 'AT').map((e) => [e.start, e.source]),
        [
          ['2025-06-29T14:00:00.000Z', 'detect'],
          ['2025-06-26T03:00:00.000Z', 'watch'],
        ],
      );
    });

    it('when nothing changed, then the same answer is reused; when the watcher commits, then the next answer shows it', async () => {
      const a = await get(srv, '?window=24h');
      const b = await get(srv, '?window=24h');
      assert.equal(a.text, b.text);
      const de0 = a.body.countries.find((c) => c.code === 'DE')!;
      assert.equal(de0.state, 'normal');
      // the watcher scores DE's first hours after the table: an outage opens
      assert.deepEqual(commitCycle(db(), 'DE', 'AAA', DATA_END), ['event_opened']);
      const c = await get(srv, '?window=24h');
      const de = c.body.countries.find((x) => x.code === 'DE')!;
      assert.deepEqual([de.state, de.event?.source, de.event?.status, de.lastDataHour, de.lastProbability], ['anomalous', 'watch', 'open', '2025-07-01T02:00:00.000Z', 0.999]);
      // its peak is the watcher's first hour, with the evidence the watcher kept
      assert.deepEqual([de.peakProbability, de.peakEvidence, de.peakAt], [0.999, evidenceOut(evidenceOf(0.999, budgetShare(0.5, HOUR_MS))), '2025-07-01T00:00:00.000Z']);
      assert.equal(c.body.to, '2025-07-01T03:00:00.000Z', 'the window now ends at the watcher\'s newest hour');
      assert.equal(c.body.feed[0].country, 'DE');
      // AT's table ends 3 h before the watcher's newest hour: late
      assert.equal(c.body.countries.find((x) => x.code === 'AT')!.hoursBehind, 3);
    });

    it('when a watcher cycle commits country after country for the same hour, then the tables are summarised again only when the window moves', async () => {
      const file = path.join(dir, 'cycle.db');
      const svc = createFakeService(['AT', 'DE']);
      const s = await listen(createApp({ service: svc, config, watchDb: file, now: () => NOW }), { host: '127.0.0.1', port: 0 });
      try {
        commitCycle(file, 'AT', '.', DATA_END);
        await get(s, '?window=24h');
        const asked = svc.calls.length;
        // DE's hour of the same cycle: a new answer, from the same table summaries
        commitCycle(file, 'DE', 'A', DATA_END);
        const de = (await get(s, '?window=24h')).body.countries.find((c) => c.code === 'DE')!;
        assert.deepEqual([de.state, de.event?.source], ['anomalous', 'watch']);
        assert.equal(svc.calls.length, asked);
        // the next cycle's first commit moves the window: both tables are summarised over the new one
        commitCycle(file, 'AT', '.', DATA_END + HOUR_MS);
        const moved = await get(s, '?window=24h');
        assert.equal(moved.body.to, new Date(DATA_END + 2 * HOUR_MS).toISOString());
        assert.equal(svc.calls.length, asked + 2);
      } finally {
        await s.close();
      }
    });

    it('when the watch database is not a database, then the overview still answers, with a warning', async () => {
      const broken = path.join(dir, 'broken.db');
      fs.writeFileSync(broken, 'not a database, just text '.repeat(200));
      const s = await listen(createApp({ service: createFakeService(['AT']), config, watchDb: broken }), { host: '127.0.0.1', port: 0 });
      try {
        const r = await get(s, '?window=24h');
        assert.equal(r.status, 200);
        assert.match(r.body.warnings!.join(' '), /watch state left out: .*is not a usable watch database/);
      } finally {
        await s.close();
      }
    });
  });
});
