/** The calibrated anomaly probability and its evidence (decades), under a false-alarm budget. Light: no model code. */
import { DAY_MS } from '../base/time';

/**
 * Anomaly probability from the tail probability `p` of a row's combined evidence among normal held-out rows and the
 * false-alarm budget `budget` (share of normal rows allowed to alarm): 1 / (1 + p / budget). It is 0.5 exactly at the
 * budget, so one threshold (0.5) means the same false-alarm rate in every country and at every step; 0.9 means ten
 * times rarer than the budget allows, 0.99 a hundred times.
 */
export function probabilityOf(p: number, budget: number): number {
  return 1 / (1 + p / budget);
}

/**
 * log10 of the odds of probabilityOf(10^−evidence, budget) = log10(budget) + evidence: the same order as the
 * probability, on the same scale in every series, but not saturated. In floating point the probability is exactly 1
 * once p < budget · 1e-16 (1,459 rows of 22 NAB files with the rules alone), and rows tied at 1 cannot be ranked: R@b
 * counted an event whose peak tied its series' budget threshold as missed, and NAB's alert transform saw no new
 * alert in a stronger row that followed a saturated one.
 */
export function probabilityLogOdds(evidence: number, budget: number): number {
  return Math.log10(budget) + evidence;
}

/** The evidence (−log10 of the tail probability) whose probability under `budget` is `probability`: probabilityOf's inverse (its log-odds less log10(budget)). */
export function evidenceOf(probability: number, budget: number): number {
  return Math.log10(probability / (1 - probability)) - Math.log10(budget);
}

/** Share of rows a budget of `falseAlarmsPerWeek` allows at a step of `stepMs`. */
export function budgetShare(falseAlarmsPerWeek: number, stepMs: number): number {
  return Math.min(0.5, (falseAlarmsPerWeek * stepMs) / (7 * DAY_MS));
}
