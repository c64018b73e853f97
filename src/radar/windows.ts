/** Date windows for Radar requests: inclusive UTC ranges cut into fixed-size chunks that overlap, plus the "no future" clamp. */
import { HOUR_MS } from '../data/types';
import { InputError } from '../errors';

/** One request window; `end` is inclusive (Radar's dateEnd includes the point at dateEnd). */
export interface DateWindow {
  /** ISO-8601 UTC without milliseconds, e.g. `2023-01-01T00:00:00Z` (what dateStart receives). */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}

/** ISO-8601 UTC without milliseconds: the form Radar documents for dateStart/dateEnd. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
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
