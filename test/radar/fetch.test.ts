import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { ConfigError, InputError } from '../../src/errors';
import { FetchError, fetchRadar, planFetch, type FetchOptions } from '../../src/radar/fetch';
import { startMockRadar } from '../../src/radar/mock-server';
import { delayingProxy, fixture, radarReply } from './radar-fixture';

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const isFile = (f: string) => {
    try {
      return fs.statSync(path.join(dir, f)).isFile();
    } catch {
      return false; // renamed away by a concurrent writer
    }
  };
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(isFile).sort();
}

const NOW = Date.parse('2025-06-01T00:00:00Z');

function cfg(data: Record<string, unknown> = {}): Config {
  return parseConfig({ countries: ['AT', 'DE'], dateRange: { from: '2023-01-01', to: '2023-03-31' }, data: { retries: 0, backoffMs: 1, ...data } });
}

describe('radar/fetch', () => {
  let tmp: string;
  let srv: Awaited<ReturnType<typeof fixture>> | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fetch-'));
  });
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const base = (url: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({
    countries: ['AT', 'DE'],
    from: '2023-01-01',
    to: '2023-03-31',
    source: 'radar',
    cfg: cfg(),
    rawDir: tmp,
    baseUrl: url,
    token: 't',
    now: NOW,
    ...extra,
  });

  it('plans 4 overlapping series windows per quarter and one label window, country-major', () => {
    const tasks = planFetch({ countries: ['AT', 'DE'], series: ['http', 'outages'], fromMs: Date.parse('2023-01-01T00:00:00Z'), toMs: Date.parse('2023-03-31T23:00:00Z'), cfg: cfg(), rawDir: '/r', source: 'radar' });
    assert.deepEqual(
      tasks.map((t) => path.relative('/r', t.file)),
      [
        'radar/AT/http/20230101T00_20230128T23.json',
        'radar/AT/http/20230128T00_20230224T23.json',
        'radar/AT/http/20230224T00_20230323T23.json',
        'radar/AT/http/20230323T00_20230331T23.json',
        'radar/AT/outages/20230101T00_20230331T23.json',
        'radar/DE/http/20230101T00_20230128T23.json',
        'radar/DE/http/20230128T00_20230224T23.json',
        'radar/DE/http/20230224T00_20230323T23.json',
        'radar/DE/http/20230323T00_20230331T23.json',
        'radar/DE/outages/20230101T00_20230331T23.json',
      ],
    );
    assert.equal(tasks[4].window.end, '2023-03-31T23:59:59Z');
  });

  it('at aggInterval 15m, plans series windows of at most 7 days ending on the last quarter, in <series>@15m folders; BGP IPs and labels keep theirs', () => {
    const fromMs = Date.parse('2023-01-01T00:00:00Z');
    const toMs = Date.parse('2023-01-20T23:00:00Z');
    const tasks = planFetch({ countries: ['AT'], series: ['http', 'bgp_ips', 'anomalies'], fromMs, toMs, cfg: cfg({ aggInterval: '15m' }), rawDir: '/r', source: 'synthetic' });
    const http = tasks.filter((t) => t.series === 'http');
    assert.deepEqual(
      http.map((t) => `${t.window.start}..${t.window.end}`),
      ['2023-01-01T00:00:00Z..2023-01-07T23:45:00Z', '2023-01-07T00:00:00Z..2023-01-13T23:45:00Z', '2023-01-13T00:00:00Z..2023-01-19T23:45:00Z', '2023-01-19T00:00:00Z..2023-01-20T23:45:00Z'],
    );
    for (const t of http) {
      assert.ok(t.window.endMs - t.window.startMs <= 7 * 24 * 3_600_000, `${t.window.start}..${t.window.end} is at most 7 days`);
      assert.equal(t.spec.params.aggInterval, '15m');
      assert.match(path.relative('/r', t.file), /^synthetic\/AT\/http@15m\/\d{8}T\d{2}_\d{8}T23\.json$/);
    }
    // consecutive windows share 24 hours = 96 quarter-hour points
    assert.equal((http[0].window.endMs - http[1].window.startMs) / 900_000 + 1, 96);
    assert.deepEqual(
      tasks.filter((t) => t.series !== 'http').map((t) => [path.relative('/r', t.file), t.spec.params.aggInterval]),
      [
        ['synthetic/AT/bgp_ips/20230101T00_20230120T23.json', undefined],
        ['synthetic/AT/anomalies/20230101T00_20230120T23.json', undefined],
      ],
    );
    // the option overrides the config, and 1h plans exactly what it always did
    const hourly = planFetch({ countries: ['AT'], series: ['http'], fromMs, toMs, cfg: cfg({ aggInterval: '15m' }), rawDir: '/r', source: 'synthetic', aggInterval: '1h' });
    assert.deepEqual(hourly.map((t) => path.relative('/r', t.file)), ['synthetic/AT/http/20230101T00_20230120T23.json']);
    assert.throws(() => planFetch({ countries: ['AT'], series: ['http'], fromMs, toMs, cfg: cfg({ aggInterval: '15m', overlapHours: 168 }), rawDir: '/r', source: 'synthetic' }), (e: unknown) => e instanceof InputError && /at most 7 days.*data\.overlapHours < 168/.test(e.message));
  });

  it('at aggInterval 15m, fetches from the local mock with aggInterval=15m, never more than 7 days per request, and refetches in place', async () => {
    const mock = await startMockRadar({ now: () => NOW });
    try {
      const opts = base(mock.url, { countries: ['AT'], from: '2024-02-01', to: '2024-02-16', series: ['http', 'bgp_ips'], cfg: cfg({ aggInterval: '15m' }) });
      const s = await fetchRadar(opts);
      assert.equal(s.written, 4, '3 http windows (7 + 7 + 2 days) and one BGP window');
      const series = mock.requests.filter((r) => r.path === '/http/timeseries');
      assert.equal(series.length, 3);
      for (const r of series) {
        assert.equal(r.query.aggInterval, '15m');
        assert.ok(Date.parse(r.query.dateEnd as string) - Date.parse(r.query.dateStart as string) <= 7 * 24 * 3_600_000);
      }
      assert.equal(mock.requests.find((r) => r.path === '/bgp/ips/timeseries')?.query.aggInterval, undefined, 'BGP IPs take no aggInterval');
      const files = listFiles(path.join(tmp, 'radar', 'AT'));
      assert.deepEqual(files.map((f) => f.split(path.sep)[0]), ['bgp_ips', 'http@15m', 'http@15m', 'http@15m']);
      const first = JSON.parse(fs.readFileSync(path.join(tmp, 'radar', 'AT', files[1]), 'utf8'));
      assert.equal(first.result.meta.aggInterval, 'FIFTEEN_MINUTES');
      assert.equal(first.result.serie_0.timestamps.length, 7 * 96);
      // --refetch finds the 15-minute chunks in their own folder and asks for the same windows again
      const before = mock.requests.length;
      await fetchRadar({ ...opts, series: ['http'], refetch: true });
      const again = mock.requests.slice(before);
      const windows = (rs: typeof series) => rs.map((r) => `${r.query.aggInterval} ${r.query.dateStart}..${r.query.dateEnd}`).sort();
      assert.deepEqual(windows(again), windows(series));
    } finally {
      await mock.close();
    }
  });

  it('writes every chunk as the envelope received, then a re-run skips them all without a request', async () => {
    srv = await fixture((c) => radarReply(c));
    const done: string[] = [];
    const s = await fetchRadar(base(srv.url, { onCountry: (c) => done.push(`${c.country}:${c.written}`) }));
    // 6 series × 4 windows + 2 label feeds × 1 window, per country
    assert.deepEqual({ chunks: s.chunks, written: s.written, skipped: s.skipped, requests: s.requests, failures: s.failures.length }, { chunks: 52, written: 52, skipped: 0, requests: 52, failures: 0 });
    assert.deepEqual(done, ['AT:26', 'DE:26']);
    const files = listFiles(path.join(tmp, 'radar'));
    assert.equal(files.length, 52);
    const f = path.join(tmp, 'radar', 'DE', 'netflows', '20230128T00_20230224T23.json');
    const call = srv.calls.find((c) => c.path.endsWith('/netflows/timeseries') && c.query.get('location') === 'DE' && c.query.get('dateStart') === '2023-01-28T00:00:00Z')!;
    assert.deepEqual(JSON.parse(fs.readFileSync(f, 'utf8')), radarReply(call).body);
    assert.equal((JSON.parse(fs.readFileSync(f, 'utf8')).result.serie_0.timestamps as string[]).length, 672);

    const again = await fetchRadar(base(srv.url));
    assert.deepEqual({ written: again.written, skipped: again.skipped, requests: again.requests }, { written: 0, skipped: 52, requests: 0 });
  });

  it('a resumed run removes temp files of a killed run and fetches only what is missing', async () => {
    srv = await fixture((c) => radarReply(c));
    await fetchRadar(base(srv.url, { countries: ['AT'] }));
    const dir = path.join(tmp, 'radar', 'AT', 'l3');
    const victim = path.join(dir, '20230224T00_20230323T23.json');
    const before = fs.readFileSync(victim);
    fs.rmSync(victim);
    fs.writeFileSync(path.join(dir, '.20230224T00_20230323T23.json.999.1.0.tmp'), '{"succ');
    const s = await fetchRadar(base(srv.url, { countries: ['AT'] }));
    assert.deepEqual({ written: s.written, skipped: s.skipped, temps: s.staleTempsRemoved }, { written: 1, skipped: 25, temps: 1 });
    assert.deepEqual(fs.readFileSync(victim), before);
    assert.ok(listFiles(tmp).every((f) => !f.endsWith('.tmp')));
  });

  it('when one country keeps failing, then the others finish and one FetchError summarises the failures', async () => {
    srv = await fixture((c) =>
      c.query.get('location') === 'DE' && c.path.endsWith('/http/timeseries') ? { status: 500, body: { success: false, errors: [{ code: 2000, message: 'Internal Error' }], result: {} } } : radarReply(c),
    );
    let err: FetchError | undefined;
    try {
      await fetchRadar(base(srv.url));
    } catch (e) {
      err = e as FetchError;
    }
    assert.ok(err instanceof FetchError, `expected FetchError, got ${String(err)}`);
    assert.match(err.message, /4 failed chunk\(s\) \(DE: 4\); the other 48 of 52 chunks are saved/);
    assert.match(err.message, /DE http 2023-01-01T00:00:00Z\.\.2023-01-28T23:00:00Z: GET \/http\/timeseries for DE.*Internal Error \(code 2000\)/);
    assert.match(err.message, /Re-run the same command/);
    assert.deepEqual(
      err.summary.countries.map((c) => [c.country, c.written, c.failed]),
      [
        ['AT', 26, 0],
        ['DE', 22, 4],
      ],
    );
    assert.equal(listFiles(path.join(tmp, 'radar', 'DE', 'http')).length, 0);
    assert.equal(listFiles(path.join(tmp, 'radar', 'DE', 'netflows')).length, 4);
  });

  it('a refused token stops the fetch instead of sending every request', async () => {
    srv = await fixture(() => ({ status: 403, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], result: null } }));
    await assert.rejects(fetchRadar(base(srv.url, { cfg: cfg({ radar: { maxRequestsPer5Min: 1100, concurrency: 2 } }) })), (e: unknown) => {
      assert.ok(e instanceof FetchError);
      assert.match(e.message, /52 failed chunk/);
      assert.match(e.message, /Account > Radar > Read/);
      return true;
    });
    assert.ok(srv.calls.length <= 2, `expected at most one request per worker, got ${srv.calls.length}`);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    srv = await fixture((c) => ({ ...radarReply(c), delayMs: 15 }));
    await fetchRadar(base(srv.url, { countries: ['AT'], series: ['http', 'l7'], cfg: cfg({ radar: { maxRequestsPer5Min: 1100, concurrency: 3 } }) }));
    assert.equal(srv.inFlightMax(), 3);
  });

  it('never asks for the future: `to` is clamped to the last complete hour', async () => {
    srv = await fixture((c) => radarReply(c));
    const s = await fetchRadar(base(srv.url, { countries: ['AT'], series: ['http'], from: '2023-01-01', to: '2023-12-31', now: Date.parse('2023-01-10T05:30:00Z') }));
    assert.equal(s.to, '2023-01-10T04:00:00Z');
    assert.deepEqual(listFiles(path.join(tmp, 'radar', 'AT', 'http')), ['20230101T00_20230110T04.json']);
    assert.ok(srv.calls.every((c) => Date.parse(c.query.get('dateEnd')!) <= Date.parse('2023-01-10T04:00:00Z')));
    // a day later the short last window is replaced by a longer one, not kept beside it
    await fetchRadar(base(srv.url, { countries: ['AT'], series: ['http'], from: '2023-01-01', to: '2023-12-31', now: Date.parse('2023-01-11T05:30:00Z') }));
    assert.deepEqual(listFiles(path.join(tmp, 'radar', 'AT', 'http')), ['20230101T00_20230111T04.json']);
    await assert.rejects(fetchRadar(base(srv.url, { from: '2023-02-01', now: Date.parse('2023-01-10T05:30:00Z') })), (e: unknown) => e instanceof InputError && /Nothing to fetch/.test(e.message));
  });

  it('--source synthetic serves the generator through an in-process mock over the same client, under <rawDir>/synthetic', async () => {
    const s = await fetchRadar({ countries: ['JP'], from: '2024-02-01', to: '2024-02-10', source: 'synthetic', cfg: cfg(), rawDir: tmp, series: ['http', 'bot_class', 'bgp_ips', 'anomalies'], now: NOW });
    assert.deepEqual({ written: s.written, requests: s.requests, dir: s.dir }, { written: 4, requests: 4, dir: path.join(tmp, 'synthetic') });
    assert.deepEqual(listFiles(tmp), [
      'synthetic/JP/anomalies/20240201T00_20240210T23.json',
      'synthetic/JP/bgp_ips/20240201T00_20240210T23.json',
      'synthetic/JP/bot_class/20240201T00_20240210T23.json',
      'synthetic/JP/http/20240201T00_20240210T23.json',
    ]);
    const http = JSON.parse(fs.readFileSync(path.join(tmp, 'synthetic/JP/http/20240201T00_20240210T23.json'), 'utf8'));
    const ts: string[] = http.result.serie_0.timestamps;
    // hourly points inside the window (the generator drops a few hours as data gaps, like Radar)
    assert.ok(ts.length > 200 && ts.length <= 240, `${ts.length} points`);
    assert.ok(ts[0] >= '2024-02-01T00:00:00Z' && ts[ts.length - 1] <= '2024-02-10T23:00:00Z');
  });

  it('--source radar without a token says how to create one, before any request', async () => {
    const saved = process.env.CLOUDFLARE_API_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    try {
      srv = await fixture((c) => radarReply(c));
      await assert.rejects(fetchRadar(base(srv.url, { token: undefined })), (e: unknown) => e instanceof ConfigError && /Account > Radar > Read/.test(e.message));
      assert.equal(srv.calls.length, 0);
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved;
    }
  });
});

