/** Date windows for Radar requests: inclusive UTC ranges cut into fixed-size chunks that overlap, plus the "no future" clamp. */
import { HOUR_MS, isoSeconds } from '../base/time';
import { InputError } from '../errors';
import type { FetchInterval } from './endpoints';

/** One request window; `end` is inclusive (Radar's dateEnd includes the point at dateEnd). */
export interface DateWindow {
  /** ISO-8601 UTC without milliseconds, e.g. `2023-01-01T00:00:00Z` (what dateStart receives). */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}

/** `start..end`, how errors and logs name a window. */
export function windowLabel(w: DateWindow): string {
  return `${w.start}..${w.end}`;
}

/**
 * Parses a CLI/config date. `YYYY-MM-DD` means the day's first hour for `edge: 'start'` and its last
 * hour (23:00) for `edge: 'end'`, so `--to 2025-12-31` includes that whole day; full ISO timestamps
 * are taken as given (floored to the hour). Returns epoch ms.
 */
export function parseDateArg(s: string, edge: 'start' | 'end'): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(s);
  const ms = Date.parse(day ? `${s}T00:00:00Z` : s);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}/.test(s)) {
    throw new InputError(`Invalid date "${s}". Expected YYYY-MM-DD (UTC) or an ISO-8601 timestamp such as 2023-01-01T00:00:00Z`);
  }
  if (day) return edge === 'start' ? ms : ms + 23 * HOUR_MS;
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Start of the newest hour that has fully passed at `nowMs`: Radar has no complete data after it. */
export function lastCompleteHour(nowMs: number): number {
  return Math.floor(nowMs / HOUR_MS) * HOUR_MS - HOUR_MS;
}

/**
 * Cuts the inclusive range [startMs, endMs] into windows of `chunkHours` points spaced `stepMs` apart
 * (the aggregation step: one hour for series). Each window starts `overlapHours` before the previous
 * one ended (+1 step), so consecutive windows share exactly `overlapHours` points (for stitching
 * MIN0_MAX chunks onto one scale). The last window ends at `endMs`; windows depend only on the range
 * start, so re-runs produce the same file names. Returns [] when the range is empty.
 */
export function chunkWindows(startMs: number, endMs: number, chunkHours: number, overlapHours: number, stepMs: number = HOUR_MS): DateWindow[] {
  if (!(chunkHours > overlapHours) || overlapHours < 0) {
    throw new InputError(`A window of ${chunkHours} h cannot overlap the previous one by ${overlapHours} h: expected data.chunkDays × 24 > data.overlapHours; raise chunkDays or lower overlapHours in models.yml`);
  }
  const out: DateWindow[] = [];
  let s = startMs;
  for (;;) {
    if (s > endMs) break;
    const e = Math.min(s + chunkHours * HOUR_MS - stepMs, endMs);
    out.push({ start: isoSeconds(s), end: isoSeconds(e), startMs: s, endMs: e });
    if (e >= endMs) break;
    s = e + stepMs - overlapHours * HOUR_MS;
  }
  return out;
}

/**
 * Longest request window per aggregation interval, in days. Radar documents no maximum; radar-api.md §2 recommends at
 * most 7 days per call at 15m (finer intervals are only served for shorter ranges, and a range too long for the
 * interval is rejected). At 1h, data.chunkDays decides (≤ 364, the longest relative range).
 */
export const MAX_WINDOW_DAYS: Readonly<Record<FetchInterval, number>> = Object.freeze({ '1h': 364, '15m': 7 });

/** Days per series request at `interval`: data.chunkDays, capped at MAX_WINDOW_DAYS. */
export function windowDays(interval: FetchInterval, chunkDays: number): number {
  return Math.min(chunkDays, MAX_WINDOW_DAYS[interval]);
}
