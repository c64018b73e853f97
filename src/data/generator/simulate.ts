/**
 * The embedded Radar-like generator: combines a country's normal traffic shape, autocorrelated noise,
 * injected anomalies and data-quality artefacts into hourly "true" quantities. Values are a pure
 * function of (config, country, hour): the work is done in whole UTC-month blocks (cached per
 * generator), so any window equals the same slice of any longer window.
 */
import { generatorSchema, type GeneratorConfig } from '../../config/schema';
import { InputError } from '../../errors';
import { countryCalendar, localTimeColumns } from '../../util/calendar';
import type { LabelWindow } from '../../base/labels';
import { HOUR_MS } from '../../base/time';
import { applyAnomaly, anomaliesBetween, monthIndexOf, monthStartMs, neutralChannels, type InjectedAnomaly } from './anomalies';
import { ar1, streamKey, uniformAt, gaussAt } from './hash';
import { announcedSpace, botLevel, bytesPerRequestAt, countryProfile, diurnalLevel, ramadanFactor, seasonTrend, type CountryProfile } from './profile';
import { GENERATED_SERIES, gapMask, pipelineAffects, pipelineWindows, type GeneratedSeries, type PipelineWindow } from './quality';
import { labelWindows } from './labels';

/** Simulated hourly quantities of one country over `[timestamps[0], last + 1h)`; every column has one value per hour. */
export interface SimulatedSeries {
  country: string;
  /** Epoch ms of each hour start (UTC), ascending, 1 h apart. */
  timestamps: Float64Array;
  /** HTTP requests per hour from likely humans, likely bots, and their sum. */
  humanRequests: Float64Array;
  botRequests: Float64Array;
  httpRequests: Float64Array;
  /** Bot share of HTTP requests, percent (0–100). */
  botShare: Float64Array;
  /** NetFlows bytes per hour (product ALL). */
  netflowBytes: Float64Array;
  /** L3/4 attack bytes per hour targeting the country (direction=TARGET) and mitigated in it (ORIGIN, background only). */
  l3TargetBytes: Float64Array;
  l3OriginBytes: Float64Array;
  /** Mitigated L7 requests per hour sourced from the country. */
  l7Requests: Float64Array;
  /** Announced IPv4 /24s and IPv6 /48s (integers). */
  ipv4: Float64Array;
  ipv6: Float64Array;
  /** Per endpoint, 1 where Radar has no data point for the hour (a gap). */
  missing: Record<GeneratedSeries, Uint8Array>;
  /** 1 where a PIPELINE window (any data source) covers the hour. */
  unreliable: Uint8Array;
}

/** A seeded generator with its own caches (no module state): build one per config and reuse it. */
export interface RadarGenerator {
  /** The resolved generator settings. */
  readonly config: GeneratorConfig;
  /** Hourly quantities of `country` for hours `[floor(fromMs), ceil(toMs))`. */
  simulate(country: string, fromMs: number, toMs: number): SimulatedSeries;
  /** Injected anomalies overlapping `[fromMs, toMs)`, sorted by start. */
  anomalies(country: string, fromMs: number, toMs: number): InjectedAnomaly[];
  /** PIPELINE (unreliable data) windows overlapping `[fromMs, toMs)`. */
  pipeline(country: string, fromMs: number, toMs: number): PipelineWindow[];
  /** The anomalies as plain label windows (source 'synthetic'), for tests and evaluation. */
  labels(country: string, fromMs: number, toMs: number): LabelWindow[];
}

const VALUE_COLUMNS = ['humanRequests', 'botRequests', 'httpRequests', 'botShare', 'netflowBytes', 'l3TargetBytes', 'l3OriginBytes', 'l7Requests', 'ipv4', 'ipv6'] as const;
type Block = Omit<SimulatedSeries, 'country'>;

/** Blocks kept per generator: ~75 kB each, so 8 countries × 3 years fit with room to spare. */
const BLOCK_CACHE_SIZE = 480;

/** Validates a country code: any ISO-style alpha-2 code works (unknown ones simulate on UTC). */
function checkCountry(country: string): string {
  if (typeof country !== 'string' || !/^[A-Z]{2}$/.test(country)) {
    throw new InputError(`Invalid country code "${country}". Expected an upper-case ISO 3166-1 alpha-2 code such as AT, JP or US.`);
  }
  return country;
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) {
    throw new InputError(`Invalid time range [${fromMs}, ${toMs}). Expected finite epoch milliseconds with from < to.`);
  }
}

/**
 * Creates a generator. Missing settings take the schema defaults (seed 42, 1.5 anomalies per
 * country-month, gapRate 0.002, unreliableRate 0.001, noise 0.03).
 */
