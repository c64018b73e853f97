/** fitFeatureSpec: learns every data-dependent feature parameter from training rows only, as a plain-JSON spec saved with the model. */
import { DataError, InputError, NotFittedError } from '../errors';
import { frameStep, type CountryFrame, type SignalKind } from '../data/types';
import { HOUR_MS, stepsIn } from '../base/time';
import { featuresSchema, type FeaturesConfig } from '../config/schema';
import { fitLevelTransform, applyLevelTransform } from './transform';
import { rollingMeanStd } from './rolling';
import { fitSeasonalBaseline, WEEK_HOURS } from './baseline';
import { fitRobustScaler, type RobustScaler } from './scaler';
import { categoricalLayout, featureLocalTime, resolveFeatureCalendar, type FeatureCalendar, type FeatureCalendarOptions } from './categorical';
import { frameSignals, rollingStatsOf, seasonalIndex, signalColumns, signalFeatureNames, type SignalFeatureSpec } from './columns';
import { medianOf, sortedFinite } from '../util/stats';

/** Bumped whenever features change meaning; a model saved with another version must be retrained. */
export const FEATURE_SPEC_VERSION = 2;

/** Fewest usable (non-warmup, non-excluded) training rows: below this no spread or profile can be estimated. */
export const MIN_FIT_ROWS = 64;

/** Feature windows never take more than this share of the training rows, so short series keep most rows to learn from. */
const MAX_WARMUP_SHARE = 1 / 3;

/**
 * Feature windows of a config in rows of a series sampled every `stepMs`, each capped at a third of `trainRows`
 * (a two-week series cannot spend a week on warm-up): windows are defined in time, counted in steps.
 */
export function featureWindows(cfg: Pick<FeaturesConfig, 'rollingHours' | 'baselineWeeks'>, stepMs: number, trainRows: number): { rollingRows: number[]; baselineRows: number; warmupRows: number } {
  const cap = Math.max(2, Math.floor(trainRows * MAX_WARMUP_SHARE));
  const rollingRows = cfg.rollingHours.map((h) => Math.min(cap, stepsIn(h * HOUR_MS, stepMs, 2)));
  const baselineRows = Math.min(cap, stepsIn(cfg.baselineWeeks * WEEK_HOURS * HOUR_MS, stepMs, 2));
  return { rollingRows, baselineRows, warmupRows: Math.max(baselineRows, ...rollingRows) };
}

/** Everything computeFeatures needs, fitted on training rows (plain JSON; JSON.stringify/parse round-trips exactly). */
export interface FeatureSpec {
  version: number;
  /** Country code or imported series id the spec was fitted on. */
  id: string;
  /** Resolved features config used. */
  config: FeaturesConfig;
  calendar: FeatureCalendar;
  /** Per signal, in the order the continuous features are laid out. */
  signals: SignalFeatureSpec[];
  /** Grid step of the series the spec was fitted on (ms); frames scored with it must have the same step. */
  stepMs: number;
  /** config.rollingHours in rows of this step (capped for short series; see featureWindows). */
  rollingRows: number[];
  /** Window of the causal rolling median level behind the seasonal residual, in rows (baselineWeeks in steps, capped). */
  baselineRows: number;
  /** Rows of history every feature needs: max(longest rolling window, baselineRows). Earlier rows are warmup. */
  warmupRows: number;
  contNames: string[];
  contSignal: string[];
  catNames: string[];
  catCardinalities: number[];
  scaler: RobustScaler;
  /** The training rows the spec was fitted on (UTC ISO hour starts, [from, to)) and how many were used. */
  fit: { from: string; to: string; rows: number; usedRows: number };
}

/** Options of fitFeatureSpec. */
export interface FitFeatureSpecOptions {
  /** 1 for rows of `frame` to ignore while fitting; default: gaps, unreliable hours and labelled anomalies (see defaultFitExclusion). */
  exclude?: Uint8Array;
  /** Calendar overrides, e.g. the time zone of an imported series (default: the country's, or UTC without holidays). */
  calendar?: FeatureCalendarOptions;
}

