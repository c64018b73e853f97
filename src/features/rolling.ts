/** Causal rolling statistics in O(n) (running sums) or O(n·w) memmove (running median): row t only ever sees rows ≤ t. */

/** Rolling mean and population standard deviation, each of shape [n]. */
export interface RollingMeanStd {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Trailing mean and population std (ddof 0) over rows max(0, t−w+1)..t; the first w−1 rows use the partial window
 * (they are flagged as warmup downstream). O(n) running sums, centred on x[0] so the sum of squares does not lose
 * precision on levels far from zero.
 */
export function rollingMeanStd(x: ArrayLike<number>, w: number): RollingMeanStd {
  const n = x.length;
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  if (n === 0) return { mean, std };
  const ref = x[0];
  let s1 = 0;
  let s2 = 0;
  for (let t = 0; t < n; t++) {
    const d = x[t] - ref;
    s1 += d;
    s2 += d * d;
    if (t >= w) {
      const o = x[t - w] - ref;
      s1 -= o;
      s2 -= o * o;
    }
    const k = t + 1 < w ? t + 1 : w;
    const m = s1 / k;
    mean[t] = m + ref;
    // Rounding can leave a tiny negative variance for constant windows.
    const v = s2 / k - m * m;
    std[t] = v > 0 ? Math.sqrt(v) : 0;
  }
  return { mean, std };
}

/**
 * z-score of x[t] against the window that ENDS AT t−1 (the w hours before t): (x[t] − mean[t−1]) / max(std[t−1], floor).
 * Excluding x[t] keeps a sudden jump from diluting its own reference; row 0 has no history and gets 0.
 */
export function rollingZ(x: ArrayLike<number>, r: RollingMeanStd, floor: number): Float64Array {
  const n = x.length;
  const z = new Float64Array(n);
  for (let t = 1; t < n; t++) {
    const s = r.std[t - 1];
    z[t] = (x[t] - r.mean[t - 1]) / (s > floor ? s : floor);
  }
  return z;
}

/**
 * Median of the non-NaN values among x[t−w..t−1] (the w rows strictly before t); NaN where fewer than `minCount`
 * values are present. Keeps a sorted window (binary search + copyWithin), which is O(n·w) element moves but native
 * memmove, so a 4-week window over 3 years of hours takes milliseconds. NaN inputs mark rows to ignore (e.g. excluded).
 */
export function rollingMedianPrev(x: ArrayLike<number>, w: number, minCount = 1): Float64Array {
  return rollingQuantilePrev(x, w, 0.5, minCount);
}

/**
 * Quantile `q` (linear interpolation between order statistics) of the non-NaN values among the w rows strictly
 * before t; NaN where fewer than `minCount` values are present. Same sorted window as rollingMedianPrev.
 */
export function rollingQuantilePrev(x: ArrayLike<number>, w: number, q: number, minCount = 1): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const win = new Float64Array(w);
  let k = 0;
  for (let t = 0; t < n; t++) {
    if (k >= minCount && k > 0) {
      const pos = q * (k - 1);
      const lo = Math.floor(pos);
      out[t] = lo + 1 < k ? win[lo] + (pos - lo) * (win[lo + 1] - win[lo]) : win[lo];
    } else out[t] = NaN;
    // Slide: add x[t] (it becomes history for t+1), drop x[t−w].
    if (t - w >= 0) {
      const old = x[t - w];
      if (!Number.isNaN(old)) {
        const i = lowerBound(win, k, old);
        win.copyWithin(i, i + 1, k);
        k--;
      }
    }
    const v = x[t];
    if (!Number.isNaN(v)) {
      const i = lowerBound(win, k, v);
      win.copyWithin(i + 1, i, k);
      win[i] = v;
      k++;
    }
  }
  return out;
}

/** First index in the sorted prefix a[0..k) whose value is ≥ v. */
function lowerBound(a: Float64Array, k: number, v: number): number {
  let lo = 0;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