/** The server the kill test fetches from: the mock Radar with a fixed clock, so every run sees the same data. */
async function startBackend(): Promise<{ url: string; close: () => Promise<void> }> {
  const m = await startMockRadar({ seed: 7, now: () => NOW, requireToken: true });
  return { url: m.url, close: () => m.close() };
}

describe('radar/fetch: killed and resumed', () => {
  let tmp: string;
  const closers: (() => Promise<void>)[] = [];
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-kill-'));
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a fetch SIGKILLed mid-way leaves only whole chunks, and resuming gives byte-identical files', async function () {
    this.timeout(60_000);
    const backend = await startBackend();
    closers.push(backend.close);
    // a slow proxy in front, so the CLI is still busy when it is killed
    const slow = await delayingProxy(backend.url, 8);
    closers.push(slow.close);

    const config = path.join(tmp, 'models.yml');
    fs.writeFileSync(config, ['countries: [AT, DE]', 'dateRange: { from: "2024-01-01", to: "2024-03-31" }', 'data:', '  chunkDays: 7', '  retries: 0', '  radar: { maxRequestsPer5Min: 1100, concurrency: 2 }', ''].join('\n'));
    const cfgObj = loadConfig(config);
    const dirA = path.join(tmp, 'uninterrupted');
    const dirB = path.join(tmp, 'resumed');
    const full = await fetchRadar({ countries: ['AT', 'DE'], from: '2024-01-01', to: '2024-03-31', source: 'radar', cfg: cfgObj, rawDir: dirA, baseUrl: backend.url, token: 't' });
    assert.equal(full.written, full.chunks);

    const cli = (): ChildProcess =>
      spawn(process.execPath, ['-r', 'tsx/cjs', 'src/cli/main.ts', '-c', config, 'fetch', '--source', 'radar', '--countries', 'AT,DE', '--from', '2024-01-01', '--to', '2024-03-31', '--raw-dir', dirB], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, RADAR_API_BASE: slow.url, CLOUDFLARE_API_TOKEN: 't', RADARWATCH_PROGRESS: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const first = cli();
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    const chunkFiles = () => listFiles(dirB).filter((f) => f.endsWith('.json') && !path.basename(f).startsWith('.'));
    const t0 = Date.now();
    while (chunkFiles().length < 10 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    assert.equal(await exited, null, 'the CLI finished before it could be killed; slow the proxy down');
    const afterKill = listFiles(dirB);
    const whole = chunkFiles();
    assert.ok(whole.length >= 10 && whole.length < full.chunks, `killed mid-way: ${whole.length} of ${full.chunks} chunks`);
    for (const f of afterKill) {
      const name = path.basename(f);
      if (name.startsWith('.')) {
        assert.match(name, /\.tmp$/, `only temp files may be hidden: ${f}`);
        continue;
      }
      const body = JSON.parse(fs.readFileSync(path.join(dirB, f), 'utf8'));
      assert.equal(body.success, true, `${f} is a whole envelope`);
      assert.deepEqual(fs.readFileSync(path.join(dirB, f)), fs.readFileSync(path.join(dirA, f)), `${f} equals the uninterrupted fetch`);
    }

    const second = cli();
    let out = '';
    second.stdout!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, out);
    assert.match(out, /^AT {2}chunks \d+ {2}written \d+ {2}skipped \d+ {2}failed 0$/m);
    assert.match(out, new RegExp(`total: 2 countries, ${full.chunks} chunks \\(${full.chunks - whole.length} written, ${whole.length} skipped, 0 failed\\)`));
    const a = listFiles(dirA);
    assert.deepEqual(listFiles(dirB), a);
    for (const f of a) assert.ok(fs.readFileSync(path.join(dirA, f)).equals(fs.readFileSync(path.join(dirB, f))), `${f} differs`);
  });
});

