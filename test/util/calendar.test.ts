import { strict as assert } from 'assert';
import { countryCalendar, localTimeColumns, ramadanDates, SHIFT_DAYS, utcOffsetMinutes, weekendDays } from '../../src/util/calendar';
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

  it('knows the fasting month where Eid al-Fitr is a public holiday (Hijri calendar), and nowhere else', () => {
    const eg = ramadanDates('EG', 2024, 2024);
    const y2024 = [...eg].filter((d) => d.startsWith('2024-'));
    assert.equal(y2024[0], '2024-03-11');
    assert.equal(y2024[y2024.length - 1], '2024-04-09', 'the day before Eid al-Fitr (10 April 2024)');
    assert.equal(y2024.length, 30);
    assert.ok(eg.has('2023-03-23') && !eg.has('2023-04-21'), 'the year before is covered too (local dates straddling New Year)');
    for (const cc of ['ID', 'TR', 'PK', 'SA']) assert.ok(ramadanDates(cc, 2025, 2025).has('2025-03-10'), cc);
    for (const cc of ['AT', 'US', 'JP', 'XX']) assert.equal(ramadanDates(cc, 2024, 2024).size, 0, cc);
  });

  it('marks shift days: the first SHIFT_DAYS days of the fasting month and the SHIFT_DAYS days after it, in local time', () => {
    const cal = countryCalendar('EG', 2024, 2024);
    const day = (d: string) => Date.parse(`${d}T10:00:00Z`);
    const days = ['2024-03-10', '2024-03-11', '2024-03-17', '2024-03-18', '2024-04-09', '2024-04-10', '2024-04-16', '2024-04-17'];
    assert.equal(SHIFT_DAYS, 7);
    assert.deepEqual([...localTimeColumns(cal, days.map(day)).shift], [0, 1, 1, 0, 0, 1, 1, 0]);
    // 22:00 UTC on 10 March is already 11 March in Cairo (UTC+2): a shift day
    assert.deepEqual([...localTimeColumns(cal, [Date.UTC(2024, 2, 10, 21), Date.UTC(2024, 2, 10, 22)]).shift], [0, 1]);
    assert.ok(localTimeColumns(countryCalendar('AT', 2024, 2024), days.map(day)).shift.every((v) => v === 0));
  });

  it('knows about 250 countries and rejects unknown codes with the allowed form', () => {
    assert.deepEqual(parseCountries('at, de', ['US']), ['AT', 'DE']);
    assert.deepEqual(parseCountries('all', ['US', 'BR']), ['US', 'BR']);
    assert.throws(() => parseCountries('XX', ['US']), /Unknown country "XX"/);
  });
});
