import { strict as assert } from 'assert';
import { ConfigError, RadarApiError } from '../../src/errors';
import { RadarClient, requireToken, resolveRadarAccess, DEFAULT_RADAR_BASE } from '../../src/radar/client';
import { ENDPOINTS } from '../../src/radar/endpoints';
import type { Clock } from '../../src/radar/rate-limit';
import type { DateWindow } from '../../src/radar/windows';
import { fixture, type Reply } from './radar-fixture';

/** Records requested sleeps instead of waiting, so retry tests are instant and their delays checkable. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.parse('2025-01-01T00:00:00Z'), sleep: async (ms) => void sleeps.push(ms) };
}

const W: DateWindow = { start: '2023-01-01T00:00:00Z', end: '2023-01-28T23:00:00Z', startMs: Date.parse('2023-01-01T00:00:00Z'), endMs: Date.parse('2023-01-28T23:00:00Z') };
const series = (n = 3) => ({ timestamps: Array.from({ length: n }, (_, i) => `2023-01-01T0${i}:00:00Z`), values: Array.from({ length: n }, (_, i) => String(i / n)) });
const okTs = (dateRange: unknown = [{ startTime: W.start, endTime: W.end }]) => ({ success: true, errors: [], result: { serie_0: series(), meta: { dateRange, aggInterval: 'ONE_HOUR', normalization: 'MIN0_MAX' } } });
const policy = { retries: 2, baseMs: 500, capMs: 30_000, maxRetryAfterMs: 360_000 };

function client(url: string, clock = recordingClock(), extra: Partial<ConstructorParameters<typeof RadarClient>[0]> = {}) {
  return new RadarClient({ baseUrl: url, token: 'tok-123', timeoutMs: 5000, retry: policy, clock, random: () => 0.5, ...extra });
}

/** Asserts `p` rejects with a RadarApiError whose message matches every pattern; returns it. */
async function rejectsApi(p: Promise<unknown>, ...patterns: RegExp[]): Promise<RadarApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RadarApiError, `expected RadarApiError, got ${String(e)}`);
    for (const re of patterns) assert.match(e.message, re);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('radar/client', () => {
  let srv: Awaited<ReturnType<typeof fixture>> | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  it('sends the bearer token, the endpoint path and the fixed params; accepts dateRange as array or object and no `messages`', async () => {
    srv = await fixture((c) => ({ body: c.path.endsWith('/netflows/timeseries') ? okTs({ startTime: W.start, endTime: W.end }) : okTs() }));
    const c = client(srv.url);
    const a = await c.fetchWindow(ENDPOINTS.http, 'AT', W);
    const b = await c.fetchWindow(ENDPOINTS.netflows, 'AT', W);
    assert.deepEqual(a.result.serie_0, series());
    assert.ok(b.success);
    const [h, n] = srv.calls;
    assert.equal(h.auth, 'Bearer tok-123');
    assert.equal(h.path, '/client/v4/radar/http/timeseries');
    assert.deepEqual(Object.fromEntries(h.query), { aggInterval: '1h', format: 'json', normalization: 'MIN0_MAX', dateStart: W.start, dateEnd: W.end, location: 'AT' });
    assert.equal(n.query.get('product'), 'ALL');
    assert.equal(c.requests, 2);
  });

  it('bgp_ips sends no aggInterval and validates {timestamps, ipv4, ipv6}; l3 targets the country', async () => {
    srv = await fixture(() => ({ body: { success: true, errors: [], result: { meta: {}, serie_0: { timestamps: ['a', 'b'], ipv4: ['1', '2'], ipv6: ['3', '4'] } } } }));
    await client(srv.url).fetchWindow(ENDPOINTS.bgp_ips, 'DE', W);
    assert.equal(srv.calls[0].path, '/client/v4/radar/bgp/ips/timeseries');
    assert.equal(srv.calls[0].query.has('aggInterval'), false);
    srv.calls.length = 0;
    await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.l3, 'DE', W), /values next to/);
    assert.equal(srv.calls[0].query.get('direction'), 'TARGET');
  });

  it('when the API answers 429 with retry-after, then succeeds, waits the given seconds and returns the data', async () => {
    srv = await fixture((_, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '7' }, body: { success: false, errors: [{ code: 1015, message: 'Too many requests' }], result: {} } } : { body: okTs() }));
    const clock = recordingClock();
    const c = client(srv.url, clock);
    const env = await c.fetchWindow(ENDPOINTS.http, 'AT', W);
    assert.equal(env.success, true);
    assert.deepEqual(clock.sleeps, [7000]);
    assert.equal(c.requests, 2);
  });

  it('honours retry-after-ms and retry-after as an HTTP date', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    srv = await fixture((_, n): Reply =>
      n === 1 ? { status: 429, headers: { 'retry-after-ms': '1234' }, body: {} } : n === 2 ? { status: 503, headers: { 'retry-after': new Date(now + 90_000).toUTCString() }, body: {} } : { body: okTs() },
    );
    const clock = recordingClock();
    await client(srv.url, clock).fetchWindow(ENDPOINTS.http, 'AT', W);
    assert.deepEqual(clock.sleeps, [1234, 90_000]);
  });

  it('when 5xx repeats, then succeeds, backs off exponentially with full jitter', async () => {
    srv = await fixture((_, n) => (n <= 2 ? { status: 502, raw: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } } : { body: okTs() }));
    const clock = recordingClock();
    const c = client(srv.url, clock);
    await c.fetchWindow(ENDPOINTS.http, 'AT', W);
    // random() = 0.5 → half of 500·2^0 and 500·2^1
    assert.deepEqual(clock.sleeps, [250, 500]);
    assert.equal(c.requests, 3);
  });

  it('when retries are exhausted, throws a RadarApiError naming endpoint, country, window, status and the API message', async () => {
    srv = await fixture(() => ({ status: 500, body: { success: false, errors: [{ code: 2000, message: 'Internal Error' }], result: {} } }));
    const c = client(srv.url);
    const e = await rejectsApi(c.fetchWindow(ENDPOINTS.l7, 'JP', W), /GET \/attacks\/layer7\/timeseries for JP/, /window 2023-01-01T00:00:00Z\.\.2023-01-28T23:00:00Z/, /after 3 attempts/, /HTTP 500: Internal Error \(code 2000\)/, /re-run fetch later/);
    assert.deepEqual(
      { endpoint: e.details.endpoint, country: e.details.country, status: e.details.httpStatus, msg: e.details.apiMessage, retryable: e.details.retryable },
      { endpoint: '/attacks/layer7/timeseries', country: 'JP', status: 500, msg: 'Internal Error (code 2000)', retryable: true },
    );
    assert.equal(srv.calls.length, 3);
  });

  it('retries a 200 whose body is not JSON (a truncated transfer), then reports it', async () => {
    srv = await fixture(() => ({ raw: '{"success": true, "result": {"serie_0": {"timest' }));
    await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'AT', W), /not valid JSON/, /starts "\{\\"success\\": true/);
    assert.equal(srv.calls.length, 3);
  });

  it('success:false in a 200 is an error with the API message and is not retried', async () => {
    srv = await fixture(() => ({ body: { success: false, errors: [{ message: 'location: invalid value "XX"' }], messages: [], result: null } }));
    const e = await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'AT', W), /success: false: location: invalid value "XX"/);
    assert.equal(e.details.retryable, false);
    assert.equal(srv.calls.length, 1);
  });

  it('rejects shapes that do not match the endpoint kind, without retrying', async () => {
    const cases: [keyof typeof ENDPOINTS, unknown, RegExp][] = [
      ['http', { success: true, errors: [], result: { meta: {} } }, /found keys: meta/],
      ['http', { success: true, errors: [], result: { serie_0: { timestamps: ['a', 'b'], values: ['1'] } } }, /values has 1 values but result\.serie_0\.timestamps has 2/],
      ['bot_class', { success: true, errors: [], result: { serie_0: { timestamps: ['a'], bot: ['1', '2'], human: ['3'] } } }, /bot has 2 values/],
      ['bot_class', { success: true, errors: [], result: { serie_0: { timestamps: ['a'] } } }, /group arrays/],
      ['outages', { success: true, errors: [], result: { events: [] } }, /result\.annotations to be an array.*keys present: events/],
      ['http', { success: true, errors: [], result: { meta: { dateRange: 'last week' }, serie_0: series() } }, /dateRange to be an object or an array/],
      ['http', [1, 2], /expected a JSON object envelope/],
    ];
    srv = await fixture((_, n) => ({ body: cases[n - 1][1] }));
    for (const [name, , re] of cases) await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS[name], 'AT', W), re);
    assert.equal(srv.calls.length, cases.length);
  });

  it('400 is not retried; 422 "above max cost" suggests a smaller chunkDays; 401 explains the token', async () => {
    srv = await fixture((c) => {
      const loc = c.query.get('location');
      if (loc === 'AA') return { status: 400, body: { success: false, errors: [{ message: 'Input validation error', code: 2001 }], result: {} } };
      if (loc === 'BB') return { status: 422, body: { success: false, errors: [{ code: 2002, message: 'Query is above max cost' }], result: {} } };
      return { status: 401, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null } };
    });
    const a = await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'AA', W), /HTTP 400: Input validation error \(code 2001\)/, /check the country code/);
    assert.equal(a.details.retryable, false);
    await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'BB', W), /Query is above max cost/, /lowering data\.chunkDays/);
    await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'CC', W), /Authentication error/, /Account > Radar > Read/);
    assert.equal(srv.calls.length, 3);
  });

  it('obeys x-should-retry: false even on a 503', async () => {
    srv = await fixture(() => ({ status: 503, headers: { 'x-should-retry': 'false' }, body: { success: false, errors: [{ message: 'down' }] } }));
    await rejectsApi(client(srv.url).fetchWindow(ENDPOINTS.http, 'AT', W), /HTTP 503: down/);
    assert.equal(srv.calls.length, 1);
  });

  it('times out a server that never answers and retries, then names the timeout', async () => {
    srv = await fixture(() => ({ hang: true }));
    await rejectsApi(client(srv.url, recordingClock(), { timeoutMs: 150, retry: { ...policy, retries: 1 } }).fetchWindow(ENDPOINTS.http, 'AT', W), /no complete response within 150 ms/, /after 2 attempts/);
    assert.equal(srv.calls.length, 2);
  });

  it('retries network errors (connection refused)', async () => {
    srv = await fixture(() => ({ body: okTs() }));
    const url = srv.url;
    await srv.close();
    srv = undefined;
    await rejectsApi(client(url).fetchWindow(ENDPOINTS.http, 'AT', W), /network error: ECONNREFUSED/, /after 3 attempts/);
  });

  it('pages labels with limit/offset until a short page and merges them into one envelope', async () => {
    const all = Array.from({ length: 250 }, (_, i) => ({ id: String(i), eventType: 'OUTAGE', locations: ['AT'] }));
    srv = await fixture((c) => {
      const limit = Number(c.query.get('limit'));
      const offset = Number(c.query.get('offset'));
      return { body: { success: true, errors: [], result: { annotations: all.slice(offset, offset + limit) } } };
    });
    const lw: DateWindow = { ...W, end: '2023-12-30T23:59:59Z' };
    const env = await client(srv.url).fetchWindow(ENDPOINTS.outages, 'AT', lw, 100);
    assert.deepEqual(srv.calls.map((c) => c.query.get('offset')), ['0', '100', '200']);
    assert.deepEqual(env.result.annotations, all);
    assert.equal(srv.calls[0].path, '/client/v4/radar/annotations/outages');
    assert.equal(srv.calls[0].query.get('dateEnd'), '2023-12-30T23:59:59Z');
    assert.equal(srv.calls[0].query.get('location'), 'AT');
  });

  it('asks once more after an exactly full last page, and stops at once when the server ignores limit', async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ uuid: `u${i}`, type: 'LOCATION', status: 'VERIFIED', startDate: W.start }));
    srv = await fixture((c) => {
      const offset = Number(c.query.get('offset'));
      if (c.query.get('location') === 'AT') return { body: { success: true, errors: [], result: { trafficAnomalies: offset < 200 ? items(100) : [] } } };
      return { body: { success: true, errors: [], result: { trafficAnomalies: items(130) } } };
    });
    const at = await client(srv.url).fetchWindow(ENDPOINTS.anomalies, 'AT', W, 100);
    assert.equal((at.result.trafficAnomalies as unknown[]).length, 200);
    const de = await client(srv.url).fetchWindow(ENDPOINTS.anomalies, 'DE', W, 100);
    assert.equal((de.result.trafficAnomalies as unknown[]).length, 130);
    assert.equal(srv.calls.length, 3 + 1);
  });

  it('resolves base URL and token from options, then the environment; a missing token says how to create one', () => {
    assert.deepEqual(resolveRadarAccess({}, {}), { baseUrl: DEFAULT_RADAR_BASE, token: undefined });
    assert.deepEqual(resolveRadarAccess({}, { RADAR_API_BASE: 'http://127.0.0.1:9/client/v4/radar/', CLOUDFLARE_API_TOKEN: 'env' }), { baseUrl: 'http://127.0.0.1:9/client/v4/radar', token: 'env' });
    assert.deepEqual(resolveRadarAccess({ baseUrl: 'http://h/r', token: 'opt' }, { RADAR_API_BASE: 'x', CLOUDFLARE_API_TOKEN: 'env' }), { baseUrl: 'http://h/r', token: 'opt' });
    assert.throws(() => requireToken(undefined), (e: unknown) => e instanceof ConfigError && /CLOUDFLARE_API_TOKEN/.test(e.message) && /Account > Radar > Read/.test(e.message));
    assert.equal(requireToken('t'), 't');
  });
});
