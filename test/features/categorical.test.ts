import { strict as assert } from 'assert';
import { categoricalFeatures, featureLocalTime, resolveFeatureCalendar } from '../../src/features/categorical';
import { ConfigError } from '../../src/errors';

const at = (iso: string) => Date.parse(iso);

describe('features/categorical', () => {
  it('puts Friday in the weekend for Saudi Arabia and Saturday for Austria (CLDR)', () => {
    // Friday 2024-05-10 and Saturday 2024-05-11, 09:00Z (no holidays in either country).
    const ts = [at('2024-05-10T09:00:00Z'), at('2024-05-11T09:00:00Z'), at('2024-05-12T09:00:00Z')];
    const sa = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('SA'), ts), 24);
    const au = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('AT'), ts), 24);
    const dayType = (c: { cat: Int32Array }) => [0, 1, 2].map((i) => c.cat[i * 5 + 3]);
    assert.deepEqual(dayType(sa), [1, 1, 0], 'SA: Fri, Sat weekend; Sun workday');
    assert.deepEqual(dayType(au), [0, 1, 1], 'AT: Fri workday; Sat, Sun weekend');
    assert.deepEqual([sa.cat[0], au.cat[0]], [12, 11], 'local hour: Riyadh UTC+3, Vienna UTC+2 (CEST)');
    assert.deepEqual([sa.cat[1], sa.cat[2], sa.cat[4]], [4, 4, 1], 'Friday → weekday 4, May → month 4, spring → season 1');
  });

  it('marks public holidays (Austrian National Day) and wraps December into the first season', () => {
    const ts = [at('2023-10-26T10:00:00Z'), at('2023-12-20T10:00:00Z')];
    const c = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('AT'), ts), 24);
    assert.equal(c.cat[3], 2);
    assert.equal(c.cat[5 + 4], 0);
  });

  it('uses UTC, a Sat–Sun weekend and no holidays for imported ids unless told otherwise', () => {
    assert.deepEqual(resolveFeatureCalendar('my-isp'), { timezone: 'UTC', weekend: [6, 7], holidayCountry: null });
    const ts = [at('2023-10-26T23:00:00Z')];
    const utc = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('my-isp'), ts), 24);
    assert.deepEqual([utc.cat[0], utc.cat[3]], [23, 0]);
    const vie = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('my-isp', { timezone: 'Europe/Vienna', holidayCountry: 'AT' }), ts), 24);
    assert.deepEqual([vie.cat[0], vie.cat[1], vie.cat[3]], [1, 4, 0], 'Vienna 01:00 on Friday 27 Oct, a workday');
    assert.throws(() => resolveFeatureCalendar('x', { timezone: 'Mars/Olympus' }), (e: unknown) => e instanceof ConfigError && /Mars\/Olympus/.test(e.message));
  });

  it('maps hours onto daySegments equal segments', () => {
    const ts = Array.from({ length: 24 }, (_, h) => Date.UTC(2024, 0, 3, h));
    const c = categoricalFeatures(featureLocalTime(resolveFeatureCalendar('q'), ts), 4);
    assert.equal(c.names[0], 'daySegment');
    assert.deepEqual(c.cardinalities, [4, 7, 12, 3, 4]);
    assert.deepEqual(Array.from({ length: 24 }, (_, h) => c.cat[h * 5]), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
  });
});
