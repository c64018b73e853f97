/** Score thresholds fitted on held-out (validation) scores of normal hours: MAD, p99 and p99.5, in one frozen registry. */
import { ConfigError, DataError, NotFittedError } from '../errors';
import { mad, median, quantile } from '../util/stats';

/** A fitted threshold: plain JSON, saved with the model. */
export interface Threshold {
  method: ThresholdMethod;
  /** Hours with score > value are anomalous. */
  value: number;
  /** Number of scores it was fitted on. */
  n: number;
  median: number;
  /** Unscaled median absolute deviation of the fitted scores. */
  mad: number;
  /** k of the MAD rule (only for `mad`). */
  k?: number;
  /** Timestamp range (epoch ms) of the rows it was fitted on, to prove it never saw test rows. */
  fittedOn?: { from: number; to: number };
}

type Rule = (scores: number[], opts: { k: number }) => number;

/** Threshold rules keyed by the name used in models.yml (`calibrate.method`) and `--method`. */
export const THRESHOLD_METHODS: Readonly<Record<string, Rule>> = Object.freeze({
  // 1.4826·MAD estimates the standard deviation of normal data robustly, so k reads as "k sigmas".
  mad: (s: number[], { k }: { k: number }) => median(s) + k * 1.4826 * mad(s),
  p99: (s: number[]) => quantile(s, 0.99),
  'p99.5': (s: number[]) => quantile(s, 0.995),
});
export type ThresholdMethod = 'mad' | 'p99' | 'p99.5';

/** Fits a threshold on validation scores of normal hours. `scores` must not include test rows. */
export function fitThreshold(scores: ArrayLike<number>, method: string, opts: { k?: number; fittedOn?: { from: number; to: number } } = {}): Threshold {
  const rule = THRESHOLD_METHODS[method];
  if (!rule) throw new ConfigError(`Unknown threshold method "${method}". Valid: ${Object.keys(THRESHOLD_METHODS).join(', ')}`);
  const s = Array.from(scores).filter(Number.isFinite);
  if (s.length < 10) throw new DataError(`Cannot fit a ${method} threshold on ${s.length} scores; expected at least 10 normal validation hours (is the validation split too short?)`);
  const k = opts.k ?? 6;
  const value = rule(s, { k });
  return { method: method as ThresholdMethod, value, n: s.length, median: median(s), mad: mad(s), ...(method === 'mad' ? { k } : {}), ...(opts.fittedOn ? { fittedOn: opts.fittedOn } : {}) };
}

/** Flags scores above the fitted threshold: 1 anomalous, 0 normal. */
export function applyThreshold(threshold: Threshold | undefined, scores: ArrayLike<number>): Uint8Array {
  if (!threshold) throw new NotFittedError('No threshold fitted for this model; run `radarwatch calibrate <CC>` first');
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold.value ? 1 : 0;
  return out;
}
