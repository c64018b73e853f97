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
  /** Scale the MAD rule works on (only for `mad`): `log` = on ln(score), then mapped back. */
  scale?: MadScale;
  /** Timestamp range (epoch ms) of the rows it was fitted on, to prove it never saw test rows. */
  fittedOn?: { from: number; to: number };
}

/**
 * Scale of the MAD rule. Reconstruction scores are means of squared errors: skewed, heavy right tail, so a MAD band on
 * the raw scores sits far inside the tail (k sigmas of a normal law are not k sigmas here). On ln(score) the
 * distribution is close to symmetric, and median + k·1.4826·MAD there means what it says.
 */
export const MAD_SCALES = ['log', 'linear'] as const;
export type MadScale = (typeof MAD_SCALES)[number];

/** Smallest score the log scale takes (scores are ≥ 0; an exact 0 must not become −∞). */
const LOG_FLOOR = 1e-12;

type Rule = (scores: number[], opts: { k: number; scale: MadScale }) => number;

/** median + k·1.4826·MAD of `s`, on the raw scores or on ln(score) mapped back with exp. */
function madRule(s: number[], { k, scale }: { k: number; scale: MadScale }): number {
  if (scale === 'linear') return median(s) + k * 1.4826 * mad(s);
  const l = s.map((v) => Math.log(Math.max(v, LOG_FLOOR)));
  return Math.exp(median(l) + k * 1.4826 * mad(l));
}

/** Threshold rules keyed by the name used in models.yml (`calibrate.method`) and `--method`. */
export const THRESHOLD_METHODS: Readonly<Record<string, Rule>> = Object.freeze({
  // 1.4826·MAD estimates the standard deviation of normal data robustly, so k reads as "k sigmas".
  mad: madRule,
  p99: (s: number[]) => quantile(s, 0.99),
  'p99.5': (s: number[]) => quantile(s, 0.995),
});
export type ThresholdMethod = 'mad' | 'p99' | 'p99.5';

/** Fits a threshold on validation scores of normal hours. `scores` must not include test rows. */
export function fitThreshold(scores: ArrayLike<number>, method: string, opts: { k?: number; scale?: MadScale; fittedOn?: { from: number; to: number } } = {}): Threshold {
  const rule = THRESHOLD_METHODS[method];
  if (!rule) throw new ConfigError(`Unknown threshold method "${method}". Valid: ${Object.keys(THRESHOLD_METHODS).join(', ')}`);
  const s = Array.from(scores).filter(Number.isFinite);
  if (s.length < 10) throw new DataError(`Cannot fit a ${method} threshold on ${s.length} scores; expected at least 10 normal validation hours (is the validation split too short?)`);
  const k = opts.k ?? 6;
  const scale = opts.scale ?? 'linear';
  const value = rule(s, { k, scale });
  return {
    method: method as ThresholdMethod,
    value,
    n: s.length,
    median: median(s),
    mad: mad(s),
    ...(method === 'mad' ? { k, scale } : {}),
    ...(opts.fittedOn ? { fittedOn: opts.fittedOn } : {}),
  };
}

/** Flags scores above the fitted threshold: 1 anomalous, 0 normal. */
export function applyThreshold(threshold: Threshold | undefined, scores: ArrayLike<number>): Uint8Array {
  if (!threshold) throw new NotFittedError('No threshold fitted for this model; run `radarwatch calibrate <CC>` first');
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold.value ? 1 : 0;
  return out;
}
