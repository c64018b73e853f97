/** Continuous feature columns of one signal (level, rolling mean/std/z, seasonal residual) and frame checks, shared by fit and apply. */
import { DataError } from '../errors';
import { type CountryFrame, frameStep } from '../data/types';
import { describeStep } from '../base/time';
import { HOLIDAY_DAY_TYPE, type LocalTimeColumns } from '../util/calendar';
import type { FeaturesConfig } from '../config/schema';
import type { LevelTransform } from './transform';
import { rollingMeanStd, rollingZ } from './rolling';
import { seasonalResidual, type SeasonalBaseline, type SeasonalIndex } from './baseline';

/** The fitted, per-signal part of a FeatureSpec (plain JSON). */
export interface SignalFeatureSpec {
  name: string;
  kind: string;
  transform: LevelTransform;
  /** Smallest std a z-score divides by (level units), so flat windows do not explode. */
  zFloor: number;
  baseline: SeasonalBaseline;
}

/** Rolling statistics a signal can get per window, in column order. */
export const ROLLING_STATS = ['mean', 'std', 'z'] as const;
export type RollingStat = (typeof ROLLING_STATS)[number];

/** The rolling statistics of a features config; specs saved before the setting existed used all of them. */
export function rollingStatsOf(cfg: Pick<FeaturesConfig, 'rollingHours'> & { rollingStats?: readonly RollingStat[] }): RollingStat[] {
  const set = new Set(cfg.rollingStats ?? ROLLING_STATS);
  return ROLLING_STATS.filter((s) => set.has(s));
}

/** Continuous feature names of one signal, in column order: level, mean<w>…, std<w>…, z<w>… (those configured), resid. */
export function signalFeatureNames(signal: string, rollingHours: number[], stats: readonly RollingStat[] = ROLLING_STATS): string[] {
  return [`${signal}.level`, ...stats.flatMap((st) => rollingHours.map((w) => `${signal}.${st}${w}`)), `${signal}.resid`];
}

/** Hour-of-week slot, hour and holiday flag per row from local time columns. */
export function seasonalIndex(local: LocalTimeColumns): SeasonalIndex {
  const n = local.hour.length;
  const slot = new Uint8Array(n);
  const holiday = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    slot[i] = (local.weekday[i] - 1) * 24 + local.hour[i];
    holiday[i] = local.dayType[i] === HOLIDAY_DAY_TYPE ? 1 : 0;
  }
  return { slot, hour: local.hour, holiday };
}

/** Unscaled continuous columns of one signal from its level, shape [names.length] × [rows]. */
export function signalColumns(level: Float64Array, s: SignalFeatureSpec, cfg: FeaturesConfig, idx: SeasonalIndex, baselineRows: number, rollingRows: number[]): Float64Array[] {
  const roll = rollingRows.map((w) => rollingMeanStd(level, w));
  const season = seasonalResidual(level, s.baseline, idx, baselineRows);
  // Detrended levels: relative to the causal local level, so growth over the years and lasting level shifts do not
  // drift the features away from what the model saw in training. Specs saved before the setting existed used raw levels.
  const rel = (x: Float64Array): Float64Array => (cfg.detrend ? x.map((v, i) => v - season.local[i]) : x);
  const cols: Record<RollingStat, () => Float64Array[]> = {
    mean: () => roll.map((r) => rel(r.mean)),
    std: () => roll.map((r) => r.std),
    z: () => roll.map((r) => rollingZ(level, r, s.zFloor)),
  };
  return [rel(level), ...rollingStatsOf(cfg).flatMap((st) => cols[st]()), season.resid];
}

/**
 * Checks a frame against the spec's signals and the hourly grid; returns each spec signal's raw column.
 * Throws DataError naming a missing signal (with the expected list), a kind mismatch, a non-finite value or a broken grid.
 */
export function frameSignals(frame: CountryFrame, spec: { signals: Pick<SignalFeatureSpec, 'name' | 'kind'>[]; stepMs?: number }): Float64Array[] {
  const expected = spec.signals.map((s) => s.name);
  const missing = expected.filter((name) => !frame.signals[name]);
  if (missing.length) {
    throw new DataError(
      `Series "${frame.id}" lacks signal(s) ${missing.join(', ')}. Expected signals ${expected.join(', ')} (see meta.json); got ${Object.keys(frame.signals).join(', ') || 'none'}.`,
    );
  }
  const n = frame.timestamps.length;
  const step = frameStep(frame);
  if (spec.stepMs !== undefined && spec.stepMs !== step) {
    throw new DataError(`Series "${frame.id}" has a step of ${describeStep(step)}; the model was fitted on a step of ${describeStep(spec.stepMs)}. Re-import the series at ${describeStep(spec.stepMs)} (radarwatch import --step) or retrain.`);
  }
  for (let i = 1; i < n; i++) {
    if (frame.timestamps[i] - frame.timestamps[i - 1] !== step) {
      throw new DataError(
        `Series "${frame.id}" is not on a regular ${describeStep(step)} grid at row ${i} (${new Date(frame.timestamps[i - 1]).toISOString()} → ${new Date(frame.timestamps[i]).toISOString()}); expected rows exactly ${describeStep(step)} apart with gaps filled. Run the preprocess (or import) step first.`,
      );
    }
  }
  return spec.signals.map((s) => {
    const col = frame.signals[s.name];
    if (col.length !== n) throw new DataError(`Signal "${s.name}" of "${frame.id}" has ${col.length} rows; expected ${n} (one per timestamp).`);
    const kind = frame.signalKinds?.[s.name];
    if (kind !== undefined && kind !== s.kind) throw new DataError(`Signal "${s.name}" of "${frame.id}" is kind "${kind}"; the feature spec was fitted on kind "${s.kind}".`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) {
        throw new DataError(`Signal "${s.name}" of "${frame.id}" is ${col[i]} at ${new Date(frame.timestamps[i]).toISOString()}; expected finite values (gaps filled by preprocess).`);
      }
    }
    return col;
  });
}
