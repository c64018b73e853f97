/**
 * An in-memory DetectionService for many countries (the overview bench's 250, the screenshots' `--demo`): each series
 * gets 90 days of scored hours made up once at start — calm probabilities with a few injected events — and, like the
 * real service, answers `detect()` and `summarize()` by slicing them. No models: training 250 countries here is
 * impractical, and the overview's cost is in the summarising and serialising, which this exercises unchanged.
 */
import { DAY_MS, HOUR_MS } from '../../src/base/time';
import { DataError, NotFoundError } from '../../src/errors';
import { summarizeScoredHours } from '../../src/detect/summary';
import { groupEvents } from '../../src/detect/events';
import { toDetectHours } from '../../src/detect/hours';
import { budgetShare, evidenceOf } from '../../src/detect/probability';
import type { DetectResult, ScoredHour } from '../../src/detect/types';
import type { DetectionService, ServedCountry } from '../../src/server/deps';
import { countryName, knownCountryCodes } from '../../src/util/countries';
import { createRng, hashSeed } from '../../src/util/random';

const SIGNALS = ['http', 'netflows', 'l3', 'l7', 'bot_share', 'bgp_ips'] as const;
/** What each injected event moves (signal → direction), by the cause it should be attributed to. */
const KINDS: Record<string, Partial<Record<(typeof SIGNALS)[number], number>>> = {
  outage: { http: -1, netflows: -1, bgp_ips: -0.4 },
  l3_ddos: { l3: 1 },
  l7_attack: { l7: 1 },
  bot_surge: { bot_share: 1, http: 0.3 },
  traffic_surge: { http: 1, netflows: 1 },
};
const DETECT = { eventGapHours: 2, minEventHours: 1, confirmProbability: 0.9, topSignals: 3 };
/** Share of hourly rows the made-up probabilities are calibrated to (0.5 false alarms a week), for their evidence. */
const BUDGET = budgetShare(0.5, HOUR_MS);

export interface MemoryServiceOptions {
  /** Series ids; default every country code the time-zone database knows (248) plus two imported series: 250. */
  codes?: string[];
  /** End (exclusive) of every series' data; default the current hour (live-looking data). */
  dataTo?: number;
  days?: number;
  /** Events per series per 30 days, on average (default 2). */
  eventsPer30Days?: number;
  seed?: number;
}

/** Default ids: 248 countries and 2 imported series, 250 rows in the overview. */
export function defaultCodes(): string[] {
  return [...knownCountryCodes(), 'web_eu-1', 'api_us'];
}

