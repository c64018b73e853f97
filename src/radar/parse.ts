/** Turns the `result` of a Radar time-series response into numeric series (epoch ms + numbers) and a typed `meta`. */
import { DataError } from '../errors';
import { HOUR_MS } from '../base/time';
import { refetchHint } from './refetch';

/** Canonical aggregation interval; Radar spells it `ONE_HOUR` in most responses and `1h` in BGP ones. */
export type AggInterval = '15m' | '1h' | '1d' | '1w' | '1mo';

const AGG_ALIASES: Record<string, AggInterval> = {
  fifteen_minutes: '15m',
  '15m': '15m',
  one_hour: '1h',
  '1h': '1h',
  one_day: '1d',
  '1d': '1d',
  one_week: '1w',
  '1w': '1w',
  one_month: '1mo',
  '1mo': '1mo',
};

/** Length of one aggregation step in ms (a month counts as 30 days; only used for spacing checks). */
export const AGG_INTERVAL_MS: Record<AggInterval, number> = { '15m': HOUR_MS / 4, '1h': HOUR_MS, '1d': 24 * HOUR_MS, '1w': 168 * HOUR_MS, '1mo': 720 * HOUR_MS };

/** A data-quality or event annotation from `meta.confidenceInfo.annotations`, times in epoch ms. */
export interface RadarAnnotation {
  dataSource: string;
  eventType: string;
  description: string;
  /** Epoch ms, or null when Radar left it out. */
  start: number | null;
  end: number | null;
  isInstantaneous: boolean;
  linkedUrl?: string;
  /** Synthetic-data extension: the anomaly kind the generator injected. */
  radarwatchKind?: string;
}

/** The parts of `meta` radarwatch uses. */
export interface ParsedMeta {
  normalization?: string;
  aggInterval?: AggInterval;
  /** One entry per series (current API) or one for the whole response (2022-era responses). */
  dateRanges: { start: number; end: number }[];
  confidenceLevel?: number;
  annotations: RadarAnnotation[];
  lastUpdated?: string;
}

/** One series of a response: `values` for /timeseries, one array per group key for /timeseries_groups. */
export interface ParsedSeries {
  /** The result key, e.g. `serie_0` or a `name=` given in the request. */
  name: string;
  timestamps: number[];
  /** Arrays keyed by the response's own key (`values`, `bot`, `IPv4` …), same length as `timestamps`. */
  columns: Record<string, number[]>;
}

export interface ParsedResult {
  series: ParsedSeries[];
  meta: ParsedMeta;
}

/** Numeric time series points, epoch ms ascending; NaN marks a point Radar sent as null. */
export interface Points {
  timestamps: number[];
  values: number[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a Radar number: strings such as "0.871752", "1", "1.0" or "1.4e-05" (and plain numbers).
 * `null` / "" mean "no value" and become NaN (a gap); anything else non-finite throws naming `where`.
 */
export function parseRadarNumber(v: unknown, where: string): number {
  if (v === null || v === '') return NaN;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n)) {
    throw new DataError(`${where}: value ${JSON.stringify(v)} is not a finite number; expected a numeric string such as "0.871752" or "1.4e-05".${refetchHint(where)}`);
  }
  return n;
}

/**
 * Parses a Radar timestamp to epoch ms. Radar times are UTC; BGP event times come without a `Z`
 * (e.g. "2023-04-21T23:10:06"), so a time without a zone is read as UTC, not local time.
 */
export function parseRadarTime(v: unknown, where: string): number {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new DataError(`${where}: timestamp ${JSON.stringify(v)} is not a string; expected ISO-8601 UTC like 2024-01-31T13:00:00Z.${refetchHint(where)}`);
  }
  let s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) {
    throw new DataError(`${where}: timestamp ${JSON.stringify(v)} is not a date; expected ISO-8601 UTC like 2024-01-31T13:00:00Z.${refetchHint(where)}`);
  }
  return ms;
}