export function createGenerator(settings: Partial<GeneratorConfig> = {}): RadarGenerator {
  const parsed = generatorSchema.safeParse(settings);
  if (!parsed.success) {
    throw new InputError(`Invalid generator settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}. See generator in models.yml.`);
  }
  const cfg = Object.freeze(parsed.data);
  const blocks = new Map<string, Block>();
  const schedules = new Map<string, InjectedAnomaly[]>();
  const profiles = new Map<string, CountryProfile>();

  const profileOf = (cc: string) => {
    let p = profiles.get(cc);
    if (!p) profiles.set(cc, (p = countryProfile(cfg.seed, cc)));
    return p;
  };
  const shape = { duration: cfg.anomalyDuration, depth: cfg.anomalyDepth };
  const anomalies = (cc: string, from: number, to: number) => anomaliesBetween(cfg.seed, cfg.anomaliesPerMonth, cc, from, to, schedules, shape);

  const block = (cc: string, mi: number): Block => {
    const key = `${cc}|${mi}`;
    const hit = blocks.get(key);
    if (hit) {
      // Map iteration order is insertion order: re-inserting makes eviction least-recently-used.
      blocks.delete(key);
      blocks.set(key, hit);
      return hit;
    }
    const b = computeBlock(cfg, profileOf(cc), mi, anomalies(cc, monthStartMs(mi), monthStartMs(mi + 1)));
    blocks.set(key, b);
    if (blocks.size > BLOCK_CACHE_SIZE) blocks.delete(blocks.keys().next().value as string);
    return b;
  };

  return {
    config: cfg,
    simulate(country, fromMs, toMs) {
      checkCountry(country);
      checkRange(fromMs, toMs);
      const h0 = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
      const h1 = Math.ceil(toMs / HOUR_MS) * HOUR_MS;
      const n = (h1 - h0) / HOUR_MS;
      const out = emptySeries(country, n);
      for (let mi = monthIndexOf(h0); mi <= monthIndexOf(h1 - 1); mi++) {
        const b = block(country, mi);
        const bStart = b.timestamps[0];
        const from = Math.max(h0, bStart);
        const to = Math.min(h1, bStart + b.timestamps.length * HOUR_MS);
        const src0 = (from - bStart) / HOUR_MS;
        const src1 = (to - bStart) / HOUR_MS;
        const dst = (from - h0) / HOUR_MS;
        out.timestamps.set(b.timestamps.subarray(src0, src1), dst);
        for (const c of VALUE_COLUMNS) out[c].set(b[c].subarray(src0, src1), dst);
        for (const s of GENERATED_SERIES) out.missing[s].set(b.missing[s].subarray(src0, src1), dst);
        out.unreliable.set(b.unreliable.subarray(src0, src1), dst);
      }
      return out;
    },
    anomalies(country, fromMs, toMs) {
      checkCountry(country);
      checkRange(fromMs, toMs);
      return anomalies(country, fromMs, toMs);
    },
    pipeline(country, fromMs, toMs) {
      checkCountry(country);
      checkRange(fromMs, toMs);
      return pipelineWindows(cfg.seed, cfg.unreliableRate, country, fromMs, toMs);
    },
    labels(country, fromMs, toMs) {
      checkCountry(country);
      checkRange(fromMs, toMs);
      return labelWindows(anomalies(country, fromMs, toMs));
    },
  };
}

function emptySeries(country: string, n: number): SimulatedSeries {
  const f = () => new Float64Array(n);
  const missing = Object.fromEntries(GENERATED_SERIES.map((s) => [s, new Uint8Array(n)])) as Record<GeneratedSeries, Uint8Array>;
  return {
    country,
    timestamps: f(),
    humanRequests: f(),
    botRequests: f(),
    httpRequests: f(),
    botShare: f(),
    netflowBytes: f(),
    l3TargetBytes: f(),
    l3OriginBytes: f(),
    l7Requests: f(),
    ipv4: f(),
    ipv6: f(),
    missing,
    unreliable: new Uint8Array(n),
  };
}