/** Builds the service (about 1 s for 250 series × 90 days). */
export function createMemoryService(o: MemoryServiceOptions = {}): DetectionService {
  const codes = o.codes ?? defaultCodes();
  const days = o.days ?? 90;
  const to = o.dataTo ?? Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const from = to - days * DAY_MS;
  const rate = (o.eventsPer30Days ?? 2) / (30 * 24);
  const tables = new Map<string, { served: ServedCountry; hours: ScoredHour[] }>();
  for (const code of codes) {
    const rng = createRng(hashSeed(o.seed ?? 7, code));
    // a few shared objects per series: the overview reads them, nothing writes them
    const calm = Array.from({ length: 8 }, () => {
      const w = SIGNALS.map(() => 0.5 + rng());
      const sum = w.reduce((a, b) => a + b, 0) + 0.2;
      return { signals: Object.fromEntries([...SIGNALS.map((s, i) => [s, w[i] / sum]), ['calendar', 0.2 / sum]]), direction: Object.fromEntries(SIGNALS.map((s) => [s, 0.3 * rng.normal()])) };
    });
    const hours: ScoredHour[] = [];
    let event: { left: number; peak: number; kind: string } | undefined;
    for (let t = from; t < to; t += HOUR_MS) {
      if (!event && rng() < rate) event = { left: 1 + Math.floor(rng() * 8), peak: 0.8 + 0.19999 * rng(), kind: rng.pick(Object.keys(KINDS)) };
      if (event) {
        const moves = KINDS[event.kind];
        const w = SIGNALS.map((s) => (moves[s] ? 6 * Math.abs(moves[s] as number) : 0.2 + 0.2 * rng()));
        const sum = w.reduce((a, b) => a + b, 0);
        const p = event.peak * (0.95 + 0.05 * rng());
        hours.push({
          timestamp: t,
          score: p,
          evidence: evidenceOf(p, BUDGET),
          threshold: 0.5,
          anomaly: p > 0.5,
          signals: Object.fromEntries(SIGNALS.map((s, i) => [s, w[i] / sum])),
          direction: Object.fromEntries(SIGNALS.map((s) => [s, (moves[s] ?? 0) * 4])),
        });
        if (--event.left === 0) event = undefined;
      } else {
        const c = calm[Math.floor(rng() * calm.length)];
        const p = 0.05 + 0.3 * rng();
        hours.push({ timestamp: t, score: p, evidence: evidenceOf(p, BUDGET), threshold: 0.5, anomaly: false, signals: c.signals, direction: c.direction });
      }
    }
    const name = countryName(code);
    tables.set(code, {
      served: { code, name, trainedFrom: new Date(from - 730 * DAY_MS).toISOString(), trainedTo: new Date(from - 30 * DAY_MS).toISOString(), dataFrom: new Date(from).toISOString(), dataTo: new Date(to).toISOString() },
      hours,
    });
  }
  const countries = [...tables.values()].map((t) => t.served).sort((a, b) => a.code.localeCompare(b.code));

  const slice = (country: string, fromD: Date, toD: Date) => {
    const t = tables.get(country) ?? tables.get(country.toUpperCase());
    if (!t) throw new NotFoundError(`Unknown country "${country}". Known: ${codes.slice(0, 10).join(', ')}, …`);
    const f = Math.ceil(fromD.getTime() / HOUR_MS) * HOUR_MS;
    const e = Math.ceil(toD.getTime() / HOUR_MS) * HOUR_MS;
    if (f < from || e > to || f >= e) throw new DataError(`Range ${fromD.toISOString()}..${toD.toISOString()} is outside the data of ${country} (${t.served.dataFrom}..${t.served.dataTo})`);
    return { t, f, e, hours: t.hours.slice((f - from) / HOUR_MS, (e - from) / HOUR_MS) };
  };

  return {
    countries: () => countries,
    async detect(country, fromD, toD, o2) {
      const { t, f, e, hours } = slice(country, fromD, toD);
      const r: DetectResult = {
        country: t.served.code,
        from: new Date(f).toISOString(),
        to: new Date(e).toISOString(),
        model: { dir: `(in memory) ${t.served.code}`, createdAt: t.served.trainedTo, detector: 'hybrid', falseAlarmsPerWeek: 0.5, thresholdMethod: 'probability', threshold: 0.5, temperature: 1, trainedFrom: t.served.trainedFrom, trainedTo: t.served.trainedTo },
        hours: toDetectHours(hours),
        events: groupEvents(hours, DETECT),
      };
      // made-up signal levels for the charts: a daily cycle, moved the way each anomalous hour's direction says
      if (o2.series) {
        const base: Record<string, number> = { http: 0.6, netflows: 0.55, l3: 0.1, l7: 0.08, bot_share: 32, bgp_ips: 41000 };
        const swing: Record<string, number> = { http: 0.35, netflows: 0.3, l3: 0.05, l7: 0.05, bot_share: 0.05, bgp_ips: 0.001 };
        const signals = Object.fromEntries(
          SIGNALS.map((s) => [
            s,
            hours.map((h) => {
              const daily = 1 + swing[s] * Math.sin(((new Date(h.timestamp).getUTCHours() - 9) / 24) * 2 * Math.PI);
              const move = h.anomaly ? h.direction[s] / 4 : 0;
              return base[s] * daily * (1 + (s === 'l3' || s === 'l7' ? 6 : 0.8) * move);
            }),
          ]),
        );
        r.series = { signals, labels: [] };
      }
      return r;
    },
    async summarize(country, fromD, toD) {
      const { t, f, e, hours } = slice(country, fromD, toD);
      return summarizeScoredHours(t.served.code, f, e, hours, DETECT);
    },
  };
}