/** Canonical form of a `meta.aggInterval` in either spelling (`ONE_HOUR`, `1h`); undefined when absent or unknown. */
export function normalizeAggInterval(v: unknown): AggInterval | undefined {
  if (typeof v !== 'string') return undefined;
  return AGG_ALIASES[v.trim().toLowerCase()];
}

function optionalTime(v: unknown, where: string): number | null {
  return v === null || v === undefined || v === '' ? null : parseRadarTime(v, where);
}

/** Reads `meta`: normalization, aggInterval (both spellings), dateRange (array or object), confidence annotations. */
export function parseMeta(meta: unknown, where = 'meta'): ParsedMeta {
  const out: ParsedMeta = { dateRanges: [], annotations: [] };
  if (!isObject(meta)) return out;
  if (typeof meta.normalization === 'string') out.normalization = meta.normalization.toUpperCase();
  out.aggInterval = normalizeAggInterval(meta.aggInterval);
  if (typeof meta.lastUpdated === 'string') out.lastUpdated = meta.lastUpdated;
  const ranges = Array.isArray(meta.dateRange) ? meta.dateRange : isObject(meta.dateRange) ? [meta.dateRange] : [];
  ranges.forEach((r, i) => {
    if (!isObject(r)) return;
    out.dateRanges.push({
      start: parseRadarTime(r.startTime, `${where}.dateRange[${i}].startTime`),
      end: parseRadarTime(r.endTime, `${where}.dateRange[${i}].endTime`),
    });
  });
  const ci = meta.confidenceInfo;
  if (isObject(ci)) {
    if (typeof ci.level === 'number') out.confidenceLevel = ci.level;
    const anns = Array.isArray(ci.annotations) ? ci.annotations : [];
    anns.forEach((a, i) => {
      if (!isObject(a)) return;
      const w = `${where}.confidenceInfo.annotations[${i}]`;
      // Schema-2024 used startTime/endTime here; the current SDK uses startDate/endDate.
      out.annotations.push({
        dataSource: String(a.dataSource ?? ''),
        eventType: String(a.eventType ?? '').toUpperCase(),
        description: typeof a.description === 'string' ? a.description : '',
        start: optionalTime(a.startDate ?? a.startTime, `${w}.startDate`),
        end: optionalTime(a.endDate ?? a.endTime, `${w}.endDate`),
        isInstantaneous: a.isInstantaneous === true,
        ...(typeof a.linkedUrl === 'string' ? { linkedUrl: a.linkedUrl } : {}),
        ...(typeof a.radarwatchKind === 'string' ? { radarwatchKind: a.radarwatchKind } : {}),
      });
    });
  }
  return out;
}

/**
 * Parses every series of a time-series `result` (every key except `meta`). Each series needs a
 * `timestamps` array; every other array next to it is a column (`values`, or group keys) of equal length.
 * Points are sorted by time; `where` prefixes error messages (e.g. the chunk file).
 */
export function parseTimeseriesResult(result: unknown, where = 'result'): ParsedResult {
  if (!isObject(result)) throw new DataError(`${where}: expected a Radar "result" object, got ${result === null ? 'null' : typeof result}.`);
  const series: ParsedSeries[] = [];
  for (const [name, raw] of Object.entries(result)) {
    if (name === 'meta' || !isObject(raw) || !Array.isArray(raw.timestamps)) continue;
    const ts = raw.timestamps.map((t, i) => parseRadarTime(t, `${where}.${name}.timestamps[${i}]`));
    const columns: Record<string, number[]> = {};
    for (const [key, arr] of Object.entries(raw)) {
      if (key === 'timestamps' || !Array.isArray(arr)) continue;
      if (arr.length !== ts.length) {
        throw new DataError(`${where}.${name}.${key}: ${arr.length} values for ${ts.length} timestamps; expected one value per timestamp.${refetchHint(where)}`);
      }
      columns[key] = arr.map((v, i) => parseRadarNumber(v, `${where}.${name}.${key}[${i}]`));
    }
    // Sort defensively: stitching and resampling assume ascending time.
    const order = ts.map((_, i) => i).sort((a, b) => ts[a] - ts[b]);
    const sorted = order.every((v, i) => v === i);
    series.push(
      sorted
        ? { name, timestamps: ts, columns }
        : { name, timestamps: order.map((i) => ts[i]), columns: Object.fromEntries(Object.entries(columns).map(([k, c]) => [k, order.map((i) => c[i])])) },
    );
  }
  if (series.length === 0) {
    throw new DataError(`${where}: no series found; expected a key other than "meta" holding {timestamps[], values[]} (keys present: ${Object.keys(result).join(', ') || 'none'}).${refetchHint(where)}`);
  }
  return { series, meta: parseMeta(result.meta, `${where}.meta`) };
}

