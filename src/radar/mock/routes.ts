/**
 * Endpoint handlers of the mock Radar server: turn a parsed query into the `result` object Radar
 * returns (series as strings, MIN0_MAX over the whole response, meta with confidence annotations),
 * backed by the embedded generator.
 */
import { DAY_MS, HOUR_MS, isoSeconds } from '../../base/time';
import type { RadarGenerator, SimulatedSeries } from '../../data/generator/simulate';
import { anomalyDataSources, isOutageKind, outageAnnotation, pipelineAnnotation, trafficAnomalyItem } from '../../data/generator/labels';
import { SERIES_DATA_SOURCE, pipelineAffects, type GeneratedSeries } from '../../data/generator/quality';
import { gaussAt } from '../../data/generator/hash';
import { hashSeed } from '../../util/random';
import { knownCountryCodes } from '../../util/countries';
import {
  INTERVAL_META,
  INTERVAL_MS,
  QUARTER_MS,
  all,
  badInput,
  checkFormat,
  floorTo,
  one,
  parseInterval,
  parseLabelWindow,
  parseNormalization,
  parsePaging,
  parseSeriesRequests,
  type Interval,
  type Query,
  type SeriesRequest,
} from './params';

/** What handlers need: the generator, the clock and the country list. */
export interface MockContext {
  gen: RadarGenerator;
  now: () => number;
  /** Upper-case code when known, else undefined. */
  location(code: string): string | undefined;
}

/** A handler returns Radar's `result` object; errors are thrown as MockHttpError. */
export type RouteHandler = (ctx: MockContext, q: Query) => Record<string, unknown>;

/** Builds the location validator over the ~250 known ISO codes. */
export function locationValidator(): (code: string) => string | undefined {
  const known = new Set(knownCountryCodes());
  return (code) => {
    const c = code.trim().toUpperCase();
    return known.has(c) ? c : undefined;
  };
}

/** A string as Radar writes numbers: up to 6 significant digits, no trailing zeros ("0.871752", "1"). */
export function formatValue(x: number): string {
  return x === 0 ? '0' : String(Number(x.toPrecision(6)));
}

/** Bucket starts of a series window at `interval`: inclusive of the floored end, complete buckets only. */
function bucketStarts(r: SeriesRequest, interval: Interval, nowMs: number): number[] {
  const step = INTERVAL_MS[interval];
  const out: number[] = [];
  for (let b = floorTo(r.start, step); b <= floorTo(r.end, step); b += step) if (b + step <= nowMs) out.push(b);
  return out;
}

/**
 * The four 15-minute parts of hour `i` of an hourly column `c`, summing to `c[i]`. The generator is hourly, so an hour is
 * split along the rate interpolated linearly between the midpoints of the neighbouring hours (a neighbour outside the
 * column counts as flat): the daily shape runs smoothly through the hour instead of in hourly stairs, and every hour
 * keeps its total, so 15-minute points averaged per hour give back the hourly series.
 */
export function quarterShares(c: ArrayLike<number>, i: number): [number, number, number, number] {
  const prev = i > 0 ? c[i - 1] : c[i];
  const next = i + 1 < c.length ? c[i + 1] : c[i];
  // quarter centres lie 3/8 and 1/8 of an hour before and after the hour's midpoint
  const rates = [-0.375, -0.125, 0.125, 0.375].map((x) => c[i] + (x < 0 ? c[i] - prev : next - c[i]) * x);
  const sum = rates[0] + rates[1] + rates[2] + rates[3];
  return (sum > 0 ? rates.map((r) => (r / sum) * c[i]) : [0, 1, 2, 3].map(() => c[i] / 4)) as [number, number, number, number];
}

/**
 * Sums hourly `columns` of one series into buckets; 15-minute buckets split their hour by quarterShares with a small
 * log-normal jitter (3 %) per quarter. A bucket whose hours are all missing is dropped, as Radar omits points without data.
 */