/** Simulates one UTC month of one country. */
function computeBlock(cfg: GeneratorConfig, p: CountryProfile, mi: number, anomalies: InjectedAnomaly[]): Block {
  const start = monthStartMs(mi);
  const n = (monthStartMs(mi + 1) - start) / HOUR_MS;
  const h0 = start / HOUR_MS;
  const year = new Date(start).getUTCFullYear();
  const s = emptySeries(p.country, n);
  for (let i = 0; i < n; i++) s.timestamps[i] = start + i * HOUR_MS;
  const lt = localTimeColumns(countryCalendar(p.country, year - 1, year + 1), s.timestamps);

  const key = (name: string) => streamKey(cfg.seed, p.country, name);
  const sigma = cfg.noise;
  // Autocorrelated noise: traffic wanders for hours, attack backgrounds decorrelate faster.
  const nHuman = ar1(key('human'), h0, n, 0.8);
  const nBot = ar1(key('bot'), h0, n, 0.7);
  const nNet = ar1(key('net'), h0, n, 0.8);
  const nL3 = ar1(key('l3'), h0, n, 0.6);
  const nL3o = ar1(key('l3o'), h0, n, 0.6);
  const nL7 = ar1(key('l7'), h0, n, 0.5);
  const kBlip = key('blip');
  const kBgp = key('bgp');
  const burst = cfg.attackBurstiness;

  const ch = neutralChannels(n);
  for (const a of anomalies) applyAnomaly(a, ch, start, n);

  for (let i = 0; i < n; i++) {
    const t = start + i * HOUR_MS;
    const h = h0 + i;
    const hour = lt.hour[i];
    const st = seasonTrend(p, t, lt.dayOfYear[i]);
    const attackTrend = Math.sqrt(st);
    const humanExp = p.humanPeak * diurnalLevel(p, hour, lt.dayType[i]) * st * (lt.fasting[i] ? ramadanFactor(hour, cfg.ramadan) : 1);
    const botExp = botLevel(p, hour) * st;
    // exp(σx − σ²/2) keeps the noise mean-one, so levels stay what the profile says.
    let human = humanExp * Math.exp(sigma * nHuman[i] - (sigma * sigma) / 2) * ch.humanMult[i];
    let bot = botExp * Math.exp(2 * sigma * nBot[i] - 2 * sigma * sigma) * ch.botMult[i];
    if (ch.botShareAdd[i] > 0) {
      const share = Math.min(0.95, bot / (human + bot) + ch.botShareAdd[i] / 100);
      bot = Math.max(bot, (share * human) / (1 - share));
    }
    const l7Exp = p.l7Fraction * (humanExp + botExp);
    const l7Background = p.l7Fraction * (human + bot) * Math.exp(0.3 * nL7[i] - 0.045) * blip(kBlip, 3 * h, burst);
    const l7Attack = ch.l7Extra[i] * l7Exp;
    // Bot requests are small (API calls, crawls), so they carry ~30% of a human request's bytes.
    const netBase = (human + 0.3 * bot) * bytesPerRequestAt(p, hour);
    // Only part of an L7 attack's requests shows in the HTTP counts (most are dropped at the edge first).
    bot += 0.2 * l7Attack;
    s.humanRequests[i] = human;
    s.botRequests[i] = bot;
    s.httpRequests[i] = human + bot;
    s.botShare[i] = (100 * bot) / (human + bot);
    s.netflowBytes[i] = netBase * Math.exp(sigma * nNet[i] - (sigma * sigma) / 2) * ch.netMult[i];
    const l3Exp = p.l3Background * attackTrend;
    s.l3TargetBytes[i] = l3Exp * Math.exp(0.35 * nL3[i]) * blip(kBlip, 3 * h + 1, burst) + ch.l3Extra[i] * l3Exp;
    s.l3OriginBytes[i] = p.l3OriginBackground * attackTrend * Math.exp(0.35 * nL3o[i]) * blip(kBlip, 3 * h + 2, burst);
    s.l7Requests[i] = l7Background + l7Attack;
    const space = announcedSpace(p, t);
    s.ipv4[i] = Math.round(space.ipv4 * ch.ipv4Mult[i] * (1 + 0.0003 * gaussAt(kBgp, 2 * h)));
    s.ipv6[i] = Math.round(space.ipv6 * ch.ipv6Mult[i] * (1 + 0.0003 * gaussAt(kBgp, 2 * h + 1)));
  }

  // PIPELINE windows: the affected data source under-reports, which is why Radar flags it.
  for (const w of pipelineWindows(cfg.seed, cfg.unreliableRate, p.country, start, start + n * HOUR_MS)) {
    const i0 = Math.max(0, (w.start - start) / HOUR_MS);
    const i1 = Math.min(n, (w.end - start) / HOUR_MS);
    for (let i = i0; i < i1; i++) {
      s.unreliable[i] = 1;
      if (pipelineAffects(w.dataSource, 'http')) {
        s.humanRequests[i] *= w.factor;
        s.botRequests[i] *= w.factor;
        s.httpRequests[i] *= w.factor;
      }
      if (pipelineAffects(w.dataSource, 'netflows')) s.netflowBytes[i] *= w.factor;
      if (pipelineAffects(w.dataSource, 'l3')) {
        s.l3TargetBytes[i] *= w.factor;
        s.l3OriginBytes[i] *= w.factor;
      }
      if (pipelineAffects(w.dataSource, 'l7')) s.l7Requests[i] *= w.factor;
      if (pipelineAffects(w.dataSource, 'bgp_ips')) {
        s.ipv4[i] = Math.round(s.ipv4[i] * (1 - (1 - w.factor) * 0.1));
        s.ipv6[i] = Math.round(s.ipv6[i] * (1 - (1 - w.factor) * 0.1));
      }
    }
  }
  for (const series of GENERATED_SERIES) s.missing[series] = gapMask(cfg.seed, cfg.gapRate, p.country, series, start, n);
  const { country: _c, ...b } = s;
  return b;
}

/**
 * Small unlabelled fluctuations of attack backgrounds: at burstiness b = 1 (the default), 0.7% of hours run 1.3–2×
 * higher; b scales the share of burst hours (0.7·b %) and their excess over 1 ((0.3 + 0.7u)·b).
 */
function blip(key: number, i: number, b = 1): number {
  if (b === 1) return uniformAt(key, 2 * i) < 0.007 ? 1.3 + 0.7 * uniformAt(key, 2 * i + 1) : 1;
  return uniformAt(key, 2 * i) < 0.007 * b ? 1 + (0.3 + 0.7 * uniformAt(key, 2 * i + 1)) * b : 1;
}
