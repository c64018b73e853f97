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
