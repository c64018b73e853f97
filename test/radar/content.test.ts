import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import { preprocessCountry } from '../../src/data/preprocess';
import { DataError } from '../../src/errors';
import { checkAnswerContent } from '../../src/radar/content';
import { ENDPOINTS } from '../../src/radar/endpoints';
import { FetchError, fetchRadar, type FetchOptions } from '../../src/radar/fetch';
import { refetchHint } from '../../src/radar/refetch';
import { parseChunkFile } from '../../src/radar/raw-store';
import type { RadarEnvelope } from '../../src/radar/shape';
import { fixture, radarReply, type Call } from './radar-fixture';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const cfg = (retries = 2) => parseConfig({ countries: ['AT'], dateRange: { from: '2023-01-01', to: '2023-01-31' }, data: { retries, backoffMs: 1 } });

/** A time-series envelope with these timestamps and values (and a normalization). */
function env(ts: unknown[], values: unknown[], normalization?: string): RadarEnvelope {
  return { success: true, errors: [], result: { serie_0: { timestamps: ts, values }, meta: { dateRange: [{ startTime: '2023-01-01T00:00:00Z', endTime: '2023-01-01T02:00:00Z' }], ...(normalization ? { normalization } : {}) } } } as RadarEnvelope;
}
const TS = ['2023-01-01T00:00:00Z', '2023-01-01T01:00:00Z', '2023-01-01T02:00:00Z'];

describe('radar/content', () => {
  const cases: [string, RadarEnvelope, RegExp | undefined][] = [
    ['a normal MIN0_MAX answer (a null is a gap)', env(TS, ['0.5', null, '1'], 'MIN0_MAX'), undefined],
    ['an empty series', env([], [], 'MIN0_MAX'), /the series are empty/],
    ['"NaN" values', env(TS, ['0.5', 'NaN', '1'], 'MIN0_MAX'), /values\[1\]: value "NaN" is not a finite number/],
    ['"Infinity" values', env(TS, ['Infinity', '0.5', '1'], 'MIN0_MAX'), /values\[0\]: value "Infinity" is not a finite number/],
    ['a timestamp "not-a-time"', env(['2023-01-01T00:00:00Z', 'not-a-time', '2023-01-01T02:00:00Z'], ['0.5', '0.7', '1'], 'MIN0_MAX'), /timestamps\[1\]: timestamp "not-a-time" is not a date/],
    ['1e308 under MIN0_MAX', env(TS, ['0.5', '1e308', '1'], 'MIN0_MAX'), /values\[1\] is 1e\+308; expected a value in \[0, 1\.000000001\] for normalization MIN0_MAX/],
    ['a negative MIN0_MAX value', env(TS, ['0.5', '-0.2', '1'], 'MIN0_MAX'), /values\[1\] is -0\.2/],
    ['150 % under PERCENTAGE', env(TS, ['50', '150', '1'], 'PERCENTAGE'), /values\[1\] is 150; expected a value in \[0, 100\.000001\]/],
    ['a point years outside the window', env(['2023-01-01T00:00:00Z', '1999-01-01T00:00:00Z', '2023-01-01T02:00:00Z'], ['0.5', '0.7', '1'], 'MIN0_MAX'), /timestamps\[\d\] is 1999-01-01T00:00:00\.000Z, outside the requested window/],
  ];
  const window = { start: '2023-01-01T00:00:00Z', end: '2023-01-01T02:00:00Z', startMs: Date.parse('2023-01-01T00:00:00Z'), endMs: Date.parse('2023-01-01T02:00:00Z') };
  for (const [name, e, want] of cases) {
    it(`${name} → ${want ? 'rejected' : 'accepted'}`, () => {
      const got = checkAnswerContent(e, ENDPOINTS.http, window);
      if (want) assert.match(got ?? '', want);
      else assert.equal(got, undefined);
    });
  }

  it('a label feed must hold event objects', () => {
    const ok = { success: true, errors: [], result: { annotations: [{ id: 'a' }] } } as RadarEnvelope;
    assert.equal(checkAnswerContent(ok, ENDPOINTS.outages), undefined);
    assert.match(checkAnswerContent({ ...ok, result: { annotations: [{ id: 'a' }, 'x'] } }, ENDPOINTS.outages) ?? '', /annotations\[1\] is "x"; expected an event object/);
  });

  it('names a chunk file back as its window and the refetch command', () => {
    const file = path.join('datasets', 'raw', 'radar', 'AT', 'http', '20230101T00_20230128T23.json');
    const info = parseChunkFile(file)!;
    assert.deepEqual([info.source, info.country, info.series, info.window.start, info.window.end], ['radar', 'AT', 'http', '2023-01-01T00:00:00Z', '2023-01-28T23:00:00Z']);
    assert.equal(parseChunkFile(path.join('r', 'radar', 'AT', 'outages', '20230101T00_20231230T23.json'))!.window.end, '2023-12-30T23:59:59Z');
    assert.equal(refetchHint(`${file}.serie_0.values[3]`), ' Replace the chunk with `radarwatch fetch --refetch --source radar --countries AT --series http --from 2023-01-01 --to 2023-01-28 --agg-interval 1h`.');
    assert.equal(refetchHint('AT http 2023-01-01..2023-01-02'), '', 'a live window is no chunk');
  });
});

