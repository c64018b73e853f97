import { strict as assert } from 'assert';
import { countryCalendar, localTimeColumns, utcOffsetMinutes, weekendDays } from '../../src/util/calendar';
import { countryTimezone, parseCountries } from '../../src/util/countries';

describe('util/calendar', () => {
  it('takes weekends from CLDR: Friday–Saturday in Saudi Arabia, Saturday–Sunday in Austria', () => {
    assert.deepEqual(weekendDays('SA'), [5, 6]);
    assert.deepEqual(weekendDays('AT'), [6, 7]);
  });

  it('picks the most populous zone of multi-zone countries', () => {
    assert.equal(countryTimezone('US'), 'America/New_York');
    assert.equal(countryTimezone('AU'), 'Australia/Sydney');
    assert.equal(countryTimezone('AT'), 'Europe/Vienna');
  });

  it('is DST aware: Vienna is UTC+1 in January and UTC+2 in July', () => {
    assert.equal(utcOffsetMinutes('Europe/Vienna', Date.UTC(2024, 0, 15)), 60);
    assert.equal(utcOffsetMinutes('Europe/Vienna', Date.UTC(2024, 6, 15)), 120);
    assert.equal(utcOffsetMinutes('Asia/Kolkata', Date.UTC(2024, 6, 15)), 330);
  });

  it('marks local hour, weekday and day type, switching at the DST change hour', () => {
    const cal = countryCalendar('AT', 2024, 2024);
    // 2024-03-31 00:00Z = 01:00 CET (Sunday, Easter); 01:00Z = 03:00 CEST.
    const ts = [Date.UTC(2024, 2, 31, 0), Date.UTC(2024, 2, 31, 1), Date.UTC(2024, 0, 1, 12), Date.UTC(2024, 0, 2, 12)];
    const c = localTimeColumns(cal, ts);
    assert.deepEqual([...c.hour], [1, 3, 13, 13]);
    assert.deepEqual([...c.offsetMinutes], [60, 120, 60, 60]);
    assert.equal(c.weekday[0], 7);
    assert.equal(c.dayType[2], 2, 'New Year is a holiday');
    assert.equal(c.dayType[3], 0, '2 January 2024 is a Tuesday workday');
  });

  it('knows about 250 countries and rejects unknown codes with the allowed form', () => {
    assert.deepEqual(parseCountries('at, de', ['US']), ['AT', 'DE']);
    assert.deepEqual(parseCountries('all', ['US', 'BR']), ['US', 'BR']);
    assert.throws(() => parseCountries('XX', ['US']), /Unknown country "XX"/);
  });
});
