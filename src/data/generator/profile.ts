/**
 * Normal traffic shape of one country: per-country parameters drawn from (seed, country) and the
 * expected hourly quantities (human/bot HTTP requests, NetFlows bytes, attack background, announced
 * IP space) from local time, day type, season and multi-year growth — before noise and anomalies.
 */
import { createRng, hashSeed } from '../../util/random';
import { countryTimezone } from '../../util/countries';
import { DAY_MS } from '../../base/time';

/** Per-country constants of the simulation; all absolute quantities are per hour. */
export interface CountryProfile {
  country: string;
  /** IANA zone whose local time drives the daily and weekly cycles. */
  timezone: string;
  /** 0..1 position of the country on a log scale of Internet size; scales every absolute quantity together. */
  size: number;
  /** Human HTTP requests per hour at the workday evening peak on 2024-01-01. */
  humanPeak: number;
  /** Depth of the daily trough relative to the canonical curve (1 = canonical, trough ≈ 0.33 of peak). */
  diurnalDepth: number;
  /** Hours the daily curve is shifted (positive = later peak). */
  peakShift: number;
  /** Level of weekend days relative to workdays (< 1). */
  weekendLevel: number;
  /** Level of public holidays relative to workdays (below the weekend level). */
  holidayLevel: number;
  /** Relative amplitude and peak day-of-year of the yearly cycle. */
  seasonAmp: number;
  seasonPeakDay: number;
  /** Continuous growth rate of traffic per year (log units). */
  growthPerYear: number;
  /** Mean share of HTTP requests from bots, 0..1. */
  botShare: number;
  /** Relative amplitude of the bots' own (weak, afternoon) daily cycle. */
  botDiurnalAmp: number;
  /** NetFlows bytes per human HTTP request; bots count for a fraction of it. */
  bytesPerRequest: number;
  /** Extra evening share of NetFlows bytes (streaming), relative. */
  netflowEvening: number;
  /** Median L3/4 attack bytes per hour targeting the country, background only. */
  l3Background: number;
  /** Median L3/4 attack bytes per hour mitigated in the country's data centres (direction=ORIGIN). */
  l3OriginBackground: number;
  /** Mitigated L7 requests as a fraction of HTTP requests, background. */
  l7Fraction: number;
  /** Announced IPv4 /24s and IPv6 /48s on 2024-01-01. */
  ipv4: number;
  ipv6: number;
  /** Linear growth of announced space per year, relative. */
  ipv4Growth: number;
  ipv6Growth: number;
  /** Phases (radians) of the slow BGP drift. */
  bgpPhase: [number, number];
}

/** 2024-01-01T00:00Z: the reference instant of levels and growth. */
export const REFERENCE_MS = Date.UTC(2024, 0, 1);
const YEAR_MS = 365.25 * DAY_MS;

// Canonical workday curve by local hour, relative to the evening peak: trough at 4–5 am, a morning ramp,
// a daytime plateau and a peak around 20–21 h, the shape Radar shows for most countries.
const CANONICAL = [
  0.74, 0.6, 0.48, 0.4, 0.35, 0.34, 0.39, 0.5, 0.64, 0.75, 0.81, 0.84, 0.86, 0.86, 0.85, 0.85, 0.86, 0.88, 0.92, 0.97, 1.0, 0.99, 0.93, 0.85,
];
// Mean of the canonical curve, used to set the bot level from a target mean share.
const CANONICAL_MEAN = CANONICAL.reduce((a, b) => a + b, 0) / 24;

/** Draws the profile of `country` under `seed` (a pure function; cheap, no caching needed). */
export function countryProfile(seed: number, country: string): CountryProfile {
  const rng = createRng(hashSeed(seed, 'profile', country));
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng();
  const size = rng();
  return {
    country,
    timezone: countryTimezone(country),
    size,
    humanPeak: 10 ** (6.3 + 3.2 * size) * u(0.8, 1.25),
    diurnalDepth: u(0.8, 1.1),
    peakShift: u(-1, 1.2),
    weekendLevel: u(0.84, 0.92),
    holidayLevel: u(0.74, 0.82),
    seasonAmp: u(0.02, 0.07),
    seasonPeakDay: rng() < 0.75 ? u(-30, 45) : u(150, 220),
    growthPerYear: u(0.04, 0.18),
    botShare: u(0.22, 0.42),
    botDiurnalAmp: u(0.08, 0.22),
    bytesPerRequest: u(40e3, 160e3),
    netflowEvening: u(0.04, 0.14),
    l3Background: 10 ** (8.5 + 3 * size) * u(0.5, 2),
    l3OriginBackground: 10 ** (8.8 + 3 * size) * u(0.5, 2),
    l7Fraction: u(0.003, 0.015),
    ipv4: Math.round(10 ** (2.7 + 3 * size) * u(0.7, 1.4)),
    ipv6: Math.round(10 ** (4.5 + 4 * size) * u(0.5, 2)),
    ipv4Growth: u(-0.005, 0.03),
    ipv6Growth: u(0.03, 0.25),
    bgpPhase: [u(0, 2 * Math.PI), u(0, 2 * Math.PI)],
  };
}

