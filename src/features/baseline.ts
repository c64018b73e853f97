/** Robust seasonal baseline: a fitted local hour-of-week profile (plus a holiday adjustment) around a causal rolling median level. */
import { medianOf } from '../util/stats';
import { rollingMedianPrev } from './rolling';

/** Hours per week: the number of hour-of-week slots. */
export const WEEK_HOURS = 168;

/** Fitted seasonal shape of one signal's level (plain JSON). */
export interface SeasonalBaseline {
  /** Level offset per local hour-of-week slot ((isoWeekday − 1) · 24 + hour), mean 0, shape [168]. */
  profile: number[];
  /** Extra offset per local hour of day on public holidays, relative to the weekday profile, shape [24]; zeros when too few holidays were seen. */
  holiday: number[];
  /** Distinct holiday hours that backed `holiday` (0 = no adjustment). */
  holidayHours: number;
}

/** Local calendar inputs of the baseline, one entry per row. */
export interface SeasonalIndex {
  /** Local hour-of-week slot 0–167. */
  slot: Uint8Array;
  /** Local hour of day 0–23. */
  hour: Uint8Array;
  /** 1 on public holidays. */
  holiday: Uint8Array;
}

/** Minimum holiday rows per hour of day before a holiday adjustment is trusted (i.e. at least 3 holidays in training). */
const MIN_HOLIDAY_ROWS = 3;

/**
 * Fits the hour-of-week profile from rows where `include` is 1. Each included level is compared with the median of
 * the previous week's included levels (a trend-free reference that needs no profile yet); the profile is the median
 * of those deviations per slot, so anomalies, holidays and trend barely move it. Slots seen fewer than twice fall back
 * to the median of their hour of day. Holidays get a separate per-hour adjustment only when ≥ 3 holidays back it.
 * Rows of shape [n]: `level`, `include`, and the `idx` columns; `weekRows` is one week in rows of the series' step.
 */
export function fitSeasonalBaseline(level: Float64Array, include: Uint8Array, idx: SeasonalIndex, useHolidays: boolean, weekRows = WEEK_HOURS): SeasonalBaseline {
  const n = level.length;
  const masked = new Float64Array(n);
  for (let i = 0; i < n; i++) masked[i] = include[i] ? level[i] : NaN;
  // The reference is the median of the previous week (at most a third of the rows, for short series), with half of it
  // present at least, so the reference level is not one day's phase of the cycle.
  const refRows = Math.max(2, Math.min(weekRows, Math.floor(n / 3)));
  const ref = rollingMedianPrev(masked, refRows, Math.max(1, refRows >> 1));
  const dev = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) if (include[i] && Number.isFinite(ref[i])) dev[i] = level[i] - ref[i];

  const bySlot: number[][] = Array.from({ length: WEEK_HOURS }, () => []);
  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(dev[i]) || idx.holiday[i]) continue;
    bySlot[idx.slot[i]].push(dev[i]);
    byHour[idx.hour[i]].push(dev[i]);
  }
  const hourMed = byHour.map((v) => (v.length ? medianOf(v) : 0));
  const raw = bySlot.map((v, s) => (v.length >= 2 ? medianOf(v) : hourMed[s % 24]));
  const mean = raw.reduce((a, b) => a + b, 0) / WEEK_HOURS;
  const profile = raw.map((v) => v - mean);

  const holiday = new Array<number>(24).fill(0);
  let holidayHours = 0;
  if (useHolidays) {
    const hol: number[][] = Array.from({ length: 24 }, () => []);
    for (let i = 0; i < n; i++) if (!Number.isNaN(dev[i]) && idx.holiday[i]) hol[idx.hour[i]].push(dev[i] - raw[idx.slot[i]]);
    if (hol.every((v) => v.length >= MIN_HOLIDAY_ROWS)) {
      for (let h = 0; h < 24; h++) holiday[h] = medianOf(hol[h]);
      holidayHours = hol.reduce((a, v) => a + v.length, 0);
    }
  }
  return { profile, holiday, holidayHours };
}

/** Seasonal residual and expected level, each of shape [n]. */
export interface SeasonalResidual {
  /** level − expected. */
  resid: Float64Array;
  /** Causal expected level: rolling median of the deseasonalised level over the previous `windowHours`, plus the profile. */
  expected: Float64Array;
  /** The causal local level alone (expected − profile): what the series runs at, without its daily/weekly shape. */
  local: Float64Array;
}

/**
 * Residual of `level` against the fitted profile: the level is deseasonalised (profile + holiday offset), its median
 * over the previous `windowHours` rows (strictly before t, so causal) gives the local level, and the residual is what
 * remains. The rolling median tracks trend while ignoring anomalies shorter than half the window.
 */
export function seasonalResidual(level: Float64Array, b: SeasonalBaseline, idx: SeasonalIndex, windowHours: number): SeasonalResidual {
  const n = level.length;
  const season = new Float64Array(n);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    season[i] = b.profile[idx.slot[i]] + (idx.holiday[i] ? b.holiday[idx.hour[i]] : 0);
    d[i] = level[i] - season[i];
  }
  const local = rollingMedianPrev(d, windowHours, 1);
  const resid = new Float64Array(n);
  const expected = new Float64Array(n);
  const localLevel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Row 0 has no history: expect what we see.
    const l = Number.isNaN(local[i]) ? d[i] : local[i];
    localLevel[i] = l;
    expected[i] = l + season[i];
    resid[i] = level[i] - expected[i];
  }
  return { resid, expected, local: localLevel };
}
