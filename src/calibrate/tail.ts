/**
 * Empirical upper-tail sketches of held-out "normal" values: conformal tail probabilities inside the data and an
 * exponential tail beyond it, so one evidence scale (−log10 p) means the same for every stream and every series.
 */
import { DataError } from '../errors';
import { lowerBound } from '../features/rolling';

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
  if (x > max) return (tiedAtMax(s) * Math.exp(-(x - max) / s.beta)) / (n + 1);
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
  // i = the last quantile index below x (quantiles[0] < x here), by binary search
  let i = lowerBound(quantiles, 101, x) - 1;
  if (i > 99) i = 99;
  const a = quantiles[i];
  const b = quantiles[i + 1];
  const f = b > a ? (x - a) / (b - a) : 1;
  const cdf = (i + f) / 100;
  return Math.max((top.length + 1) / (n + 1), 1 - cdf);
}

/**
 * How many fitted values equal the maximum (1 when it is unique): a stream that sat at its maximum on many held-out
 * rows (a count that never moved, an attack stream at zero) has an atom there, and the exponential tail starts from
 * that atom's share rather than from 1 / (n + 1), so its first small move is not astronomically rare.
 */
function tiedAtMax(s: TailSketch): number {
  const { top, quantiles, n } = s;
  const max = top[0];
  if (top[top.length - 1] !== max) {
    let c = 1;
    while (top[c] === max) c++;
    return c;
  }
  // the whole top share is tied: the quantiles tell how far down the atom reaches
  const first = quantiles.indexOf(max);
  return Math.max(top.length, Math.round(((100 - first) / 100) * (n - 1)) + 1);
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

/** Fewest earlier values the drift check needs (below, the fitted sketch stands alone). */
export const MIN_ONLINE_VALUES = 50;

/** Tail share behind the drift check: how often recent rows pass the sketch's 99th percentile. */
export const DRIFT_Q = 0.01;

/**
 * A deeper tail share the drift check also watches (the sketch's 1-in-1000 value), and the rows of prior behind its
 * count: four weeks of hourly rows expect 0.67 such rows, so without a prior one earlier event of a few hours would
 * multiply the next one's probability; with it a series must pass that level again and again (a heavy tail the
 * held-out rows did not show) before its strongest rows are discounted.
 */
export const DEEP_DRIFT_Q = 0.001;
export const DEEP_DRIFT_PRIOR = 5;

/** The smallest value whose tail probability under `s` is at most `p` (bisection; tailProb is non-increasing). */
export function tailQuantile(s: TailSketch, p: number): number {
  let lo = s.quantiles[0];
  // an upper end whose tail probability is at most p (beyond the maximum it decays by e per beta)
  let reach = s.beta;
  while (tailProb(s, s.top[0] + reach) > p && reach < s.beta * 1e4) reach *= 2;
  let hi = s.top[0] + reach;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (tailProb(s, mid) <= p) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Tail probability of each value of `x` under the fitted sketch `s`, corrected for drift since it was fitted: when the
 * finite values of the previous `windowRows` rows pass the sketch's 99th percentile more often than 1 %, every
 * probability is scaled up by that excess, p = min(1, p_s · max(1, (k + 1) / (0.01·N + 1))) with k of those N rows
 * beyond it; a value beyond the sketch's 1-in-1000 level is scaled by the excess there too when that is larger,
 * (k' + 5) / (0.001·N + 5) (DEEP_DRIFT_PRIOR), so a tail heavier than the held-out rows showed is caught where false
 * alarms are decided. The factor never makes the calibration more liberal, and rows passing the same levels keep the
 * sketch's order (a strong anomaly stays stronger than a weak one). A series calibrated on a few hundred rows (NAB's
 * probation) whose later rows run hotter then raises no more alarms than its recent history supports. Rows before
 * `from` are NaN (history only); rows where `censored` is 1 are scored but never history.
 */
export function driftCorrectedTailProbs(s: TailSketch, x: ArrayLike<number>, windowRows: number, from = 0, censored?: Uint8Array): Float64Array {
  const n = x.length;
  const xq = s.quantiles[100 - Math.round(100 * DRIFT_Q)];
  // beyond the 99th percentile: tailProb there is at least the top share's 1 %
  const xDeep = tailQuantile(s, DEEP_DRIFT_Q);
  const out = new Float64Array(n).fill(NaN);
  const start = Math.max(0, from - windowRows);
  const inHistory = (i: number) => Number.isFinite(x[i]) && !censored?.[i];
  let N = 0;
  let k = 0;
  let kDeep = 0;
  for (let t = start; t < n; t++) {
    if (t >= from) {
      const ps = tailProb(s, x[t]);
      if (N < MIN_ONLINE_VALUES || Number.isNaN(ps)) out[t] = ps;
      else {
        let f = Math.max(1, (k + 1) / (N * DRIFT_Q + 1));
        if (x[t] >= xDeep) f = Math.max(f, (kDeep + DEEP_DRIFT_PRIOR) / (N * DEEP_DRIFT_Q + DEEP_DRIFT_PRIOR));
        out[t] = Math.min(1, ps * f);
      }
    }
    const old = t - windowRows;
    if (old >= start && inHistory(old)) {
      N--;
      if (x[old] >= xq) k--;
      if (x[old] >= xDeep) kDeep--;
    }
    if (inHistory(t)) {
      N++;
      if (x[t] >= xq) k++;
      if (x[t] >= xDeep) kDeep++;
    }
  }
  return out;
}
