/** The regular UTC time grid at any step (1 min … 1 day): its step, building it, resampling points onto it and filling its gaps by explicit, flagged rules. */
import { DAY_MS, describeStep, gridStep, HOUR_MS, MINUTE_MS, WEEK_MS } from '../base/time';
import { DataError, InputError } from '../errors';
import type { SignalKind } from './types';

/** Finest and coarsest grid step a series may have. */
export const MIN_STEP_MS = MINUTE_MS;
export const MAX_STEP_MS = DAY_MS;

/**
 * The shortest series any stage accepts, checked at import: four days and 200 rows. Why: the features need up to a day
 * of history before a row can be scored (warm-up), and the chronological split (60/20/20 by default) needs a training
 * part that still spans at least one full daily cycle after the warm-up, plus validation rows to calibrate on and test
 * rows to evaluate; 200 rows keep the network's validation loss and the calibration quantiles meaningful at any step.
 */
export const MIN_SERIES = Object.freeze({ ms: 4 * DAY_MS, rows: 200, why: 'the features need up to one day of history (warm-up) and the train | validation | test split needs a full daily cycle of training rows after it' });

/** Steps a detected median spacing snaps to (each divides a day, so daily and weekly bins line up). */
export const COMMON_STEPS_MS: readonly number[] = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440].map((m) => m * MINUTE_MS);

/** Throws InputError unless `stepMs` is a whole number of seconds in [1 min, 1 day] that divides a day. */
export function checkStep(stepMs: number, what = '--step'): number {
  const allowed = `a step from 1m to 1d that divides a day evenly, e.g. ${COMMON_STEPS_MS.filter((_, i) => i % 3 === 0).map(describeStep).join(', ')}`;
  if (!Number.isFinite(stepMs) || stepMs % 1000 !== 0 || stepMs < MIN_STEP_MS || stepMs > MAX_STEP_MS) {
    throw new InputError(`${what}: ${Number.isFinite(stepMs) ? describeStep(stepMs) : String(stepMs)} is out of range; expected ${allowed}.`);
  }
  if (DAY_MS % stepMs !== 0) throw new InputError(`${what}: ${describeStep(stepMs)} does not divide a day, so daily and weekly profiles cannot line up; expected ${allowed}.`);
  return stepMs;
}

/** Parses `5m`, `15min`, `1h`, `1d`, `30s` (a number and a unit s/m/min/h/d) into ms, checked by checkStep. */
export function parseStep(text: string, what = '--step'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|second|m|min|minute|h|hr|hour|d|day)s?\s*$/i.exec(text);
  if (!m) throw new InputError(`${what}: "${text}" is not a step; expected a number and a unit (s, m, h, d) such as 5m, 15m, 1h or 1d.`);
  const unit = m[2].toLowerCase();
  const ms = Number(m[1]) * (unit.startsWith('s') ? 1000 : unit.startsWith('m') ? MINUTE_MS : unit.startsWith('h') ? HOUR_MS : DAY_MS);
  return checkStep(Math.round(ms), what);
}

/**
 * The grid step of irregular or regular timestamps: their median spacing (duplicates ignored), snapped to the nearest
 * common step (COMMON_STEPS_MS) within 20 %, else rounded to a whole minute. `median` is the raw median in ms.
 */
export function detectStep(timestamps: ArrayLike<number>): { stepMs: number; median: number } {
  const d: number[] = [];
  for (let i = 1; i < timestamps.length; i++) if (timestamps[i] > timestamps[i - 1]) d.push(timestamps[i] - timestamps[i - 1]);
  if (d.length === 0) return { stepMs: HOUR_MS, median: NaN };
  d.sort((a, b) => a - b);
  const median = d[d.length >> 1];
  let best = COMMON_STEPS_MS[0];
  for (const s of COMMON_STEPS_MS) if (Math.abs(Math.log(s / median)) < Math.abs(Math.log(best / median))) best = s;
  const stepMs = Math.abs(best - median) <= 0.2 * best ? best : Math.max(MINUTE_MS, Math.round(median / MINUTE_MS) * MINUTE_MS);
  return { stepMs, median };
}

/**
 * The offset of the grid within its step (ms after a multiple of `stepMs` since the epoch): the most common offset of
 * the timestamps, so a 5-minute series sampled at :04, :09, … keeps its own times instead of moving to :00, :05, ….
 */
export function gridPhase(timestamps: ArrayLike<number>, stepMs: number): number {
  const count = new Map<number, number>();
  let best = 0;
  let bestN = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const ph = ((timestamps[i] % stepMs) + stepMs) % stepMs;
    const n = (count.get(ph) ?? 0) + 1;
    count.set(ph, n);
    if (n > bestN) [best, bestN] = [ph, n];
  }
  return best;
}

/** Grid points `phase + k·stepMs` from the one containing `startMs` to the one containing `endMs`. */
export function stepRange(startMs: number, endMs: number, stepMs: number, phase = 0): number[] {
  const a = Math.floor((startMs - phase) / stepMs) * stepMs + phase;
  const b = Math.floor((endMs - phase) / stepMs) * stepMs + phase;
  return Array.from({ length: Math.max(0, (b - a) / stepMs + 1) }, (_, i) => a + i * stepMs);
}

/** How several points inside one step become the step's value. */
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