/** Rows not to learn "normal" from: filled gaps, Radar-unreliable hours and labelled anomalies. Shape [rows]. */
export function defaultFitExclusion(frame: CountryFrame): Uint8Array {
  const n = frame.timestamps.length;
  const ex = new Uint8Array(n);
  for (let i = 0; i < n; i++) ex[i] = frame.gap?.[i] || frame.unreliable?.[i] || frame.labelKind?.[i] ? 1 : 0;
  return ex;
}

/**
 * Fits level transforms, seasonal baselines, z-score floors and the robust scaler on rows [start, end) of `frame`
 * only — features are computed on that slice alone, so nothing outside it (not even history before `start`) can leak
 * in. Rows flagged in `opts.exclude` are ignored by every fitted statistic. The first `warmupRows` rows of the slice
 * only serve as history. Throws InputError for a bad range and DataError when too few usable rows remain.
 */
export function fitFeatureSpec(frame: CountryFrame, trainRows: { start: number; end: number }, cfg: FeaturesConfig, opts: FitFeatureSpecOptions = {}): FeatureSpec {
  const config = featuresSchema.parse(cfg);
  const n = frame.timestamps.length;
  const { start, end } = trainRows;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start >= end) {
    throw new InputError(`Train rows [${start}, ${end}) are not a range inside the ${n} rows of "${frame.id}"; expected integers 0 ≤ start < end ≤ ${n}.`);
  }
  const exclude = opts.exclude ?? defaultFitExclusion(frame);
  if (exclude.length !== n) throw new InputError(`exclude has ${exclude.length} entries; expected one per row of "${frame.id}" (${n}).`);

  const signalNames = frame.signalNames?.length ? frame.signalNames : Object.keys(frame.signals);
  const kinds: SignalKind[] = signalNames.map((s) => {
    const k = frame.signalKinds?.[s];
    if (k !== 'volume' && k !== 'rate' && k !== 'count') throw new DataError(`Signal "${s}" of "${frame.id}" has kind ${JSON.stringify(k)}; expected volume, rate or count.`);
    return k;
  });
  // Validate the whole frame once (grid, finiteness) with a kind-only stub spec.
  const allRaw = frameSignals(frame, { signals: signalNames.map((name, k) => ({ name, kind: kinds[k] })) });

  const m = end - start;
  const include = new Uint8Array(m);
  for (let i = 0; i < m; i++) include[i] = exclude[start + i] ? 0 : 1;
  const stepMs = frameStep(frame);
  const { rollingRows, baselineRows, warmupRows } = featureWindows(config, stepMs, m);
  const usable = new Uint8Array(m);
  let usedRows = 0;
  for (let i = warmupRows; i < m; i++) usedRows += usable[i] = include[i];
  if (usedRows < MIN_FIT_ROWS) {
    throw new DataError(
      `Train rows [${start}, ${end}) of "${frame.id}" leave ${usedRows} usable rows after ${warmupRows} warm-up rows and ${m - include.reduce((a, b) => a + b, 0)} excluded rows (gaps, unreliable or labelled); need at least ${MIN_FIT_ROWS}. Train on a longer series (about two weeks at any step) or a larger train share (--train-fraction).`,
    );
  }

  const calendar = resolveFeatureCalendar(frame.id, opts.calendar);
  const timestamps = frame.timestamps.slice(start, end);
  const local = featureLocalTime(calendar, timestamps);
  const idx = seasonalIndex(local);
  const minRoll = Math.min(...rollingRows);
  const signals: SignalFeatureSpec[] = [];
  const columns: Float64Array[] = [];
  signalNames.forEach((name, k) => {
    const raw = allRaw[k].subarray(start, end);
    const transform = fitLevelTransform(name, kinds[k], sortedFinite(raw, include));
    const level = applyLevelTransform(transform, raw);
    // A z floor of 10 % of the typical short-window std (never below 0.1 % on log/logit scales) keeps flat stretches from exploding.
    const typicalStd = medianOf(rollingMeanStd(level, minRoll).std, usable);
    const unitFloor = transform.name === 'identity' ? 1e-9 * Math.max(1, Math.abs(medianOf(level, include))) : 1e-3;
    const zFloor = Math.max(0.1 * (Number.isFinite(typicalStd) ? typicalStd : 0), unitFloor);
    const baseline = fitSeasonalBaseline(level, include, idx, calendar.holidayCountry !== null, stepsIn(WEEK_HOURS * HOUR_MS, stepMs, 2));
    const s: SignalFeatureSpec = { name, kind: kinds[k], transform, zFloor, baseline };
    signals.push(s);
    columns.push(...signalColumns(level, s, config, idx, baselineRows, rollingRows));
  });
  const scaler = fitRobustScaler(columns, usable);
  const stats = rollingStatsOf(config);
  const perSignal = signalNames.map((s) => signalFeatureNames(s, config.rollingHours, stats));
  const contNames = perSignal.flat();
  const contSignal = perSignal.flatMap((names, k) => names.map(() => signalNames[k]));
  const cat = categoricalLayout(config.daySegments);
  return {
    version: FEATURE_SPEC_VERSION,
    id: frame.id,
    config,
    calendar,
    signals,
    stepMs,
    rollingRows,
    baselineRows,
    warmupRows,
    contNames,
    contSignal,
    catNames: cat.names,
    catCardinalities: cat.cardinalities,
    scaler,
    fit: { from: new Date(timestamps[0]).toISOString(), to: new Date(timestamps[m - 1] + stepMs).toISOString(), rows: m, usedRows },
  };
}

