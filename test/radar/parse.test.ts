import { strict as assert } from 'assert';
import {
  extractBgpIpv4,
  extractBotShare,
  extractValues,
  findColumn,
  normalizeAggInterval,
  parseMeta,
  parseRadarNumber,
  parseRadarTime,
  parseTimeseriesResult,
  unwrapEnvelope,
} from '../../src/radar/parse';
import { DataError } from '../../src/errors';

const T = (h: number) => Date.UTC(2024, 0, 1, h);

describe('radar/parse', () => {
  it('parses numeric strings, including exponent notation, and names the bad key/index', () => {
    const cases: [unknown, number][] = [['0.871752', 0.871752], ['1', 1], ['1.0', 1], ['1.4e-05', 1.4e-5], ['2E+3', 2000], [0.5, 0.5]];
    for (const [v, want] of cases) assert.equal(parseRadarNumber(v, 'x'), want);
    assert.ok(Number.isNaN(parseRadarNumber(null, 'x')));
    assert.throws(() => parseRadarNumber('NaN', 'serie_0.values[3]'), (e: unknown) => e instanceof DataError && /serie_0\.values\[3\].*"NaN" is not a finite number/.test(e.message));
    assert.throws(() => parseRadarNumber('Infinity', 'k'), DataError);
    assert.throws(() => parseRadarNumber('12abc', 'k'), DataError);
  });

  it('reads ISO timestamps as UTC, also without zone (BGP event style)', () => {
    assert.equal(parseRadarTime('2024-01-01T05:00:00Z', 'x'), T(5));
    assert.equal(parseRadarTime('2024-01-01T05:00:00', 'x'), T(5));
    assert.equal(parseRadarTime('2023-09-01T11:41:33.782Z', 'x'), Date.UTC(2023, 8, 1, 11, 41, 33, 782));
    assert.throws(() => parseRadarTime('2024-13-45T00:00:00Z', 'ts[2]'), /ts\[2\].*not a date/);
  });

  it('accepts both aggInterval spellings', () => {
    assert.equal(normalizeAggInterval('ONE_HOUR'), '1h');
    assert.equal(normalizeAggInterval('1h'), '1h');
    assert.equal(normalizeAggInterval('FIFTEEN_MINUTES'), '15m');
    assert.equal(normalizeAggInterval('15m'), '15m');
    assert.equal(normalizeAggInterval('ONE_DAY'), '1d');
    assert.equal(normalizeAggInterval(undefined), undefined);
  });

  it('reads dateRange as an array (current API) or a single object (2022 docs)', () => {
    const arr = parseMeta({ dateRange: [{ startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-02T00:00:00Z' }], normalization: 'MIN0_MAX', aggInterval: 'ONE_HOUR' });
    const obj = parseMeta({ dateRange: { startTime: '2024-01-01T00:00:00Z', endTime: '2024-01-02T00:00:00Z' }, normalization: 'min0_max', aggInterval: '1h' });
    for (const m of [arr, obj]) {
      assert.deepEqual(m.dateRanges, [{ start: T(0), end: T(24) }]);
      assert.equal(m.normalization, 'MIN0_MAX');
      assert.equal(m.aggInterval, '1h');
    }
  });

  it('reads confidenceInfo annotations with startDate/endDate or the 2024 startTime/endTime, and null ends', () => {
    const m = parseMeta({
      dateRange: [],
      confidenceInfo: {
        level: 5,
        annotations: [
          { dataSource: 'HTTP', eventType: 'PIPELINE', description: 'lost data', startDate: '2024-01-01T03:00:00Z', endDate: '2024-01-01T05:00:00Z', isInstantaneous: false },
          { dataSource: 'ALL', eventType: 'outage', description: null, startTime: '2024-01-01T07:00:00Z', endTime: null, isInstantaneous: false, radarwatchKind: 'outage' },
        ],
      },
    });
    assert.equal(m.confidenceLevel, 5);
    assert.deepEqual(m.annotations.map((a) => [a.eventType, a.start, a.end]), [['PIPELINE', T(3), T(5)], ['OUTAGE', T(7), null]]);
    assert.equal(m.annotations[1].radarwatchKind, 'outage');
  });

  it('parses every result key except meta, sorted by time', () => {
    const r = parseTimeseriesResult({
      us: { timestamps: ['2024-01-01T01:00:00Z', '2024-01-01T00:00:00Z'], values: ['0.5', '1'] },
      pt: { timestamps: ['2024-01-01T00:00:00Z'], values: ['1.4e-05'] },
      meta: { dateRange: [], aggInterval: 'ONE_HOUR' },
    });
    assert.deepEqual(r.series.map((s) => s.name), ['us', 'pt']);
    assert.deepEqual(r.series[0].timestamps, [T(0), T(1)]);
    assert.deepEqual(r.series[0].columns.values, [1, 0.5]);
    assert.deepEqual(extractValues(r), { timestamps: [T(0), T(1)], values: [1, 0.5] });
    assert.equal(r.series[1].columns.values[0], 1.4e-5);
  });

  it('rejects a values array of the wrong length and a result without series', () => {
    assert.throws(() => parseTimeseriesResult({ s: { timestamps: ['2024-01-01T00:00:00Z'], values: ['1', '2'] } }, 'f.json'), /f\.json\.s\.values: 2 values for 1 timestamps/);
    assert.throws(() => parseTimeseriesResult({ meta: {} }, 'f.json'), /no series found/);
  });

  it('computes bot share from bot/human group keys in any casing', () => {
    for (const [b, h] of [['bot', 'human'], ['BOT', 'HUMAN'], ['Bot', 'Human']]) {
      const r = parseTimeseriesResult({ main: { timestamps: ['2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z'], [b]: ['30.5', '0'], [h]: ['69.5', '0'] }, meta: { normalization: 'PERCENTAGE' } });
      const s = extractBotShare(r);
      assert.equal(s.values[0], 30.5);
      assert.ok(Number.isNaN(s.values[1]), 'bot+human = 0 has no share');
      assert.ok(findColumn(r.series[0], 'bOt'));
    }
    // Shares are relative, so MIN0_MAX-scaled groups give the same percent.
    const r = parseTimeseriesResult({ main: { timestamps: ['2024-01-01T00:00:00Z'], bot: ['0.25'], human: ['0.75'] } });
    assert.equal(extractBotShare(r).values[0], 25);
    assert.throws(() => extractBotShare(parseTimeseriesResult({ main: { timestamps: ['2024-01-01T00:00:00Z'], desktop: ['1'] } }), 'c.json'), /c\.json: series "main" has no "bot" or "likely_automated" column \(found: desktop\)/);
  });

  it('takes announced IPv4 /24s from BGP ips groups (ipv4 or IPv4)', () => {
    const r = parseTimeseriesResult({ serie_0: { timestamps: ['2024-01-01T00:00:00Z'], IPv4: ['123456'], ipv6: ['9.9e9'] }, meta: { aggInterval: '1h' } });
    assert.deepEqual(extractBgpIpv4(r).values, [123456]);
  });

  it('unwraps envelopes and reports stored failures with the API message', () => {
    assert.deepEqual(unwrapEnvelope({ success: true, errors: [], result: { a: 1 } }, 'f'), { a: 1 });
    assert.throws(() => unwrapEnvelope({ success: false, errors: [{ message: 'Query is above max cost', code: 2002 }], result: {} }, 'f.json'), /f\.json: stored response has success=false \(Query is above max cost\)/);
    assert.throws(() => unwrapEnvelope([1], 'f.json'), /expected a Radar JSON envelope/);
  });
});
