/**
 * The watcher's live feed: fetches one window of a country's Radar series and appends its new hours to the
 * stored series on the model's training scale (MIN0_MAX windows are stitched onto the stored hours they overlap,
 * with the same stitching, resampling and gap filling as data/preprocess). Unlike data/live.ts, which anchors a fresh
 * window on the processed table, it chains each window onto its own stored series, so it keeps working far past the table.
 */
import { defaultRadarRule, fillGaps, hourRange, medianStep, resampleToGrid } from '../data/grid';
import type { RawSeries } from '../data/paths';
import { stitchChunks } from '../data/stitch';
import { HOUR_MS, type SignalKind } from '../data/types';
import { DataError } from '../errors';
import type { RadarClient } from '../radar/client';
import { endpointFor } from '../radar/endpoints';
import { annotationWindows, hoursInWindows, mergeTimeWindows, type TimeWindow } from '../radar/labels';
import { AGG_INTERVAL_MS, parseTimeseriesResult, unwrapEnvelope, type ParsedResult, type Points } from '../radar/parse';
import { isoSeconds } from '../radar/windows';
import { SIGNAL_SOURCES as RADAR_SIGNAL_SOURCES } from '../data/preprocess';
import type { StoredHour } from './store';

/** Radar signal → raw series and extractor (data/preprocess's table), indexable by the model's signal names. */
const SIGNAL_SOURCES: Readonly<Record<string, (typeof RADAR_SIGNAL_SOURCES)[keyof typeof RADAR_SIGNAL_SOURCES]>> = RADAR_SIGNAL_SOURCES;

/**
 * Signals an hour must have before it counts as complete: the traffic volumes. Attack and bot series may lag
 * or lack points without making an hour unscoreable (their gaps are filled and the hour flagged).
 */
export const PRIMARY_SIGNALS = ['http', 'netflows'] as const;

/** One fetched window of a country's series, on the response's own scale. */
export interface LiveWindow {
  country: string;
  /** First and last requested hour start (inclusive), epoch ms. */
  fromMs: number;
  toMs: number;
  /** Points per signal with the step they were sampled at. */
  points: Record<string, Points & { stepMs: number }>;
  /** PIPELINE / PARTIAL_PROJECTION annotation spans. */
  unreliable: TimeWindow[];
}

/**
 * Fetches hours [fromMs, toMs] (inclusive hour starts) of every signal in `signals` for `country`, one request
 * per raw series, in parallel through `client` (its rate limiter and retries apply). Throws RadarApiError when a
 * request fails after retries and DataError when a response cannot be parsed.
 */
export async function fetchLiveWindow(client: RadarClient, country: string, fromMs: number, toMs: number, signals: readonly string[]): Promise<LiveWindow> {
  const window = { start: isoSeconds(fromMs), end: isoSeconds(toMs), startMs: fromMs, endMs: toMs };
  const unknown = signals.filter((s) => !SIGNAL_SOURCES[s]);
  if (unknown.length) throw new DataError(`The watcher can only fetch Radar signals (${Object.keys(SIGNAL_SOURCES).join(', ')}); the model of ${country} uses ${unknown.join(', ')}`);
  const seriesNames = [...new Set(signals.map((s) => SIGNAL_SOURCES[s].series))];
  const parsed = new Map<RawSeries, ParsedResult>();
  await Promise.all(
    seriesNames.map(async (series) => {
      const where = `${country} ${series} ${window.start}..${window.end}`;
      const env = await client.fetchWindow(endpointFor(series), country, window);
      parsed.set(series, parseTimeseriesResult(unwrapEnvelope(env, where), where));
    }),
  );
  const points: LiveWindow['points'] = {};
  const unreliable: TimeWindow[] = [];
  for (const series of seriesNames) {
    const p = parsed.get(series) as ParsedResult;
    unreliable.push(...annotationWindows(p.meta.annotations, { country, rangeEnd: toMs + HOUR_MS }).unreliable);
  }
  for (const sig of signals) {
    const { series, extract } = SIGNAL_SOURCES[sig];
    const p = parsed.get(series) as ParsedResult;
    const pts = extract(p, `${country} ${series}`);
    const stepMs = p.meta.aggInterval ? AGG_INTERVAL_MS[p.meta.aggInterval] : medianStep(pts.timestamps);
    points[sig] = { ...pts, stepMs };
  }
  return { country, fromMs, toMs, points, unreliable: mergeTimeWindows(unreliable) };
}

/**
 * The newest hour (start, epoch ms) every signal in `signals` has a value for, capped at the window's last hour;
 * undefined when one of them has no value at all in the window.
 */
export function newestCompleteHour(live: LiveWindow, signals: readonly string[] = PRIMARY_SIGNALS): number | undefined {
  let newest = live.toMs;
  for (const s of signals) {
    const p = live.points[s];
    let last = -Infinity;
    if (p) for (let i = 0; i < p.timestamps.length; i++) if (Number.isFinite(p.values[i]) && p.timestamps[i] > last) last = p.timestamps[i];
    if (!Number.isFinite(last)) return undefined;
    // a sub-hourly point stands for its hour only once the hour's last point is in
    const hour = Math.floor((last + p.stepMs) / HOUR_MS) * HOUR_MS - HOUR_MS;
    newest = Math.min(newest, hour);
  }
  return newest;
}

/**
 * The hours after `tail` up to `toHour` (inclusive) from `live`, on the scale of `tail`: each volume signal's
 * window is stitched onto the stored hours it overlaps (median ratio over the overlap, as stitchChunks does for
 * fetched chunks), then every signal is resampled to the hourly grid, and gaps are filled with the stored hours
 * as context (interpolation, else the same hour a week earlier) and flagged. `tail` must end right before the
 * new hours and should hold a week (seasonal fill) and the window's overlap.
 */
export function extendSeries(tail: StoredHour[], live: LiveWindow, toHour: number, kinds: Record<string, SignalKind>, fill: { maxInterpolateHours: number }): StoredHour[] {
  if (tail.length === 0) throw new DataError(`No stored hours of ${live.country} to continue from`);
  const last = tail[tail.length - 1].hour;
  if (toHour <= last) return [];
  const grid = hourRange(last + HOUR_MS, toHour);
  const out: StoredHour[] = grid.map((hour) => ({ hour, values: {}, gap: 0, unreliable: 0 }));
  for (const sig of Object.keys(kinds)) {
    const kind = kinds[sig];
    const pts = live.points[sig];
    if (!pts) throw new DataError(`Live window of ${live.country} has no "${sig}" series`);
    let values: ArrayLike<number> = pts.values;
    if (kind === 'volume') {
      const stored = { timestamps: tail.map((h) => h.hour), values: tail.map((h) => (h.gap ? NaN : h.values[sig])) };
      const factor = stitchChunks([stored, pts], { label: `${live.country} ${sig} (live)` }).factors[1];
      values = pts.values.map((v) => v * factor);
    }
    const col = resampleToGrid(pts.timestamps, values, grid, defaultRadarRule(kind), pts.stepMs);
    const context = Float64Array.from([...tail.map((h) => h.values[sig]), ...col]);
    const filled = fillGaps(context, fill.maxInterpolateHours, `${live.country} ${sig}`);
    grid.forEach((_, i) => {
      out[i].values[sig] = filled.values[tail.length + i];
      out[i].gap |= filled.filled[tail.length + i];
    });
  }
  const unreliable = hoursInWindows(grid, live.unreliable);
  grid.forEach((_, i) => (out[i].unreliable = unreliable[i]));
  return out;
}
