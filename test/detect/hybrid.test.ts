import { strict as assert } from 'assert';
import { fitEvidence } from '../../src/calibrate/calibrate';
import { tailProb, fitTail } from '../../src/calibrate/tail';
import type { CountryFrame } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { sliceFrame } from '../../src/data/frame';
import { hybridHistoryRows, scoreHybrid } from '../../src/detect/hybrid';
import { budgetShare, evidenceOf, probabilityOf } from '../../src/detect/probability';
import { applySeasonalRule, fitSeasonalRule, holidayScaleOf } from '../../src/detect/seasonal';
import { seasonalNovelty } from '../../src/detect/novelty';
import { featureLocalTime } from '../../src/features/categorical';
import { createRng, poisson } from '../../src/util/random';
import { countryCalendar } from '../../src/util/calendar';
import { relativeLogOffset } from '../../src/features/transform';

const WEEK = 168;
const T0 = Date.UTC(2024, 0, 1);

/** A two-signal hourly series with a daily and weekly cycle and multiplicative noise (seeded). */
function series(weeks: number, seed = 1, noise = 0.03, daily = 0.5): CountryFrame {
  const n = weeks * WEEK;
  const rng = createRng(seed);
  const gauss = () => rng.normal();
  const http = new Float64Array(n);
  const l3 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = i % 24;
    const dow = Math.floor(i / 24) % 7;
    const base = 100 * (1 + daily * Math.sin((2 * Math.PI * (h - 6)) / 24)) * (dow >= 5 ? 0.85 : 1);
    http[i] = base * Math.exp(noise * gauss());
    l3[i] = 5 * Math.exp(0.3 * gauss());
  }
  return {
    id: 'T1',
    timestamps: Array.from({ length: n }, (_, i) => T0 + i * HOUR_MS),
    signalNames: ['http', 'l3'],
    signalKinds: { http: 'volume', l3: 'volume' },
    signals: { http, l3 },
    gap: new Uint8Array(n),
    unreliable: new Uint8Array(n),
    labelKind: new Array<string>(n).fill(''),
    labels: [],
  };
}

/** Seasonal-only detector fitted on the first 10 weeks (6 train, 4 calibration), scoring the rest. */
const FIT_END = 10 * WEEK;
function detect(frame: CountryFrame) {
  const trainEnd = 6 * WEEK;
  const fitEnd = FIT_END;
  const ev = fitEvidence(frame, null, 'seasonal', { timezone: 'UTC', weekend: [6, 7], holidayCountry: null }, trainEnd, fitEnd, 0.5);
  const n = frame.timestamps.length;
  return { ev, h: scoreHybrid(frame, null, ev.seasonal, ev.evidence.windows, fitEnd, n, ev.evidence, ev.budget.share) };
}