/** Rows of history computeFeatures needs before the first row to be scored (the spec's warmupRows). */
export function featureHistoryRows(spec: FeatureSpec): number {
  return spec.warmupRows;
}

/**
 * Checks that a value (e.g. parsed from a model folder's JSON) is a usable FeatureSpec of this version;
 * throws NotFittedError when absent and DataError naming the first inconsistency otherwise.
 */
export function checkFeatureSpec(spec: unknown): asserts spec is FeatureSpec {
  if (spec === undefined || spec === null) throw new NotFittedError('No feature spec: run fitFeatureSpec() on training rows (or load the model folder) before computeFeatures().');
  const s = spec as Partial<FeatureSpec>;
  if (s.version !== FEATURE_SPEC_VERSION) {
    throw new DataError(`Feature spec version ${JSON.stringify(s.version)} is not supported; expected ${FEATURE_SPEC_VERSION}. Retrain the model to refit its features.`);
  }
  const per = s.config ? signalFeatureNames('x', s.config.rollingHours, rollingStatsOf(s.config)).length : NaN;
  const nCont = s.contNames?.length ?? -1;
  if (!Array.isArray(s.signals) || !s.calendar || !s.scaler || !(Number(s.stepMs) > 0) || s.rollingRows?.length !== s.config?.rollingHours.length || nCont !== s.signals.length * per || s.scaler.center.length !== nCont || s.scaler.scale.length !== nCont || s.contSignal?.length !== nCont) {
    throw new DataError(`Feature spec is inconsistent: expected ${per} continuous features per signal with one scaler entry each; got ${nCont} names for ${s.signals?.length ?? 0} signals. The spec file is damaged; refit it.`);
  }
  for (const sig of s.signals) {
    if (sig.baseline?.profile?.length !== WEEK_HOURS || sig.baseline.holiday?.length !== 24) {
      throw new DataError(`Feature spec signal "${sig.name}" has a baseline of ${sig.baseline?.profile?.length ?? 0} slots; expected ${WEEK_HOURS} hour-of-week slots and 24 holiday hours. Refit the spec.`);
    }
  }
}