function aggregate(
  gen: RadarGenerator,
  r: SeriesRequest,
  interval: Interval,
  nowMs: number,
  series: GeneratedSeries,
  columns: ((s: SimulatedSeries) => Float64Array)[],
): { timestamps: number[]; sums: number[][] } {
  const starts = bucketStarts(r, interval, nowMs);
  const out = { timestamps: [] as number[], sums: columns.map(() => [] as number[]) };
  if (starts.length === 0 || !r.location) return out;
  const step = INTERVAL_MS[interval];
  // 15-minute buckets look one hour to each side, for the shape through the hour
  const pad = interval === '15m' ? HOUR_MS : 0;
  const h0 = floorTo(starts[0], HOUR_MS) - pad;
  const sim = gen.simulate(r.location, h0, starts[starts.length - 1] + step + pad);
  const cols = columns.map((c) => c(sim));
  const missing = sim.missing[series];
  const jitterKey = hashSeed(gen.config.seed, r.location, series, 'quarter');
  for (const b of starts) {
    const acc = cols.map(() => 0);
    let present = 0;
    if (interval === '15m') {
      const i = (floorTo(b, HOUR_MS) - h0) / HOUR_MS;
      if (missing[i]) continue;
      const q = Math.floor(b / QUARTER_MS);
      const part = Math.floor((b - floorTo(b, HOUR_MS)) / QUARTER_MS);
      cols.forEach((c, k) => (acc[k] = quarterShares(c, i)[part] * Math.exp(0.03 * gaussAt(jitterKey + k, q))));
      present = 1;
    } else {
      const i0 = (b - h0) / HOUR_MS;
      for (let i = i0; i < i0 + step / HOUR_MS && i < sim.timestamps.length; i++) {
        if (missing[i]) continue;
        present++;
        cols.forEach((c, k) => (acc[k] += c[i]));
      }
    }
    if (present === 0) continue;
    out.timestamps.push(b);
    acc.forEach((v, k) => out.sums[k].push(v));
  }
  return out;
}

/** meta.confidenceInfo for the windows of a response: labelled events and PIPELINE windows of the data source. */
function confidenceInfo(ctx: MockContext, reqs: SeriesRequest[], series: GeneratedSeries, step: number): { level: number; annotations: Record<string, unknown>[] } {
  const source = SERIES_DATA_SOURCE[series];
  const nowMs = ctx.now();
  const seen = new Set<string>();
  const annotations: Record<string, unknown>[] = [];
  let pipeline = false;
  for (const r of reqs) {
    if (!r.location) continue;
    const from = floorTo(r.start, step);
    const to = Math.min(floorTo(r.end, step) + step, nowMs);
    if (to <= from) continue;
    for (const a of ctx.gen.anomalies(r.location, from, to)) {
      if (a.start > nowMs || seen.has(a.id) || !anomalyDataSources(a).includes(source)) continue;
      seen.add(a.id);
      annotations.push({
        dataSource: source,
        eventType: isOutageKind(a.kind) ? 'OUTAGE' : 'TRAFFIC_ANOMALY',
        description: isOutageKind(a.kind) ? outageAnnotation(a).description : `Traffic anomaly in ${a.country}`,
        startDate: isoSeconds(a.start),
        endDate: a.end > nowMs ? null : isoSeconds(a.end),
        isInstantaneous: false,
      });
    }
    for (const w of ctx.gen.pipeline(r.location, from, to)) {
      if (seen.has(w.id) || !pipelineAffects(w.dataSource, series)) continue;
      seen.add(w.id);
      pipeline = true;
      const item = pipelineAnnotation(w, nowMs);
      annotations.push({ dataSource: w.dataSource, eventType: 'PIPELINE', description: item.description, startDate: item.startDate, endDate: item.endDate, isInstantaneous: false });
    }
  }
  // Radar: level 5 = "no known data quality issues"; lower when its pipeline had problems.
  return { level: pipeline ? 3 : 5, annotations };
}

