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

/** ln Γ(x) for x > 0 (Lanczos, g = 7, nine coefficients; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * log10 of the regularised upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0 and x ≥ 0: the series for
 * P = 1 − Q below x = a + 1, Lentz's continued fraction above it, in logs, so a Q of 10^-300 and beyond is exact.
 */
export function log10GammaQ(a: number, x: number): number {
  if (!(x > 0)) return 0;
  const lead = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.log10(Math.max(0, 1 - Math.exp(lead) * sum));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return (lead + Math.log(h)) / Math.LN10;
}

/**
 * Two p-values given as evidence in decades (a = −log10 p₁, b = −log10 p₂) joined by Brown's method: Fisher's statistic
 * X = −2·ln(p₁·p₂) compared with a scaled χ² whose mean and variance match X's when −2·ln p₁ and −2·ln p₂ (each χ²₂)
 * correlate by `rho` ∈ [0, 1]: X / (1 + ρ) ~ χ² with 4 / (1 + ρ) degrees of freedom. ρ = 0 is Fisher's method
 * (e^−T·(1 + T), T = −ln p₁p₂), ρ = 1 the geometric mean √(p₁p₂). Returned as evidence again; NaN → NaN.
 */
export function brownEvidence(a: number, b: number, rho: number): number {
  const r = Math.min(1, Math.max(0, rho));
  const T = Math.LN10 * (Math.max(0, a) + Math.max(0, b));
  if (Number.isNaN(T) || Number.isNaN(r)) return NaN;
  if (T === Infinity) return Infinity;
  return -log10GammaQ(2 / (1 + r), T / (1 + r));
}
