import { strict as assert } from 'assert';
import { InputError, NotFoundError } from '../../src/errors';
import { parseCountry, parseDetectQuery, parseEventsQuery, parseInstant } from '../../src/server/validate';

const limits = { known: ['AT', 'DE'], maxRangeDays: 93 };
const iso = (d: Date) => d.toISOString();

describe('server/validate', () => {
  it('when a date or date-time is valid, then it parses to the hand-computed UTC instant', () => {
    const cases: [string, boolean, string][] = [
      ['2025-04-12', false, '2025-04-12T00:00:00.000Z'],
      ['2025-04-12', true, '2025-04-13T00:00:00.000Z'],
      ['2024-02-29', true, '2024-03-01T00:00:00.000Z'],
      ['2025-12-31', true, '2026-01-01T00:00:00.000Z'],
      ['2025-04-12T06:00', false, '2025-04-12T06:00:00.000Z'],
      ['2025-04-12T06:00:00Z', true, '2025-04-12T06:00:00.000Z'],
      ['2025-04-12T06:30:15.5Z', false, '2025-04-12T06:30:15.500Z'],
      ['2025-04-12T06:00:00.123456Z', false, '2025-04-12T06:00:00.123Z'],
      ['2025-04-12T08:00:00+02:00', false, '2025-04-12T06:00:00.000Z'],
      ['2025-04-12T01:30:00-05:30', false, '2025-04-12T07:00:00.000Z'],
    ];
    for (const [text, endOfDay, want] of cases) assert.equal(iso(parseInstant(text, 'from', endOfDay)), want, text);
  });

  it('when a date is malformed or impossible, then InputError names the parameter and the expected format', () => {
    for (const bad of ['2025-02-29', '2025-13-01', '2025-04-31', '2025-4-12', '12.04.2025', '2025-04-12T24:00Z', '2025-04-12T06:60Z', '2025-04-12T06:00+25:00', '1969-12-31', 'now', '', '２０２５-04-12']) {
      assert.throws(() => parseInstant(bad, 'from', false), (e: Error) => e instanceof InputError && e.message.includes('Expected from as YYYY-MM-DD'), bad);
    }
  });

  it('when a country code is lower case, then it is upper-cased; when unknown, then NotFoundError lists the known ones', () => {
    assert.equal(parseCountry('at', limits.known), 'AT');
    assert.throws(() => parseCountry('FR', limits.known), (e: Error) => e instanceof NotFoundError && e.message === 'Unknown country or dataset "FR". Known: AT, DE');
    // One id rule (util/series-id): a well-formed id is looked up (imported ids exactly), anything else is a 400.
    assert.equal(parseCountry('ms_api01', [...limits.known, 'ms_api01']), 'ms_api01');
    assert.throws(() => parseCountry('MS_API01', [...limits.known, 'ms_api01']), (e: Error) => e instanceof NotFoundError);
    assert.throws(() => parseCountry('Austria', limits.known), (e: Error) => e instanceof NotFoundError && /Unknown country or dataset "Austria"/.test(e.message));
    assert.throws(() => parseCountry('ms/api', limits.known), (e: Error) => e instanceof InputError && /letters, digits, "_" or "-"/.test(e.message));
    assert.throws(() => parseCountry('AT', []), (e: Error) => e instanceof NotFoundError && /No models are loaded/.test(e.message));
  });

  it('when from/to are bare dates, then to includes that whole day; when date-times, then to is exclusive', () => {
    const a = parseEventsQuery({ country: 'AT', from: '2025-04-10', to: '2025-04-12' }, limits);
    assert.deepEqual([iso(a.from), iso(a.to)], ['2025-04-10T00:00:00.000Z', '2025-04-13T00:00:00.000Z']);
    const b = parseEventsQuery({ country: 'AT', from: '2025-04-10T00:00:00Z', to: '2025-04-12T00:00:00Z' }, limits);
    assert.deepEqual([iso(b.from), iso(b.to)], ['2025-04-10T00:00:00.000Z', '2025-04-12T00:00:00.000Z']);
  });

  it('when the ends are not on the hour, then they are kept as given (each series aligns them to its own grid)', () => {
    const q = parseEventsQuery({ country: 'AT', from: '2025-04-10T05:30:00Z', to: '2025-04-10T09:10:00Z' }, limits);
    assert.deepEqual([iso(q.from), iso(q.to)], ['2025-04-10T05:30:00.000Z', '2025-04-10T09:10:00.000Z']);
    assert.throws(() => parseEventsQuery({ country: 'AT', from: '2025-04-10T05:50:00Z', to: '2025-04-10T05:10:00Z' }, limits), /must be before/);
  });

  it('when the range is exactly maxRangeDays, then it is accepted; one hour more, then refused', () => {
    assert.doesNotThrow(() => parseEventsQuery({ country: 'AT', from: '2025-01-01', to: '2025-04-03' }, limits)); // 93 days
    assert.throws(() => parseEventsQuery({ country: 'AT', from: '2025-01-01T00:00Z', to: '2025-04-04T01:00Z' }, limits), /longer than the allowed 93/);
  });

  it('when include is series, then series is requested; when absent, then not; when unknown, then refused', () => {
    assert.equal(parseDetectQuery({ country: 'AT', date: '2025-04-10', include: 'series' }, limits).series, true);
    assert.equal(parseDetectQuery({ country: 'AT', date: '2025-04-10' }, limits).series, false);
    assert.throws(() => parseDetectQuery({ country: 'AT', date: '2025-04-10', include: 'weights' }, limits), /Unknown include "weights"/);
    // include belongs to /api/detect only
    assert.throws(() => parseEventsQuery({ country: 'AT', date: '2025-04-10', include: 'series' }, limits), /Unknown query parameter "include"/);
  });
});
