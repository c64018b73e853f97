/** Validates the HTTP API's query strings in one place: parameters, country codes, dates and range limits. */
import { DAY_MS } from '../base/time';
import { InputError, NotFoundError } from '../errors';
import { isCountryCode, isSeriesId, matchSeriesId, SERIES_ID_RULE } from '../util/series-id';
import { OVERVIEW_WINDOWS, type OverviewWindow } from './overview';

/** A country and a half-open UTC range [from, to), both aligned to hour starts. */
export interface RangeQuery {
  country: string;
  from: Date;
  to: Date;
}

/** `/api/detect` query: a range plus what to include. */
export interface DetectQuery extends RangeQuery {
  /** `include=series`: add the signal values and labelled windows. */
  series: boolean;
}

/** Limits the routes validate against. */
export interface QueryLimits {
  /** Codes of the countries with a loaded model. */
  known: string[];
  /** Longest range, in days (server.maxRangeDays). */
  maxRangeDays: number;
}

/** Words used in every date error, so the user sees the accepted formats. */
export const DATE_FORMATS = 'YYYY-MM-DD (a whole UTC day) or an ISO date-time such as 2025-04-12T06:00:00Z';

const RANGE_PARAMS = ['country', 'date', 'from', 'to'] as const;
const DETECT_PARAMS = [...RANGE_PARAMS, 'include'] as const;
const INCLUDES = ['series'] as const;
/** No legitimate value is longer; capping it keeps error messages (which quote the value) short. */
const MAX_VALUE_CHARS = 64;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Parses `/api/detect` parameters: country, date | from & to, include. Throws InputError (400) or NotFoundError (404). */
export function parseDetectQuery(query: unknown, limits: QueryLimits): DetectQuery {
  const q = params(query, DETECT_PARAMS);
  const include = single(q, 'include');
  const parts = include === undefined ? [] : include.split(',').map((s) => s.trim());
  for (const p of parts) {
    if (!(INCLUDES as readonly string[]).includes(p)) throw new InputError(`Unknown include ${quote(p)}. Expected one of: ${INCLUDES.join(', ')}`);
  }
  return { ...parseRange(q, limits), series: parts.includes('series') };
}

/** Parses `/api/events` parameters: country, date | from & to. */
export function parseEventsQuery(query: unknown, limits: QueryLimits): RangeQuery {
  return parseRange(params(query, RANGE_PARAMS), limits);
}

/** Parses `/api/overview` parameters: `window` = 24h | 7d | 30d (default 24h). Throws InputError (400). */
export function parseOverviewQuery(query: unknown): { window: OverviewWindow } {
  const q = params(query, ['window']);
  const w = single(q, 'window') ?? '24h';
  if (!Object.prototype.hasOwnProperty.call(OVERVIEW_WINDOWS, w)) throw new InputError(`Unknown window ${quote(w)}. Expected one of: ${Object.keys(OVERVIEW_WINDOWS).join(', ')}`);
  return { window: w as OverviewWindow };
}

/** Checks a series id (a country code in any case, or an imported --id) by the one id rule against the loaded models. */
export function parseCountry(value: string | undefined, known: string[]): string {
  const list = known.length ? `Known: ${known.join(', ')}` : 'No models are loaded; run radarwatch train first';
  if (value === undefined || value === '') throw new InputError(`Missing country. Expected an ISO 3166-1 alpha-2 code such as AT or an imported dataset id. ${list}`);
  if (!isSeriesId(value)) throw new InputError(`Expected country as a code such as AT or an imported dataset id (${SERIES_ID_RULE}); got ${quote(value)}. ${list}`);
  const id = matchSeriesId(value, known);
  if (id === undefined) throw new NotFoundError(`Unknown country or dataset ${quote(isCountryCode(value) ? value.toUpperCase() : value)}. ${list}`);
  return id;
}

/**
 * Parses one date parameter. A bare date is that day's 00:00 UTC, plus one day when `endOfDay`
 * (so `to=2025-04-12` includes the whole 12th); a date-time is taken as given (no zone = UTC).
 */
