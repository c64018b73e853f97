/**
 * Query parsing for the mock Radar server, with Radar's rules: repeated keys define several series by
 * position, dateStart/dateEnd are floored to 15 minutes (dateEnd inclusive), dateRange is relative to
 * now, and an aggInterval too fine for the range is rejected. Violations become 400 error bodies.
 */
import { DAY_MS, HOUR_MS } from '../../base/time';

/** Parsed query: repeated keys become arrays. */
export type Query = Record<string, string | string[]>;

/** An error the mock answers with `status` and a Radar-style `{code, message}`. */
export class MockHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for Radar's input-validation error (400, code 2001). */
export function badInput(message: string): MockHttpError {
  return new MockHttpError(400, 2001, message);
}

export const QUARTER_MS = 15 * 60_000;
export const INTERVALS = ['15m', '1h', '1d', '1w'] as const;
export type Interval = (typeof INTERVALS)[number];
export const INTERVAL_MS: Record<Interval, number> = { '15m': QUARTER_MS, '1h': HOUR_MS, '1d': DAY_MS, '1w': 7 * DAY_MS };
/** meta.aggInterval spelling of each interval. */
export const INTERVAL_META: Record<Interval, string> = { '15m': 'FIFTEEN_MINUTES', '1h': 'ONE_HOUR', '1d': 'ONE_DAY', '1w': 'ONE_WEEK' };
/**
 * Longest range per interval. Radar documents none ("too granular → rejected"); these are the mock's: 7 days at 15m
 * (radar-api.md §2's recommendation, which `fetch` keeps to), and long enough at 1h for the 28-day chunks of `fetch`
 * while a multi-year hourly request fails.
 */
export const MAX_RANGE_DAYS: Record<Interval, number> = { '15m': 7, '1h': 400, '1d': 3660, '1w': 3660 };