/**
 * meta.lastUpdated from the mock's clock and the data served: the end of the newest complete bucket requested, never
 * after the clock's last quarter hour. A window that lies in the past therefore always gets the same stamp, so two
 * fetches of the same range write identical files however far apart they run (the wall clock never leaks in).
 */
export function lastUpdatedOf(reqs: { end: number }[], step: number, nowMs: number): string {
  const newest = Math.max(...reqs.map((r) => floorTo(r.end, step) + step));
  return isoSeconds(floorTo(Math.min(newest, nowMs), QUARTER_MS));
}

function meta(ctx: MockContext, reqs: SeriesRequest[], series: GeneratedSeries, interval: Interval | undefined, normalization: string, units: { name: string; value: string }[]) {
  const nowMs = ctx.now();
  return {
    dateRange: reqs.map((r) => ({ startTime: isoSeconds(r.start), endTime: isoSeconds(r.end) })),
    ...(interval ? { aggInterval: INTERVAL_META[interval] } : {}),
    normalization,
    lastUpdated: lastUpdatedOf(reqs, interval ? INTERVAL_MS[interval] : HOUR_MS, nowMs),
    confidenceInfo: confidenceInfo(ctx, reqs, series, interval ? INTERVAL_MS[interval] : HOUR_MS),
    units,
  };
}

/** A MIN0_MAX volume endpoint (one value column per series, all series on one scale). */
function volumeEndpoint(series: GeneratedSeries, unit: string, pickColumn: (q: Query) => (s: SimulatedSeries) => Float64Array): RouteHandler {
  return (ctx, q) => {
    checkFormat(q);
    const nowMs = ctx.now();
    const reqs = parseSeriesRequests(q, nowMs, ctx.location, true);
    const interval = parseInterval(q, reqs[0].end - reqs[0].start);
    const normalization = parseNormalization(q);
    const column = pickColumn(q);
    const parts = reqs.map((r) => aggregate(ctx.gen, r, interval, nowMs, series, [column]));
    // MIN0_MAX: one maximum over every value of every series in the response (Radar normalizes jointly).
    let max = 0;
    for (const p of parts) for (const v of p.sums[0]) if (v > max) max = v;
    const result: Record<string, unknown> = {};
    reqs.forEach((r, k) => {
      result[r.name] = { timestamps: parts[k].timestamps.map(isoSeconds), values: parts[k].sums[0].map((v) => formatValue(max > 0 ? v / max : 0)) };
    });
    result.meta = meta(ctx, reqs, series, interval, normalization, [{ name: '*', value: unit }]);
    return result;
  };
}

function choice(q: Query, key: string, allowed: readonly string[], dflt: string): string {
  const v = one(q, key);
  if (v === undefined) return dflt;
  const up = v.toUpperCase();
  if (!allowed.includes(up)) throw badInput(`Invalid ${key} "${v}": expected one of ${allowed.join(', ')}`);
  return up;
}

const httpTimeseries = volumeEndpoint('http', 'requests', (q) => {
  const botClass = all(q, 'botClass').map((b) => b.toUpperCase());
  for (const b of botClass) if (b !== 'LIKELY_HUMAN' && b !== 'LIKELY_AUTOMATED') throw badInput(`Invalid botClass "${b}": expected LIKELY_HUMAN or LIKELY_AUTOMATED`);
  const set = new Set(botClass);
  if (set.size === 1 && set.has('LIKELY_HUMAN')) return (s) => s.humanRequests;
  if (set.size === 1 && set.has('LIKELY_AUTOMATED')) return (s) => s.botRequests;
  return (s) => s.httpRequests;
});

const netflowsTimeseries = volumeEndpoint('netflows', 'bytes', (q) => {
  // product=HTTP is the web share of the bytes (the rest is Spectrum, 1.1.1.1, Magic Transit …).
  const product = choice(q, 'product', ['ALL', 'HTTP'], 'ALL');
  if (product === 'ALL') return (s) => s.netflowBytes;
  return (s) => s.netflowBytes.map((v) => v * 0.82);
});

