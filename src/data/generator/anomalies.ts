/**
 * Injected anomalies: the per-(seed, country, month) schedule of labelled events of every kind, their
 * time envelopes (ramps, attack pulses) and their effects on the simulated hourly quantities.
 */
import { createRng, hashSeed, poisson, type Rng } from '../../util/random';
import { utcOffsetMinutes } from '../../util/calendar';
import { countryTimezone } from '../../util/countries';
import { ANOMALY_KINDS, type AnomalyKind } from '../../base/labels';
import { DAY_MS, HOUR_MS } from '../../base/time';
import { uniformAt } from './hash';

const QUARTER_MS = 15 * 60_000;

/** Scales of the injected anomalies (GeneratorConfig.anomalyDuration / anomalyDepth); 1 = the default draws. */
export interface AnomalyShape {
  duration: number;
  depth: number;
}
const DEFAULT_SHAPE: AnomalyShape = Object.freeze({ duration: 1, depth: 1 });
/** Minimum quiet time between two anomalies of one country, so labels never touch or overlap. */
export const MIN_ANOMALY_GAP_MS = 6 * HOUR_MS;

/** Relative frequency of each kind among injected anomalies (sums to 1). */
export const KIND_WEIGHTS: Readonly<Record<AnomalyKind, number>> = Object.freeze({
  outage: 0.15,
  partial_outage: 0.17,
  l3_ddos: 0.15,
  l7_attack: 0.14,
  bot_surge: 0.12,
  traffic_surge: 0.14,
  routing_change: 0.13,
});

/** Duration bounds per kind, hours (drawn log-uniformly, so short events are more common). */
export const KIND_DURATION_HOURS: Readonly<Record<AnomalyKind, [number, number]>> = Object.freeze({
  outage: [1, 48],
  partial_outage: [1, 48],
  l3_ddos: [1, 12],
  l7_attack: [1, 12],
  bot_surge: [2, 24],
  traffic_surge: [2, 8],
  routing_change: [6, 72],
});

const OUTAGE_CAUSES = ['POWER_OUTAGE', 'CABLE_CUT', 'GOVERNMENT_DIRECTED', 'WEATHER', 'TECHNICAL_PROBLEM', 'UNKNOWN'] as const;
const PARTIAL_CAUSES = ['POWER_OUTAGE', 'WEATHER', 'CABLE_CUT', 'FIRE', 'TECHNICAL_PROBLEM', 'UNKNOWN'] as const;

/** One injected anomaly of one country. Times are epoch ms, 15-minute aligned, window [start, end). */
export interface InjectedAnomaly {
  /** Radar-style id: a numeric string for outages (annotations), a UUID for traffic anomalies. */
  id: string;
  kind: AnomalyKind;
  country: string;
  start: number;
  end: number;
  /** Linear ramp-in and ramp-out lengths, ms (0 = a step). */
  rampIn: number;
  rampOut: number;
  /** Attack-style: the intensity varies per 15 minutes (between 50% and 100%). */
  pulsed: boolean;
  /**
   * Kind-specific size: outage → fraction of traffic that remains (0.01–0.10); partial_outage → fraction
   * lost (0.15–0.6); l3_ddos / l7_attack → peak multiple of the background (10–200 / 10–100); bot_surge →
   * bot-share points added (15–40); traffic_surge → relative HTTP increase (0.3–1.2); routing_change →
   * relative IPv4 space shift (±0.03–0.25).
   */
  magnitude: number;
  /** Fraction of announced IPv4 space withdrawn at full strength (IPv6: `bgpWithdraw6`). */
  bgpWithdraw: number;
  bgpWithdraw6: number;
  /** routing_change: relative IPv6 space shift. */
  ipv6Shift: number;
  /** Relative NetFlows shift that accompanies a routing change (often 0). */
  netflowShift: number;
  /** Outage cause (Radar's outageCause vocabulary) or a short driver word for other kinds. */
  cause: string;
  /** Hash key for per-quarter pulse intensities. */
  key: number;
}

