/**
 * The robust seasonal residual rule: each signal's level against the median of the same local time on previous weeks
 * (or days, or the last few steps when the series has no cycle or too little history), as a robust z-score against a
 * rolling upper quantile of absolute residuals. Non-learned, works at any step; used alone as a reference detector and as the
 * second source of evidence of the hybrid detector.
 */
import { DataError } from '../errors';
import { DAY_MS, frameStep, HOUR_MS, stepsIn, type CountryFrame, type SignalKind } from '../data/types';
import { featureLocalTime, resolveFeatureCalendar, type FeatureCalendar } from '../features/categorical';
import { applyLevelTransform, fitLevelTransform, type LevelTransform } from '../features/transform';
import { rollingMedianPrev, rollingQuantilePrev } from '../features/rolling';
import { medianOf, quantile } from '../util/stats';
import { similarDayForecast } from '../features/similar-days';

/** How the expected level of a row is formed. */
export const REFERENCES = ['similar', 'week', 'day', 'local'] as const;
export type Reference = (typeof REFERENCES)[number];

/** Lags (in periods) a seasonal reference takes the median of, and the fewest that must be present. */
const LAGS: Record<'week' | 'day', { periodMs: number; lags: number; minLags: number }> = {
  week: { periodMs: 7 * DAY_MS, lags: 4, minLags: 2 },
  day: { periodMs: DAY_MS, lags: 7, minLags: 3 },
};
/** The `similar` reference: the median of the 6 days among the last 28 whose previous day was most like today's. */
const SIMILAR = { lookbackDays: 28, similarDays: 6 };
/** The `local` reference: median of the steps in the previous two hours (at least 3 steps). */
const LOCAL_MS = 2 * HOUR_MS;
/** Window of the rolling robust scale: four weeks, capped at the fitting rows. */
const SCALE_MS = 28 * DAY_MS;
/** A cycle-free `local` reference is chosen only when it beats the best seasonal one clearly (it absorbs lasting shifts). */
const LOCAL_PREFERENCE = 0.8;
/** Fewest fitting rows a reference must be evaluated on to be a candidate. */
const MIN_CANDIDATE_ROWS = 48;

/** One reference of a signal and its fitted scale (plain JSON). */
export interface SeasonalComponent {
  reference: Reference;
  /** Multiplier of the scale per local hour of day (residuals are noisier at night), shape [24]. */
  hourScale: number[];
  /** Smallest scale a z divides by (transformed units). */
  scaleFloor: number;
}

/** The fitted rule of one signal (plain JSON). */
export interface SeasonalSignalRule {
  name: string;
  kind: SignalKind;
  transform: LevelTransform;
  /** The references of the signal and their scales: today one, the cyclic reference with the smallest residual spread (or `local` when the series has no usable cycle). */
  components: SeasonalComponent[];
  /** Robust residual spread per reference on the fitting rows (why the references were chosen; NaN = not available). */
  spread: Record<Reference, number>;
}

/** A fitted seasonal rule for one series (plain JSON). */
export interface SeasonalRule {
  version: 1;
  id: string;
  stepMs: number;
  calendar: FeatureCalendar;
  /** Rolling scale window in rows. */
  scaleRows: number;
  signals: SeasonalSignalRule[];
  fit: { from: string; to: string; rows: number };
}

/** Robust z-scores of a frame per signal and reference, NaN where the reference or the scale has no history yet. */
export interface SeasonalZ {
  /** Signal of each column (a signal appears once per reference, its main reference first). */
  signals: string[];
  /** Reference of each column. */
  references: Reference[];
  /** z per column, each [rows]. */
  z: Float64Array[];
}

/** Row offsets (≥ 1) of lag k periods before each row, corrected for daylight-saving changes of the local clock. */
function lagRow(t: number, k: number, periodRows: number, offsetMin: Int16Array, stepMs: number): number {
  const raw = t - k * periodRows;
  if (raw < 0) return -1;
  const shift = Math.round(((offsetMin[t] - offsetMin[raw]) * 60_000) / stepMs);
  const r = raw + shift;
  return r >= 0 && r < t ? r : -1;
}