describe('radar/fetch: CLI exit code', () => {
  it('when a chunk fails, then the CLI prints per-country lines and totals, reports the failure on stderr and exits 1', async function () {
    this.timeout(30_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-cli-'));
    const srv = await fixture((c) => (c.query.get('location') === 'DE' && c.path.endsWith('/layer7/timeseries') ? { status: 503, body: { success: false, errors: [{ message: 'Service unavailable' }] } } : radarReply(c)));
    try {
      const config = path.join(tmp, 'models.yml');
      fs.writeFileSync(config, 'countries: [AT, DE]\ndateRange: { from: "2024-01-01", to: "2024-01-31" }\ndata: { retries: 0 }\n');
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', 'src/cli/main.ts', '-c', config, 'fetch', '--source', 'radar', '--raw-dir', tmp, '--series', 'http,l7'], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, RADAR_API_BASE: srv.url, CLOUDFLARE_API_TOKEN: 't', RADARWATCH_PROGRESS: '0' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1, err);
      assert.match(out, /^AT {2}chunks 4 {2}written 4 {2}skipped 0 {2}failed 0$/m);
      assert.match(out, /^DE {2}chunks 4 {2}written 2 {2}skipped 0 {2}failed 2$/m);
      assert.match(out, /^total: 2 countries, 8 chunks \(6 written, 0 skipped, 2 failed\)/m);
      assert.match(err, /radarwatch: FetchError: Fetch finished with 2 failed chunk\(s\) \(DE: 2\)/);
      assert.match(err, /DE l7 2024-01-01T00:00:00Z\.\.2024-01-28T23:00:00Z: GET \/attacks\/layer7\/timeseries for DE.*HTTP 503: Service unavailable/);
    } finally {
      await srv.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
