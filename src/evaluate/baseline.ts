/**
 * A detector that needs no training, after the way Cloudflare Radar and IODA detect drops: forecast each step
 * as the median of the same time of day on the most similar recent days, and flag deviations beyond a robust band.
 * Used to show what the autoencoder adds, so it has to be a fair reference: its scale estimate stays honest on
 * bursty and sparse signals, and attack volumes only count upward.
 */
import type { EvaluateConfig } from '../config/schema';
import { frameStep, type CountryFrame } from '../data/types';
import { DAY_MS, stepsIn } from '../base/time';
import { quantileSorted, sortedFinite } from '../util/stats';
import { similarDayForecast } from '../features/similar-days';
import { relativeLogOffset } from '../features/transform';

export { MIN_HISTORY_DAYS, similarDayForecast } from '../features/similar-days';

export interface BaselineResult {
  /** max over signals of the deviation from the forecast in robust sigmas, per step (NaN while the lookback is short). */
  score: Float64Array;
  flagged: Uint8Array;
  /** Per step, the signal with the largest deviation. */
  topSignal: string[];
}

/** Signals whose anomalies only go up (attack volumes): a quiet hour of attacks is not an incident. */
export const UPWARD_ONLY_SIGNALS: readonly string[] = Object.freeze(['l3', 'l7']);


/** Volume and count signals compare on a log scale with a relative offset (relativeLogOffset), shares on their own scale. */
export function baselineTransform(frame: CountryFrame, signal: string): Float64Array {
  const x = frame.signals[signal];
  if (frame.signalKinds[signal] === 'rate') return Float64Array.from(x);
  const eps = relativeLogOffset(x);
  return Float64Array.from(x, (v) => Math.log(Math.max(0, v) + eps));
}


/**
 * Robust sigma of residuals: the larger of 1.4826·MAD and q90(|r − median|)/1.645 (both consistent for Gaussian
 * noise; the second stays honest when most residuals are exactly 0, as on sparse or integer series, and on heavy
 * tails), with a floor that keeps near-constant signals from flagging rounding noise.
 */
export function robustSigma(past: ArrayLike<number>): number {
  const s = sortedFinite(past);
  if (s.length < 2) return NaN;
  const m = quantileSorted(s, 0.5);
  const dev = sortedFinite(Array.from(s, (v) => Math.abs(v - m)));
  return Math.max(1.4826 * quantileSorted(dev, 0.5), quantileSorted(dev, 0.9) / 1.645, 1e-3 * (Math.abs(m) + 1), 1e-6);
}

/**
 * Runs the baseline on every signal of `frame`. The robust sigma of each signal's residuals is re-estimated
 * once a day from the preceding `lookbackDays` days (causal), so no future step informs a flag.
 */
export function runBaseline(frame: CountryFrame, cfg: EvaluateConfig['baseline']): BaselineResult {
  const n = frame.timestamps.length;
  const P = stepsIn(DAY_MS, frameStep(frame));
  const score = new Float64Array(n).fill(NaN);
  const topSignal = new Array<string>(n).fill('');
  const window = P * cfg.lookbackDays;
  for (const s of frame.signalNames) {
    const upOnly = UPWARD_ONLY_SIGNALS.includes(s);
    const y = baselineTransform(frame, s);
    const f = similarDayForecast(y, cfg.lookbackDays, cfg.similarDays, P);
    const r = Float64Array.from(y, (v, i) => v - f[i]);
    let sigma = NaN;
    for (let t = 0; t < n; t++) {
      if (!Number.isFinite(r[t])) continue;
      if (t % P === 0 || !Number.isFinite(sigma)) {
        const past = r.subarray(Math.max(0, t - window), t);
        if (sortedFinite(past).length >= 2 * Math.min(P, 24)) sigma = robustSigma(past);
      }
      if (!Number.isFinite(sigma)) continue;
      const d = r[t];
      const z = (upOnly ? Math.max(0, d) : Math.abs(d)) / sigma;
      if (!(z <= score[t])) {
        score[t] = z;
        topSignal[t] = s;
      }
    }
  }
  const flagged = Uint8Array.from(score, (z) => (z > cfg.madK ? 1 : 0));
  return { score, flagged, topSignal };
}