export function parseInstant(value: string, name: string, endOfDay: boolean, formats: string = DATE_FORMATS): Date {
  const bad = () => new InputError(`Expected ${name} as ${formats}; got ${quote(value)}`);
  const d = DATE_RE.exec(value);
  if (d) {
    const ms = utc(+d[1], +d[2], +d[3], 0, 0, 0, 0);
    if (ms === undefined) throw bad();
    return new Date(ms + (endOfDay ? DAY_MS : 0));
  }
  const t = DATETIME_RE.exec(value);
  if (!t) throw bad();
  const ms = utc(+t[1], +t[2], +t[3], +t[4], +t[5], +(t[6] ?? 0), +(t[7] ?? '0').padEnd(3, '0'));
  if (ms === undefined) throw bad();
  let offsetMin = 0;
  if (t[8] && t[8] !== 'Z') {
    const [oh, om] = t[8].slice(1).split(':').map(Number);
    if (oh > 23 || om > 59) throw bad();
    offsetMin = (t[8][0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(ms - offsetMin * 60_000);
}

/**
 * Resolves `date` or `from`/`to` into hour-aligned [from, to): the hours whose start lies in the
 * requested range (both ends rounded up to an hour start), at most `maxRangeDays` long.
 */
function parseRange(q: Record<string, unknown>, limits: QueryLimits): RangeQuery {
  const country = parseCountry(single(q, 'country'), limits.known);
  const date = single(q, 'date');
  const fromText = single(q, 'from');
  const toText = single(q, 'to');
  let from: Date;
  let to: Date;
  if (date !== undefined) {
    if (fromText !== undefined || toText !== undefined) throw new InputError('Give either date=YYYY-MM-DD or from=…&to=…, not both');
    const dayOnly = 'YYYY-MM-DD (one UTC day)';
    if (!DATE_RE.test(date)) throw new InputError(`Expected date as ${dayOnly}; got ${quote(date)}`);
    from = parseInstant(date, 'date', false, dayOnly);
    to = new Date(from.getTime() + DAY_MS);
  } else {
    if (fromText === undefined && toText === undefined) {
      throw new InputError(`Missing range. Give date=YYYY-MM-DD (one UTC day) or from and to, each as ${DATE_FORMATS}`);
    }
    if (fromText === undefined) throw new InputError(`Missing from. Expected ${DATE_FORMATS}`);
    if (toText === undefined) throw new InputError(`Missing to. Expected ${DATE_FORMATS} (a bare date includes that whole day; a date-time is exclusive)`);
    from = parseInstant(fromText, 'from', false);
    to = parseInstant(toText, 'to', true);
    if (from.getTime() >= to.getTime()) throw new InputError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  }
  // The detection service aligns the range to each series' own grid (hours, or 5 minutes for a 5-minute import).
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > limits.maxRangeDays) {
    throw new InputError(`Range of ${+days.toFixed(2)} days is longer than the allowed ${limits.maxRangeDays} (server.maxRangeDays); split it into shorter requests`);
  }
  return { country, from, to };
}

/** Checks the query is a flat object with only `allowed` keys. */
function params(query: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (query === null || typeof query !== 'object') return {};
  const q = query as Record<string, unknown>;
  for (const k of Object.keys(q)) {
    if (!allowed.includes(k)) throw new InputError(`Unknown query parameter ${quote(k)}. Allowed: ${allowed.join(', ')}`);
  }
  return q;
}

/** One string value of a parameter; repeated parameters are refused rather than silently picking one. */
function single(q: Record<string, unknown>, name: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(q, name) ? q[name] : undefined;
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new InputError(`Query parameter "${name}" was given ${v.length} times; give it once`);
  if (typeof v !== 'string') throw new InputError(`Query parameter "${name}" must be a plain value`);
  if (v.length > MAX_VALUE_CHARS) throw new InputError(`Query parameter "${name}" is ${v.length} characters long; at most ${MAX_VALUE_CHARS} are accepted`);
  return v;
}


/** Epoch ms of a calendar instant, or undefined when a field is out of range (2025-02-30, 24:00). */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 02-30 over into March; a round trip catches it
  return new Date(t).getUTCDate() === d && y >= 1970 ? t : undefined;
}

function quote(v: string): string {
  return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
}
