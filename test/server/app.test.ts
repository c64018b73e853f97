import { strict as assert } from 'assert';
import { parseConfig } from '../../src/config/load';
import { DataError, NotFittedError, NotFoundError, RadarApiError } from '../../src/errors';
import { createApp } from '../../src/server/app';
import { listen, type RunningServer } from '../../src/server/listen';
import { createFakeService, fakeResult, type FakeService } from './fake-service';

const config = parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2025-01-01', to: '2025-06-30' } });
const pkgVersion = (require('../../package.json') as { version: string }).version;

/** Runs `fn` with stderr (where the server logs) captured, and returns what was written. */
async function captureStderr(fn: () => Promise<unknown>): Promise<string> {
  const written: string[] = [];
  const level = process.env.RADARWATCH_LOG;
  process.env.RADARWATCH_LOG = 'info'; // the assertions read the log, whatever level the run was started with
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = orig;
    if (level === undefined) delete process.env.RADARWATCH_LOG;
    else process.env.RADARWATCH_LOG = level;
  }
  return written.join('');
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

describe('server/app', () => {
  let svc: FakeService;
  let srv: RunningServer;

  async function get(path: string, init?: RequestInit): Promise<Reply> {
    const res = await fetch(srv.url + path, init);
    const text = await res.text();
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body };
  }

  /** Asserts a JSON error reply with status, code and a message fragment. */
  async function expectError(path: string, status: number, code: string, fragment: string | RegExp, init?: RequestInit): Promise<void> {
    const r = await get(path, init);
    assert.equal(r.status, status, `${path}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code, path);
    if (typeof fragment === 'string') assert.ok(r.body.error.message.includes(fragment), `${path}: "${r.body.error.message}" lacks "${fragment}"`);
    else assert.match(r.body.error.message, fragment, path);
  }

  before(async () => {
    svc = createFakeService(['AT', 'DE']);
    srv = await listen(createApp({ service: svc, config }), { host: '127.0.0.1', port: 0 });
  });
  after(() => srv.close());
  beforeEach(() => {
    svc.failWith = undefined;
    svc.calls.length = 0;
  });

  describe('endpoints', () => {
    it('when /api/health is asked, then it reports ok, the model count, uptime and the package version', async () => {
      const r = await get('/api/health');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ['models', 'status', 'uptimeSeconds', 'version']);
      assert.equal(r.body.status, 'ok');
      assert.equal(r.body.models, 2);
      assert.equal(r.body.version, pkgVersion);
      assert.ok(Number.isInteger(r.body.uptimeSeconds) && r.body.uptimeSeconds >= 0);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    });

    it('when /api/countries is asked, then it lists every served country with its data and training ranges', async () => {
      const r = await get('/api/countries');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { countries: svc.countries() });
      assert.equal(r.body.countries[0].name, 'Austria');
    });

    it('when /api/detect gets a date, then the service scores that UTC day and its result is returned unchanged', async () => {
      const r = await get('/api/detect?country=AT&date=2025-06-26');
      assert.equal(r.status, 200);
      assert.equal(svc.calls.length, 1);
      const c = svc.calls[0];
      assert.deepEqual([c.country, c.from.toISOString(), c.to.toISOString(), c.series], ['AT', '2025-06-26T00:00:00.000Z', '2025-06-27T00:00:00.000Z', false]);
      assert.deepEqual(r.body, JSON.parse(JSON.stringify(fakeResult('AT', c.from, c.to, false))));
      assert.equal(r.body.hours.length, 24);
      assert.equal(r.body.series, undefined);
      assert.equal(r.body.events[0].cause, 'outage');
    });

    it('when /api/detect gets from/to as bare dates, then to includes its whole day and the country is upper-cased', async () => {
      const r = await get('/api/detect?country=de&from=2025-06-24&to=2025-06-30');
      assert.equal(r.status, 200);
      assert.equal(r.body.country, 'DE');
      assert.equal(r.body.from, '2025-06-24T00:00:00.000Z');
      assert.equal(r.body.to, '2025-07-01T00:00:00.000Z');
      assert.equal(r.body.hours.length, 7 * 24);
      assert.equal(r.body.events.length, 1);
      assert.equal(r.body.events[0].cause, 'l3_ddos');
    });

    it('when /api/detect gets ISO date-times with an offset, then they are converted to UTC and to is exclusive', async () => {
      const r = await get('/api/detect?country=AT&from=2025-06-26T05:00:00%2B02:00&to=2025-06-26T10:00:00Z');
      assert.equal(r.status, 200);
      assert.equal(r.body.from, '2025-06-26T03:00:00.000Z');
      assert.equal(r.body.to, '2025-06-26T10:00:00.000Z');
      assert.equal(r.body.hours.length, 7);
    });

    it('when include=series, then the signal values per hour and the labelled windows come back', async () => {
      const r = await get('/api/detect?country=AT&from=2025-06-24&to=2025-06-30&include=series');
      assert.equal(r.status, 200);
      assert.equal(svc.calls[0].series, true);
      assert.deepEqual(Object.keys(r.body.series.signals), ['http', 'netflows', 'l3', 'l7', 'bot_share', 'bgp_ips']);
      for (const v of Object.values(r.body.series.signals) as number[][]) assert.equal(v.length, r.body.hours.length);
      assert.deepEqual(r.body.series.labels.map((l: { kind: string }) => l.kind), ['outage', 'l7_attack']);
    });

    it('when /api/events is asked, then only country, from, to and the events come back', async () => {
      const r = await get('/api/events?country=AT&from=2025-06-24&to=2025-06-30');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body), ['country', 'from', 'to', 'events']);
      assert.equal(svc.calls[0].series, false);
      assert.deepEqual(
        r.body.events.map((e: { start: string; cause: string; severity: string }) => [e.start, e.cause, e.severity]),
        [
          ['2025-06-26T03:00:00.000Z', 'outage', 'high'],
          ['2025-06-29T14:00:00.000Z', 'l7_attack', 'medium'],
        ],
      );
    });

    it('when the pages, plotly and the map geometry are requested, then all are served from this server', async () => {
      const overview = await get('/');
      assert.equal(overview.status, 200);
      assert.match(overview.headers.get('content-type')!, /text\/html/);
      assert.ok(overview.body.includes('src="vendor/plotly.min.js"') && overview.body.includes('data-testid="countries"'));
      const country = await get('/country');
      assert.equal(country.status, 200);
      assert.ok(country.body.includes('data-testid="run"'));
      for (const file of ['/country.js', '/overview.js', '/common.js']) {
        const js = await get(file);
        assert.equal(js.status, 200, file);
        assert.match(js.headers.get('content-type')!, /javascript/);
      }
      const plotly = await fetch(srv.url + '/vendor/plotly.min.js');
      assert.equal(plotly.status, 200);
      assert.match(plotly.headers.get('content-type')!, /javascript/);
      assert.ok((await plotly.text()).length > 1_000_000);
      for (const res of [110, 50]) {
        const topo = await fetch(`${srv.url}/vendor/topojson/world_${res}m.json`);
        assert.equal(topo.status, 200);
        assert.equal(topo.headers.get('content-encoding'), 'gzip', 'fetch asks for gzip, and the geometry is sent compressed');
        const geo = (await topo.json()) as { objects: { countries: { geometries: { id: string }[] } } };
        assert.ok(geo.objects.countries.geometries.some((g) => g.id === 'AUT'));
      }
    });

    it('when an old page link /?country=… is followed, then it is redirected to the country view with the same query', async () => {
      const res = await fetch(srv.url + '/?country=AT&from=2025-06-01&to=2025-06-07', { redirect: 'manual' });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), 'country?country=AT&from=2025-06-01&to=2025-06-07');
    });
  });

  describe('input validation', () => {
    const cases: [string, string, string | RegExp][] = [
      ['missing country', '/api/detect?date=2025-06-26', 'Missing country'],
      ['empty country', '/api/detect?country=&date=2025-06-26', 'Missing country'],
      ['malformed country', '/api/detect?country=A.1&date=2025-06-26', 'Expected country as a code such as AT or an imported dataset id'],
      ['country with a slash', `/api/detect?country=${encodeURIComponent('A/1')}&date=2025-06-26`, 'Expected country as a code such as AT or an imported dataset id'],
      ['missing range', '/api/detect?country=AT', 'Missing range'],
      ['from without to', '/api/detect?country=AT&from=2025-06-24', 'Missing to'],
      ['to without from', '/api/events?country=AT&to=2025-06-24', 'Missing from'],
      ['date and from', '/api/detect?country=AT&date=2025-06-24&from=2025-06-24&to=2025-06-25', 'not both'],
      ['bad date format', '/api/detect?country=AT&date=26.06.2025', 'Expected date as YYYY-MM-DD'],
      ['date-time as date', '/api/detect?country=AT&date=2025-06-26T00:00Z', 'Expected date as YYYY-MM-DD'],
      ['impossible date', '/api/events?country=AT&from=2025-02-30&to=2025-03-02', 'Expected from as YYYY-MM-DD (a whole UTC day) or an ISO date-time'],
      ['from after to', '/api/detect?country=AT&from=2025-06-26&to=2025-06-20', /from \(2025-06-26T00:00:00.000Z\) must be before to/],
      ['from equals to (date-times)', '/api/detect?country=AT&from=2025-06-26T00:00Z&to=2025-06-26T00:00Z', 'must be before'],
      ['range too long', '/api/detect?country=AT&from=2025-01-01&to=2025-06-30', 'longer than the allowed 93 (server.maxRangeDays)'],
      ['unknown parameter', '/api/detect?country=AT&date=2025-06-26&format=csv', 'Unknown query parameter "format". Allowed: country, date, from, to, include'],
      ['nested parameter', '/api/detect?country=AT&date=2025-06-26&a[b]=1', 'Unknown query parameter "a[b]"'],
      ['unknown include', '/api/detect?country=AT&date=2025-06-26&include=weights', 'Unknown include "weights". Expected one of: series'],
      ['repeated country', '/api/detect?country=AT&country=DE&date=2025-06-26', 'Query parameter "country" was given 2 times; give it once'],
      ['repeated date', '/api/events?country=AT&date=2025-06-26&date=2025-06-27', '"date" was given 2 times'],
      ['very long value', `/api/detect?country=AT&date=${'9'.repeat(500)}`, 'is 500 characters long; at most 64'],
      ['unicode country', `/api/detect?country=${encodeURIComponent('ÖS')}&date=2025-06-26`, 'Expected country as a code such as AT or an imported dataset id'],
      ['emoji date', `/api/detect?country=AT&date=${encodeURIComponent('📅2025-06-26')}`, 'Expected date as YYYY-MM-DD'],
      ['broken percent-encoding', '/api/detect?country=%E0%A4%A&date=2025-06-26', 'Expected country as a code such as AT or an imported dataset id'],
      ['NUL byte', '/api/detect?country=A%00&date=2025-06-26', 'Expected country as a code such as AT or an imported dataset id'],
    ];
    for (const [what, path, fragment] of cases) {
      it(`when the query has a ${what}, then 400 INPUT_ERROR says what was expected`, async () => {
        await expectError(path, 400, 'INPUT_ERROR', fragment);
        assert.equal(svc.calls.length, 0, 'the service must not be called with invalid input');
      });
    }

    it('when the country or dataset id is well-formed but has no model, then 404 lists the known ones', async () => {
      await expectError('/api/detect?country=FR&date=2025-06-26', 404, 'NOT_FOUND', 'Unknown country or dataset "FR". Known: AT, DE');
      // letters, digits, "_" and "-" make a well-formed (imported) id
      await expectError('/api/detect?country=A1&date=2025-06-26', 404, 'NOT_FOUND', 'Unknown country or dataset "A1". Known: AT, DE');
      await expectError('/api/detect?country=web_eu-1&date=2025-06-26', 404, 'NOT_FOUND', 'Unknown country or dataset "web_eu-1"');
      await expectError('/api/events?country=fr&date=2025-06-26', 404, 'NOT_FOUND', 'Known: AT, DE');
    });

    it('when the URL is longer than 2 KB, then 414 and the service is not called', async () => {
      await expectError(`/api/detect?country=AT&date=2025-06-26&x=${'a'.repeat(2100)}`, 414, 'URI_TOO_LONG', 'at most 2048');
      assert.equal(svc.calls.length, 0);
    });

    it('when a body exceeds 10 kB or is broken JSON, then 413 / 400 JSON errors come back', async () => {
      const big = JSON.stringify({ a: 'x'.repeat(11 * 1024) });
      await expectError('/api/detect', 413, 'ENTITY_TOO_LARGE', 'too large', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      await expectError('/api/detect', 400, 'ENTITY_PARSE_FAILED', /JSON/, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    });

    it('when an API route is called with another method, then 405 names the allowed one', async () => {
      const r = await get('/api/detect?country=AT&date=2025-06-26', { method: 'DELETE' });
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'GET');
      assert.equal(r.body.error.code, 'METHOD_NOT_ALLOWED');
    });

    it('when an unknown /api path or page path is asked, then 404 JSON names the endpoints', async () => {
      await expectError('/api/detects', 404, 'NOT_FOUND', 'No such endpoint: GET /api/detects. Endpoints: GET /api/health');
      await expectError('/api', 404, 'NOT_FOUND', 'No such endpoint');
      await expectError('/nothing-here.html', 404, 'NOT_FOUND', 'No such endpoint');
    });

    it('when a path tries to climb out of the page folder, then nothing outside it is served', async () => {
      for (const p of ['/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/%2e%2e/package.json', '/vendor/..%2f..%2fpackage.json']) {
        const r = await get(p);
        assert.notEqual(r.status, 200, p);
        assert.ok(!(typeof r.body === 'string' && r.body.includes('"devDependencies"')), p);
      }
    });

    it('when garbage queries have been sent, then the server still answers normally', async () => {
      const garbage = [
        '/api/detect?%%%%',
        '/api/detect?country[]=AT&date=2025-06-26',
        '/api/detect?country=AT&date=2025-06-26&date[x]=1',
        '/api/events?=&=&&&',
        '/api/detect?country=AT&from=2025-06-26T99:99Z&to=x',
        `/api/detect?${'country=AT&'.repeat(150)}date=2025-06-26`,
        '/api/detect?country=AT&date=2025-06-26&__proto__=x&constructor=y',
        '/api/detect?country=%F0%9F%92%A9&date=%F0%9F%92%A9',
        '/%ff%fe',
      ];
      for (const p of garbage) {
        const r = await get(p);
        assert.ok(r.status >= 400 && r.status < 500, `${p} → ${r.status}`);
        assert.ok(r.body.error && typeof r.body.error.message === 'string', p);
      }
      const ok = await get('/api/detect?country=AT&date=2025-06-26');
      assert.equal(ok.status, 200);
      assert.equal(ok.body.hours.length, 24);
    });
  });

  describe('error middleware', () => {
    const typed: [string, unknown, number, string][] = [
      ['DataError', new DataError('Range is outside the data of AT (2025-01-01..2025-07-01)'), 422, 'DATA_ERROR'],
      ['NotFoundError', new NotFoundError('Model folder results/models/AT is gone'), 404, 'NOT_FOUND'],
      ['NotFittedError', new NotFittedError('threshold not fitted; run radarwatch calibrate AT'), 409, 'NOT_FITTED'],
      ['RadarApiError', new RadarApiError('Radar API 503 for http AT', { endpoint: 'http' }), 502, 'RADAR_API_ERROR'],
    ];
    for (const [name, err, status, code] of typed) {
      it(`when the service throws ${name}, then ${status} ${code} carries its message`, async () => {
        svc.failWith = err;
        const log = await captureStderr(() => expectError('/api/detect?country=AT&date=2025-06-26', status, code, (err as Error).message));
        // typed 5xx errors are logged as one line (they explain themselves); 4xx are the client's business
        if (status >= 500) assert.equal(log, `WARN: GET /api/detect?country=AT&date=2025-06-26 → ${status}: ${name}: ${(err as Error).message}\n`);
        else assert.equal(log, '');
      });
    }

    it('when the service throws an unexpected error, then 500 has a generic message, no stack, and the stack is logged', async () => {
      svc.failWith = new TypeError('Cannot read properties of undefined (reading secretPath /srv/models)');
      let r: Reply | undefined;
      const log = await captureStderr(async () => {
        r = await get('/api/events?country=AT&date=2025-06-26');
      });
      assert.equal(r!.status, 500);
      assert.deepEqual(r!.body, { error: { code: 'INTERNAL_ERROR', message: 'Internal server error; the server log has the details' } });
      assert.match(log, /GET \/api\/events\?country=AT&date=2025-06-26 → 500: TypeError: Cannot read properties/);
      assert.match(log, /at /, 'the stack trace is logged');
    });

    it('when the service throws a non-Error value, then it is still a 500 JSON reply', async () => {
      svc.failWith = 'plain string';
      let r: Reply | undefined;
      const log = await captureStderr(async () => {
        r = await get('/api/detect?country=AT&date=2025-06-26');
      });
      assert.equal(r!.status, 500);
      assert.equal(r!.body.error.code, 'INTERNAL_ERROR');
      assert.match(log, /→ 500: plain string/);
    });
  });

  describe('headers', () => {
    it('when any response is sent, then it carries nosniff and a self-only CSP, and no x-powered-by', async () => {
      for (const p of ['/', '/api/health', '/api/detect?country=XX&date=2025-06-26', '/api/nope']) {
        const r = await get(p);
        assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
        const csp = r.headers.get('content-security-policy')!;
        assert.match(csp, /default-src 'self'/, p);
        assert.match(csp, /script-src 'self'(;|$)/, p);
        assert.doesNotMatch(csp, /https?:|\*/, `${p}: no remote sources`);
        assert.equal(r.headers.get('x-powered-by'), null, p);
      }
    });
  });
});
