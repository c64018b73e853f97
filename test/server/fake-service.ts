/** An in-memory DetectionService for server and page tests: realistic hourly scores, signals, labelled windows and events, no models. */
import { DataError, NotFoundError } from '../../src/errors';
import { RADAR_SIGNALS } from '../../src/data/types';
import { HOUR_MS } from '../../src/base/time';
import { groupEvents } from '../../src/detect/events';
import { toDetectHours } from '../../src/detect/hours';
import { budgetShare, evidenceOf } from '../../src/detect/probability';
import type { DetectResult, ScoredHour } from '../../src/detect/types';
import type { DetectionService, ServedCountry } from '../../src/server/deps';
import { countryName } from '../../src/util/countries';
import { createRng, hashSeed } from '../../src/util/random';

/** An injected anomaly: which signals move, which way, and the peak odds of its anomaly probability against the 0.5 threshold. */
interface Injected {
  start: string;
  hours: number;
  kind: string;
  signals: Record<string, number>;
  peak: number;
}

export const FAKE_DATA_FROM = '2025-01-01T00:00:00.000Z';
export const FAKE_DATA_TO = '2025-07-01T00:00:00.000Z';
/** The probability threshold of the real detector (anomalous when probability > 0.5). */
export const FAKE_THRESHOLD = 0.5;
/** The fake models' false-alarm budget: 0.5 alarms a week of hourly rows. */
const FAKE_BUDGET = budgetShare(0.5, HOUR_MS);

/**
 * Anomalies per country; AT has an outage and an L7 attack in its last week of data (the page's default range).
 * Peaks are odds (severity: under 10× low, under 100× medium, under 1000× high, else critical); each hour reaches 60–100 % of it.
 */
export const FAKE_ANOMALIES: Record<string, Injected[]> = {
  AT: [
    { start: '2025-06-26T03:00:00.000Z', hours: 5, kind: 'outage', signals: { http: -1, netflows: -1, bgp_ips: -0.3 }, peak: 900 },
    { start: '2025-06-29T14:00:00.000Z', hours: 3, kind: 'l7_attack', signals: { l7: 1 }, peak: 90 },
  ],
  DE: [{ start: '2025-06-28T10:00:00.000Z', hours: 2, kind: 'l3_ddos', signals: { l3: 1 }, peak: 9000 }],
};

export interface DetectCall {
  country: string;
  from: Date;
  to: Date;
  series: boolean;
}

/** A fake service; `calls` records each detect(), `failWith` makes detect() throw. */
export interface FakeService extends DetectionService {
  calls: DetectCall[];
  failWith?: unknown;
  closed: boolean;
}

/** Creates the fake for `codes` (default AT, DE). */
export function createFakeService(codes: string[] = ['AT', 'DE']): FakeService {
  const countries: ServedCountry[] = codes.map((code) => ({
    code,
    name: countryName(code),
    trainedFrom: '2023-01-01T00:00:00.000Z',
    trainedTo: '2024-10-01T00:00:00.000Z',
    dataFrom: FAKE_DATA_FROM,
    dataTo: FAKE_DATA_TO,
  }));
  const svc: FakeService = {
    calls: [],
    closed: false,
    countries: () => countries,
    async detect(country, from, to, opts) {
      svc.calls.push({ country, from, to, series: opts.series });
      if (svc.failWith !== undefined) throw svc.failWith;
      if (!codes.includes(country)) throw new NotFoundError(`Unknown country "${country}". Known: ${codes.join(', ')}`);
      if (from.getTime() < Date.parse(FAKE_DATA_FROM) || to.getTime() > Date.parse(FAKE_DATA_TO)) {
        throw new DataError(`Range ${from.toISOString()}..${to.toISOString()} is outside the data of ${country} (${FAKE_DATA_FROM}..${FAKE_DATA_TO})`);
      }
      return fakeResult(country, from, to, opts.series);
    },
    close() {
      svc.closed = true;
    },
  };
  return svc;
}

