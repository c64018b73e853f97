/** Small robust statistics on plain number arrays: median, MAD, quantiles. */

/** Median of finite values; NaN for an empty input. Does not modify `xs`. */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (type 7, as numpy's default) of finite values, q in [0, 1]. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const v = Array.from(xs).filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
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
