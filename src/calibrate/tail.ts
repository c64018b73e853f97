/**
 * Empirical upper-tail sketches of held-out "normal" values: conformal tail probabilities inside the data and an
 * exponential tail beyond it, so one evidence scale (−log10 p) means the same for every stream and every series.
 */
import { DataError } from '../errors';

/** A fitted tail sketch (plain JSON). */
export interface TailSketch {
  /** Values it was fitted on. */
  n: number;
  /** Quantiles 0 %, 1 %, …, 100 % of the values, ascending, shape [101]. */
  quantiles: number[];
  /** The largest values, descending (the top 5 %, at least 20): exact ranks where false alarms are decided. */
  top: number[];
  /** Mean excess of `top` over its smallest entry: scale of the exponential tail beyond the maximum. */
  beta: number;
}

/** Share of values kept exactly in `top`, and the fewest kept. */
const TOP_SHARE = 0.05;
const MIN_TOP = 20;

/**
 * Fits a sketch on finite `values` (NaN ignored); throws DataError with fewer than 20 finite values. `minBeta` is the
 * smallest tail scale, in the values' units: a stream that was nearly constant on held-out rows (a count that never
 * moved) must not make the first small change beyond its maximum astronomically rare.
 */
export function fitTail(values: ArrayLike<number>, minBeta = 0): TailSketch {
  const v = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (n < MIN_TOP) throw new DataError(`Cannot fit a tail on ${n} values; expected at least ${MIN_TOP} normal held-out rows (is the validation part too short?).`);
  const quantiles = Array.from({ length: 101 }, (_, i) => v[Math.min(n - 1, Math.round((i / 100) * (n - 1)))]);
  const k = Math.min(n, Math.max(MIN_TOP, Math.ceil(TOP_SHARE * n)));
  const top = v.slice(n - k).reverse();
  const floor = top[top.length - 1];
  const spread = Math.max(1e-9, quantiles[75] - quantiles[25], Math.abs(quantiles[50]) * 1e-6);
  const excess = top.reduce((a, x) => a + (x - floor), 0) / Math.max(1, k - 1);
  // A tail with no spread (ties) would make every value above it infinitely rare; keep a tenth of the IQR at least.
  return { n, quantiles, top, beta: Math.max(excess, 0.1 * spread, minBeta) };
}

/**
 * P(normal value ≥ x) under the sketch, in (0, 1]: the conformal (count + 1) / (n + 1) inside the data, interpolated
 * between stored quantiles below the top, and an exponential tail with scale `beta` above the maximum. NaN → NaN.
 */
export function tailProb(s: TailSketch, x: number): number {
  if (Number.isNaN(x)) return NaN;
  const { n, top, quantiles } = s;
  const max = top[0];
  if (x > max) return Math.exp(-(x - max) / s.beta) / (n + 1);
  const low = top[top.length - 1];
  if (x >= low) {
    // count of top values ≥ x (top is descending)
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (top[mid] >= x) lo = mid + 1;
      else hi = mid;
    }
    return (lo + 1) / (n + 1);
  }
  if (x <= quantiles[0]) return 1;
  let i = 0;
  while (i < 100 && quantiles[i + 1] < x) i++;
  const a = quantiles[i];
  const b = quantiles[i + 1];
  const f = b > a ? (x - a) / (b - a) : 1;
  const cdf = (i + f) / 100;
  return Math.max((top.length + 1) / (n + 1), 1 - cdf);
}

/** Evidence of a value: −log10 of its tail probability (0 = typical, 3 = one normal row in a thousand is as extreme). */
export function tailEvidence(s: TailSketch, x: number): number {
  const p = tailProb(s, x);
  return Number.isNaN(p) ? NaN : -Math.log10(p);
}

/** Checks a parsed sketch (from calibration.json) for finite, ordered values; throws DataError naming `what`. */
export function checkTail(s: TailSketch, what: string): void {
  const ok =
    s &&
    Number.isInteger(s.n) &&
    s.n > 0 &&
    Array.isArray(s.quantiles) &&
    s.quantiles.length === 101 &&
    Array.isArray(s.top) &&
    s.top.length > 0 &&
    [...s.quantiles, ...s.top, s.beta].every(Number.isFinite) &&
    s.beta > 0;
  if (!ok) throw new DataError(`${what}: the tail sketch is damaged (expected n > 0, 101 finite quantiles, finite top values and beta > 0). Re-run radarwatch calibrate.`);
}