/** Step starts (epoch ms) from `from` 00:00 to the last step of `to` (23:00 at 1 h, 23:45 at 15 min) UTC, both dates inclusive; `stepMs` divides a day. */
export function daysGrid(from: string, to: string, stepMs = HOUR_MS): number[] {
  const a = parseDay(from, 'from');
  const b = parseDay(to, 'to');
  if (b < a) throw new DataError(`Date range ${from}..${to} is reversed; expected from <= to.`);
  const n = (b - a + DAY_MS) / checkStep(stepMs, 'grid step');
  return Array.from({ length: n }, (_, i) => a + i * stepMs);
}

/** Hour starts from the hour containing `startMs` to the hour containing `endMs`. */
export function hourRange(startMs: number, endMs: number): number[] {
  return stepRange(startMs, endMs, HOUR_MS);
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
 * Puts points on a regular grid (step `stepMs`, by default the grid's own spacing): each point falls into the step
 * containing it, and points of one step — several readings, or repeated timestamps — combine by `rule`. Steps without
 * points are NaN (gaps). With rule `last`, a point sampled coarser than the grid (`holdMs` > step, e.g. a BGP count
 * every 8 h on an hourly grid) also holds for the steps it covers, since a count is a state, not a flow. Points outside
 * the grid are ignored.
 * @returns one value per grid point.
 */
export function resampleToGrid(timestamps: ArrayLike<number>, values: ArrayLike<number>, grid: number[], rule: ResampleRule, holdMs?: number, stepMs = gridStep(grid)): Float64Array {
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
    const h = Math.floor((timestamps[i] - t0) / stepMs);
    if (h < 0 || h >= n) continue;
    sum[h] += v;
    cnt[h]++;
    if (timestamps[i] >= lastT[h]) {
      lastT[h] = timestamps[i];
      if (rule === 'last') out[h] = v;
    }
  }
  if (rule !== 'last') for (let h = 0; h < n; h++) if (cnt[h] > 0) out[h] = rule === 'sum' ? sum[h] : sum[h] / cnt[h];
  if (rule === 'last' && holdMs !== undefined && holdMs > stepMs) {
    const holdSteps = Math.round(holdMs / stepMs);
    let from = -1;
    for (let h = 0; h < n; h++) {
      if (cnt[h] > 0) from = h;
      else if (from >= 0 && h - from < holdSteps) out[h] = out[from];
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
  /** 1 where the step was missing and filled. */
  filled: Uint8Array;
  counts: { linear: number; seasonal: number; nearest: number };
}

/** Options of fillGaps. */
export interface FillOptions {
  /** Grid step of the column (default hourly); gap limits and the seasonal lag are defined in time and converted to steps. */
  stepMs?: number;
  /** The command that rebuilds the data, named when a column has nothing to fill from (default: re-run `radarwatch fetch`). */
  fix?: string;
}

/** Steps of linear interpolation allowed for `maxInterpolateHours` at `stepMs`: at least one when interpolation is on at all. */
export function interpolateSteps(maxInterpolateHours: number, stepMs = HOUR_MS): number {
  if (maxInterpolateHours <= 0) return 0;
  return Math.max(1, Math.floor((maxInterpolateHours * HOUR_MS) / stepMs));
}

/** The fill rule in words, stored in processed meta. */
export function describeFill(maxInterpolateHours: number, stepMs = HOUR_MS): string {
  const steps = stepMs === HOUR_MS ? '' : ` (${interpolateSteps(maxInterpolateHours, stepMs)} steps of ${describeStep(stepMs)})`;
  return `gaps <= ${maxInterpolateHours} h${steps}: linear interpolation between the valid neighbours; longer gaps (or gaps at an edge): the same time one week earlier (seasonal naive), else the nearest valid value; every filled step is flagged in "gap"`;
}

/**
 * Fills NaN steps of a column on a regular grid (step `opts.stepMs`, default hourly):
 * - a gap of at most `maxInterpolateHours` (in time; at least one step) with valid values on both sides: linear interpolation;
 * - any other gap, step by step in time order: the value one week earlier (seasonal naive, which keeps the daily and
 *   weekly shape a straight line would erase), else the nearest valid original value.
 * Throws when the column has no valid value at all.
 */
export function fillGaps(column: ArrayLike<number>, maxInterpolateHours: number, what = 'column', opts: FillOptions = {}): FillResult {
  const stepMs = opts.stepMs ?? HOUR_MS;
  const maxSteps = interpolateSteps(maxInterpolateHours, stepMs);
  const weekSteps = Math.round(WEEK_MS / stepMs);
  const unit = stepMs === HOUR_MS ? 'hours' : `steps of ${describeStep(stepMs)}`;
  const n = column.length;
  const values = Float64Array.from(column);
  const filled = new Uint8Array(n);
  const counts = { linear: 0, seasonal: 0, nearest: 0 };
  let nValid = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i])) nValid++;
  if (n > 0 && nValid === 0) {
    throw new DataError(`${what}: no valid value in ${n} ${unit}, so there is nothing to fill gaps from; expected at least one data point. Check the data (${opts.fix ?? 're-run `radarwatch fetch`'}) or drop this column.`);
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
    if (left >= 0 && right >= 0 && len <= maxSteps) {
      for (let h = i; h < j; h++) values[h] = orig[left] + ((orig[right] - orig[left]) * (h - left)) / (right - left);
      counts.linear += len;
    } else {
      for (let h = i; h < j; h++) {
        const wk = h - weekSteps;
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