/** All values of a (possibly repeated) key. */
export function all(q: Query, key: string): string[] {
  const v = q[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The single value of a key; repeating a single-valued key is an input error. */
export function one(q: Query, key: string): string | undefined {
  const v = all(q, key);
  if (v.length > 1) throw badInput(`Parameter "${key}" accepts one value, got ${v.length}: ${v.join(', ')}`);
  return v[0];
}

/** Parses a URLSearchParams into a Query (repeated keys → arrays). */
export function toQuery(params: URLSearchParams): Query {
  const q: Query = {};
  for (const [k, v] of params) {
    const cur = q[k];
    q[k] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  return q;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATE_RANGE = /^([1-9]\d*)([dw])(control)?$/i;

function parseDate(key: string, s: string): number {
  const ms = ISO_DATE.test(s) ? Date.parse(/T/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s + 'Z' : s) : NaN;
  if (!Number.isFinite(ms)) throw badInput(`Invalid ${key} "${s}": expected an ISO 8601 date-time in UTC such as 2024-01-01T00:00:00Z`);
  return ms;
}

/** Floors `ms` to a multiple of `step` (UTC; weeks start on Monday). */
export function floorTo(ms: number, step: number): number {
  if (step === 7 * DAY_MS) {
    const mondayOffset = 4 * DAY_MS; // 1970-01-01 was a Thursday: Monday-aligned weeks start 4 days later.
    return Math.floor((ms - mondayOffset) / step) * step + mondayOffset;
  }
  return Math.floor(ms / step) * step;
}

/** One requested series: its result key, location and inclusive window (floored to 15 minutes). */
export interface SeriesRequest {
  name: string;
  location: string | undefined;
  start: number;
  end: number;
}

/** Resolves `dateRange` (`7d`, `4w`, `7dcontrol`) or `dateStart`/`dateEnd` to an inclusive window. */
function resolveWindow(range: string | undefined, startS: string | undefined, endS: string | undefined, nowMs: number): [number, number] {
  if (range !== undefined) {
    const m = DATE_RANGE.exec(range);
    if (!m) throw badInput(`Invalid dateRange "${range}": expected <n>d (up to 364d) or <n>w (up to 52w), optionally with "control", e.g. 7d`);
    const days = Number(m[1]) * (m[2].toLowerCase() === 'w' ? 7 : 1);
    if (days > 364) throw badInput(`Invalid dateRange "${range}": at most 364d or 52w; use dateStart/dateEnd for longer ranges`);
    let end = nowMs;
    // A control window is shifted back by the window length rounded up to whole weeks (Radar SDK docs).
    if (m[3]) end -= Math.ceil(days / 7) * 7 * DAY_MS;
    return [end - days * DAY_MS, end];
  }
  if (startS === undefined && endS === undefined) {
    throw badInput('Missing date range: pass dateStart and dateEnd (ISO 8601, e.g. 2024-01-01T00:00:00Z) or dateRange (e.g. 7d)');
  }
  if (startS === undefined) throw badInput('Missing dateStart: pass it together with dateEnd, e.g. dateStart=2024-01-01T00:00:00Z');
  const start = parseDate('dateStart', startS);
  const end = endS === undefined ? nowMs : parseDate('dateEnd', endS);
  if (end < start) throw badInput(`dateStart ${startS} is after dateEnd ${endS}: expected dateStart <= dateEnd`);
  return [start, end];
}

/**
 * Series of a time-series request. Repeatable keys (name, location, dateStart, dateEnd, dateRange)
 * define series by position; a key given once applies to every series.
 * @param validLocation returns the canonical code or undefined when unknown
 */
export function parseSeriesRequests(q: Query, nowMs: number, validLocation: (code: string) => string | undefined, requireLocation: boolean): SeriesRequest[] {
  const keys = ['name', 'location', 'dateStart', 'dateEnd', 'dateRange'] as const;
  const lists = Object.fromEntries(keys.map((k) => [k, all(q, k)])) as Record<(typeof keys)[number], string[]>;
  const n = Math.max(1, ...keys.map((k) => lists[k].length));
  if (n > 20) throw badInput(`Too many series: ${n}; at most 20 per request`);
  for (const k of keys) {
    if (lists[k].length > 1 && lists[k].length !== n) throw badInput(`Parameter "${k}" given ${lists[k].length} times but the request has ${n} series: give it once or once per series`);
  }
  const at = (k: (typeof keys)[number], i: number) => lists[k][i] ?? lists[k][0];
  const out: SeriesRequest[] = [];
  for (let i = 0; i < n; i++) {
    const rawLoc = at('location', i);
    let location: string | undefined;
    if (rawLoc === undefined || rawLoc === '') {
      if (requireLocation) throw badInput('Missing location: this mock simulates countries only; pass location=<ISO alpha-2 code>, e.g. location=AT');
    } else {
      location = validLocation(rawLoc);
      if (!location) throw badInput(`Invalid location "${rawLoc}": expected an ISO 3166-1 alpha-2 country code such as AT, JP or US`);
    }
    const [start, end] = resolveWindow(at('dateRange', i), at('dateStart', i), at('dateEnd', i), nowMs);
    const name = at('name', i) ?? `serie_${i}`;
    if (out.some((s) => s.name === name)) throw badInput(`Duplicate series name "${name}": every name must be unique`);
    out.push({ name, location, start: floorTo(start, QUARTER_MS), end: floorTo(end, QUARTER_MS) });
  }
  const dur = out[0].end - out[0].start;
  if (out.some((s) => s.end - s.start !== dur)) throw badInput('Every series must resolve to the same duration as the main series');
  return out;
}

/** The request's aggInterval (1h when omitted), rejected when the range is too long for it. */
export function parseInterval(q: Query, spanMs: number, supported: readonly Interval[] = INTERVALS): Interval {
  const raw = one(q, 'aggInterval');
  const v = (raw ?? '1h').toLowerCase();
  const alias: Record<string, Interval> = { fifteen_minutes: '15m', one_hour: '1h', one_day: '1d', one_week: '1w' };
  const interval = (INTERVALS as readonly string[]).includes(v) ? (v as Interval) : alias[v];
  if (!interval || !supported.includes(interval)) throw badInput(`Invalid aggInterval "${raw}": expected one of ${supported.join(', ')}`);
  const maxDays = MAX_RANGE_DAYS[interval];
  if (spanMs > maxDays * DAY_MS) {
    throw badInput(`Date range of ${(spanMs / DAY_MS).toFixed(1)} days is too long for aggInterval=${interval} (at most ${maxDays} days): request shorter windows or a coarser aggInterval`);
  }
  return interval;
}

/** Normalization of a volume series; only MIN0_MAX is simulated. */
export function parseNormalization(q: Query): 'MIN0_MAX' {
  const v = one(q, 'normalization');
  if (v === undefined || v.toUpperCase() === 'MIN0_MAX') return 'MIN0_MAX';
  throw badInput(`Unsupported normalization "${v}": this mock serves MIN0_MAX only (PERCENTAGE_CHANGE needs a control series)`);
}

/** format=json (any case) or absent; CSV is not simulated. */
export function checkFormat(q: Query): void {
  const v = one(q, 'format');
  if (v !== undefined && v.toLowerCase() !== 'json') throw badInput(`Unsupported format "${v}": this mock answers format=json only`);
}

/** limit/offset of paged label endpoints. */
export function parsePaging(q: Query, defaultLimit: number): { limit: number; offset: number } {
  const int = (key: string, dflt: number, min: number, max: number) => {
    const s = one(q, key);
    if (s === undefined) return dflt;
    const v = Number(s);
    if (!/^\d+$/.test(s) || v < min || v > max) throw badInput(`Invalid ${key} "${s}": expected an integer from ${min} to ${max}`);
    return v;
  };
  return { limit: int('limit', defaultLimit, 1, 1000), offset: int('offset', 0, 0, 1_000_000) };
}

/**
 * Window of a label request (single-valued dates): dateRange, or dateStart/dateEnd, or — when none is
 * given — the last 7 days, as Radar's Outage Center shows by default.
 */
export function parseLabelWindow(q: Query, nowMs: number): [number, number] {
  const range = one(q, 'dateRange');
  const start = one(q, 'dateStart');
  const end = one(q, 'dateEnd');
  if (range === undefined && start === undefined && end === undefined) return [nowMs - 7 * DAY_MS, nowMs];
  return resolveWindow(range, start, end, nowMs);
}
