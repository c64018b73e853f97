/** Plain tables of an Optuna study for notebooks and logs: one row per trial and counts per state. */
import type { TrialRecord, TrialStateName } from '../tune/shim';

/** One row per trial (number, state, value, epochs reported, parameters), in trial order; for console.table. */
export function trialRows(trials: TrialRecord[]): Record<string, string | number | null>[] {
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => {
      const row: Record<string, string | number | null> = { trial: t.number, state: t.state, value: t.value, epochs: t.intermediate.length, seconds: t.durationSeconds === null ? null : Number(t.durationSeconds.toFixed(1)) };
      for (const [k, v] of Object.entries(t.params)) row[k] = typeof v === 'number' ? Number(v.toPrecision(4)) : String(v);
      return row;
    });
}

/** Trials per state (every state present, zeros included). */
export function trialCounts(trials: TrialRecord[]): Record<TrialStateName, number> & { total: number } {
  const out = { running: 0, complete: 0, pruned: 0, fail: 0, waiting: 0, total: trials.length };
  for (const t of trials) out[t.state]++;
  return out;
}
