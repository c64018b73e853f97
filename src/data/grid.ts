/** The regular hourly UTC grid: building it, resampling points onto it and filling its gaps by explicit, flagged rules. */
import { DataError } from '../errors';
import { HOUR_MS, type SignalKind } from './types';

/** How several points inside one hour become the hour's value. */
export type ResampleRule = 'mean' | 'sum' | 'last';
export const RESAMPLE_RULES: readonly ResampleRule[] = ['mean', 'sum', 'last'];

/** Epoch ms of a `YYYY-MM-DD` UTC date at 00:00; throws naming `what` when malformed. */
export function parseDay(day: string, what = 'date'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new DataError(`${what} "${day}" is not a calendar date; expected YYYY-MM-DD such as 2024-01-31.`);
  }
  return ms;
}

/** Hour starts (epoch ms) from `from` 00:00 to `to` 23:00 UTC, both dates inclusive. */
export function hourlyGrid(from: string, to: string): number[] {
  const a = parseDay(from, 'from');
  const b = parseDay(to, 'to');
  if (b < a) throw new DataError(`Date range ${from}..${to} is reversed; expected from <= to.`);
  const n = (b - a) / HOUR_MS + 24;
  return Array.from({ length: n }, (_, i) => a + i * HOUR_MS);
}

/** Hour starts from the hour containing `startMs` to the hour containing `endMs`. */
export function hourRange(startMs: number, endMs: number): number[] {
  const a = Math.floor(startMs / HOUR_MS) * HOUR_MS;
  const b = Math.floor(endMs / HOUR_MS) * HOUR_MS;
  return Array.from({ length: Math.max(0, (b - a) / HOUR_MS + 1) }, (_, i) => a + i * HOUR_MS);
}

/**
 * Default resampling rule of a Radar signal kind: volumes (MIN0_MAX levels) and rates (shares) are
 * levels, so an hour is the mean of its 15-minute points, which stays right when a point is missing;
 * counts (announced /24s) are states, so an hour is the last observation.
 */
export function defaultRadarRule(kind: SignalKind): ResampleRule {
  return kind === 'count' ? 'last' : 'mean';
}

/**
 * Puts points on the hourly grid: each point falls into the hour containing it, and points of one
 * hour combine by `rule`. Hours without points are NaN (gaps). With rule `last`, a point sampled
 * coarser than hourly (`holdMs` > 1 h, e.g. a BGP count every 8 h) also holds for the hours its step
 * covers, since a count is a state, not a flow. Points outside the grid are ignored.
 * @returns one value per grid hour.
 */
export function resampleToGrid(timestamps: ArrayLike<number>, values: ArrayLike<number>, grid: number[], rule: ResampleRule, holdMs = HOUR_MS): Float64Array {
  const n = grid.length;
  const out = new Float64Array(n).fill(NaN);
  if (n === 0) return out;
  const t0 = grid[0];
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  const lastT = new Float64Array(n).fill(-Infinity);
  for (let i = 0; i < timestamps.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const h = Math.floor((timestamps[i] - t0) / HOUR_MS);
    if (h < 0 || h >= n) continue;
    sum[h] += v;
    cnt[h]++;
    if (timestamps[i] >= lastT[h]) {
      lastT[h] = timestamps[i];
      if (rule === 'last') out[h] = v;
    }
  }
  if (rule !== 'last') for (let h = 0; h < n; h++) if (cnt[h] > 0) out[h] = rule === 'sum' ? sum[h] : sum[h] / cnt[h];
  if (rule === 'last' && holdMs > HOUR_MS) {
    const holdHours = Math.round(holdMs / HOUR_MS);
    let from = -1;
    for (let h = 0; h < n; h++) {
      if (cnt[h] > 0) from = h;
      else if (from >= 0 && h - from < holdHours) out[h] = out[from];
    }
  }
  return out;
}

/** Median spacing of ascending timestamps in ms (HOUR_MS when fewer than two). */
export function medianStep(timestamps: ArrayLike<number>): number {
  const d: number[] = [];
  for (let i = 1; i < timestamps.length; i++) d.push(timestamps[i] - timestamps[i - 1]);
  if (d.length === 0) return HOUR_MS;
  d.sort((a, b) => a - b);
  return d[d.length >> 1];
}

/** What fillGaps did. */
export interface FillResult {
  values: Float64Array;
  /** 1 where the hour was missing and filled. */
  filled: Uint8Array;
  counts: { linear: number; seasonal: number; nearest: number };
}

const WEEK_HOURS = 168;

/** The fill rule in words, stored in processed meta. */
export function describeFill(maxInterpolateHours: number): string {
  return `gaps <= ${maxInterpolateHours} h: linear interpolation between the valid neighbours; longer gaps (or gaps at an edge): the same hour one week earlier (seasonal naive), else the nearest valid value; every filled hour is flagged in "gap"`;
}

/**
 * Fills NaN hours of an hourly column:
 * - a gap of at most `maxInterpolateHours` with valid values on both sides: linear interpolation;
 * - any other gap, hour by hour in time order: the value 168 h earlier (seasonal naive, which keeps the
 *   daily and weekly shape a straight line would erase), else the nearest valid original value.
 * Throws when the column has no valid value at all.
 */
export function fillGaps(column: ArrayLike<number>, maxInterpolateHours: number, what = 'column'): FillResult {
  const n = column.length;
  const values = Float64Array.from(column);
  const filled = new Uint8Array(n);
  const counts = { linear: 0, seasonal: 0, nearest: 0 };
  let nValid = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i])) nValid++;
  if (n > 0 && nValid === 0) {
    throw new DataError(`${what}: no valid value in ${n} hours, so there is nothing to fill gaps from; expected at least one data point. Check the raw data (re-run \`radarwatch fetch\`) or drop this column.`);
  }
  const orig = Float64Array.from(values);
  let i = 0;
  while (i < n) {
    if (Number.isFinite(orig[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !Number.isFinite(orig[j])) j++;
    // gap = [i, j)
    const left = i - 1;
    const right = j < n ? j : -1;
    const len = j - i;
    if (left >= 0 && right >= 0 && len <= maxInterpolateHours) {
      for (let h = i; h < j; h++) values[h] = orig[left] + ((orig[right] - orig[left]) * (h - left)) / (right - left);
      counts.linear += len;
    } else {
      for (let h = i; h < j; h++) {
        const wk = h - WEEK_HOURS;
        if (wk >= 0 && Number.isFinite(values[wk])) {
          values[h] = values[wk];
          counts.seasonal++;
        } else {
          const dl = left >= 0 ? h - left : Infinity;
          const dr = right >= 0 ? right - h : Infinity;
          values[h] = dl <= dr ? orig[left] : orig[right];
          counts.nearest++;
        }
      }
    }
    for (let h = i; h < j; h++) filled[h] = 1;
    i = j;
  }
  return { values, filled, counts };
}

