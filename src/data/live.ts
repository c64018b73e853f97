/**
 * Live windows for real-time detection: fetches just the hours a detection needs (the range plus the feature history)
 * from Radar or the local mock, runs them through the same fetch → preprocess → data/chunks code as the
 * datasets, and puts the MIN0_MAX volume signals back on the scale of the processed table the model was trained on.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DAY_MS, describeStep, HOUR_MS, isoSeconds } from '../base/time';
import type { Config } from '../config/schema';
import { DataError, InputError } from '../errors';
import { featureHistoryRows, type FeatureSpec } from '../features/spec';
import { LOG_EPS_SHARE } from '../features/transform';
import type { RadarClient } from '../radar/client';
import { createRadarClient, openRadarEndpoint, type RadarEndpoint } from '../radar/endpoint';
import { endpointFor, FETCH_INTERVAL_MS, FETCH_INTERVALS, RAW_SERIES, type FetchInterval } from '../radar/endpoints';
import { fetchRadar, type FetchSource } from '../radar/fetch';
import { lastCompleteHour, windowDays } from '../radar/windows';
import { log } from '../util/log';
import { readChunk, type SeriesChunk } from './chunks';
import { sliceFrame } from './frame';
import { processedPaths } from './paths';
import { preprocessCountryDetailed } from './preprocess';
import { readProcessed } from './processed';
import { stitchChunks } from './stitch';
import { frameStep, RADAR_SIGNALS, RADAR_SIGNAL_KINDS, type CountryFrame } from './types';

/** Where live windows come from: the Radar API, or the embedded generator behind an in-process mock Radar server. */
export const LIVE_SOURCES: readonly FetchSource[] = ['radar', 'synthetic'];

/** Validates a `--source` value. */
export function parseLiveSource(s: string): FetchSource {
  if (!(LIVE_SOURCES as readonly string[]).includes(s)) throw new InputError(`Unknown --source "${s}". Expected one of: ${LIVE_SOURCES.join(', ')}`);
  return s as FetchSource;
}

/**
 * Signals Radar returns MIN0_MAX per response (each response scaled to its own maximum): their level depends on the
 * window asked for, so a live window must be rescaled before the model sees it. The others are absolute (shares, counts).
 */
export function min0MaxSignals(): string[] {
  return RADAR_SIGNALS.filter((s) => RADAR_SIGNAL_KINDS[s] === 'volume' && (RAW_SERIES as readonly string[]).includes(s) && endpointFor(s).params.normalization === 'MIN0_MAX');
}

/** How one volume signal of a live window was put on the training scale. */
export interface LiveScale {
  /** Multiplier applied to the preprocessed live column. */
  factor: number;
  /**
   * `anchor`: one request held a live window and an equally long window of the local processed table, so both share
   * one MIN0_MAX maximum and the table's values give the factor (radar-api.md §2, option b);
   * `level`: no local table, so the live median level was matched to the training median level (assumes no trend).
   */
  method: 'anchor' | 'level' | 'none';
}

export interface LiveOptions {
  cfg: Config;
  country: string;
  /** Steps to score, [fromMs, toMs), aligned to the model's step (hours, or quarter hours for a 15-minute model). */
  fromMs: number;
  toMs: number;
  /** The model's feature spec: how much history to fetch, and the training level when there is no table to anchor to. */
  spec: FeatureSpec;
  /** Rows of history the detector needs before fromMs (default: the feature spec's warm-up; see scoreRangeHistoryRows). */
  historyRows?: number;
  source: FetchSource;
  /** Radar API root (default RADAR_API_BASE, else the public API); ignored for `synthetic`. */
  baseUrl?: string;
  /** API token (default CLOUDFLARE_API_TOKEN); required for `radar`. */
  token?: string;
  /** "Now" for the no-future check (default: the clock). */
  now?: number;
  /**
   * The table whose scale the model was trained on: default the local processed table of the country when there is
   * one; `null` forces the level fallback.
   */
  anchorTable?: CountryFrame | null;
}

export interface LiveFrame {
  /** Steps [fromMs − history, toMs) on the training scale, with labels and unreliable steps from the live feeds. */
  frame: CountryFrame;
  scale: Record<string, LiveScale>;
  /** Radar requests made for the anchors (the window fetch reports its own). */
  anchorRequests: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);

/** The Radar interval that yields points every `stepMs` (the model's step); throws when Radar serves no such interval. */
export function liveInterval(stepMs: number, country: string): FetchInterval {
  const interval = FETCH_INTERVALS.find((i) => FETCH_INTERVAL_MS[i] === stepMs);
  if (!interval) throw new DataError(`The model of ${country} works on ${describeStep(stepMs)} steps, but live Radar data comes at ${FETCH_INTERVALS.join(' or ')} only; score it on its processed table instead (without --live)`);
  return interval;
}