/** Expected level per row under `ref` (NaN where history is missing); `valid` rows 0 are never used as references. */
function expectedLevel(level: Float64Array, valid: Uint8Array, ref: Reference, stepMs: number, offsetMin: Int16Array): Float64Array {
  const n = level.length;
  if (ref === 'similar') {
    const periodRows = Math.round(DAY_MS / stepMs);
    if (periodRows < 2) return new Float64Array(n).fill(NaN);
    return similarDayForecast(level.map((v, i) => (valid[i] ? v : NaN)), SIMILAR.lookbackDays, SIMILAR.similarDays, periodRows);
  }
  if (ref === 'local') {
    const masked = level.map((v, i) => (valid[i] ? v : NaN));
    return rollingMedianPrev(masked, stepsIn(LOCAL_MS, stepMs, 3), 1);
  }
  const { periodMs, lags, minLags } = LAGS[ref];
  const out = new Float64Array(n).fill(NaN);
  const periodRows = Math.round(periodMs / stepMs);
  if (periodRows < 2) return out;
  const buf: number[] = [];
  for (let t = 0; t < n; t++) {
    buf.length = 0;
    for (let k = 1; k <= lags; k++) {
      const r = lagRow(t, k, periodRows, offsetMin, stepMs);
      if (r >= 0 && valid[r]) buf.push(level[r]);
    }
    if (buf.length >= minLags) {
      buf.sort((a, b) => a - b);
      const m = buf.length;
      out[t] = m % 2 ? buf[(m - 1) >> 1] : 0.5 * (buf[m / 2 - 1] + buf[m / 2]);
    }
  }
  return out;
}

/**
 * Quantile of |x| behind the scale, and its value for a standard normal: the 90th percentile of absolute residuals is
 * σ·1.645 for Gaussian noise but far larger for bursty signals (attack backgrounds), so routine bursts do not look
 * like anomalies, while up to 10 % of the window may be anomalous without moving it.
 */
const SCALE_Q = 0.9;
const SCALE_Q_NORMAL = 1.645;

/** Robust spread (90th percentile of |x| / 1.645) of the finite entries of `x` where `keep` is 1. */
function robustSpread(x: Float64Array, keep: Uint8Array): number {
  const a: number[] = [];
  for (let i = 0; i < x.length; i++) if (keep[i] && Number.isFinite(x[i])) a.push(Math.abs(x[i]));
  return a.length ? quantile(a, SCALE_Q) / SCALE_Q_NORMAL : NaN;
}

/** Rows usable as history and fitting evidence: not gap-filled, not unreliable, not labelled. */
function cleanRows(frame: CountryFrame): Uint8Array {
  const n = frame.timestamps.length;
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) ok[i] = frame.gap[i] || frame.unreliable[i] || frame.labelKind[i] ? 0 : 1;
  return ok;
}

/**
 * Fits the rule on rows [0, fitEnd) of `frame`: per signal the level transform, the reference with the smallest robust
 * residual spread (see LOCAL_PREFERENCE), the hour-of-day scale profile and a scale floor. Labelled, gap-filled and
 * unreliable rows are ignored. Throws DataError when fewer than MIN_CANDIDATE_ROWS rows can be fitted.
 */
export function fitSeasonalRule(frame: CountryFrame, fitEnd: number, calendar?: FeatureCalendar): SeasonalRule {
  const n = frame.timestamps.length;
  if (!(fitEnd > 0 && fitEnd <= n)) throw new DataError(`Seasonal rule: fitting rows [0, ${fitEnd}) are not inside the ${n} rows of "${frame.id}".`);
  const stepMs = frameStep(frame);
  const cal = calendar ?? resolveFeatureCalendar(frame.id);
  const local = featureLocalTime(cal, frame.timestamps.slice(0, fitEnd));
  const clean = cleanRows(frame).subarray(0, fitEnd);
  const scaleRows = Math.max(8, Math.min(stepsIn(SCALE_MS, stepMs, 8), fitEnd));
  const signals = frame.signalNames.map((name): SeasonalSignalRule => {
    const kind = frame.signalKinds[name];
    const raw = frame.signals[name].subarray(0, fitEnd);
    const transform = fitLevelTransform(name, kind, raw.filter((_, i) => clean[i]));
    const level = applyLevelTransform(transform, raw);
    const resid = {} as Record<Reference, Float64Array>;
    for (const ref of REFERENCES) {
      const e = expectedLevel(level, clean, ref, stepMs, local.offsetMinutes);
      resid[ref] = level.map((v, i) => v - e[i]);
    }
    // Compare references on the rows where all the available ones have a value.
    const spread = {} as Record<Reference, number>;
    const avail = REFERENCES.filter((ref) => resid[ref].reduce((c, v, i) => c + (clean[i] && Number.isFinite(v) ? 1 : 0), 0) >= MIN_CANDIDATE_ROWS);
    if (avail.length === 0) throw new DataError(`Seasonal rule: signal "${name}" of "${frame.id}" has fewer than ${MIN_CANDIDATE_ROWS} clean fitting rows with history; expected a longer series.`);
    const common = Uint8Array.from(clean, (c, i) => (c && avail.every((ref) => Number.isFinite(resid[ref][i])) ? 1 : 0));
    const useCommon = common.reduce((a, b) => a + b, 0) >= MIN_CANDIDATE_ROWS;
    for (const ref of REFERENCES) spread[ref] = avail.includes(ref) ? robustSpread(resid[ref], useCommon ? common : clean) : NaN;
    const seasonal = (['similar', 'week', 'day'] as const).filter((r) => Number.isFinite(spread[r])).sort((a, b) => spread[a] - spread[b])[0];
    const main: Reference = seasonal && !(spread.local < LOCAL_PREFERENCE * spread[seasonal]) ? seasonal : 'local';
    // One reference per signal: adding `local` beside a cyclic one was measured to lose recall on every data set.
    const refs: Reference[] = [main];
    // Flat stretches (a constant series, a count that rarely changes) must not make every small change a huge z: the
    // floor is a quarter of the typical spread, and never below a 0.5 % change on log/logit scales.
    const unit = transform.name === 'identity' ? 1e-6 * Math.max(1, Math.abs(medianOf(level, clean))) : 5e-3;
    const components = refs.map((reference): SeasonalComponent => {
      const r = resid[reference];
      const overall = robustSpread(r, clean);
      const hourScale = Array.from({ length: 24 }, (_, h) => {
        const keep = Uint8Array.from(clean, (c, i) => (c && local.hour[i] === h ? 1 : 0));
        const sp = keep.reduce((a, b) => a + b, 0) >= 8 ? robustSpread(r, keep) : overall;
        return overall > 0 && Number.isFinite(sp) ? Math.min(4, Math.max(0.25, sp / overall)) : 1;
      });
      return { reference, hourScale, scaleFloor: Math.max(0.25 * (Number.isFinite(overall) ? overall : 0), unit) };
    });
    return { name, kind, transform, components, spread };
  });
  return {
    version: 1,
    id: frame.id,
    stepMs,
    calendar: cal,
    scaleRows,
    signals,
    fit: { from: new Date(frame.timestamps[0]).toISOString(), to: new Date(frame.timestamps[fitEnd - 1] + stepMs).toISOString(), rows: fitEnd },
  };
}

