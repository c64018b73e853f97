/**
 * A detector that needs no training, after the way Cloudflare Radar and IODA detect drops: forecast each hour
 * as the median of the same hour on the most similar recent days, and flag deviations beyond a robust MAD band.
 * Used to show what the autoencoder adds.
 */
import type { EvaluateConfig } from '../config/schema';
import type { CountryFrame } from '../data/types';
import { mad, median, quantile } from '../util/stats';

export interface BaselineResult {
  /** max over signals of |actual − forecast| / robust sigma, per hour (NaN while the lookback is not full). */
  score: Float64Array;
  flagged: Uint8Array;
  /** Per hour, the signal with the largest deviation. */
  topSignal: string[];
}

/** Volume and count signals compare on a log scale (relative change), shares on their own scale. */
function transform(frame: CountryFrame, signal: string): Float64Array {
  const x = frame.signals[signal];
  if (frame.signalKinds[signal] === 'rate') return Float64Array.from(x);
  const pos = Array.from(x).filter((v) => v > 0);
  const eps = pos.length ? Math.max(1e-9, quantile(pos, 0.05) * 0.1) : 1e-9;
  return Float64Array.from(x, (v) => Math.log(Math.max(0, v) + eps));
}

/**
 * Causal forecast per hour t: among the previous `lookbackDays` days, take the `similarDays` whose 24 hours
 * before the same time of day are closest (Euclidean) to the 24 hours before t, and use the median of their
 * values at t's time of day.
 */
export function similarDayForecast(y: Float64Array, lookbackDays: number, similarDays: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n).fill(NaN);
  const start = 24 * (lookbackDays + 1);
  const dist = new Float64Array(lookbackDays);
  const order = new Int32Array(lookbackDays);
  const vals: number[] = [];
  for (let t = start; t < n; t++) {
    for (let L = 1; L <= lookbackDays; L++) {
      let d = 0;
      const off = 24 * L;
      for (let j = t - 24; j < t; j++) {
        const diff = y[j] - y[j - off];
        d += diff * diff;
      }
      dist[L - 1] = d;
      order[L - 1] = L;
    }
    const ord = Array.from(order).sort((a, b) => dist[a - 1] - dist[b - 1]);
    vals.length = 0;
    for (let i = 0; i < Math.min(similarDays, ord.length); i++) vals.push(y[t - 24 * ord[i]]);
    out[t] = median(vals);
  }
  return out;
}

/**
 * Runs the baseline on every signal of `frame`. The robust sigma of each signal's residuals is re-estimated
 * once a day from the preceding `lookbackDays` days (causal), so no future hour informs a flag.
 */
export function runBaseline(frame: CountryFrame, cfg: EvaluateConfig['baseline']): BaselineResult {
  const n = frame.timestamps.length;
  const score = new Float64Array(n).fill(NaN);
  const topSignal = new Array<string>(n).fill('');
  const window = 24 * cfg.lookbackDays;
  for (const s of frame.signalNames) {
    const y = transform(frame, s);
    const f = similarDayForecast(y, cfg.lookbackDays, cfg.similarDays);
    const r = Float64Array.from(y, (v, i) => v - f[i]);
    let sigma = NaN;
    for (let t = 0; t < n; t++) {
      if (!Number.isFinite(r[t])) continue;
      if (t % 24 === 0 || !Number.isFinite(sigma)) {
        const past = Array.from(r.subarray(Math.max(0, t - window), t)).filter(Number.isFinite);
        // A floor keeps near-constant signals (e.g. announced address space) from flagging rounding noise.
        if (past.length >= 48) {
          const m = median(past);
          sigma = Math.max(1.4826 * mad(past, m), 1e-3 * (Math.abs(m) + 1), 1e-6);
        }
      }
      if (!Number.isFinite(sigma)) continue;
      const z = Math.abs(r[t]) / sigma;
      if (!(z <= score[t])) {
        score[t] = z;
        topSignal[t] = s;
      }
    }
  }
  const flagged = Uint8Array.from(score, (z) => (z > cfg.madK ? 1 : 0));
  return { score, flagged, topSignal };
}
