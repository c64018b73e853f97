import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import { createApp, type LoadLimits } from '../../src/server/app';
import type { HeavyLane } from '../../src/server/heavy-lane';
import { listen, type RunningServer } from '../../src/server/listen';
import { createFakeService, fakeResult, type FakeService } from './fake-service';
import { makeWatchDb } from './watch-fixture';

const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
const HEAVY = '/api/detect?country=AT&from=2025-02-01&to=2025-04-30&include=series';
const ONE_DAY = '/api/detect?country=AT&date=2025-04-12';

describe('server/app: degraded models, a broken watch database, heavy requests', () => {
  let dir: string;
  const servers: RunningServer[] = [];
  const serve = async (service: FakeService, extra: { watchDb?: string; limits?: Partial<LoadLimits>; heavy?: HeavyLane } = {}) => {
    const s = await listen(createApp({ service, config, ...extra }), { host: '127.0.0.1', port: 0 });
    servers.push(s);
    return s;
  };
  const get = async (s: RunningServer, p: string) => {
    const res = await fetch(s.url + p);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-load-'));
  });
  after(async () => {
    for (const s of servers) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when a model folder failed its checks at load, then /api/health is "degraded" with the country and the reason, and the country is not offered', async () => {
    const svc = createFakeService(['AT']);
    const reason = 'results/models/DE/weights.bin: weight check failed: dense_1/kernel[0] is NaN; expected finite numbers.';
    svc.degraded = () => [{ country: 'DE', reason }];
    const s = await serve(svc);
    const h = await get(s, '/api/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'degraded');
    assert.deepEqual(h.body.degraded, [{ country: 'DE', reason }]);
    assert.deepEqual((await get(s, '/api/countries')).body.countries, svc.countries());
    assert.equal((await get(s, '/api/detect?country=DE&date=2025-04-12')).status, 404);
    const ok = await get(await serve(createFakeService(['AT'])), '/api/health');
    assert.equal(ok.body.status, 'ok');
    assert.equal(ok.body.degraded, undefined);
  });

  it('when the watch database is corrupt, then /api/events answers the model\'s events with alerts: [] and a warning, and health is degraded', async () => {
    const db = path.join(dir, 'corrupt.db');
    makeWatchDb(db);
    const size = fs.statSync(db).size;
    fs.writeFileSync(db, Buffer.alloc(size, 0x5a));
    const s = await serve(createFakeService(['AT', 'DE']), { watchDb: db });
    const r = await get(s, '/api/events?country=AT&from=2025-06-19&to=2025-06-30');
    assert.equal(r.status, 200);
    assert.ok((r.body.events as unknown[]).length > 0, 'the model\'s events are still there');
    assert.deepEqual(r.body.alerts, []);
    assert.equal((r.body.warnings as string[]).length, 1);
    assert.match((r.body.warnings as string[])[0], /corrupt\.db is not a usable watch database \(.+\); move it away/);
    const h = await get(s, '/api/health');
    assert.equal(h.body.status, 'degraded');
    assert.match((h.body.watch as { reason: string }).reason, /not a usable watch database/);
  });

  it('when the watch database is fine, then health says ok and /api/events has no warnings', async () => {
    const db = path.join(dir, 'fine.db');
    makeWatchDb(db);
    const s = await serve(createFakeService(['AT', 'DE']), { watchDb: db });
    assert.equal((await get(s, '/api/health')).body.status, 'ok');
    const r = await get(s, '/api/events?country=AT&from=2025-06-19&to=2025-06-30');
    assert.equal(r.body.warnings, undefined);
    assert.equal((r.body.alerts as unknown[]).length, 2);
  });

  it('when heavy requests saturate the server, then more get 503 with Retry-After while health and one-day requests still answer', async () => {
    const svc = createFakeService(['AT']);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const plain = svc.detect.bind(svc);
    // heavy requests hang until released, as a long request busy elsewhere would
    svc.detect = async (country, from, to, opts) => {
      if (opts.series) await gate;
      return plain(country, from, to, opts);
    };
    const s = await serve(svc, { limits: { maxHeavy: 2 } });
    const first = [fetch(s.url + HEAVY), fetch(s.url + HEAVY)];
    await new Promise((r) => setTimeout(r, 50));
    const refused = await get(s, HEAVY);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.body.error?.code, 'BUSY');
    assert.match(refused.body.error!.message, /\(at most 2 at once\); retry in 1 s/);
    const t0 = performance.now();
    assert.equal((await get(s, '/api/health')).status, 200);
    assert.equal((await get(s, ONE_DAY)).status, 200);
    assert.ok(performance.now() - t0 < 1000);
    release();
    for (const res of await Promise.all(first)) {
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { hours: unknown[] }).hours.length, 89 * 24);
    }
    assert.equal((await get(s, HEAVY)).status, 200, 'accepted again once the others finished');
  });

  it('when the heavy lane is still loading its models, then heavy requests get 503 with Retry-After and light ones are answered', async () => {
    const svc = createFakeService(['AT']);
    const lane = { ready: () => false, state: () => 'starting', inFlight: () => 0 } as unknown as HeavyLane;
    const s = await serve(svc, { heavy: lane });
    const r = await get(s, HEAVY);
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(r.body.error!.message, /once the heavy-request worker has loaded the models/);
    assert.equal((await get(s, ONE_DAY)).status, 200);
    assert.equal(svc.calls.length, 1, 'the heavy one never reached the main service');
  });

  it('when a request would return more points than allowed, then it is a 400 saying how to shorten it', async () => {
    const s = await serve(createFakeService(['AT']), { limits: { maxPoints: 1000 } });
    const r = await get(s, HEAVY);
    assert.equal(r.status, 400);
    assert.match(r.body.error!.message, /would return 14952 points; at most 1000 are served per request/);
    assert.equal((await get(s, ONE_DAY)).status, 200);
  });

  it('when a heavy lane is running, then heavy requests are answered by it and light ones by the main service', async () => {
    const svc = createFakeService(['AT']);
    const asked: string[] = [];
    const lane: HeavyLane = {
      ready: () => true,
      state: () => 'ready',
      inFlight: () => 0,
      async detectJson(country, from, to, series) {
        asked.push(`detect ${country} ${series}`);
        return new TextEncoder().encode(JSON.stringify(fakeResult(country, from, to, series)));
      },
      async events(country, from, to) {
        asked.push(`events ${country}`);
        const r = fakeResult(country, from, to, false);
        return { country: r.country, from: r.from, to: r.to, events: r.events };
      },
      async close() {},
    };
    const s = await serve(svc, { heavy: lane });
    const heavy = await get(s, HEAVY);
    assert.equal(heavy.status, 200);
    assert.equal(heavy.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(heavy.body, JSON.parse(JSON.stringify(fakeResult('AT', new Date('2025-02-01T00:00:00Z'), new Date('2025-05-01T00:00:00Z'), true))));
    assert.equal((await get(s, '/api/events?country=AT&from=2025-02-01&to=2025-04-30')).status, 200);
    assert.equal((await get(s, ONE_DAY)).status, 200);
    assert.deepEqual(asked, ['detect AT true', 'events AT']);
    assert.deepEqual(svc.calls.map((c) => c.series), [false], 'only the one-day request reached the main service');
  });
});