/**
 * One request with the named windows as series of one answer (so Radar scales them by one MIN0_MAX maximum),
 * parsed by data/chunks; returns the parsed series by name.
 */
async function anchorSeries(client: RadarClient, signal: string, interval: FetchInterval, country: string, windows: { name: string; startMs: number; endMs: number }[]) {
  const spec = endpointFor(signal, interval);
  const envelope = await client.fetchSeriesList(spec, country, windows);
  const chunk = readChunk({ series: spec.series, where: `${spec.path} ${country} ${windows.map((w) => `${w.name} ${isoSeconds(w.startMs)}..${isoSeconds(w.endMs)}`).join(' + ')}`, envelope }) as SeriesChunk;
  return new Map(chunk.parsed.series.map((x) => [x.name, x]));
}

/** Values of a column at given timestamps (NaN where the frame has no such step). */
function valuesAt(frame: CountryFrame, signal: string, timestamps: number[]): number[] {
  const t0 = frame.timestamps[0];
  const step = frameStep(frame);
  const col = frame.signals[signal];
  return timestamps.map((t) => {
    const i = (t - t0) / step;
    return Number.isInteger(i) && i >= 0 && i < col.length ? col[i] : NaN;
  });
}

/**
 * The factor that puts `live` (a preprocessed live column, MIN0_MAX over its own window) on the table's scale. One
 * request asks for the last `rows` steps of the live window and the last `rows` of the table as two series, so Radar
 * scales both by one maximum; the ratio table / anchor (a median over steps, as stitching does) carries the anchor
 * series onto the table's scale, and the live series with it; the ratio of that to the preprocessed column is the factor.
 */
async function anchorFactor(client: RadarClient, interval: FetchInterval, signal: string, country: string, live: CountryFrame, table: CountryFrame, rows: number): Promise<number | undefined> {
  const liveEnd = live.timestamps[live.timestamps.length - 1];
  const tableEnd = table.timestamps[table.timestamps.length - 1];
  const span = (rows - 1) * frameStep(live);
  const got = await anchorSeries(client, signal, interval, country, [
    { name: 'live', startMs: liveEnd - span, endMs: liveEnd },
    { name: 'anchor', startMs: tableEnd - span, endMs: tableEnd },
  ]);
  const a = got.get('anchor');
  const l = got.get('live');
  if (!a || !l || !a.columns.values || !l.columns.values) throw new DataError(`${signal} ${country}: the anchored response lacks the "live" or "anchor" series; expected both (keys: ${[...got.keys()].join(', ')})`);
  const tableAtAnchor = { timestamps: a.timestamps, values: valuesAt(table, signal, a.timestamps) };
  const toTable = stitchChunks([tableAtAnchor, { timestamps: a.timestamps, values: a.columns.values }], { label: `${country} ${signal} anchor` });
  if (toTable.fallbacks.length) return undefined;
  const f = toTable.factors[1];
  const liveOnTable = { timestamps: l.timestamps, values: l.columns.values.map((v) => v * f) };
  const r = stitchChunks([liveOnTable, { timestamps: l.timestamps, values: valuesAt(live, signal, l.timestamps) }], { label: `${country} ${signal} live` });
  return r.fallbacks.length ? undefined : r.factors[1];
}

/**
 * Level fallback: the factor that makes the live window's median equal the training median, which the spec keeps as
 * the log transform's eps (LOG_EPS_SHARE of the median positive training value). Right when traffic has not trended
 * since training; undefined for a signal without a log transform or without positive values.
 */
function levelFactor(frame: CountryFrame, signal: string, spec: FeatureSpec): number | undefined {
  const s = spec.signals.find((x) => x.name === signal);
  if (!s || s.transform.name !== 'log' || !(s.transform.eps > 0)) return undefined;
  const target = s.transform.eps / LOG_EPS_SHARE;
  const pos = Array.from(frame.signals[signal]).filter((v) => v > 0).sort((a, b) => a - b);
  if (pos.length === 0) return undefined;
  return target / pos[pos.length >> 1];
}

/** The local processed table of `country`, or null when there is none. */
async function localTable(cfg: Config, country: string): Promise<CountryFrame | null> {
  return fs.existsSync(processedPaths(cfg.data.processedDir, country).meta) ? readProcessed(cfg.data.processedDir, country) : null;
}

/**
 * Fetches the live window of `country` for scoring steps [fromMs, toMs) at the model's step (`spec.stepMs`: Radar's
 * 1h or 15m interval): whole UTC days from the first history step to the last step, downloaded by fetchRadar into a
 * temporary raw store and built by preprocessCountryDetailed (data/chunks, the code the datasets go through), then cut
 * to [fromMs − featureHistoryRows, toMs) and rescaled (see LiveScale).
 * Throws InputError when the range reaches past the last complete hour, ConfigError without a token for `radar`.
 */
