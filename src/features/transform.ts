/** Per-kind level transforms: map a raw signal onto a scale where multiplicative changes (volumes, counts) or share changes (rates) become additive. */
import { DataError } from '../errors';
import type { SignalKind } from '../data/types';
import { medianOf, sortedFinite, quantileSorted } from '../util/stats';

/** Transform names: `log` = ln(x + eps), `logit` = logit of a 0–100 share, `identity` = x unchanged. */
export const LEVEL_TRANSFORMS = ['log', 'logit', 'identity'] as const;
export type LevelTransformName = (typeof LEVEL_TRANSFORMS)[number];

/** A fitted level transform (plain JSON). */
export interface LevelTransform {
  name: LevelTransformName;
  /** Offset: for `log`, added before the log; for `logit`, the share (0–1) clamp margin. Unused by `identity`. */
  eps: number;
}

/** A log transform's eps as a share of the median positive training value (data/live.ts inverts it). */
export const LOG_EPS_SHARE = 0.05;

/**
 * Offset of a log scale on which relative changes count: a tenth of the 5th percentile of the positive values, plus
 * the share of zero (or missing) values × their median. A dense series is then compared almost purely in relative
 * terms, down to its quiet hours; a sparse count (most steps 0) on log(1 + v/typical), where 0 → 1 is no jump of many
 * orders of magnitude. Shared by the seasonal rule and the reference baseline.
 */
export function relativeLogOffset(values: ArrayLike<number>): number {
  const pos = sortedFinite(Array.from(values).filter((v) => v > 0));
  if (!pos.length) return 1e-9;
  const zeroShare = values.length ? 1 - pos.length / values.length : 0;
  return Math.max(1e-9, quantileSorted(pos, 0.05) * 0.1 + zeroShare * quantileSorted(pos, 0.5));
}

/**
 * Largest median of a "small count" (integer values only): at or below it, counting noise — about √m on a count of m,
 * Poisson-like — is at least 10 % of the typical value, and on a plain relative (log) scale the jitter of the quiet
 * steps (0, 1, 2 crashes an hour) looks as large as a forty-fold spike.
 */
export const SMALL_COUNT_MEDIAN = 100;
/** A small count's log offset, in medians: its levels compare as log(1 + v / (2·median)). */
export const SMALL_COUNT_OFFSET = 2;

/**
 * Log offset of a small count (SMALL_COUNT_MEDIAN): SMALL_COUNT_OFFSET × the median positive value, so a change
 * counts relative to the typical count rather than to the value before it; 0 for anything else (a value that is not
 * an integer, or a median above the limit — traffic volumes, announced address space — keeps its relative scale).
 * Measured with the seasonal rule alone on every benchmark data set (offset 0.5 / 1 / 2 / 3 / 4 medians): the generator
 * has no small counts and is unchanged; cloud-monitoring F1 0.374 → 0.418 / 0.460 / 0.487 / 0.525 / 0.537 and NAB
 * 53.5 → 54.8 / 56.1 / 56.2 / 54.5 / 53.5 (see README, "Quality benchmark").
 */
export function smallCountOffset(values: ArrayLike<number>): number {
  const pos: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return 0;
    if (v > 0) pos.push(v);
  }
  if (!pos.length) return 0;
  const med = medianOf(pos);
  return med <= SMALL_COUNT_MEDIAN ? SMALL_COUNT_OFFSET * med : 0;
}

/** Clamp margin for logit shares: 0.5 % keeps 0 % and 100 % finite (±5.3) without flattening 1 %-level changes. */
const LOGIT_EPS = 0.005;

/**
 * Fits a level transform from the training values of one signal.
 * - `volume` / `count` → `log`, eps = 5 % of the median positive value, so an outage to exactly 0 lands about
 *   3 log units below normal instead of at −∞, and the choice is invariant to the signal's units (Radar's MIN0_MAX
 *   0–1 scale, raw requests, announced prefixes alike).
 * - `rate` → `logit` of x/100 when every training value lies in 0–100 (a percent share, e.g. bot_share); an imported
 *   "rate" outside that range gets `identity` and relies on the robust scaler for its scale.
 * Throws DataError for a negative volume/count (a log transform would be undefined) or no finite values.
 */
export function fitLevelTransform(signal: string, kind: SignalKind, values: ArrayLike<number>): LevelTransform {
  const v = sortedFinite(values);
  if (v.length === 0) throw new DataError(`Signal "${signal}" has no finite training values; expected at least one to fit its level transform.`);
  if (kind === 'rate') {
    return v[0] >= 0 && v[v.length - 1] <= 100 ? { name: 'logit', eps: LOGIT_EPS } : { name: 'identity', eps: 0 };
  }
  if (v[0] < 0) {
    throw new DataError(`Signal "${signal}" is a ${kind} but has negative values (min ${v[0]}); expected values ≥ 0. Declare it as kind "rate" if it can be negative.`);
  }
  let firstPos = 0;
  while (firstPos < v.length && v[firstPos] <= 0) firstPos++;
  // An all-zero training signal (e.g. no attacks ever seen) still needs a scale: use 1 so later spikes are visible.
  const medPos = firstPos < v.length ? quantileSorted(v.subarray(firstPos), 0.5) : 1;
  return { name: 'log', eps: LOG_EPS_SHARE * medPos };
}

/** Applies a fitted level transform to raw values, returning a new column of the same length. */
export function applyLevelTransform(t: LevelTransform, x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  if (t.name === 'log') {
    // Negative inputs at inference (bad data) are clamped to 0 rather than producing NaN that would poison running sums.
    for (let i = 0; i < n; i++) out[i] = Math.log(Math.max(0, x[i]) + t.eps);
  } else if (t.name === 'logit') {
    const e = t.eps;
    for (let i = 0; i < n; i++) {
      const p = Math.min(1, Math.max(0, x[i] / 100));
      const q = (p + e) / (1 + 2 * e);
      out[i] = Math.log(q / (1 - q));
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = x[i];
  }
  return out;
}
