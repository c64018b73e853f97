import { strict as assert } from 'assert';
import { HOUR_MS, isoSeconds } from '../../src/base/time';
import { InputError } from '../../src/errors';
import { chunkWindows, lastCompleteHour, MAX_WINDOW_DAYS, parseDateArg, windowDays } from '../../src/radar/windows';

const t = (s: string) => Date.parse(s);

describe('radar/windows', () => {
  it('cuts a quarter into 28-day windows that overlap the previous one by exactly 24 hourly points', () => {
    const ws = chunkWindows(t('2023-01-01T00:00:00Z'), t('2023-03-31T23:00:00Z'), 28 * 24, 24);
    assert.deepEqual(
      ws.map((w) => [w.start, w.end]),
      [
        ['2023-01-01T00:00:00Z', '2023-01-28T23:00:00Z'],
        ['2023-01-28T00:00:00Z', '2023-02-24T23:00:00Z'],
        ['2023-02-24T00:00:00Z', '2023-03-23T23:00:00Z'],
        ['2023-03-23T00:00:00Z', '2023-03-31T23:00:00Z'],
      ],
    );
    for (let i = 1; i < ws.length; i++) {
      // dateEnd is inclusive, so shared points = (prev.end - next.start) / 1 h + 1
      assert.equal((ws[i - 1].endMs - ws[i].startMs) / HOUR_MS + 1, 24);
    }
    // every full window holds exactly chunkDays × 24 points
    assert.equal((ws[0].endMs - ws[0].startMs) / HOUR_MS + 1, 672);
  });

  it('at 15 minutes, caps windows at 7 days of quarter-hour points that overlap by 24 hours (96 points)', () => {
    const Q = 15 * 60_000;
    assert.deepEqual([windowDays('15m', 28), windowDays('15m', 3), windowDays('1h', 28), MAX_WINDOW_DAYS['15m']], [7, 3, 28, 7]);
    // a range ends on the last quarter of its last hour
    const ws = chunkWindows(t('2024-01-01T00:00:00Z'), t('2024-01-31T23:00:00Z') + HOUR_MS - Q, windowDays('15m', 28) * 24, 24, Q);
    assert.equal(ws.length, 5);
    assert.equal(ws[0].end, '2024-01-07T23:45:00Z');
    assert.equal(ws[ws.length - 1].end, '2024-01-31T23:45:00Z');
    for (const w of ws) assert.ok(w.endMs - w.startMs <= 7 * 24 * HOUR_MS, `${w.start}..${w.end} is at most 7 days`);
    assert.equal((ws[0].endMs - ws[0].startMs) / Q + 1, 672, 'a full window holds 7 × 96 points');
    for (let i = 1; i < ws.length; i++) assert.equal((ws[i - 1].endMs - ws[i].startMs) / Q + 1, 96);
  });

  it('without overlap, windows tile the range with no gap and no shared hour', () => {
    const ws = chunkWindows(t('2024-01-01T00:00:00Z'), t('2024-01-10T23:00:00Z'), 72, 0);
    assert.equal(ws.length, 4);
    for (let i = 1; i < ws.length; i++) assert.equal(ws[i].startMs - ws[i - 1].endMs, HOUR_MS);
    assert.equal(ws[3].end, '2024-01-10T23:00:00Z');
  });

  it('uses the step for the inclusive end (label windows end one second before the next starts)', () => {
    const ws = chunkWindows(t('2023-01-01T00:00:00Z'), t('2024-12-31T23:59:59Z'), 364 * 24, 0, 1000);
    assert.deepEqual(
      ws.map((w) => `${w.start}..${w.end}`),
      ['2023-01-01T00:00:00Z..2023-12-30T23:59:59Z', '2023-12-31T00:00:00Z..2024-12-28T23:59:59Z', '2024-12-29T00:00:00Z..2024-12-31T23:59:59Z'],
    );
  });

  it('returns one window for a short range, none for an empty one, and depends only on the range start', () => {
    assert.equal(chunkWindows(t('2023-01-01T00:00:00Z'), t('2023-01-01T05:00:00Z'), 672, 24).length, 1);
    assert.deepEqual(chunkWindows(t('2023-01-02T00:00:00Z'), t('2023-01-01T00:00:00Z'), 672, 24), []);
    const longer = chunkWindows(t('2023-01-01T00:00:00Z'), t('2023-06-30T23:00:00Z'), 672, 24);
    const shorter = chunkWindows(t('2023-01-01T00:00:00Z'), t('2023-03-31T23:00:00Z'), 672, 24);
    // the full windows of a shorter run are the same files a longer run would write
    assert.deepEqual(shorter.slice(0, 3), longer.slice(0, 3));
  });

  it('rejects an overlap as long as the window, which would never advance', () => {
    assert.throws(() => chunkWindows(0, 1e9, 24, 24), (e: unknown) => e instanceof InputError && /chunkDays × 24 > data.overlapHours/.test(e.message));
  });

  it('parses day arguments as whole inclusive days, timestamps as given, and rejects garbage', () => {
    assert.equal(isoSeconds(parseDateArg('2023-01-01', 'start')), '2023-01-01T00:00:00Z');
    assert.equal(isoSeconds(parseDateArg('2025-12-31', 'end')), '2025-12-31T23:00:00Z');
    assert.equal(isoSeconds(parseDateArg('2024-02-03T05:30:00Z', 'start')), '2024-02-03T05:00:00Z');
    assert.throws(() => parseDateArg('yesterday', 'start'), (e: unknown) => e instanceof InputError && /Expected YYYY-MM-DD/.test(e.message));
    assert.throws(() => parseDateArg('2023-13-45', 'end'), InputError);
  });

  it('the last complete hour is the hour before the current one', () => {
    assert.equal(isoSeconds(lastCompleteHour(t('2025-06-01T10:30:00Z'))), '2025-06-01T09:00:00Z');
    assert.equal(isoSeconds(lastCompleteHour(t('2025-06-01T10:00:00Z'))), '2025-06-01T09:00:00Z');
  });
});
