/**
 * The novelty rule: how far outside its own recent range a signal's level is. Per row, the level's two-sided rank
 * among the signal's levels over the previous four weeks gives a conformal p-value, 2·(rank + 1) / (N + 1) — the
 * chance that a row of an unchanged process is at least this extreme on either side — and beyond the range the
 * excess counts in interquartile ranges of the window. Evidence = −log10 p + excess: calibrated by construction, with no fitting,
 * so it means the same on a 5-minute CPU metric seen for two days as on three years of hourly traffic.
 *
 * It sees what a seasonal residual can miss when the season is no guide: a value never seen before (a spike, a
 * level far outside anything in a month, a full outage's floor). Measured on NAB it is the strongest single source
 * (see README, "Model"); on hourly traffic its evidence stays low except at such extremes.
 */
import { lowerBound, rollingPrev, upperBound } from '../features/rolling';
import { RISE_ONLY_SIGNALS } from './evidence';
import type { SeasonalRule, SeasonalZ } from './seasonal';

/** Fewest earlier values a row's novelty is ranked among. */
export const NOVELTY_MIN_VALUES = 50;

/**
 * Novelty evidence per row of `level` (NaN rows are neither scored nor history) among the finite levels of the
 * previous `windowRows` rows: −log10((k + 1) / (N + 1)) with k the values at least as extreme on the row's side
 * (above only when `riseOnly`; twice that p on two sides, at most 1), plus (level − max) / IQR above the range or
 * (min − level) / IQR below it, the IQR at least `minSpread` (a count that never moved in four weeks has none, and
 * its first small step would otherwise be an outlier of any size). Rows are ranked by `scored` among the window of
 * `level` (the two differ where a row is kept out of the history). NaN until NOVELTY_MIN_VALUES values are in the
 * window, and on rows before `from`.
 */
export function noveltyEvidence(level: ArrayLike<number>, windowRows: number, riseOnly: boolean, from = 0, scored: ArrayLike<number> = level, minSpread = 0): Float64Array {
  return rollingPrev(level, windowRows, (win, N, t) => {
    const v = scored[t];
    if (N < NOVELTY_MIN_VALUES || !Number.isFinite(v)) return NaN;
    const above = N - lowerBound(win, N, v);
    const below = upperBound(win, N, v);
    const iqr = Math.max(win[Math.floor(0.75 * (N - 1))] - win[Math.floor(0.25 * (N - 1))], minSpread, 1e-9 * Math.max(1, Math.abs(win[N >> 1])));
    if (riseOnly) return -Math.log10((above + 1) / (N + 1)) + (above === 0 ? (v - win[N - 1]) / iqr : 0);
    // two-sided: a level this far out on either side has twice the one-sided chance
    let e = -Math.log10(Math.min(1, (2 * (Math.min(above, below) + 1)) / (N + 1)));
    if (above === 0) e += (v - win[N - 1]) / iqr;
    else if (below === 0) e += (win[0] - v) / iqr;
    return e;
  }, from);
}

/**
 * Novelty evidence of every signal of a seasonal rule's pass (its levels: the rule's scale, filled and unreliable rows
 * left out) over the rule's scale window (four weeks), spreads floored at the rule's scale floor (a 0.5 % change on a
 * log scale); rows where `censored` is 1 are scored but never history, rows before `from` are NaN.
 */
export function seasonalNovelty(rule: SeasonalRule, seasonal: SeasonalZ, from = 0, censored?: Uint8Array): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  seasonal.signals.forEach((name, k) => {
    const level = seasonal.levels[k];
    const history = censored ? level.map((v, i) => (censored[i] ? NaN : v)) : level;
    out[name] = noveltyEvidence(history, rule.scaleRows, RISE_ONLY_SIGNALS.includes(name), from, level, rule.signals[k].scaleFloor);
  });
  return out;
}