/** The column of `s` whose key matches `name` case-insensitively (`bot` = `BOT` = `Bot`), or undefined. */
export function findColumn(s: ParsedSeries, name: string): number[] | undefined {
  const want = name.toLowerCase();
  const key = Object.keys(s.columns).find((k) => k.toLowerCase() === want);
  return key === undefined ? undefined : s.columns[key];
}

function requireColumn(s: ParsedSeries, names: string[], where: string): number[] {
  for (const n of names) {
    const c = findColumn(s, n);
    if (c) return c;
  }
  throw new DataError(`${where}: series "${s.name}" has no ${names.map((n) => `"${n}"`).join(' or ')} column (found: ${Object.keys(s.columns).join(', ') || 'none'}); expected the response of the matching Radar endpoint.${refetchHint(where)}`);
}

/** `/timeseries` responses: the first series' `values`. */
export function extractValues(parsed: ParsedResult, where = 'result'): Points {
  const s = parsed.series[0];
  return { timestamps: s.timestamps, values: requireColumn(s, ['values'], where) };
}

/**
 * `/http/timeseries_groups/bot_class`: percent of requests classed as bots, bot / (bot + human) · 100.
 * With PERCENTAGE normalization bot + human = 100 so this is `bot` itself; the ratio also holds if
 * Radar ever answers MIN0_MAX. An hour with bot + human = 0 has no share and becomes a gap.
 */
export function extractBotShare(parsed: ParsedResult, where = 'result'): Points {
  const s = parsed.series[0];
  const bot = requireColumn(s, ['bot', 'likely_automated'], where);
  const human = requireColumn(s, ['human', 'likely_human'], where);
  const values = bot.map((b, i) => {
    const sum = b + human[i];
    return Number.isFinite(sum) && sum > 0 ? (100 * b) / sum : NaN;
  });
  return { timestamps: s.timestamps, values };
}

/**
 * `/bgp/ips/timeseries`: announced IPv4 /24 prefixes. IPv4 only, because one IPv6 /32 announcement
 * is 65,536 /48s: a sum would be dominated by IPv6 re-aggregation noise and hide the IPv4
 * withdrawals that mark a shutdown (which withdraw both families anyway).
 */
export function extractBgpIpv4(parsed: ParsedResult, where = 'result'): Points {
  const s = parsed.series[0];
  return { timestamps: s.timestamps, values: requireColumn(s, ['ipv4', 'ipv4_24s'], where) };
}

/**
 * Unwraps a stored envelope `{success, errors, result}` (or a bare result) and returns `result`;
 * `success: false` throws with the API's messages.
 */
export function unwrapEnvelope(json: unknown, where: string): Record<string, unknown> {
  if (!isObject(json)) throw new DataError(`${where}: expected a Radar JSON envelope {success, errors, result}, got ${Array.isArray(json) ? 'an array' : typeof json}.${refetchHint(where)}`);
  if ('success' in json && json.success !== true) {
    const msgs = Array.isArray(json.errors) ? json.errors.map((e) => (isObject(e) ? String(e.message ?? JSON.stringify(e)) : String(e))).join('; ') : '';
    throw new DataError(`${where}: stored response has success=${JSON.stringify(json.success)}${msgs ? ` (${msgs})` : ''}.${refetchHint(where)}`);
  }
  const result = 'result' in json ? json.result : json;
  if (!isObject(result)) throw new DataError(`${where}: "result" is ${result === null ? 'null' : typeof result}; expected an object.${refetchHint(where)}`);
  return result;
}