describe('detect/hybrid (seasonal evidence → calibrated probability)', () => {
  it('tail probabilities are conformal inside the data and decay beyond it', () => {
    const t = fitTail(Array.from({ length: 99 }, (_, i) => i + 1));
    // n = 99 values: P(≥ max) = (1 + 1) / (n + 1); one step below it, (2 + 1) / (n + 1)
    assert.equal(tailProb(t, 99), 2 / 100);
    assert.equal(tailProb(t, 98), 3 / 100);
    assert.ok(tailProb(t, 150) < tailProb(t, 120) && tailProb(t, 120) < tailProb(t, 99.5) && tailProb(t, 99.5) <= 1 / 100);
    assert.equal(tailProb(t, -5), 1);
  });

  it('probability is 0.5 exactly at the false-alarm budget', () => {
    const b = budgetShare(0.5, HOUR_MS);
    assert.ok(Math.abs(b - 0.5 / 168) < 1e-12);
    assert.equal(probabilityOf(b, b), 0.5);
    assert.ok(probabilityOf(b / 10, b) > 0.9);
    // evidenceOf inverts it: 2 decades rarer than the budget → probability 100/101
    for (const e of [-1, 0.3, -Math.log10(b), 2 - Math.log10(b), 9]) assert.ok(Math.abs(evidenceOf(probabilityOf(Math.pow(10, -e), b), b) - e) < 1e-9, `evidence ${e}`);
    assert.ok(Math.abs(probabilityOf(Math.pow(10, Math.log10(b) - 2), b) - 100 / 101) < 1e-12);
  });

  it('when a single signal bursts for 2 h in an otherwise normal week, then the burst crosses the threshold', () => {
    const f = series(12, 3);
    const at = 11 * WEEK + 50;
    for (let i = at; i < at + 2; i++) f.signals.l3[i] *= 8;
    const { h } = detect(f);
    const r = at - FIT_END;
    assert.ok(Math.max(h.probability[r], h.probability[r + 1]) > 0.5, `burst probability ${h.probability[r]}, ${h.probability[r + 1]}`);
  });

  it('when traffic drops 20 % for 24 h, then the drop crosses the threshold', () => {
    const f = series(12, 4);
    const at = 11 * WEEK + 30;
    for (let i = at; i < at + 24; i++) f.signals.http[i] *= 0.8;
    const { h } = detect(f);
    const r = at - FIT_END;
    const p = Array.from(h.probability.subarray(r, r + 24));
    assert.ok(p.slice(0, 3).some((x) => x > 0.5), `detected within its first 3 hours: ${p.slice(0, 3).map((x) => x.toFixed(3))}`);
    assert.ok(p.filter((x) => x > 0.5).length >= 6, `${p.filter((x) => x > 0.5).length} of 24 hours flagged`);
  });

  it('when one signal is missing and filled, then another signal\'s burst on those hours still crosses, and the filled one gives no evidence', () => {
    const f = series(12, 8);
    const at = 11 * WEEK + 60;
    const missing = new Uint8Array(f.timestamps.length);
    for (let i = at - 2; i < at + 6; i++) missing[i] = 1;
    for (let i = at; i < at + 3; i++) f.signals.l3[i] *= 8;
    // http missing (filled with an absurd value that must not count); l3 observed
    for (let i = at - 2; i < at + 6; i++) f.signals.http[i] = 1e6;
    f.gap = missing.slice();
    f.signalGap = { http: missing, l3: new Uint8Array(f.timestamps.length) };
    const { h } = detect(f);
    const r = at - FIT_END;
    assert.ok(Math.max(...h.probability.subarray(r, r + 3)) > 0.5, `burst probability ${Array.from(h.probability.subarray(r, r + 3))}`);
    // its trailing windows may still average the observed hours before the gap, never the filled value
    const httpEv = Array.from(h.bySignal.http.subarray(r - 2, r + 6));
    assert.ok(httpEv.every((e) => !(e > 2)), `the filled http hours carry no evidence: ${httpEv.map((e) => e.toFixed(2))}`);
    // Without per-signal flags every signal counts as filled on a gap row: those rows are not scored at all.
    const rowLevel = detect({ ...f, signalGap: undefined }).h;
    assert.ok(Array.from(rowLevel.probability.subarray(r, r + 3)).every((p) => Number.isNaN(p)));
  });

  it('when a small count (crashes per hour, mean 3, often 0) spikes tenfold for one hour, then it alarms and its quiet hours do not', () => {
    // Poisson counts: on a plain relative scale the hours at 0 sit 2.6 log units below the typical 3 and the rule's
    // scale widens until a tenfold spike is ordinary (smallCountOffset compares counts with the typical count instead).
    const n = 12 * WEEK;
    const rng = createRng(23);
    const crashes = Float64Array.from({ length: n }, () => poisson(rng, 3));
    const at = 10 * WEEK + 4 * 24 + 15;
    crashes[at] = 30;
    const f: CountryFrame = { ...series(12, 1), signalNames: ['crashes'], signalKinds: { crashes: 'count' }, signals: { crashes } };
    const { h, ev } = detect(f);
    const r = at - FIT_END;
    assert.equal(ev.seasonal!.signals[0].transform.eps, 2 * 3, 'offset = two medians of the count');
    assert.ok(h.probability[r] > 0.5, `spike probability ${h.probability[r]}`);
    const falseRows = Array.from(h.probability).filter((p, i) => i !== r && p > 0.5).length;
    assert.ok(falseRows <= Math.ceil(2 * ev.budget.share * h.rows) + 1, `${falseRows} of ${h.rows} normal rows flagged`);
    // on the relative scale alone the same spike stands out far less (z 3.1 against 5.6)
    const relative = { ...ev.seasonal!, signals: [{ ...ev.seasonal!.signals[0], transform: { name: 'log' as const, eps: relativeLogOffset(crashes.subarray(0, 6 * WEEK)) } }] };
    const zOld = applySeasonalRule(relative, f).z[0][at];
    const zNew = applySeasonalRule(ev.seasonal!, f).z[0][at];
    assert.ok(zNew > 1.5 * zOld, `spike z ${zNew.toFixed(2)} against ${zOld.toFixed(2)} on the relative scale`);
  });

  it('when a 12 h outage ends, then the day after it raises no more false alarms than the budget', () => {
    const f = series(12, 9);
    const at = 10 * WEEK + 3 * 24 + 2;
    for (let i = at; i < at + 12; i++) f.signals.http[i] *= 0.1;
    const { h, ev } = detect(f);
    const r = at - FIT_END;
    assert.ok(h.probability[r + 1] > 0.5, 'the outage itself is detected');
    // The outage makes the next day's "most similar days" arbitrary unless it is kept out of the reference.
    const after = Array.from(h.probability.subarray(r + 12 + 2, r + 12 + 36)).filter((p) => p > 0.5).length;
    assert.ok(after <= Math.ceil(ev.budget.share * 34) + 1, `${after} of the 34 hours after the outage flagged`);
  });

  it('when the noise doubles for two weeks, then false alarms come back within budget after the first day', () => {
    const f = series(12, 5);
    const noisy = series(12, 6, 0.06);
    // the last two weeks (the scored part) are twice as noisy as the fitting weeks
    for (let i = FIT_END; i < 12 * WEEK; i++) f.signals.http[i] = noisy.signals.http[i];
    const { h, ev } = detect(f);
    const flaggedRows = (a: number, b: number) => Array.from(h.probability.subarray(a, b)).filter((p) => p > 0.5).length;
    // Known limit: the first day costs alarms until the one-day scale has caught up with the new noise level.
    const later = flaggedRows(24, h.rows);
    assert.ok(later <= Math.ceil(2 * ev.budget.share * (h.rows - 24)) + 1, `${later} of ${h.rows - 24} rows after the first day flagged`);
    assert.ok(flaggedRows(0, 24) <= 12, `${flaggedRows(0, 24)} of the first 24 rows flagged`);
  });

  it('keeps a four-week scale window after a short fit, so hours of anomaly neither hide themselves nor the next one', () => {
    // Fitted on three days only (NAB's probation is shorter still); 12 hours of doubled traffic on day 10, then a
    // 30 % drop six hours later. A scale window as short as the fit (72 rows) is 17 % anomalous by the end of the
    // doubling and swells: the doubling's z fell from 19 to 2 within it and the drop scored −1.
    const f = series(4, 9, 0.03, 0.05);
    const rule = fitSeasonalRule(f, 72, { timezone: 'UTC', weekend: [6, 7], holidayCountry: null });
    assert.equal(rule.scaleRows, 28 * 24);
    for (let i = 240; i < 252; i++) f.signals.http[i] *= 2;
    for (let i = 258; i < 261; i++) f.signals.http[i] *= 0.7;
    const z = applySeasonalRule(rule, f).z[0];
    const rise = Math.min(...z.subarray(240, 252));
    const drop = Math.min(...z.subarray(258, 261));
    assert.ok(rise > 5, `the doubling's smallest z is ${rise.toFixed(2)}`);
    assert.ok(drop < -2.5, `the drop's z is ${drop.toFixed(2)}`);
  });

  it('is causal: scoring a prefix gives the same z as scoring the whole series', () => {
    const f = series(9, 7);
    const rule = fitSeasonalRule(f, 6 * WEEK, { timezone: 'UTC', weekend: [6, 7], holidayCountry: null });
    const whole = applySeasonalRule(rule, f).z[0];
    const cut = { ...f, timestamps: f.timestamps.slice(0, 8 * WEEK), signals: { http: f.signals.http.slice(0, 8 * WEEK), l3: f.signals.l3.slice(0, 8 * WEEK) }, gap: f.gap.slice(0, 8 * WEEK), unreliable: f.unreliable.slice(0, 8 * WEEK), labelKind: f.labelKind.slice(0, 8 * WEEK) };
    const part = applySeasonalRule(rule, cut).z[0];
    for (let i = 7 * WEEK; i < 8 * WEEK; i++) assert.equal(part[i], whole[i]);
  });

  it('when a second outage follows the first by three days, then the first does not make it look ordinary', () => {
    // The drift check and the novelty rule look back four weeks, the seasonal rule's scale too; rows far off are left
    // out of the first two (ONLINE_CENSOR_Z). Ranking rows among the last four weeks instead (an earlier design) put
    // the second outage below the first and under the threshold.
    const first = 10 * WEEK + 2 * 24 + 8;
    const second = first + 3 * 24;
    const withBoth = series(14, 11);
    const alone = series(14, 11);
    for (const [f, ats] of [[withBoth, [first, second]], [alone, [second]]] as const) for (const at of ats) for (let i = at; i < at + 12; i++) f.signals.http[i] *= 0.7;
    const r = second - FIT_END;
    const mean = (h: ReturnType<typeof detect>['h']) => Array.from(h.evidence.subarray(r, r + 12)).reduce((x, y) => x + y, 0) / 12;
    const a = detect(withBoth).h;
    const b = detect(alone).h;
    assert.ok(Math.max(...a.probability.subarray(r, r + 12)) > 0.99);
    assert.ok(mean(a) > mean(b) - 1, `mean evidence ${mean(a).toFixed(2)} against ${mean(b).toFixed(2)} alone`);
  });

  it('when a level never seen in four weeks appears, then its novelty carries the row', () => {
    const f = series(12, 13);
    const at = 10 * WEEK + 5 * 24 + 3; // a night hour, lifted far above every daytime peak
    f.signals.http[at] = 1000;
    const { h, ev } = detect(f);
    const r = at - FIT_END;
    // the evidence is at least the signal's novelty after the Bonferroni factor for the two signals
    const novelty = seasonalNovelty(ev.seasonal!, applySeasonalRule(ev.seasonal!, f)).http[at];
    assert.ok(novelty > 5, `http novelty ${novelty}`);
    assert.ok(h.evidence[r] >= novelty - Math.log10(2) - 1e-9, `evidence ${h.evidence[r]} against novelty ${novelty}`);
    assert.ok(h.bySignal.http[r] > 2, 'http leads the attribution');
    assert.ok(h.probability[r] > 0.99);
  });

  it('when a near-constant count (announced address space) steps by 0.2 %, then no row alarms', () => {
    // Announced /24s hold still for weeks and then move by a few prefixes: the novelty rule's spread is the rule's
    // floor at least (a 0.5 % change on a log scale), else the first step of a never-moving count is a huge outlier.
    const f = series(14, 19);
    const n = f.timestamps.length;
    const ips = new Float64Array(n).fill(40_000);
    const at = 11 * WEEK + 3 * 24 + 10;
    for (let i = at; i < n; i++) ips[i] = 40_080;
    f.signalNames = [...f.signalNames, 'bgp_ips'];
    f.signalKinds = { ...f.signalKinds, bgp_ips: 'count' };
    f.signals = { ...f.signals, bgp_ips: ips };
    const { h } = detect(f);
    const worst = Math.max(...h.probability.subarray(at - FIT_END, at - FIT_END + 48));
    assert.ok(worst < 0.5, `probability ${worst.toFixed(3)} after the step`);
    // a withdrawal of a fifth of the space still does
    for (let i = at + 24 * 7; i < at + 24 * 7 + 6; i++) ips[i] = 32_000;
    const r = at + 24 * 7 - FIT_END;
    assert.ok(Math.max(...detect(f).h.probability.subarray(r, r + 6)) > 0.99);
  });

  it('holidayScaleOf: the holiday rows\' spread over the overall one, at least 1, at most 4, shrunk by the rows behind it', () => {
    const n = 400;
    const resid = Float64Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (i < 100 ? 10 : 1));
    const clean = new Uint8Array(n).fill(1);
    const dayType = Uint8Array.from({ length: n }, (_, i) => (i < 100 ? 2 : 0));
    // 100 holiday rows ten times wider: capped at 4, weighted 100 / (100 + 50)
    assert.ok(Math.abs(holidayScaleOf(resid, clean, dayType, 1) - Math.exp((100 / 150) * Math.log(4))) < 1e-12);
    // narrower holiday rows never make the scale smaller; fewer than 8 of them, or none clean, change nothing
    assert.equal(holidayScaleOf(resid.map((v, i) => (i < 100 ? v / 100 : v)), clean, dayType, 1), 1);
    assert.equal(holidayScaleOf(resid, clean, Uint8Array.from({ length: n }, (_, i) => (i < 7 ? 2 : 0)), 1), 1);
    assert.equal(holidayScaleOf(resid, Uint8Array.from({ length: n }, (_, i) => (i < 100 ? 0 : 1)), dayType, 1), 1);
  });

  it('when a public holiday sits below even a weekend, then it raises no alarm, while an outage on a holiday still does', () => {
    // German public holidays from the calendar, each a day off at 0.72 of a workday with a later morning (as holidays
    // look on Radar); the similar-days reference, led by the ordinary day before, expects a workday.
    const weeks = 42;
    const n = weeks * WEEK;
    const rng = createRng(23);
    const cal = { timezone: 'UTC', weekend: [6, 7], holidayCountry: 'DE' };
    const { dayType } = featureLocalTime(cal, Array.from({ length: n }, (_, i) => T0 + i * HOUR_MS));
    const http = new Float64Array(n);
    const l3 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = i % 24;
      const shift = dayType[i] === 0 ? 0 : 1.5;
      const level = dayType[i] === 2 ? 0.72 : dayType[i] === 1 ? 0.85 : 1;
      http[i] = 100 * level * (1 + 0.5 * Math.sin((2 * Math.PI * (h - 6 - shift)) / 24)) * Math.exp(0.03 * rng.normal());
      l3[i] = 5 * Math.exp(0.3 * rng.normal());
    }
    const frame: CountryFrame = { ...series(weeks, 23), id: 'T2', signals: { http, l3 } };
    const fitEnd = 34 * WEEK; // the rule fits on the first 30 weeks: six holidays to learn from (1 Jan … Whit Monday)
    const run = (c: typeof cal | (Omit<typeof cal, 'holidayCountry'> & { holidayCountry: null })) => {
      const ev = fitEvidence(frame, null, 'seasonal', c, 30 * WEEK, fitEnd, 0.5);
      return { ev, h: scoreHybrid(frame, null, ev.seasonal, ev.evidence.windows, fitEnd, n, ev.evidence, ev.budget.share) };
    };
    const holidayRows = Array.from({ length: n - fitEnd }, (_, r) => r).filter((r) => dayType[fitEnd + r] === 2);
    assert.ok(holidayRows.length >= 24, `${holidayRows.length} scored holiday rows (3 October)`);
    const worst = (p: Float64Array) => Math.max(...holidayRows.map((r) => p[r]));
    const blind = run({ ...cal, holidayCountry: null });
    assert.ok(worst(blind.h.probability) > 0.5, `without the calendar a holiday alarms (${worst(blind.h.probability).toFixed(3)})`);
    const { ev, h } = run(cal);
    const [httpRule, l3Rule] = ev.seasonal!.signals;
    assert.ok(httpRule.holidayScale > 1.2, `http holiday factor ${httpRule.holidayScale}`);
    assert.ok(l3Rule.holidayScale < 1.3, `l3 holiday factor ${l3Rule.holidayScale}`);
    assert.ok(worst(h.probability) < 0.5, `with it no holiday row alarms (${worst(h.probability).toFixed(3)})`);
    // an outage on a holiday (half the traffic gone for 6 h) still crosses
    const at = fitEnd + holidayRows[holidayRows.length - 1] - 12;
    for (let i = at; i < at + 6; i++) http[i] *= 0.5;
    assert.ok(Math.max(...run(cal).h.probability.subarray(at - fitEnd, at - fitEnd + 6)) > 0.5);
  });

  it('when the fasting month moves traffic into the night, then its first week raises no alarm, while an outage in it still does', () => {
    // Egypt's calendar (Ramadan 2024: 11 March – 9 April; 2025: 1 – 29 March) on UTC hours: during the fasting month the
    // nights are 40 % busier and the evening 30 % quieter. The rule fits on 2024 (one Ramadan), the year after is scored.
    const weeks = 66;
    const n = weeks * WEEK;
    const rng = createRng(29);
    const cal = { timezone: 'UTC', weekend: [6, 7], holidayCountry: 'EG' };
    const ts = Array.from({ length: n }, (_, i) => T0 + i * HOUR_MS);
    const { shift } = featureLocalTime(cal, ts);
    const fasting = countryCalendar('EG', 2023, 2025).fasting;
    const http = new Float64Array(n);
    const l3 = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const h = i % 24;
      const dow = Math.floor(i / 24) % 7;
      const fast = fasting.has(new Date(ts[i]).toISOString().slice(0, 10));
      const ramadan = !fast ? 1 : h >= 21 || h < 4 ? 1.4 : h >= 16 && h < 19 ? 0.7 : 1;
      http[i] = 100 * (1 + 0.5 * Math.sin((2 * Math.PI * (h - 6)) / 24)) * (dow >= 5 ? 0.85 : 1) * ramadan * Math.exp(0.03 * rng.normal());
      l3[i] = 5 * Math.exp(0.3 * rng.normal());
    }
    const frame: CountryFrame = { ...series(weeks, 29), id: 'T3', signals: { http, l3 } };
    const fitEnd = 52 * WEEK;
    const run = (c: typeof cal | (Omit<typeof cal, 'holidayCountry'> & { holidayCountry: null })) => {
      const ev = fitEvidence(frame, null, 'seasonal', c, 48 * WEEK, fitEnd, 0.5);
      return { ev, h: scoreHybrid(frame, null, ev.seasonal, ev.evidence.windows, fitEnd, n, ev.evidence, ev.budget.share) };
    };
    const shiftRows = Array.from({ length: n - fitEnd }, (_, r) => r).filter((r) => shift[fitEnd + r] === 1);
    assert.equal(shiftRows.length, 2 * 7 * 24, 'the first week of Ramadan 2025 and the week after it are scored');
    // http's own evidence (decades) against the budget's: l3's noise alarms at the budget's rate on any day
    const worst = (x: { h: { bySignal: Record<string, Float64Array> } }) => Math.max(...shiftRows.map((r) => x.h.bySignal.http[r]));
    const budget = -Math.log10(budgetShare(0.5, HOUR_MS));
    const blind = run({ ...cal, holidayCountry: null });
    assert.ok(worst(blind) > budget + 1, `without the calendar the fasting month's first days alarm (http evidence ${worst(blind).toFixed(2)} vs ${budget.toFixed(2)})`);
    const { ev, h } = run(cal);
    const [httpRule, l3Rule] = ev.seasonal!.signals;
    // the fasting offsets learned from Ramadan 2024: nights +ln 1.4, the evening ln 0.7, the day unchanged; none for l3
    const off = httpRule.fastingOffset;
    assert.ok(Math.abs(off[23] - Math.log(1.4)) < 0.05 && Math.abs(off[17] - Math.log(0.7)) < 0.05 && Math.abs(off[10]) < 0.05, `http offsets ${off.map((v) => v.toFixed(2)).join(' ')}`);
    assert.ok(l3Rule.fastingOffset.every((v) => Math.abs(v) < 0.15), `l3 offsets ${l3Rule.fastingOffset.map((v) => v.toFixed(2)).join(' ')}`);
    assert.ok(worst({ h }) < budget, `with it no shift-day row alarms (http evidence ${worst({ h }).toFixed(2)} vs ${budget.toFixed(2)})`);
    // an outage on the third day of Ramadan (half the traffic gone for 6 h, from noon) still crosses
    const at = fitEnd + shiftRows[0] + 2 * 24 + 12;
    for (let i = at; i < at + 6; i++) http[i] *= 0.5;
    assert.ok(Math.max(...run(cal).h.probability.subarray(at - fitEnd, at - fitEnd + 6)) > 0.5);
  });

  it('when a quarter of the calibration rows are labelled bursts, then a later unlabelled burst still alarms, and labels after the calibration change no score', () => {
    // Labelled sixfold bursts of 2 h every 7 h through weeks 7–10 (over a quarter of those rows): known anomalies are
    // no noise for the rule's scale and no drift for the check over the last four weeks.
    const f = series(14, 23);
    const label = (frame: CountryFrame, a: number, b: number) => {
      for (let i = a; i < b; i++) frame.labelKind[i] = 'outage';
      frame.labels.push({ start: new Date(frame.timestamps[a]).toISOString(), end: new Date(frame.timestamps[b - 1] + HOUR_MS).toISOString(), kind: 'outage', source: 'csv' });
    };
    for (let at = 6 * WEEK; at < FIT_END - 2; at += 7) {
      for (let i = at; i < at + 2; i++) f.signals.http[i] *= 6;
      label(f, at, at + 2);
    }
    const burst = 11 * WEEK + 3 * 24 + 14;
    for (let i = burst; i < burst + 2; i++) f.signals.http[i] *= 1.4;
    const { ev, h } = detect(f);
    assert.equal(ev.evidence.labelsKnownTo, f.timestamps[FIT_END - 1] + HOUR_MS);
    const r = burst - FIT_END;
    const peak = (x: Float64Array) => Math.max(...x.subarray(r, r + 2));
    assert.ok(peak(h.probability) > 0.9, `burst peak ${peak(h.probability).toFixed(3)}`);
    // the same calibration scoring as if no label were known: the bursts widen the scale and raise the drift factor
    const blind = scoreHybrid(f, null, ev.seasonal, ev.evidence.windows, FIT_END, f.timestamps.length, { ...ev.evidence, labelsKnownTo: undefined }, ev.budget.share);
    assert.ok(peak(blind.probability) < 0.5, `blind ${peak(blind.probability).toFixed(3)} against ${peak(h.probability).toFixed(3)}`);
    // and knowing them raises no false alarm elsewhere
    const alarms = (x: Float64Array) => Array.from(x).filter((p, i) => p > 0.5 && (i < r || i >= r + 14)).length;
    assert.ok(alarms(h.probability) <= alarms(blind.probability), `${alarms(h.probability)} false alarms against ${alarms(blind.probability)}`);
    // labels of the scored rows (after the calibration) were not known when it was fitted: they never reach a score
    const later = { ...f, labelKind: f.labelKind.slice(), labels: f.labels.slice() };
    label(later, burst, burst + 2);
    label(later, 12 * WEEK, 12 * WEEK + 30);
    const again = detect(later).h;
    for (let i = 0; i < h.rows; i++) assert.equal(again.probability[i], h.probability[i], `row ${i}`);
  });

  it('scores a range from its history window exactly as the whole table does (online window and censoring included)', () => {
    const f = series(14, 17);
    for (let i = 11 * WEEK; i < 11 * WEEK + 20; i++) f.signals.http[i] *= 0.2; // censored rows inside the online window
    const { ev } = detect(f);
    const a = 13 * WEEK;
    const b = 14 * WEEK;
    const whole = scoreHybrid(f, null, ev.seasonal, ev.evidence.windows, a, b, ev.evidence, ev.budget.share);
    const history = hybridHistoryRows(null, ev.seasonal, ev.evidence.windows, 0, ev.evidence.onlineRows);
    assert.ok(history < a, `history ${history} rows`);
    const cut = sliceFrame(f, a - history, b);
    const part = scoreHybrid(cut, null, ev.seasonal, ev.evidence.windows, history, history + (b - a), ev.evidence, ev.budget.share);
    assert.ok(Array.from(whole.probability).every(Number.isFinite));
    for (let r = 0; r < b - a; r++) assert.equal(part.probability[r], whole.probability[r], `row ${r}`);
    // and the history is needed: two weeks less of it drops the censored outage from the window and changes rows
    const short = scoreHybrid(sliceFrame(f, a - history + 2 * WEEK, b), null, ev.seasonal, ev.evidence.windows, history - 2 * WEEK, history - 2 * WEEK + (b - a), ev.evidence, ev.budget.share);
    assert.ok(Array.from(short.probability).some((p, r) => p !== whole.probability[r]));
  });
});
