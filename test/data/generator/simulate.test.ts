import { strict as assert } from 'assert';
import { createGenerator } from '../../../src/data/generator/simulate';
import { GENERATED_SERIES } from '../../../src/data/generator/quality';
import { countryCalendar, localTimeColumns } from '../../../src/util/calendar';
import { InputError } from '../../../src/errors';
import { HOUR_MS, DAY_MS } from '../../../src/base/time';

const Y2023 = Date.UTC(2023, 0, 1);
const Y2026 = Date.UTC(2026, 0, 1);
const COLUMNS = ['humanRequests', 'botRequests', 'httpRequests', 'botShare', 'netflowBytes', 'l3TargetBytes', 'l3OriginBytes', 'l7Requests', 'ipv4', 'ipv6'] as const;

/** Mean of `xs` over rows where `keep(i)`. */
function meanWhere(xs: ArrayLike<number>, keep: (i: number) => boolean): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (keep(i)) (s += xs[i]), n++;
  return s / n;
}

/** UTC hour with the highest mean human traffic over a window. */
function peakUtcHour(cc: string, from: number, days: number): number {
  const s = createGenerator({ seed: 42, anomaliesPerMonth: 0 }).simulate(cc, from, from + days * DAY_MS);
  const acc = new Array(24).fill(0);
  s.humanRequests.forEach((v, i) => (acc[new Date(s.timestamps[i]).getUTCHours()] += v));
  return acc.indexOf(Math.max(...acc));
}