describe('radar/fetch: bad answers are retried, reported and never written; --refetch replaces chunks', () => {
  let tmp: string;
  let srv: Awaited<ReturnType<typeof fixture>> | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-content-'));
  });
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const opts = (url: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({ countries: ['AT'], from: '2023-01-01', to: '2023-01-20', source: 'radar', cfg: cfg(), rawDir: tmp, baseUrl: url, token: 't', now: NOW, series: ['http'], ...extra });
  const httpFile = () => path.join(tmp, 'radar', 'AT', 'http', '20230101T00_20230120T23.json');
  /** The fixture's normal answer with `values[5]` replaced, for the first `times` http calls. */
  const spoil = (value: unknown, times: number) => (c: Call, n: number) => {
    const r = radarReply(c);
    if (n <= times) ((r.body as { result: { serie_0: { values: unknown[] } } }).result.serie_0.values[5] = value);
    return r;
  };

  for (const [what, value] of [['"NaN"', 'NaN'], ['"Infinity"', 'Infinity'], ['1e308', '1e308']] as const) {
    it(`when every answer carries ${what}, then the chunk is reported after the retries and not written`, async () => {
      srv = await fixture(spoil(value, 99));
      await assert.rejects(fetchRadar(opts(srv.url)), (e: Error) => e instanceof FetchError && e.summary.written === 0 && /failed after 3 attempts: HTTP 200 with an answer that cannot be stored: result\.serie_0\.values\[5\]/.test(e.message));
      assert.equal(srv.calls.length, 3, 'asked three times (retries: 2)');
      assert.ok(!fs.existsSync(httpFile()));
    });
  }

  it('when one answer is bad and the retry is good, then the good one is written', async () => {
    srv = await fixture(spoil('NaN', 1));
    const s = await fetchRadar(opts(srv.url));
    assert.equal(s.written, 1);
    assert.equal(srv.calls.length, 2);
    assert.ok(JSON.parse(fs.readFileSync(httpFile(), 'utf8')).result.serie_0.values.every((v: string) => Number.isFinite(Number(v))));
  });

  it('when an empty series or a garbled timestamp comes back, then nothing is written', async () => {
    srv = await fixture((c) => {
      const r = radarReply(c);
      const s = (r.body as { result: { serie_0: { timestamps: string[]; values: string[] } } }).result.serie_0;
      if (srv!.calls.length % 2) ((s.timestamps = []), (s.values = []));
      else s.timestamps[0] = 'not-a-time';
      return r;
    });
    await assert.rejects(fetchRadar(opts(srv.url)), /cannot be stored: (result: the series are empty|result\.serie_0\.timestamps\[0\]: timestamp "not-a-time")/);
    assert.ok(!fs.existsSync(httpFile()));
  });

  it('when the synthetic source is fetched twice, 15 minutes apart, then every raw file is byte-identical', async () => {
    const c = parseConfig({ countries: ['AT'], dateRange: { from: '2023-01-01', to: '2023-02-28' }, data: { retries: 0, backoffMs: 1 } });
    const run = async (sub: string, now: number) => {
      const rawDir = path.join(tmp, sub);
      await fetchRadar({ countries: ['AT'], from: '2023-01-01', to: '2023-02-28', source: 'synthetic', cfg: c, rawDir, now });
      const dir = path.join(rawDir, 'synthetic');
      const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).sort();
      return new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    };
    const a = await run('a', NOW);
    const b = await run('b', NOW + 15 * 60_000);
    assert.equal(a.size, 20, "6 series × 3 windows + 2 label feeds");
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [f, text] of a) assert.equal(b.get(f), text, f);
  });

  it('when a stored chunk is bad, then preprocess names the refetch command, a plain fetch skips it and --refetch replaces it in place', async () => {
    const c = parseConfig({ countries: ['AT'], dateRange: { from: '2023-01-01', to: '2023-02-28' }, data: { retries: 0, backoffMs: 1 } });
    const base: FetchOptions = { countries: ['AT'], from: '2023-01-01', to: '2023-02-28', source: 'synthetic', cfg: c, rawDir: tmp, now: NOW };
    await fetchRadar(base);
    const dir = path.join(tmp, 'synthetic', 'AT', 'http');
    const files = fs.readdirSync(dir).sort();
    const bad = path.join(dir, files[0]);
    const chunk = JSON.parse(fs.readFileSync(bad, 'utf8'));
    chunk.result.serie_0.values[3] = 'NaN';
    fs.writeFileSync(bad, JSON.stringify(chunk));
    const others = files.slice(2).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]);

    const pre = () => preprocessCountry({ rawDir: tmp, source: 'synthetic', country: 'AT', from: '2023-01-01', to: '2023-02-28', cfg: c.data });
    let hint = '';
    assert.throws(pre, (e: Error) => {
      hint = /`(radarwatch fetch --refetch [^`]+)`/.exec(e.message)?.[1] ?? '';
      return e instanceof DataError && e.message.startsWith(bad);
    });
    assert.equal(hint, `radarwatch fetch --refetch --source synthetic --countries AT --series http --from 2023-01-01 --to 2023-01-28 --agg-interval 1h --raw-dir ${tmp}`);

    const skipped = await fetchRadar(base);
    assert.equal(skipped.written, 0, 'a plain fetch skips existing chunks');
    const again = await fetchRadar({ ...base, refetch: true, series: ['http'], from: '2023-01-01', to: '2023-01-28' });
    assert.equal(again.written, 2, 'the bad chunk and the next one, which overlaps its last day');
    assert.deepEqual(fs.readdirSync(dir).sort(), files, 'replaced under the same names');
    assert.ok(JSON.parse(fs.readFileSync(bad, 'utf8')).result.serie_0.values.every((v: string) => Number.isFinite(Number(v))));
    assert.deepEqual(others.map(([f]) => [f, fs.statSync(path.join(dir, f as string)).mtimeMs]), others, 'chunks outside the range untouched');
    assert.doesNotThrow(pre);

    // a chunk stored before fetch checked values: 1e308 is refused by preprocess too, with the same command
    const big = JSON.parse(fs.readFileSync(bad, 'utf8'));
    big.result.serie_0.values[3] = '1e308';
    fs.writeFileSync(bad, JSON.stringify(big));
    assert.throws(pre, (e: Error) => e instanceof DataError && /values\[3\] is 1e\+308; expected a value in \[0, 1\.000000001\] for normalization MIN0_MAX\. Replace the chunk with `radarwatch fetch --refetch --source synthetic --countries AT --series http --from 2023-01-01 --to 2023-01-28/.test(e.message));
  });
});