/** Month index (year·12 + month0) of an instant. */
export function monthIndexOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** First instant of month index `mi`. */
export function monthStartMs(mi: number): number {
  return Date.UTC(Math.floor(mi / 12), ((mi % 12) + 12) % 12, 1);
}

function pickKind(r: number): AnomalyKind {
  let acc = 0;
  for (const k of ANOMALY_KINDS) {
    acc += KIND_WEIGHTS[k];
    if (r < acc) return k;
  }
  return ANOMALY_KINDS[ANOMALY_KINDS.length - 1];
}

function uuidFrom(seed: number, ...parts: (string | number)[]): string {
  const hex = [0, 1, 2, 3].map((i) => hashSeed(seed, ...parts, 'uuid', i).toString(16).padStart(8, '0')).join('');
  // Version-4 / RFC 4122 variant nibbles, so the ids look like the UUIDs Radar returns.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Draws one anomaly's kind-specific parameters; the draw order is fixed so ids and values are stable. */
function drawAnomaly(rng: Rng, seed: number, country: string, mi: number, idx: number, t0: number, shape: AnomalyShape = DEFAULT_SHAPE): InjectedAnomaly {
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const logU = (lo: number, hi: number) => Math.exp(u(Math.log(lo), Math.log(hi)));
  const kind = pickKind(rng());
  const [dMin, dMax] = KIND_DURATION_HOURS[kind];
  const quarters = Math.max(4, Math.round((logU(dMin, dMax) * shape.duration * HOUR_MS) / QUARTER_MS));
  const dur = quarters * QUARTER_MS;
  const a: InjectedAnomaly = {
    id: '',
    kind,
    country,
    start: t0,
    end: t0 + dur,
    rampIn: 0,
    rampOut: 0,
    pulsed: false,
    magnitude: 0,
    bgpWithdraw: 0,
    bgpWithdraw6: 0,
    ipv6Shift: 0,
    netflowShift: 0,
    cause: '',
    key: hashSeed(seed, country, mi, idx, 'pulse'),
  };
  const r1 = rng();
  const r2 = rng();
  const r3 = rng();
  switch (kind) {
    case 'outage':
      a.magnitude = u(0.01, 0.1);
      a.rampIn = Math.round(r1 * 2) * QUARTER_MS; // cuts are abrupt: 0–30 min
      a.rampOut = Math.round(r2 * 0.3 * dur / QUARTER_MS) * QUARTER_MS; // restoration is gradual
      a.bgpWithdraw = r3 < 0.6 ? u(0.3, 0.95) : 0; // shutdowns often withdraw routes, power cuts may not
      a.bgpWithdraw6 = a.bgpWithdraw * u(0.4, 1);
      a.cause = OUTAGE_CAUSES[Math.floor(rng() * OUTAGE_CAUSES.length)];
      break;
    case 'partial_outage':
      a.magnitude = u(0.15, 0.6);
      a.rampIn = Math.round(r1 * 4) * QUARTER_MS;
      a.rampOut = Math.round(r2 * 0.3 * dur / QUARTER_MS) * QUARTER_MS;
      a.bgpWithdraw = r3 < 0.3 ? u(0.01, 0.1) : 0;
      a.bgpWithdraw6 = a.bgpWithdraw * u(0.3, 1);
      a.cause = PARTIAL_CAUSES[Math.floor(rng() * PARTIAL_CAUSES.length)];
      break;
    case 'l3_ddos':
      a.magnitude = logU(10, 200);
      a.pulsed = true;
      a.rampIn = Math.round(r1 * 2) * QUARTER_MS;
      a.rampOut = Math.round(r2 * 2) * QUARTER_MS;
      a.cause = r3 < 0.7 ? 'UDP_FLOOD' : 'SYN_FLOOD';
      break;
    case 'l7_attack':
      a.magnitude = logU(10, 100);
      a.pulsed = r3 < 0.6;
      a.rampIn = Math.round(r1 * 2) * QUARTER_MS;
      a.rampOut = Math.round(r2 * 2) * QUARTER_MS;
      a.cause = 'HTTP_FLOOD';
      break;
    case 'bot_surge':
      a.magnitude = u(15, 40);
      a.rampIn = Math.round((r1 * 0.3 * dur) / QUARTER_MS) * QUARTER_MS;
      a.rampOut = Math.round((r2 * 0.3 * dur) / QUARTER_MS) * QUARTER_MS;
      a.cause = r3 < 0.5 ? 'SCRAPING' : 'CREDENTIAL_STUFFING';
      break;
    case 'traffic_surge':
      a.magnitude = u(0.3, 1.2);
      a.rampIn = Math.round((u(0.15, 0.4) * dur) / QUARTER_MS) * QUARTER_MS;
      a.rampOut = Math.round((u(0.15, 0.4) * dur) / QUARTER_MS) * QUARTER_MS;
      a.cause = r3 < 0.5 ? 'SPORTS_EVENT' : 'STREAMING_RELEASE'; // r1, r2 unused: kept so the draw order is the same for every kind
      break;
    case 'routing_change': {
      const sign = r1 < 0.5 ? -1 : 1;
      a.magnitude = sign * u(0.03, 0.25);
      a.ipv6Shift = r2 < 0.6 ? sign * u(0.02, 0.25) : 0;
      a.netflowShift = r3 < 0.4 ? sign * u(0.01, 0.05) : 0;
      a.rampIn = Math.round(rng() * 8) * QUARTER_MS; // re-routing settles within ~2 h
      a.rampOut = Math.round(rng() * 8) * QUARTER_MS;
      a.cause = sign < 0 ? 'ROUTE_WITHDRAWAL' : 'NEW_ANNOUNCEMENTS';
      break;
    }
  }
  if (shape.depth !== 1) scaleDepth(a, shape.depth);
  a.id = kind === 'outage' || kind === 'partial_outage' ? String(100000 + (hashSeed(seed, country, mi, idx, 'id') % 900000000)) : uuidFrom(seed, country, mi, idx);
  return a;
}

/** Scales an anomaly's effect size by `d` (no draws, so schedules and ids stay those of depth 1). */
function scaleDepth(a: InjectedAnomaly, d: number): void {
  switch (a.kind) {
    case 'outage':
      a.magnitude = 1 - Math.min(0.995, (1 - a.magnitude) * d); // magnitude is what remains
      a.bgpWithdraw = Math.min(0.98, a.bgpWithdraw * d);
      a.bgpWithdraw6 = Math.min(0.98, a.bgpWithdraw6 * d);
      break;
    case 'partial_outage':
      a.magnitude = Math.min(0.95, a.magnitude * d);
      a.bgpWithdraw = Math.min(0.98, a.bgpWithdraw * d);
      a.bgpWithdraw6 = Math.min(0.98, a.bgpWithdraw6 * d);
      break;
    case 'l3_ddos':
    case 'l7_attack':
      a.magnitude = 1 + (a.magnitude - 1) * d;
      break;
    case 'bot_surge':
    case 'traffic_surge':
      a.magnitude *= d;
      break;
    case 'routing_change':
      a.magnitude = Math.max(-0.9, a.magnitude * d);
      a.ipv6Shift = Math.max(-0.9, a.ipv6Shift * d);
      a.netflowShift = Math.max(-0.9, a.netflowShift * d);
      break;
  }
}

/**
 * The anomalies drawn for month `mi` alone (before resolving spill-over from the previous month):
 * a Poisson count, uniform 15-minute start times (traffic surges moved to the local evening), then
 * pushed apart by MIN_ANOMALY_GAP_MS; ones pushed past the month end are dropped.
 */
function rawMonthSchedule(seed: number, perMonth: number, country: string, mi: number, shape: AnomalyShape = DEFAULT_SHAPE): InjectedAnomaly[] {
  const rng = createRng(hashSeed(seed, country, 'anomalies', mi));
  const start = monthStartMs(mi);
  const end = monthStartMs(mi + 1);
  const n = poisson(rng, (perMonth * (end - start)) / (30.436875 * DAY_MS));
  const quarters = (end - start) / QUARTER_MS;
  const tz = countryTimezone(country);
  const drafts: InjectedAnomaly[] = [];
  for (let i = 0; i < n; i++) {
    let t0 = start + Math.floor(rng() * quarters) * QUARTER_MS;
    const a = drawAnomaly(rng, seed, country, mi, i, t0, shape);
    if (a.kind === 'traffic_surge') {
      // Event-driven surges (matches, releases) begin in the local evening, 17:00–21:45.
      const off = utcOffsetMinutes(tz, t0) * 60_000;
      const localDay = Math.floor((t0 + off) / DAY_MS) * DAY_MS;
      t0 = localDay - off + Math.floor(uniformAt(a.key, 1) * 20) * QUARTER_MS + 17 * HOUR_MS;
      if (t0 < start) t0 += DAY_MS;
      a.end = t0 + (a.end - a.start);
      a.start = t0;
    }
    drafts.push(a);
  }
  drafts.sort((x, y) => x.start - y.start || x.id.localeCompare(y.id));
  const out: InjectedAnomaly[] = [];
  let free = -Infinity;
  for (const a of drafts) {
    if (a.start < free) {
      const len = a.end - a.start;
      a.start = Math.ceil(free / QUARTER_MS) * QUARTER_MS;
      a.end = a.start + len;
    }
    if (a.start >= end) continue;
    out.push(a);
    free = a.end + MIN_ANOMALY_GAP_MS;
  }
  return out;
}

/**
 * Anomalies that start in month `mi`, after dropping any that would collide with an anomaly of the
 * previous month running into this one. Only month `mi − 1` matters: a spill-over starts in that month's
 * last 3 days, far from anything month `mi − 2` could push into it, so the schedule stays local.
 */
export function monthSchedule(seed: number, perMonth: number, country: string, mi: number, cache?: Map<string, InjectedAnomaly[]>, shape: AnomalyShape = DEFAULT_SHAPE): InjectedAnomaly[] {
  const key = `${seed}|${perMonth}|${country}|${mi}|${shape.duration}|${shape.depth}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const monthStart = monthStartMs(mi);
  const spill = rawMonthSchedule(seed, perMonth, country, mi - 1, shape).filter((a) => a.end + MIN_ANOMALY_GAP_MS > monthStart);
  const own = rawMonthSchedule(seed, perMonth, country, mi, shape).filter((a) => !spill.some((s) => a.start < s.end + MIN_ANOMALY_GAP_MS && s.start < a.end + MIN_ANOMALY_GAP_MS));
  if (cache) {
    if (cache.size > 20_000) cache.clear();
    cache.set(key, own);
  }
  return own;
}

/**
 * All anomalies of `country` overlapping `[fromMs, toMs)`, sorted by start.
 * @param perMonth mean anomalies per country-month (GeneratorConfig.anomaliesPerMonth)
 */
export function anomaliesBetween(seed: number, perMonth: number, country: string, fromMs: number, toMs: number, cache?: Map<string, InjectedAnomaly[]>, shape: AnomalyShape = DEFAULT_SHAPE): InjectedAnomaly[] {
  const out: InjectedAnomaly[] = [];
  for (let mi = monthIndexOf(fromMs) - 1; mi <= monthIndexOf(toMs - 1); mi++) {
    for (const a of monthSchedule(seed, perMonth, country, mi, cache, shape)) if (a.end > fromMs && a.start < toMs) out.push(a);
  }
  return out.sort((x, y) => x.start - y.start);
}

/** Envelope 0..1 of an anomaly at instant `ms`: linear ramps in and out, a plateau of 1 in between. */
export function envelopeAt(a: InjectedAnomaly, ms: number): number {
  if (ms < a.start || ms >= a.end) return 0;
  const rin = a.rampIn > 0 ? Math.min(1, (ms - a.start) / a.rampIn) : 1;
  const rout = a.rampOut > 0 ? Math.min(1, (a.end - ms) / a.rampOut) : 1;
  return Math.min(rin, rout);
}

/** Mean envelope over the hour starting at `hourMs` (four 15-minute samples, attack pulses included). */
export function hourEnvelope(a: InjectedAnomaly, hourMs: number): number {
  let s = 0;
  for (let k = 0; k < 4; k++) {
    const t = hourMs + (k + 0.5) * QUARTER_MS;
    const e = envelopeAt(a, t);
    if (e > 0) s += a.pulsed ? e * (0.5 + 0.5 * uniformAt(a.key, Math.floor(t / QUARTER_MS))) : e;
  }
  return s / 4;
}

/**
 * Per-hour effect channels the simulation combines with normal traffic. Multipliers start at 1,
 * additive channels at 0; `applyAnomaly` writes into them.
 */
export interface EffectChannels {
  humanMult: Float64Array;
  botMult: Float64Array;
  /** Bot-share points to add (bot_surge). */
  botShareAdd: Float64Array;
  /** Extra L3 attack bytes as a multiple of the expected background. */
  l3Extra: Float64Array;
  /** Extra mitigated L7 requests as a multiple of the expected background. */
  l7Extra: Float64Array;
  netMult: Float64Array;
  ipv4Mult: Float64Array;
  ipv6Mult: Float64Array;
}

/** Neutral channels for `n` hours. */
export function neutralChannels(n: number): EffectChannels {
  const ones = () => new Float64Array(n).fill(1);
  return {
    humanMult: ones(),
    botMult: ones(),
    botShareAdd: new Float64Array(n),
    l3Extra: new Float64Array(n),
    l7Extra: new Float64Array(n),
    netMult: ones(),
    ipv4Mult: ones(),
    ipv6Mult: ones(),
  };
}

/** Writes anomaly `a`'s effect into channels covering hours `[startMs, startMs + n·1h)`. */
export function applyAnomaly(a: InjectedAnomaly, ch: EffectChannels, startMs: number, n: number): void {
  const i0 = Math.max(0, Math.floor((a.start - startMs) / HOUR_MS));
  const i1 = Math.min(n, Math.ceil((a.end - startMs) / HOUR_MS));
  for (let i = i0; i < i1; i++) {
    const e = hourEnvelope(a, startMs + i * HOUR_MS);
    if (e <= 0) continue;
    switch (a.kind) {
      case 'outage':
        ch.humanMult[i] *= 1 - e * (1 - a.magnitude);
        // Bots in data centres stay up longer than end users, so the bot share rises during shutdowns.
        ch.botMult[i] *= 1 - e * (1 - Math.min(0.6, a.magnitude + 0.15));
        ch.ipv4Mult[i] *= 1 - e * a.bgpWithdraw;
        ch.ipv6Mult[i] *= 1 - e * a.bgpWithdraw6;
        break;
      case 'partial_outage':
        ch.humanMult[i] *= 1 - e * a.magnitude;
        ch.botMult[i] *= 1 - e * a.magnitude * 0.7;
        ch.ipv4Mult[i] *= 1 - e * a.bgpWithdraw;
        ch.ipv6Mult[i] *= 1 - e * a.bgpWithdraw6;
        break;
      case 'l3_ddos':
        ch.l3Extra[i] += e * (a.magnitude - 1);
        break;
      case 'l7_attack':
        ch.l7Extra[i] += e * (a.magnitude - 1);
        break;
      case 'bot_surge':
        ch.botShareAdd[i] += e * a.magnitude;
        break;
      case 'traffic_surge':
        ch.humanMult[i] *= 1 + e * a.magnitude;
        // Streaming-driven surges carry more bytes per request than usual.
        ch.netMult[i] *= 1 + e * a.magnitude * 0.15;
        break;
      case 'routing_change':
        ch.ipv4Mult[i] *= 1 + e * a.magnitude;
        ch.ipv6Mult[i] *= 1 + e * a.ipv6Shift;
        ch.netMult[i] *= 1 + e * a.netflowShift;
        break;
    }
  }
}