/** The DetectResult the fake returns: deterministic per country and hour. */
export function fakeResult(country: string, from: Date, to: Date, withSeries: boolean): DetectResult {
  const anomalies = FAKE_ANOMALIES[country] ?? [];
  const scored: ScoredHour[] = [];
  const values: Record<string, number[]> = Object.fromEntries(RADAR_SIGNALS.map((s) => [s, []]));
  for (let t = from.getTime(); t < to.getTime(); t += HOUR_MS) {
    const rng = createRng(hashSeed(country, t));
    const hod = new Date(t).getUTCHours();
    const daily = 1 + 0.35 * Math.sin(((hod - 9) / 24) * 2 * Math.PI);
    const a = anomalies.find((x) => t >= Date.parse(x.start) && t < Date.parse(x.start) + x.hours * HOUR_MS);
    const move = (s: string) => (a ? (a.signals[s] ?? 0) : 0);
    values.http.push(0.6 * daily * (1 + 0.03 * rng.normal()) * (1 + 0.8 * move('http')));
    values.netflows.push(0.55 * daily * (1 + 0.03 * rng.normal()) * (1 + 0.7 * move('netflows')));
    values.l3.push(0.1 * (1 + 0.2 * rng()) * (1 + 6 * move('l3')));
    values.l7.push(0.08 * (1 + 0.2 * rng()) * (1 + 8 * move('l7')));
    values.bot_share.push(32 + 2 * rng.normal() + 20 * move('bot_share'));
    values.bgp_ips.push(41000 * (1 + 0.001 * rng.normal()) * (1 + 0.2 * move('bgp_ips')));
    // odds against the threshold: 60–100 % of the peak inside an anomaly, 0.15–0.4 outside → probability = odds / (1 + odds)
    const odds = a ? a.peak * (0.6 + 0.4 * rng()) : 0.15 + 0.25 * rng();
    const score = odds / (1 + odds);
    const weights: Record<string, number> = {};
    const direction: Record<string, number> = {};
    for (const s of RADAR_SIGNALS) {
      weights[s] = 0.2 + rng() * 0.3 + (a && a.signals[s] ? 8 * Math.abs(a.signals[s]) : 0);
      direction[s] = a && a.signals[s] ? 4 * a.signals[s] : 0.3 * rng.normal();
    }
    weights.calendar = 0.1;
    const total = Object.values(weights).reduce((x, y) => x + y, 0);
    const signals = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, +(v / total).toFixed(4)]));
    scored.push({ timestamp: t, score: +score.toFixed(4), evidence: evidenceOf(score, FAKE_BUDGET), threshold: FAKE_THRESHOLD, anomaly: score > FAKE_THRESHOLD, signals, direction });
  }
  const inRange = (s: number, e: number) => s < to.getTime() && e > from.getTime();
  const result: DetectResult = {
    country,
    from: from.toISOString(),
    to: to.toISOString(),
    model: {
      dir: `results/models/${country}`,
      createdAt: '2025-01-15T12:00:00.000Z',
      detector: 'hybrid',
      falseAlarmsPerWeek: 0.5,
      thresholdMethod: 'probability',
      threshold: FAKE_THRESHOLD,
      temperature: 1.3,
      trainedFrom: '2023-01-01T00:00:00.000Z',
      trainedTo: '2024-10-01T00:00:00.000Z',
    },
    hours: toDetectHours(scored),
    events: groupEvents(scored, { eventGapHours: 2, minEventHours: 1, topSignals: 3 }),
  };
  if (withSeries) {
    result.series = {
      signals: values,
      labels: anomalies
        .filter((x) => inRange(Date.parse(x.start), Date.parse(x.start) + x.hours * HOUR_MS))
        .map((x) => ({ start: x.start, end: new Date(Date.parse(x.start) + x.hours * HOUR_MS).toISOString(), kind: x.kind })),
    };
  }
  return result;
}