const l3Timeseries = volumeEndpoint('l3', 'bytes', (q) => {
  // Radar's default direction is ORIGIN (mitigated in the country's data centres); labelled attacks target the country.
  const direction = choice(q, 'direction', ['ORIGIN', 'TARGET'], 'ORIGIN');
  return direction === 'TARGET' ? (s) => s.l3TargetBytes : (s) => s.l3OriginBytes;
});

const l7Timeseries = volumeEndpoint('l7', 'requests', () => (s) => s.l7Requests);

const botClassGroups: RouteHandler = (ctx, q) => {
  checkFormat(q);
  const nowMs = ctx.now();
  const reqs = parseSeriesRequests(q, nowMs, ctx.location, true);
  const interval = parseInterval(q, reqs[0].end - reqs[0].start);
  const norm = one(q, 'normalization');
  if (norm !== undefined && norm.toUpperCase() !== 'PERCENTAGE') throw badInput(`Unsupported normalization "${norm}": this mock serves PERCENTAGE for timeseries_groups`);
  const result: Record<string, unknown> = {};
  for (const r of reqs) {
    const p = aggregate(ctx.gen, r, interval, nowMs, 'bot_class', [(s) => s.botRequests, (s) => s.httpRequests]);
    const bot = p.sums[0].map((b, i) => Math.round((1e8 * b) / p.sums[1][i]) / 1e6);
    result[r.name] = {
      timestamps: p.timestamps.map(isoSeconds),
      bot: bot.map(String),
      human: bot.map((b) => String(Math.round((100 - b) * 1e6) / 1e6)),
    };
  }
  result.meta = meta(ctx, reqs, 'bot_class', interval, 'PERCENTAGE', [{ name: '*', value: 'percentage' }]);
  return result;
};

const bgpIps: RouteHandler = (ctx, q) => {
  checkFormat(q);
  const nowMs = ctx.now();
  const reqs = parseSeriesRequests(q, nowMs, ctx.location, true);
  // No aggInterval parameter: hourly points, with the hourly range limit.
  parseInterval({}, reqs[0].end - reqs[0].start);
  const version = choice(q, 'ipVersion', ['IPV4', 'IPV6', 'ALL'], 'ALL');
  const result: Record<string, unknown> = {};
  for (const r of reqs) {
    const p = aggregate(ctx.gen, r, '1h', nowMs, 'bgp_ips', [(s) => s.ipv4, (s) => s.ipv6]);
    const serie: Record<string, string[]> = { timestamps: p.timestamps.map(isoSeconds) };
    if (version !== 'IPV6') serie.ipv4 = p.sums[0].map((v) => String(Math.round(v)));
    if (version !== 'IPV4') serie.ipv6 = p.sums[1].map((v) => String(Math.round(v)));
    result[r.name] = serie;
  }
  result.meta = meta(ctx, reqs, 'bgp_ips', undefined, 'RAW_VALUES', [
    { name: 'ipv4', value: '/24s' },
    { name: 'ipv6', value: '/48s' },
  ]);
  return result;
};

/** Countries of a label request: the one `location`, or every known country. */
function labelCountries(ctx: MockContext, q: Query): string[] {
  const raw = one(q, 'location');
  if (raw === undefined) return knownCountryCodes();
  const cc = ctx.location(raw);
  if (!cc) throw badInput(`Invalid location "${raw}": expected an ISO 3166-1 alpha-2 country code such as AT, JP or US`);
  return [cc];
}

/** Default page size of label endpoints (Radar documents none; the docs' examples use limit=5). */
export const DEFAULT_LABEL_LIMIT = 5;
const MAX_LABEL_RANGE_DAYS = 3660;

function labelRequest(ctx: MockContext, q: Query): { from: number; to: number; countries: string[]; limit: number; offset: number; nowMs: number } {
  checkFormat(q);
  const nowMs = ctx.now();
  const [from, to] = parseLabelWindow(q, nowMs);
  if (to - from > MAX_LABEL_RANGE_DAYS * DAY_MS) throw badInput(`Date range too long: at most ${MAX_LABEL_RANGE_DAYS} days per label request`);
  return { from, to, countries: labelCountries(ctx, q), ...parsePaging(q, DEFAULT_LABEL_LIMIT), nowMs };
}