export async function fetchLiveFrame(o: LiveOptions): Promise<LiveFrame> {
  const { cfg, country } = o;
  const nowMs = o.now ?? Date.now();
  const last = lastCompleteHour(nowMs);
  // the model's step decides the interval fetched (its table was built at it)
  const stepMs = o.spec.stepMs;
  const interval = liveInterval(stepMs, country);
  if (o.toMs > last + HOUR_MS) throw new InputError(`The range ends ${iso(o.toMs)}, but live data ends with the last complete hour (${iso(last)} .. ${iso(last + HOUR_MS)}); pick an earlier --to`);
  const history = o.historyRows ?? featureHistoryRows(o.spec);
  const needFrom = o.fromMs - history * stepMs;
  // one endpoint (one mock server for `synthetic`) for the window and its scale anchors
  const endpoint = await openRadarEndpoint(o.source, cfg, { baseUrl: o.baseUrl, token: o.token, now: () => nowMs });
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-live-'));
  try {
    const unit = stepMs === HOUR_MS ? 'h' : `steps of ${describeStep(stepMs)}`;
    log.info(`live: fetching ${country} ${iso(needFrom)} .. ${iso(o.toMs)} (${history} ${unit} of feature history + ${(o.toMs - o.fromMs) / stepMs} ${unit}) from ${o.source}`);
    const [from, to] = [day(needFrom), day(o.toMs - stepMs)];
    await fetchRadar({ countries: [country], from, to, source: o.source, cfg, rawDir, endpoint, now: nowMs, aggInterval: interval });
    const pre = preprocessCountryDetailed({ rawDir, source: o.source, country, from, to, cfg: { ...cfg.data, aggInterval: interval } });
    const t0 = pre.frame.timestamps[0];
    const frame = sliceFrame(pre.frame, (needFrom - t0) / stepMs, (o.toMs - t0) / stepMs);
    const { scale, requests } = await rescale(o, frame, endpoint, interval);
    return { frame, scale, anchorRequests: requests };
  } finally {
    fs.rmSync(rawDir, { recursive: true, force: true });
    await endpoint.close();
  }
}

/** Multiplies each MIN0_MAX column of `frame` (in place) by its anchor factor, or the level fallback. */
async function rescale(o: LiveOptions, frame: CountryFrame, endpoint: RadarEndpoint, interval: FetchInterval): Promise<{ scale: Record<string, LiveScale>; requests: number }> {
  const { cfg, country } = o;
  const stepMs = frameStep(frame);
  let table = o.anchorTable === undefined ? await localTable(cfg, country) : o.anchorTable;
  if (table && frameStep(table) !== stepMs) {
    log.warn(`live: the processed table of ${country} has ${describeStep(frameStep(table))} steps, the model ${describeStep(stepMs)}; it cannot anchor the MIN0_MAX scale, matching the training level instead`);
    table = null;
  }
  const signals = min0MaxSignals().filter((s) => frame.signals[s]);
  const scale: Record<string, LiveScale> = {};
  let client: RadarClient | undefined;
  // as long as the shorter of the live window and the table, and no longer than one fetch window at this interval
  const rows = table ? Math.min((windowDays(interval, cfg.data.chunkDays) * DAY_MS) / stepMs, frame.timestamps.length, table.timestamps.length) : 0;
  if (table && rows * stepMs >= DAY_MS) client = createRadarClient(endpoint, cfg.data, o.source);
  else if (table) log.warn(`live: the processed table of ${country} has ${table.timestamps.length} rows, less than a day, too few to anchor the MIN0_MAX scale; matching the training level instead`);
  else log.warn(`live: no processed table of ${country} in ${cfg.data.processedDir} to anchor the MIN0_MAX scale of ${signals.join(', ')}; matching the training median level instead (right only if traffic has not trended since training)`);
  for (const s of signals) {
    let factor = client && table ? await anchorFactor(client, interval, s, country, frame, table, rows) : undefined;
    let method: LiveScale['method'] = 'anchor';
    if (factor === undefined || !Number.isFinite(factor) || factor <= 0) {
      factor = levelFactor(frame, s, o.spec);
      method = 'level';
      if (client) log.warn(`live: ${country} ${s}: no usable anchor steps (all near zero?); matching the training median level instead`);
    }
    if (factor === undefined || !Number.isFinite(factor) || factor <= 0) {
      factor = 1;
      method = 'none';
      log.warn(`live: ${country} ${s}: left on the live window's own MIN0_MAX scale (no anchor and no training level)`);
    }
    const col = frame.signals[s];
    for (let i = 0; i < col.length; i++) col[i] *= factor;
    scale[s] = { factor, method };
  }
  return { scale, requests: client?.requests ?? 0 };
}