/** Canonical curve at fractional local hour `h` (linear interpolation, wraps at midnight). */
function canonicalAt(h: number): number {
  const x = ((h % 24) + 24) % 24;
  const i = Math.floor(x);
  const f = x - i;
  return CANONICAL[i] * (1 - f) + CANONICAL[(i + 1) % 24] * f;
}

/**
 * Expected human requests per hour at a given local hour and day type, relative to `humanPeak`
 * (no trend/season). Weekends and holidays start later in the morning and sit at their own lower level.
 * @param dayType 0 workday, 1 weekend, 2 holiday (util/calendar DAY_TYPES order)
 */
export function diurnalLevel(p: CountryProfile, localHour: number, dayType: number): number {
  const offDay = dayType !== 0;
  // Off days: the morning ramp comes ~1.3 h later and the trough is a little shallower.
  const shift = p.peakShift + (offDay ? 1.3 : 0);
  const depth = p.diurnalDepth * (offDay ? 0.9 : 1);
  const shape = 1 - depth * (1 - canonicalAt(localHour + 0.5 - shift));
  const level = dayType === 2 ? p.holidayLevel : dayType === 1 ? p.weekendLevel : 1;
  return Math.max(0.05, shape) * level;
}

/**
 * Relative change of human traffic per local hour during Ramadan at strength 1 (GeneratorConfig.ramadan): the night
 * after iftar and the suhoor hours before dawn busier, the iftar meal itself (around sunset) and the mornings quieter —
 * the shape Radar's Ramadan reports show for Muslim-majority countries, in round numbers.
 */
const RAMADAN_SHAPE = [0.3, 0.3, 0.25, 0.25, 0.1, 0, -0.05, -0.12, -0.15, -0.15, -0.12, -0.1, -0.05, -0.05, -0.05, -0.05, -0.1, -0.2, -0.35, -0.2, 0.1, 0.25, 0.3, 0.3];

/** Multiplier of human traffic at local `hour` of a fasting day at `strength` (0 = none); at least 0.2. */
export function ramadanFactor(hour: number, strength: number): number {
  return Math.max(0.2, 1 + strength * RAMADAN_SHAPE[hour]);
}

/** Yearly cycle × multi-year growth at instant `ms` (local day of year `doy`). */
export function seasonTrend(p: CountryProfile, ms: number, doy: number): number {
  const season = 1 + p.seasonAmp * Math.cos((2 * Math.PI * (doy - p.seasonPeakDay)) / 365.25);
  return season * Math.exp((p.growthPerYear * (ms - REFERENCE_MS)) / YEAR_MS);
}

/** Expected bot requests per hour: a flat level (the mean share of the canonical day) with a weak afternoon bump. */
export function botLevel(p: CountryProfile, localHour: number): number {
  const mean = (p.humanPeak * CANONICAL_MEAN * p.botShare) / (1 - p.botShare);
  return mean * (1 + p.botDiurnalAmp * Math.cos((2 * Math.PI * (localHour - 14)) / 24));
}

/** NetFlows bytes per request at a local hour: evening (video) hours carry more bytes per request. */
export function bytesPerRequestAt(p: CountryProfile, localHour: number): number {
  return p.bytesPerRequest * (1 + p.netflowEvening * Math.cos((2 * Math.PI * (localHour - 21)) / 24));
}

/** Announced IPv4 /24s and IPv6 /48s at `ms`: linear growth plus a slow, smooth drift (no noise). */
export function announcedSpace(p: CountryProfile, ms: number): { ipv4: number; ipv6: number } {
  const years = (ms - REFERENCE_MS) / YEAR_MS;
  const days = ms / DAY_MS;
  const drift = (a: number, b: number) => 1 + a * Math.sin((2 * Math.PI * days) / 97 + p.bgpPhase[0]) + b * Math.sin((2 * Math.PI * days) / 23 + p.bgpPhase[1]);
  return {
    ipv4: p.ipv4 * Math.max(0.2, 1 + p.ipv4Growth * years) * drift(0.004, 0.002),
    ipv6: p.ipv6 * Math.max(0.2, 1 + p.ipv6Growth * years) * drift(0.006, 0.003),
  };
}
