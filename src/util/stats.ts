/** Robust statistics: sorted finite copies, type-7 quantiles, median, MAD — on plain or typed arrays. */

/** Finite values of `x` (optionally only where `keep[i]` is 1), sorted ascending, as a new Float64Array. */
export function sortedFinite(x: ArrayLike<number>, keep?: ArrayLike<number>): Float64Array {
  const buf = new Float64Array(x.length);
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if ((keep === undefined || keep[i]) && Number.isFinite(v)) buf[n++] = v;
  }
  // Float64Array#sort is numeric and native, far faster than Array#sort with a comparator.
  return buf.subarray(0, n).sort();
}

/** Linear-interpolated quantile (type 7, numpy's default) of an ascending array; NaN when empty. */
export function quantileSorted(v: ArrayLike<number>, q: number): number {
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** Median of the finite values of `x` where `keep` is 1 (all when omitted); NaN when none. */
export function medianOf(x: ArrayLike<number>, keep?: ArrayLike<number>): number {
  return quantileSorted(sortedFinite(x, keep), 0.5);
}

/** Median of finite values; NaN for an empty input. Does not modify `xs`. */
export function median(xs: ArrayLike<number>): number {
  return medianOf(xs);
}

/** Linear-interpolated quantile (type 7, as numpy's default) of finite values, q in [0, 1]. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedFinite(xs), q);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(xs: ArrayLike<number>, center = median(xs)): number {
  const dev = Array.from(xs, (x) => Math.abs(x - center));
  return median(dev);
}

/** Mean of finite values; NaN when empty. */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(xs[i])) {
      s += xs[i];
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, error about 1e-8); −∞ at 0, +∞ at 1, NaN outside. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}
