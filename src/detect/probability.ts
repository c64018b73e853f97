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

/** The evidence (−log10 of the tail probability) whose probability under `budget` is `probability`: probabilityOf's inverse. */
export function evidenceOf(probability: number, budget: number): number {
  return -Math.log10((budget * (1 - probability)) / probability);
}

/** Share of rows a budget of `falseAlarmsPerWeek` allows at a step of `stepMs`. */
export function budgetShare(falseAlarmsPerWeek: number, stepMs: number): number {
  return Math.min(0.5, (falseAlarmsPerWeek * stepMs) / (7 * DAY_MS));
}