/** Newest first, as Radar lists events; ties by id so pages are stable. */
function page<T extends { startDate: string }>(items: T[], idOf: (t: T) => string, limit: number, offset: number): T[] {
  items.sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : idOf(a).localeCompare(idOf(b))));
  return items.slice(offset, offset + limit);
}

const outages: RouteHandler = (ctx, q) => {
  const r = labelRequest(ctx, q);
  const items = r.countries.flatMap((cc) =>
    ctx.gen
      .anomalies(cc, r.from, r.to + 1)
      .filter((a) => isOutageKind(a.kind) && a.start <= r.nowMs)
      .map((a) => outageAnnotation(a, r.nowMs)),
  );
  return { annotations: page(items, (a) => a.id, r.limit, r.offset) };
};

const trafficAnomalies: RouteHandler = (ctx, q) => {
  const r = labelRequest(ctx, q);
  // Every synthetic anomaly is a verified, location-level one.
  const status = choice(q, 'status', ['VERIFIED', 'UNVERIFIED'], 'VERIFIED');
  const types = all(q, 'type').flatMap((t) => t.split(',')).map((t) => t.trim().toUpperCase());
  for (const t of types) if (!['LOCATION', 'AS', 'ORIGIN'].includes(t)) throw badInput(`Invalid type "${t}": expected LOCATION, AS or ORIGIN`);
  if (status === 'UNVERIFIED' || (types.length > 0 && !types.includes('LOCATION'))) return { trafficAnomalies: [] };
  const items = r.countries.flatMap((cc) =>
    ctx.gen
      .anomalies(cc, r.from, r.to + 1)
      .filter((a) => !isOutageKind(a.kind) && a.start <= r.nowMs)
      .map((a) => trafficAnomalyItem(a, r.nowMs)),
  );
  return { trafficAnomalies: page(items, (a) => a.uuid, r.limit, r.offset) };
};

const annotations: RouteHandler = (ctx, q) => {
  const r = labelRequest(ctx, q);
  const types = new Set(all(q, 'eventType').flatMap((t) => t.split(',')).map((t) => t.trim().toUpperCase()));
  const sources = new Set(all(q, 'dataSource').flatMap((t) => t.split(',')).map((t) => t.trim().toUpperCase()));
  const want = (t: string) => types.size === 0 || types.has(t);
  const items: { startDate: string; id: string; dataSource: string }[] = [];
  for (const cc of r.countries) {
    if (want('OUTAGE')) for (const a of ctx.gen.anomalies(cc, r.from, r.to + 1)) if (isOutageKind(a.kind) && a.start <= r.nowMs) items.push(outageAnnotation(a, r.nowMs));
    if (want('PIPELINE')) for (const w of ctx.gen.pipeline(cc, r.from, r.to + 1)) if (w.start <= r.nowMs) items.push(pipelineAnnotation(w, r.nowMs));
  }
  const filtered = sources.size === 0 ? items : items.filter((i) => sources.has(i.dataSource));
  return { annotations: page(filtered, (a) => a.id, r.limit, r.offset) };
};

/** Routes below `/client/v4/radar` (GET only). */
export const ROUTES: Readonly<Record<string, RouteHandler>> = Object.freeze({
  '/http/timeseries': httpTimeseries,
  '/http/timeseries_groups/bot_class': botClassGroups,
  '/http/timeseries_groups/BOT_CLASS': botClassGroups,
  '/netflows/timeseries': netflowsTimeseries,
  '/attacks/layer3/timeseries': l3Timeseries,
  '/attacks/layer7/timeseries': l7Timeseries,
  '/bgp/ips/timeseries': bgpIps,
  '/annotations/outages': outages,
  '/annotations': annotations,
  '/traffic_anomalies': trafficAnomalies,
});
