/**
 * The watcher's live feed: fetches one window of a country's Radar series and appends its new hours to the
 * stored series on the model's training scale, through data/chunks (the path preprocess uses): MIN0_MAX windows are
 * stitched onto the stored hours they overlap, resampled, and gap-filled with the stored hours as history. Unlike
 * data/live.ts, which anchors a fresh window on the processed table, it chains each window onto its own stored
 * series, so it keeps working far past the table.
 */
import { HOUR_MS, isoSeconds } from '../base/time';
import { chunksToSeries, readChunk, signalPoints, signalSource, SIGNAL_SOURCES, type RadarChunk } from '../data/chunks';
import { hourRange } from '../data/grid';
import type { SignalKind } from '../data/types';
import { DataError } from '../errors';
import type { RadarClient } from '../radar/client';
import { endpointFor } from '../radar/endpoints';
import type { StoredHour } from './store';

/**
 * Signals an hour must have before it counts as complete: the traffic volumes. Attack and bot series may lag
 * or lack points without making an hour unscoreable (their gaps are filled and the hour flagged).
 */
export const PRIMARY_SIGNALS = ['http', 'netflows'] as const;

/** One fetched window of a country's series, on the responses' own scale. */
export interface LiveWindow {
  country: string;
  /** First and last requested hour start (inclusive), epoch ms. */
  fromMs: number;
  toMs: number;
  /** The parsed answers, one per raw series. */
  chunks: RadarChunk[];
}

/**
 * Fetches hours [fromMs, toMs] (inclusive hour starts) of every signal in `signals` for `country`, one request
 * per raw series, in parallel through `client` (its rate limiter and retries apply). Throws RadarApiError when a
 * request fails after retries and DataError when a response cannot be parsed.
 */
export async function fetchLiveWindow(client: RadarClient, country: string, fromMs: number, toMs: number, signals: readonly string[]): Promise<LiveWindow> {
  const window = { start: isoSeconds(fromMs), end: isoSeconds(toMs), startMs: fromMs, endMs: toMs };
  const unknown = signals.filter((s) => !signalSource(s));
  if (unknown.length) throw new DataError(`The watcher can only fetch Radar signals (${Object.keys(SIGNAL_SOURCES).join(', ')}); the model of ${country} uses ${unknown.join(', ')}`);
  const seriesNames = [...new Set(signals.map((s) => signalSource(s)!.series))];
  const chunks = await Promise.all(
    seriesNames.map(async (series) => {
      const envelope = await client.fetchWindow(endpointFor(series), country, window);
      return readChunk({ series, where: `${country} ${series} ${window.start}..${window.end}`, envelope });
    }),
  );
  return { country, fromMs, toMs, chunks };
}

/**
 * The newest hour (start, epoch ms) every signal in `signals` has a value for, capped at the window's last hour;
 * undefined when one of them has no value at all in the window.
 */
export function newestCompleteHour(live: LiveWindow, signals: readonly string[] = PRIMARY_SIGNALS): number | undefined {
  let newest = live.toMs;
  for (const s of signals) {
    let last = -Infinity;
    let step = HOUR_MS;
    for (const p of signalPoints(live.chunks, s)) {
      for (let i = 0; i < p.timestamps.length; i++) if (Number.isFinite(p.values[i]) && p.timestamps[i] > last) [last, step] = [p.timestamps[i], p.stepMs];
    }
    if (!Number.isFinite(last)) return undefined;
    // a sub-hourly point stands for its hour only once the hour's last point is in
    const hour = Math.floor((last + step) / HOUR_MS) * HOUR_MS - HOUR_MS;
    newest = Math.min(newest, hour);
  }
  return newest;
}

/**
 * The hours after `tail` up to `toHour` (inclusive) from `live`, on the scale of `tail`: data/chunks chunksToSeries
 * with the stored hours as context (each volume window stitched onto the stored hours it overlaps, median ratio over
 * the overlap; every signal resampled to the hourly grid; gaps filled with the stored hours as history — interpolation,
 * else the same hour a week earlier — and flagged). `tail` must end right before the new hours and should hold a week
 * (seasonal fill) and the window's overlap.
 */
export function extendSeries(tail: StoredHour[], live: LiveWindow, toHour: number, kinds: Record<string, SignalKind>, fill: { maxInterpolateHours: number }): StoredHour[] {
  if (tail.length === 0) throw new DataError(`No stored hours of ${live.country} to continue from`);
  const last = tail[tail.length - 1].hour;
  if (toHour <= last) return [];
  const grid = hourRange(last + HOUR_MS, toHour);
  const names = Object.keys(kinds);
  const r = chunksToSeries(live.chunks, {
    country: live.country,
    kinds,
    grid,
    stepMs: HOUR_MS,
    fill,
    range: `${isoSeconds(live.fromMs)}..${isoSeconds(live.toMs)}`,
    context: {
      timestamps: tail.map((h) => h.hour),
      values: Object.fromEntries(names.map((s) => [s, tail.map((h) => h.values[s])])),
      gap: tail.map((h) => h.gap),
    },
  });
  return grid.map((hour, i) => ({
    hour,
    values: Object.fromEntries(names.map((s) => [s, r.signals[s][i]])),
    gap: r.gap[i],
    unreliable: r.unreliable[i],
    gapSignals: names.filter((s) => r.signalGap[s][i]),
  }));
}
