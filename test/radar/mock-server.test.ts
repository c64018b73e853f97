import { strict as assert } from 'assert';
import { startMockRadar, type MockRadar } from '../../src/radar/mock-server';
import { createGenerator } from '../../src/data/generator/simulate';
import { isOutageKind } from '../../src/data/generator/labels';
import { HOUR_MS } from '../../src/base/time';

const NOW = Date.UTC(2025, 5, 15, 12, 30);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Envelope {
  success: boolean;
  errors: { code: number; message: string }[];
  messages?: unknown[];
  result: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function get(m: MockRadar, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Envelope; headers: Headers }> {
  const r = await fetch(m.url + path, { headers });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Envelope, headers: r.headers };
}

function window(start: number, end: number): string {
  return `dateStart=${iso(start)}&dateEnd=${iso(end)}`;
}

describe('radar/mock-server', () => {
  let m: MockRadar;
  const gen = createGenerator({ seed: 42 });
  before(async () => {
    m = await startMockRadar({ seed: 42, now: () => NOW });
  });
  after(() => m.close());

  it('when a 28-day hourly window is asked, then it answers the Radar envelope with string values and full meta', async () => {
    const start = Date.UTC(2024, 0, 1);
    const end = start + 28 * 24 * HOUR_MS - HOUR_MS;
    const { status, body } = await get(m, `/http/timeseries?location=AT&${window(start, end)}&aggInterval=1h&format=json`);
    assert.equal(status, 200);
    assert.equal(body.success, true);
    assert.deepEqual(body.errors, []);
    assert.match(m.url, /^http:\/\/127\.0\.0\.1:\d+\/client\/v4\/radar$/);
    const serie = body.result.serie_0;
    const sim = gen.simulate('AT', start, end + HOUR_MS);
    const expected = [...sim.timestamps].filter((_, i) => !sim.missing.http[i]).map(iso);
    assert.deepEqual(serie.timestamps, expected, 'inclusive end, gaps omitted');
    assert.ok(serie.values.every((v: unknown) => typeof v === 'string' && Number.isFinite(Number(v))));
    const meta = body.result.meta;
    assert.deepEqual(meta.dateRange, [{ startTime: iso(start), endTime: iso(end) }]);
    assert.equal(meta.aggInterval, 'ONE_HOUR');
    assert.equal(meta.normalization, 'MIN0_MAX');
    assert.equal(meta.lastUpdated, iso(end + HOUR_MS), 'stamped from the data served (a past window), not the clock');
    assert.deepEqual(meta.units, [{ name: '*', value: 'requests' }]);
    assert.ok(Number.isInteger(meta.confidenceInfo.level) && Array.isArray(meta.confidenceInfo.annotations));
  });

  it('when the same past window is fetched 15 minutes apart, then the answers are byte-identical (lastUpdated follows the data, not the wall clock)', async () => {
    const later = await startMockRadar({ seed: 42, now: () => NOW + 15 * 60_000 });
    try {
      const q = `/http/timeseries?location=AT&${window(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 28, 23))}&aggInterval=1h&format=json`;
      const a = await get(m, q);
      const b = await get(later, q);
      assert.deepEqual(b.body, a.body);
      // a window reaching "now" is stamped with the clock's last quarter hour, as Radar does
      const live = await get(m, `/http/timeseries?location=AT&${window(NOW - 48 * HOUR_MS, NOW)}&aggInterval=1h&format=json`);
      assert.equal(live.body.result.meta.lastUpdated, iso(Math.floor(NOW / 900_000) * 900_000));
    } finally {
      await later.close();
    }
  });

  it('when values are MIN0_MAX, then the maximum is exactly "1" and the values keep the generator\'s ratios', async () => {
    const start = Date.UTC(2024, 2, 1);
    const end = Date.UTC(2024, 2, 28, 23);
    const { body } = await get(m, `/netflows/timeseries?location=JP&${window(start, end)}`);
    const values: string[] = body.result.serie_0.values;
    assert.equal(values.filter((v) => v === '1').length, 1);
    assert.ok(values.every((v) => Number(v) >= 0 && Number(v) <= 1));
    const sim = gen.simulate('JP', start, end + HOUR_MS);
    const raw = [...sim.netflowBytes].filter((_, i) => !sim.missing.netflows[i]);
    const max = Math.max(...raw);
    raw.forEach((v, i) => assert.ok(Math.abs(Number(values[i]) - v / max) < 1e-5, `point ${i}`));
  });

  it('when several named series are asked, then results are keyed by name and share one maximum', async () => {
    const a = [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 7, 23)];
    const b = [Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 7, 23)];
    const q = `name=winter&location=US&dateStart=${iso(a[0])}&dateEnd=${iso(a[1])}&name=summer_at&location=AT&dateStart=${iso(b[0])}&dateEnd=${iso(b[1])}`;
    const { body } = await get(m, `/http/timeseries?${q}`);
    assert.deepEqual(Object.keys(body.result).sort(), ['meta', 'summer_at', 'winter']);
    const maxOf = (k: string) => Math.max(...body.result[k].values.map(Number));
    assert.equal(Math.max(maxOf('winter'), maxOf('summer_at')), 1);
    assert.ok(Math.min(maxOf('winter'), maxOf('summer_at')) < 1, 'joint normalization: only one series reaches 1');
    assert.equal(body.result.meta.dateRange.length, 2);
    // The recorded query keeps repeated keys as arrays.
    const rec = m.requests[m.requests.length - 1];
    assert.equal(rec.path, '/http/timeseries');
    assert.deepEqual(rec.query.name, ['winter', 'summer_at']);
    assert.equal(rec.at, NOW);
  });

  it('when separate windows are fetched, then each is scaled to its own maximum (different scales)', async () => {
    const jan = await get(m, `/http/timeseries?location=DE&${window(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 28))}`);
    const both = await get(m, `/http/timeseries?location=DE&${window(Date.UTC(2024, 0, 1), Date.UTC(2024, 11, 31))}`);
    assert.equal(Math.max(...jan.body.result.serie_0.values.map(Number)), 1);
    const firstJan = Number(jan.body.result.serie_0.values[0]);
    const firstBoth = Number(both.body.result.serie_0.values[0]);
    assert.ok(firstJan > firstBoth * 1.02, `same hour, different scale: ${firstJan} vs ${firstBoth}`);
  });

  it('when the window reaches now, then the incomplete current hour and the future are omitted', async () => {
    const { body } = await get(m, `/attacks/layer7/timeseries?location=AT&dateStart=2025-06-15T00:00:00Z&dateEnd=2025-06-20T00:00:00Z`);
    const ts: string[] = body.result.serie_0.timestamps;
    assert.ok(ts.length > 0);
    assert.ok(Date.parse(ts[ts.length - 1]) <= Date.UTC(2025, 5, 15, 11));
    const future = await get(m, `/http/timeseries?location=AT&dateStart=2025-07-01T00:00:00Z&dateEnd=2025-07-02T00:00:00Z`);
    assert.deepEqual(future.body.result.serie_0.timestamps, []);
  });

  it('when aggInterval is 1d or 15m, then points are daily sums or quarter hours', async () => {
    const d = await get(m, `/http/timeseries?location=AT&dateStart=2024-05-01T00:00:00Z&dateEnd=2024-05-07T00:00:00Z&aggInterval=1d`);
    assert.equal(d.body.result.meta.aggInterval, 'ONE_DAY');
    assert.deepEqual(d.body.result.serie_0.timestamps.slice(0, 2), ['2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z']);
    assert.equal(d.body.result.serie_0.timestamps.length, 7);
    const q = await get(m, `/http/timeseries?location=AT&dateStart=2024-05-01T00:00:00Z&dateEnd=2024-05-01T02:00:00Z&aggInterval=15m`);
    assert.equal(q.body.result.meta.aggInterval, 'FIFTEEN_MINUTES');
    assert.equal(q.body.result.serie_0.timestamps[1], '2024-05-01T00:15:00Z');
  });

  it('when bot_class is asked, then bot and human are percentage strings summing to 100', async () => {
    const start = Date.UTC(2024, 3, 1);
    const { body } = await get(m, `/http/timeseries_groups/bot_class?location=BR&${window(start, start + 47 * HOUR_MS)}`);
    const s = body.result.serie_0;
    assert.equal(body.result.meta.normalization, 'PERCENTAGE');
    s.bot.forEach((b: string, i: number) => assert.ok(Math.abs(Number(b) + Number(s.human[i]) - 100) < 1e-6));
    const sim = gen.simulate('BR', start, start + 48 * HOUR_MS);
    const shares = [...sim.botShare].filter((_, i) => !sim.missing.bot_class[i]);
    shares.forEach((v, i) => assert.ok(Math.abs(Number(s.bot[i]) - v) < 1e-5));
  });

  it('when BGP IPs are asked, then raw /24 and /48 counts come back as integer strings', async () => {
    const start = Date.UTC(2024, 8, 1);
    const { body } = await get(m, `/bgp/ips/timeseries?location=IN&${window(start, start + 23 * HOUR_MS)}`);
    const s = body.result.serie_0;
    const sim = gen.simulate('IN', start, start + 24 * HOUR_MS);
    assert.deepEqual(s.ipv4, [...sim.ipv4].filter((_, i) => !sim.missing.bgp_ips[i]).map(String));
    assert.ok(s.ipv6.every((v: string) => /^\d+$/.test(v)));
    assert.equal(body.result.meta.aggInterval, undefined);
  });

  it('when L3 is asked with direction TARGET, then labelled attacks show; ORIGIN is another series', async () => {
    const attack = gen.anomalies('US', Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)).find((a) => a.kind === 'l3_ddos')!;
    const q = `location=US&${window(attack.start - 72 * HOUR_MS, attack.end + 72 * HOUR_MS)}`;
    const target = await get(m, `/attacks/layer3/timeseries?${q}&direction=TARGET`);
    const origin = await get(m, `/attacks/layer3/timeseries?${q}`);
    assert.notDeepEqual(target.body.result.serie_0.values, origin.body.result.serie_0.values);
    const ts: string[] = target.body.result.serie_0.timestamps;
    const peakAt = Date.parse(ts[target.body.result.serie_0.values.indexOf('1')]);
    assert.ok(peakAt >= attack.start - HOUR_MS && peakAt < attack.end, 'the maximum falls in the attack');
    const notes = target.body.result.meta.confidenceInfo.annotations;
    assert.ok(notes.some((n: any) => n.eventType === 'TRAFFIC_ANOMALY' && n.dataSource === 'DOS' && n.startDate === iso(attack.start)));
  });

  it('when a window holds an outage or a PIPELINE window, then meta.confidenceInfo lists them', async () => {
    const outage = gen.anomalies('AT', Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)).find((a) => a.kind === 'outage')!;
    const { body } = await get(m, `/http/timeseries?location=AT&${window(outage.start - 24 * HOUR_MS, outage.end + 24 * HOUR_MS)}`);
    const notes = body.result.meta.confidenceInfo.annotations;
    assert.ok(notes.some((n: any) => n.eventType === 'OUTAGE' && n.dataSource === 'HTTP' && n.startDate === iso(outage.start) && n.isInstantaneous === false));
    const p = gen.pipeline('AT', Date.UTC(2023, 0, 1), Date.UTC(2025, 0, 1)).find((w) => w.dataSource === 'HTTP' || w.dataSource === 'ALL')!;
    const r = await get(m, `/http/timeseries?location=AT&${window(p.start, p.end)}`);
    const ci = r.body.result.meta.confidenceInfo;
    assert.ok(ci.level < 5);
    assert.ok(ci.annotations.some((n: any) => n.eventType === 'PIPELINE' && n.startDate === iso(p.start) && n.endDate === iso(p.end)));
  });

  it('when labels are paged with limit/offset, then every label comes back exactly once, newest first', async () => {
    const from = Date.UTC(2023, 0, 1);
    const to = Date.UTC(2024, 11, 31);
    for (const [path, key, idKey, outage] of [
      ['/annotations/outages', 'annotations', 'id', true],
      ['/traffic_anomalies', 'trafficAnomalies', 'uuid', false],
    ] as const) {
      const ids: string[] = [];
      const starts: string[] = [];
      for (let offset = 0; ; offset += 4) {
        const { body } = await get(m, `${path}?location=AT&${window(from, to)}&limit=4&offset=${offset}&format=json`);
        const items = body.result[key];
        for (const it of items) {
          ids.push(it[idKey]);
          starts.push(it.startDate);
          assert.equal(typeof it.radarwatchKind, 'string');
        }
        if (items.length < 4) break;
      }
      const expected = gen.anomalies('AT', from, to + 1).filter((a) => isOutageKind(a.kind) === outage).map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length, `${path}: duplicates`);
      assert.deepEqual([...ids].sort(), [...expected].sort(), path);
      assert.deepEqual(starts, [...starts].sort().reverse(), `${path}: newest first`);
    }
  });

  it('when input is invalid, then it answers 400 with code 2001 and says what was expected', async () => {
    const cases = [
      '/http/timeseries?dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-02T00:00:00Z',
      '/http/timeseries?location=XX&dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-02T00:00:00Z',
      '/http/timeseries?location=AT&dateStart=yesterday&dateEnd=2024-01-02T00:00:00Z',
      '/http/timeseries?location=AT',
      '/http/timeseries?location=AT&dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-02T00:00:00Z&aggInterval=2h',
      '/netflows/timeseries?location=AT&dateStart=2023-01-01T00:00:00Z&dateEnd=2024-06-01T00:00:00Z&aggInterval=1h',
      '/annotations/outages?location=AT&limit=0',
    ];
    for (const c of cases) {
      const { status, body } = await get(m, c);
      assert.equal(status, 400, c);
      assert.equal(body.success, false);
      assert.deepEqual(body.result, {});
      assert.equal(body.errors[0].code, 2001);
      assert.ok(body.errors[0].message.length > 20, body.errors[0].message);
    }
    const long = await get(m, cases[5]);
    assert.match(long.body.errors[0].message, /too long for aggInterval=1h/);
  });

  it('when the path is unknown, then it answers 404 with Cloudflare\'s "No route for the URI"', async () => {
    const { status, body } = await get(m, '/http/nothing');
    assert.equal(status, 404);
    assert.deepEqual(body, { success: false, errors: [{ code: 7003, message: 'No route for the URI' }], messages: [], result: null });
  });

  it('when faults are injected, then they come back one per request, in order, before normal answers resume', async () => {
    m.injectFaults([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 503, delayMs: 20 },
      { status: 200, body: '{"success": tru' },
      { status: 200, body: JSON.stringify({ success: false, errors: [{ code: 2002, message: 'Query is above max cost' }], result: null }) },
    ]);
    const url = `${m.url}/http/timeseries?location=AT&dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-01T05:00:00Z`;
    const r1 = await fetch(url);
    assert.equal(r1.status, 429);
    assert.equal(r1.headers.get('retry-after'), '2');
    assert.equal(((await r1.json()) as Envelope).errors[0].code, 1015);
    const r2 = await fetch(url);
    assert.equal(r2.status, 503);
    assert.equal(((await r2.json()) as Envelope).errors[0].code, 2000);
    const r3 = await fetch(url);
    assert.equal(r3.status, 200);
    await assert.rejects(r3.json() as Promise<unknown>, SyntaxError);
    const r4 = (await (await fetch(url)).json()) as Envelope;
    assert.equal(r4.success, false);
    const r5 = (await (await fetch(url)).json()) as Envelope;
    assert.equal(r5.success, true);
    assert.equal(r5.result.serie_0.timestamps.length > 0, true);
  });

  it('when a token is required, then requests without "Authorization: Bearer" fail Cloudflare-style', async () => {
    const secured = await startMockRadar({ seed: 1, now: () => NOW, requireToken: true, token: 'secret' });
    try {
      const q = '/http/timeseries?location=AT&dateStart=2024-01-01T00:00:00Z&dateEnd=2024-01-01T05:00:00Z';
      const none = await get(secured, q);
      assert.equal(none.status, 400);
      assert.equal(none.body.errors[0].code, 9106);
      const malformed = await get(secured, q, { authorization: 'Token abc' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.errors[0].code, 6003);
      const wrong = await get(secured, q, { authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.errors[0].code, 10000);
      const ok = await get(secured, q, { authorization: 'Bearer secret' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.success, true);
    } finally {
      await secured.close();
    }
  });
});
