import { strict as assert } from 'assert';
import { parseConfig } from '../../src/config/load';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { createFakeService, type FakeService } from './fake-service';

const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });

describe('server/fast-lane', () => {
  let svc: FakeService;
  let srv: RunningServer;
  /** For each detectJson call: whether it came through the fast lane (its stack) rather than the express route. */
  const viaLane: boolean[] = [];

  before(async () => {
    svc = createFakeService(['AT', 'DE']);
    svc.detectJson = (country, from, to, o) => {
      viaLane.push(/src[\\/]server[\\/]fast-lane/.test(new Error().stack ?? ''));
      return svc.detect(country, from, to, o).then((r) => Buffer.from(JSON.stringify(r)));
    };
    srv = await listen(createApp({ service: svc, config }), { host: '127.0.0.1', port: 0 });
  });
  after(() => srv.close());
  beforeEach(() => {
    viaLane.length = 0;
    svc.failWith = undefined;
  });

  const headersOf = (r: Response) => {
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (!['date', 'content-length', 'keep-alive', 'connection'].includes(k)) out[k] = v;
    });
    return out;
  };

  it('when a short range is asked for, then the lane answers it with the body and headers of the express route', async () => {
    const path = '/api/detect?country=at&date=2025-06-26';
    const fast = await fetch(srv.url + path);
    assert.equal(fast.status, 200);
    const body = await fast.text();
    assert.deepEqual(viaLane, [true]);
    assert.deepEqual(JSON.parse(body), JSON.parse(JSON.stringify(await svc.detect('AT', new Date('2025-06-26T00:00:00Z'), new Date('2025-06-27T00:00:00Z'), { series: false }))));
    assert.equal(fast.headers.get('content-length'), String(Buffer.byteLength(body)));
    // HEAD is not the lane's: express answers it through the route, with the headers it always sent
    const head = await fetch(srv.url + path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.deepEqual(viaLane, [true, false]);
    assert.deepEqual(headersOf(fast), headersOf(head));
    assert.equal(fast.headers.get('cache-control'), 'no-store');
    assert.equal(fast.headers.get('x-frame-options'), 'DENY');
  });

  it('when a request is not a short GET /api/detect that parses, then express answers it as before', async () => {
    const cases: [string, number][] = [
      ['/api/detect?country=AT&date=2025-13-01', 400],
      ['/api/detect?country=AT&date=2025-06-26&junk=1', 400],
      ['/api/detect?country=XX&date=2025-06-26', 404],
      ['/api/detect?date=2025-06-26', 400],
      ['/api/detect/?country=AT&date=2025-06-26', 200],
      // 40 days with series: heavy, the express route's (run on the event loop here: there is no heavy lane)
      ['/api/detect?country=AT&from=2025-05-01&to=2025-06-09&include=series', 200],
    ];
    for (const [path, status] of cases) {
      const r = await fetch(srv.url + path);
      assert.equal(r.status, status, path);
    }
    // the trailing-slash path reached detectJson through express; the heavy one detect() (there is no heavy lane here)
    assert.deepEqual(viaLane, [false]);
    const post = await fetch(`${srv.url}/api/detect?country=AT&date=2025-06-26`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('when the lane took a request whose answer then fails, then express answers it with the error it always gave', async () => {
    // inside the country list's range check, outside the data: the service rejects after the lane took it
    const r = await fetch(`${srv.url}/api/detect?country=AT&date=2025-07-05`);
    assert.equal(r.status, 422);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'DATA_ERROR');
    // tried in the lane, then once more by the express route the lane fell back to, which turned the error into the reply
    assert.equal(viaLane.length, 2);
    svc.failWith = new Error('boom');
    const bug = await fetch(`${srv.url}/api/detect?country=AT&date=2025-06-26`);
    assert.equal(bug.status, 500);
    assert.equal(((await bug.json()) as { error: { message: string } }).error.message, 'Internal server error; the server log has the details');
  });
});