/**
 * Robust z per signal and row of `frame` under a fitted rule: (level − expected) / (rolling q90 |resid| / 1.645 ×
 * hour-of-day factor, floored). Causal: row t uses rows < t only. Gap-filled and unreliable rows never serve as
 * reference or scale history and get no z themselves. NaN until the reference and the scale have history.
 */
export function applySeasonalRule(rule: SeasonalRule, frame: CountryFrame): SeasonalZ {
  const step = frameStep(frame);
  if (step !== rule.stepMs) throw new DataError(`Seasonal rule of "${rule.id}" was fitted at a step of ${rule.stepMs} ms; the frame has ${step} ms. Refit it.`);
  const n = frame.timestamps.length;
  const local = featureLocalTime(rule.calendar, frame.timestamps);
  // History excludes what preprocessing made up; labels are unknown in production, so they count as history here too.
  const valid = Uint8Array.from({ length: n }, (_, i) => (frame.gap[i] || frame.unreliable[i] ? 0 : 1));
  const out: SeasonalZ = { signals: [], references: [], z: [] };
  const shortRows = Math.min(rule.scaleRows, stepsIn(DAY_MS, step, 8));
  for (const s of rule.signals) {
    const col = frame.signals[s.name];
    if (!col) throw new DataError(`Series "${frame.id}" lacks signal "${s.name}" that its seasonal rule was fitted on; expected ${rule.signals.map((x) => x.name).join(', ')}.`);
    const level = applyLevelTransform(s.transform, col);
    for (const c of s.components) {
      const e = expectedLevel(level, valid, c.reference, step, local.offsetMinutes);
      const resid = level.map((v, i) => v - e[i]);
      const absResid = resid.map((v, i) => (valid[i] && Number.isFinite(v) ? Math.abs(v) : NaN));
      const q = rollingQuantilePrev(absResid, rule.scaleRows, SCALE_Q, Math.min(rule.scaleRows, 24));
      // A one-day median scale beside it follows a sudden rise of the noise level within hours (a noisier week is not
      // an anomaly), while an anomaly must fill half of that day before it can hide itself.
      const recent = rollingMedianPrev(absResid, shortRows, Math.max(1, shortRows >> 1));
      const z = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const shortScale = Number.isFinite(recent[i]) ? 1.4826 * recent[i] : 0;
        const scale = Math.max((q[i] / SCALE_Q_NORMAL) * c.hourScale[local.hour[i]], shortScale, c.scaleFloor);
        // Filled and unreliable rows carry no evidence: their values were made up or are known wrong.
        z[i] = valid[i] ? resid[i] / scale : NaN;
      }
      out.signals.push(s.name);
      out.references.push(c.reference);
      out.z.push(z);
    }
  }
  return out;
}
