/**
 * Threshold-free comparison of detectors: event recall at a fixed false-positive budget. Per series, the score
 * threshold is the one at which at most `budget` of the evaluated normal rows are flagged; a labelled window counts
 * as detected when at least one of its evaluated rows scores above that threshold. Choosing the threshold per series
 * (not one for a whole data set) is deliberate: detectors' scores are not on one scale across series (one model per
 * series), and an operator gives every series the same false-alarm budget.
 */
import { frameStep, type CountryFrame } from '../data/types';

/** The hourly false-positive budgets the quality benchmark reports: 0.25 %, 0.5 %, 1 %. */
export const FPR_BUDGETS = Object.freeze([0.0025, 0.005, 0.01]);

/** A labelled window as rows [start, end) of its frame. */
export interface LabelRows {
  start: number;
  end: number;
  kind: string;
}

/** The frame's label windows as row ranges (clipped to the frame; at least one row each). */
export function labelRows(frame: Pick<CountryFrame, 'timestamps' | 'labels' | 'stepMs'>): LabelRows[] {
  const n = frame.timestamps.length;
  if (!n) return [];
  const step = frameStep(frame);
  const t0 = frame.timestamps[0];
  const out: LabelRows[] = [];
  for (const l of frame.labels) {
    const a = Math.max(0, Math.ceil((Date.parse(l.start) - t0) / step - 1e-9));
    const b = Math.min(n, Math.max(a + 1, Math.ceil((Date.parse(l.end) - t0) / step - 1e-9)));
    if (a >= n || b <= 0) continue;
    out.push({ start: a, end: b, kind: l.kind });
  }
  return out;
}

/**
 * The threshold at which at most floor(budget · N) of the N normal rows score strictly above it (NaN scores never
 * count as flagged). Returns +∞ when N = 0.
 */
export function thresholdAtFpr(score: ArrayLike<number>, normal: ArrayLike<number>, budget: number): number {
  const vals: number[] = [];
  for (let i = 0; i < score.length; i++) if (normal[i]) vals.push(Number.isNaN(score[i]) ? -Infinity : score[i]);
  if (!vals.length) return Infinity;
  vals.sort((a, b) => b - a);
  const k = Math.floor(budget * vals.length);
  return k < vals.length ? vals[k] : -Infinity;
}

/** Counts at one budget; rates are recomputed after pooling. */
export interface BudgetCounts {
  budget: number;
  threshold: number;
  events: number;
  detected: number;
  normalRows: number;
  falsePositiveRows: number;
  perKind: Record<string, { events: number; detected: number }>;
}

/**
 * Event recall at each budget for one series: `evaluated` marks the rows that count (others are ignored), normal rows
 * are evaluated rows outside every window.
 */
export function recallAtBudgets(score: ArrayLike<number>, evaluated: ArrayLike<number>, windows: LabelRows[], budgets: readonly number[] = FPR_BUDGETS): BudgetCounts[] {
  const n = score.length;
  const inLabel = new Uint8Array(n);
  for (const w of windows) inLabel.fill(1, w.start, w.end);
  const normal = Uint8Array.from({ length: n }, (_, i) => (evaluated[i] && !inLabel[i] ? 1 : 0));
  const normalRows = normal.reduce((a, b) => a + b, 0);
  return budgets.map((budget) => {
    const thr = thresholdAtFpr(score, normal, budget);
    const above = (i: number) => !Number.isNaN(score[i]) && score[i] > thr;
    let fp = 0;
    for (let i = 0; i < n; i++) if (normal[i] && above(i)) fp++;
    const perKind: BudgetCounts['perKind'] = {};
    let events = 0;
    let detected = 0;
    for (const w of windows) {
      let anyEval = false;
      let hit = false;
      for (let i = w.start; i < w.end; i++) {
        if (!evaluated[i]) continue;
        anyEval = true;
        if (above(i)) {
          hit = true;
          break;
        }
      }
      if (!anyEval) continue;
      const k = (perKind[w.kind] ??= { events: 0, detected: 0 });
      k.events++;
      events++;
      if (hit) {
        k.detected++;
        detected++;
      }
    }
    return { budget, threshold: thr, events, detected, normalRows, falsePositiveRows: fp, perKind };
  });
}

/** Sums several series' counts at the same budgets (thresholds are per series, so the pooled one is NaN). */
export function poolBudgets(rows: BudgetCounts[][]): BudgetCounts[] {
  if (!rows.length) return [];
  return rows[0].map((first, b) => {
    const out: BudgetCounts = { budget: first.budget, threshold: NaN, events: 0, detected: 0, normalRows: 0, falsePositiveRows: 0, perKind: {} };
    for (const r of rows) {
      const x = r[b];
      out.events += x.events;
      out.detected += x.detected;
      out.normalRows += x.normalRows;
      out.falsePositiveRows += x.falsePositiveRows;
      for (const [k, v] of Object.entries(x.perKind)) {
        const p = (out.perKind[k] ??= { events: 0, detected: 0 });
        p.events += v.events;
        p.detected += v.detected;
      }
    }
    return out;
  });
}
