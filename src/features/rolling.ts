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
  return rollingPrev(x, w, (win, k) => {
    if (k < minCount || k === 0) return NaN;
    const pos = q * (k - 1);
    const lo = Math.floor(pos);
    return lo + 1 < k ? win[lo] + (pos - lo) * (win[lo + 1] - win[lo]) : win[lo];
  });
}

/**
 * out[t] = visit(win, k, t), where win[0..k) holds the non-NaN values among the w rows strictly before t, ascending.
 * The sorted window behind every rolling order statistic here (binary search + copyWithin). Rows before `from` get
 * NaN without a visit, and the window starts filling only w rows before it, so a short range costs O(w) moves per row.
 */
export function rollingPrev(x: ArrayLike<number>, w: number, visit: (win: Float64Array, k: number, t: number) => number, from = 0): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  const win = new Float64Array(Math.max(1, w));
  let k = 0;
  if (from > 0) out.fill(NaN, 0, Math.min(n, from));
  const start = Math.max(0, from - w);
  for (let t = start; t < n; t++) {
    if (t >= from) out[t] = visit(win, k, t);
    // Slide: add x[t] (it becomes history for t+1), drop x[t−w] (only rows from `start` on were ever added).
    if (t - w >= start) {
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

/**
 * 1 on the rows a history should leave out: rows where `flag` is 1, at most `maxRun` in a row (a run longer than that
 * is a lasting shift, the new normal). Row t depends on the maxRun rows before it only.
 */
export function censoredRuns(flag: ArrayLike<number>, maxRun: number): Uint8Array {
  const out = new Uint8Array(flag.length);
  let run = 0;
  for (let t = 0; t < flag.length; t++) {
    run = flag[t] ? run + 1 : 0;
    out[t] = run > 0 && run <= maxRun ? 1 : 0;
  }
  return out;
}

/** First index in the sorted prefix a[0..k) whose value is ≥ v. */
export function lowerBound(a: ArrayLike<number>, k: number, v: number): number {
  let lo = 0;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in the sorted prefix a[0..k) whose value is > v. */
export function upperBound(a: ArrayLike<number>, k: number, v: number): number {
  let lo = 0;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