describe('data/generator/simulate', () => {
  it('when the same seed is used twice, then every column is identical; another seed differs', () => {
    const a = createGenerator({ seed: 7 }).simulate('DE', Date.UTC(2024, 4, 1), Date.UTC(2024, 5, 15));
    const b = createGenerator({ seed: 7 }).simulate('DE', Date.UTC(2024, 4, 1), Date.UTC(2024, 5, 15));
    const c = createGenerator({ seed: 8 }).simulate('DE', Date.UTC(2024, 4, 1), Date.UTC(2024, 5, 15));
    for (const k of COLUMNS) assert.deepEqual(a[k], b[k], k);
    for (const s of GENERATED_SERIES) assert.deepEqual(a.missing[s], b.missing[s], s);
    assert.notDeepEqual(a.httpRequests, c.httpRequests);
    assert.notDeepEqual(a.ipv4, c.ipv4);
  });

  it('when Jan 2024 is asked alone or as part of 2023–2025, then the values are exactly the same', () => {
    const long = createGenerator({ seed: 42 }).simulate('AT', Y2023, Y2026);
    const jan = createGenerator({ seed: 42 }).simulate('AT', Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1));
    const off = (Date.UTC(2024, 0, 1) - Y2023) / HOUR_MS;
    assert.equal(jan.timestamps.length, 31 * 24);
    for (const k of COLUMNS) assert.deepEqual(jan[k], long[k].subarray(off, off + jan.timestamps.length), k);
    assert.deepEqual(jan.unreliable, long.unreliable.subarray(off, off + jan.timestamps.length));
    // An odd window across a month boundary, from a fresh generator (no shared cache), also matches.
    const odd = createGenerator({ seed: 42 }).simulate('AT', Date.UTC(2024, 1, 27, 5, 30), Date.UTC(2024, 2, 3, 17));
    const o2 = (Date.UTC(2024, 1, 27, 5) - Y2023) / HOUR_MS;
    assert.equal(odd.timestamps[0], Date.UTC(2024, 1, 27, 5), 'start floored to the hour');
    for (const k of COLUMNS) assert.deepEqual(odd[k], long[k].subarray(o2, o2 + odd.timestamps.length), k);
  });

  it('simulates 3 years of one country quickly and the values are positive and finite', function () {
    const t0 = performance.now();
    const s = createGenerator({ seed: 42 }).simulate('BR', Y2023, Y2026);
    const ms = performance.now() - t0;
    console.log(`      3 years (26,304 h) of BR in ${ms.toFixed(0)} ms`);
    assert.equal(s.timestamps.length, (Y2026 - Y2023) / HOUR_MS);
    for (const k of COLUMNS) for (const v of s[k]) assert.ok(Number.isFinite(v) && v > 0, `${k} = ${v}`);
    for (const v of s.botShare) assert.ok(v < 100);
  });

  it('follows local time: the daily peak of JP in UTC is 13–15 h before the US one (UTC+9 vs UTC−5/−4)', () => {
    const jp = peakUtcHour('JP', Date.UTC(2024, 1, 5), 28);
    const us = peakUtcHour('US', Date.UTC(2024, 1, 5), 28);
    const diff = (us - jp + 24) % 24;
    assert.ok(diff >= 13 && diff <= 15, `JP peak ${jp}h UTC, US peak ${us}h UTC`);
    // The local peak is in the evening in both.
    assert.ok((jp + 9) % 24 >= 18 && (jp + 9) % 24 <= 23, `JP local peak ${(jp + 9) % 24}`);
  });

  it('shifts with DST: Austria peaks one UTC hour earlier in July than in January', () => {
    const jan = peakUtcHour('AT', Date.UTC(2024, 0, 8), 28);
    const jul = peakUtcHour('AT', Date.UTC(2024, 6, 8), 28);
    assert.equal((jan - jul + 24) % 24, 1, `January ${jan}h, July ${jul}h UTC`);
  });

  it('uses the CLDR weekend: Saudi Friday is below Tuesday, Austria Saturday below Tuesday but Friday not', () => {
    const mean = (cc: string, weekday: number) => {
      const g = createGenerator({ seed: 42, anomaliesPerMonth: 0 });
      const from = Date.UTC(2024, 8, 2);
      const s = g.simulate(cc, from, from + 10 * 7 * DAY_MS);
      const lt = localTimeColumns(countryCalendar(cc, 2023, 2025), s.timestamps);
      return meanWhere(s.httpRequests, (i) => lt.weekday[i] === weekday && lt.dayType[i] !== 2);
    };
    assert.ok(mean('SA', 5) < 0.97 * mean('SA', 2), 'SA Friday');
    assert.ok(mean('AT', 6) < 0.97 * mean('AT', 2), 'AT Saturday');
    assert.ok(mean('AT', 5) > 0.97 * mean('AT', 2), 'AT Friday is a workday');
  });

  it('makes public holidays quieter than the same weekday a week before (Austria, Christmas Day 2024)', () => {
    const s = createGenerator({ seed: 42, anomaliesPerMonth: 0 }).simulate('AT', Date.UTC(2024, 11, 17), Date.UTC(2024, 11, 27));
    const day = (d: number) => meanWhere(s.httpRequests, (i) => new Date(s.timestamps[i]).getUTCDate() === d && new Date(s.timestamps[i]).getUTCHours() >= 8);
    assert.ok(day(25) < 0.9 * day(18), `Dec 25 ${day(25)} vs Dec 18 ${day(18)}`);
  });

  it('lowers the bot share at the human evening peak and keeps NetFlows following HTTP', () => {
    const s = createGenerator({ seed: 42, anomaliesPerMonth: 0 }).simulate('DE', Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1));
    const lt = localTimeColumns(countryCalendar('DE', 2023, 2025), s.timestamps);
    const atHours = (xs: Float64Array, hs: number[]) => meanWhere(xs, (i) => hs.includes(lt.hour[i]));
    assert.ok(atHours(s.botShare, [20, 21]) + 5 < atHours(s.botShare, [4, 5]), 'bot share peak vs trough');
    assert.ok(atHours(s.humanRequests, [20, 21]) > 2 * atHours(s.humanRequests, [4, 5]), 'human diurnal depth');
    assert.ok(atHours(s.httpRequests, [20, 21]) > 1.5 * atHours(s.httpRequests, [4, 5]), 'total diurnal depth');
    // Correlation of log NetFlows and log HTTP over the month is high.
    const x = [...s.httpRequests].map(Math.log);
    const y = [...s.netflowBytes].map(Math.log);
    const mx = x.reduce((a, b) => a + b) / x.length;
    const my = y.reduce((a, b) => a + b) / y.length;
    let sxy = 0, sxx = 0, syy = 0; // prettier-ignore
    x.forEach((v, i) => ((sxy += (v - mx) * (y[i] - my)), (sxx += (v - mx) ** 2), (syy += (y[i] - my) ** 2)));
    assert.ok(sxy / Math.sqrt(sxx * syy) > 0.85, `corr ${sxy / Math.sqrt(sxx * syy)}`);
  });

  it('keeps announced space nearly constant: hour-to-hour changes stay below 0.5% without anomalies', () => {
    const s = createGenerator({ seed: 42, anomaliesPerMonth: 0, unreliableRate: 0 }).simulate('FR', Date.UTC(2024, 0, 1), Date.UTC(2024, 3, 1));
    for (let i = 1; i < s.ipv4.length; i++) assert.ok(Math.abs(s.ipv4[i] / s.ipv4[i - 1] - 1) < 0.005, `ipv4 step at ${i}`);
    assert.ok(new Set(s.ipv4).size > 10, 'but not a flat line');
  });

  it('grows traffic over years: the last month of 2025 is busier than the first of 2023', () => {
    const g = createGenerator({ seed: 42, anomaliesPerMonth: 0 });
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    assert.ok(sum(g.simulate('IN', Date.UTC(2025, 11, 1), Date.UTC(2026, 0, 1)).httpRequests) > sum(g.simulate('IN', Date.UTC(2023, 0, 1), Date.UTC(2023, 1, 1)).httpRequests));
  });

  it('marks gaps and PIPELINE hours at about the configured rates, and none when the rates are 0', () => {
    const s = createGenerator({ seed: 42, gapRate: 0.01, unreliableRate: 0.005 }).simulate('NG', Y2023, Date.UTC(2024, 0, 1));
    const frac = (m: Uint8Array) => m.reduce((a, b) => a + b, 0) / m.length;
    // Gaps last 1–6 h (mean 3.5), so ≈ 3.5 × rate of hours are missing per series.
    for (const series of GENERATED_SERIES) assert.ok(Math.abs(frac(s.missing[series]) - 0.035) < 0.012, `${series}: ${frac(s.missing[series])}`);
    assert.notDeepEqual(s.missing.http, s.missing.netflows, 'gaps are per endpoint');
    assert.ok(frac(s.unreliable) > 0.02 && frac(s.unreliable) < 0.09, `unreliable ${frac(s.unreliable)}`);
    const clean = createGenerator({ seed: 42, gapRate: 0, unreliableRate: 0 }).simulate('NG', Y2023, Date.UTC(2023, 3, 1));
    assert.equal(frac(clean.missing.http) + frac(clean.unreliable), 0);
  });

  it('works for any country code (ZZ falls back to UTC) and rejects malformed codes and ranges', () => {
    const g = createGenerator();
    assert.equal(g.simulate('ZZ', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)).timestamps.length, 24);
    assert.equal(g.simulate('TV', Date.UTC(1999, 11, 31), Date.UTC(2000, 0, 2)).timestamps.length, 48);
    assert.throws(() => g.simulate('austria', 0, HOUR_MS), (e: Error) => e instanceof InputError && /alpha-2/.test(e.message));
    assert.throws(() => g.simulate('AT', HOUR_MS, 0), InputError);
    assert.throws(() => createGenerator({ noise: 5 }), (e: Error) => e instanceof InputError && /noise/.test(e.message));
  });
});
