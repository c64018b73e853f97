/** Similar-days forecast: the median of the most similar recent days at the same time of day (the way Cloudflare Radar and IODA forecast traffic). */

/** Fewest previous days a similar-days forecast needs. */
export const MIN_HISTORY_DAYS = 3;

/**
 * Causal forecast per step t (a day has `period` steps): among the previous `lookbackDays` days (at least
 * MIN_HISTORY_DAYS must exist), take the `similarDays` whose `period` steps before the same time of day are closest
 * (Euclidean) to the `period` steps before t, and use the median of their values at t's time of day.
 * Distances are kept as running sums, so a step costs O(lookbackDays), whatever the step. NaN steps (missing or
 * excluded) add no distance and are never a forecast value.
 */
export function similarDayForecast(y: Float64Array, lookbackDays: number, similarDays: number, period = 24): Float64Array {
  const n = y.length;
  const P = period;
  const out = new Float64Array(n).fill(NaN);
  const start = P * (Math.min(MIN_HISTORY_DAYS, lookbackDays) + 1);
  const dist = new Float64Array(lookbackDays + 1);
  const sq = (j: number, L: number) => {
    // A missing step (NaN) adds no distance, so running sums stay finite.
    const d = y[j] - y[j - L * P];
    return d === d ? d * d : 0;
  };
  // The `similarDays` closest candidate days with a value at t, by (distance, lag): an insertion into a short sorted
  // list instead of sorting every candidate (a third of the time of scoring a table went to that sort).
  const k = Math.max(1, similarDays);
  const bestL = new Int32Array(k);
  const bestD = new Float64Array(k);
  const vals: number[] = [];
  for (let t = start; t < n; t++) {
    const avail = Math.min(lookbackDays, Math.floor(t / P) - 1);
    for (let L = 1; L <= avail; L++) {
      // Exact sums once a day (and when a candidate day first becomes available), running sums in between.
      if ((t - start) % P === 0 || t === P * (L + 1)) {
        let d = 0;
        for (let j = t - P; j < t; j++) d += sq(j, L);
        dist[L] = d;
      } else {
        dist[L] += sq(t - 1, L) - sq(t - 1 - P, L);
      }
    }
    let m = 0;
    for (let L = 1; L <= avail; L++) {
      const v = y[t - P * L];
      if (v !== v) continue;
      const d = dist[L];
      // lags arrive in increasing order, so among equal distances the earlier (smaller) lag stays ahead
      if (m === k && !(d < bestD[k - 1])) continue;
      let i = m < k ? m++ : k - 1;
      while (i > 0 && d < bestD[i - 1]) {
        bestD[i] = bestD[i - 1];
        bestL[i] = bestL[i - 1];
        i--;
      }
      bestD[i] = d;
      bestL[i] = L;
    }
    vals.length = 0;
    for (let i = 0; i < m; i++) vals.push(y[t - P * bestL[i]]);
    if (vals.length === 0) continue;
    vals.sort((a, b) => a - b);
    out[t] = m % 2 ? vals[(m - 1) / 2] : (vals[m / 2 - 1] + vals[m / 2]) / 2;
  }
  return out;
}
