/**
 * The Numenta Anomaly Benchmark score (Lavin & Ahmad 2015), implemented from the published rules: per labelled
 * window a scaled sigmoid rewards the earliest detection, every false-positive row costs up to A_FP (less the closer
 * it follows a window), every missed window costs A_FN, the first 15 % of each file (at most 750 rows) is probation,
 * one threshold per profile is optimised over the whole corpus, and the total is normalised so the null detector
 * scores 0 and a perfect one 100.
 */

/** A NAB cost matrix (nab/config/profiles.json). */
export interface NabCostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

/** The three published NAB profiles. */
export const NAB_PROFILES = Object.freeze({
  standard: Object.freeze({ tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11 }),
  reward_low_FP_rate: Object.freeze({ tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22 }),
  reward_low_FN_rate: Object.freeze({ tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11 }),
}) satisfies Record<string, NabCostMatrix>;
export type NabProfile = keyof typeof NAB_PROFILES;

/** One scored file: a score per row (NaN = never a detection) and its windows as inclusive [first, last] row indices, ascending, disjoint. */
export interface NabFile {
  name: string;
  score: ArrayLike<number>;
  windows: [number, number][];
}

/** Rows of probation at the start of a file of `n` rows: min(floor(0.15·n), 0.15·5000). */
export function nabProbation(n: number, probationPercent = 0.15): number {
  return Math.min(Math.floor(probationPercent * n), probationPercent * 5000);
}

/** 2·sigmoid(−5x) − 1: ≈ +0.987 at the window's left edge (x = −1), 0 at its right edge (x = 0), → −1 after it; −1 beyond x = 3. */
export function scaledSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

/** Per scorable row of a file: its anomaly score, the weighted score it contributes if detected, and its window (-1 = none). */
interface SweepRow {
  score: number;
  sweep: number;
  window: number;
}

/**
 * NAB's per-row weighted scores for one file. Inside a window a row at index i is worth
 * tpWeight · scaledSigmoid(−(right − i + 1)/width) / scaledSigmoid(−1); outside, fpWeight · scaledSigmoid(|prevRight − i|/(prevWidth − 1))
 * after a window and −fpWeight before the first. Probation rows are dropped. `windowBase` numbers windows corpus-wide.
 */
function sweepRows(f: NabFile, cost: NabCostMatrix, windowBase: number): { rows: SweepRow[]; windows: number } {
  const n = f.score.length;
  const prob = nabProbation(n);
  const maxTP = scaledSigmoid(-1);
  const rows: SweepRow[] = [];
  const seen = new Set<number>();
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (w < f.windows.length && f.windows[w][1] < i) {
      prevRight = f.windows[w][1];
      prevWidth = f.windows[w][1] - f.windows[w][0] + 1;
      w++;
    }
    const cur = w < f.windows.length && f.windows[w][0] <= i ? f.windows[w] : undefined;
    let sweep: number;
    if (cur) {
      const width = cur[1] - cur[0] + 1;
      sweep = (scaledSigmoid(-(cur[1] - i + 1) / width) * cost.tpWeight) / maxTP;
    } else if (prevRight < 0) {
      sweep = -1 * cost.fpWeight;
    } else {
      sweep = scaledSigmoid(Math.abs(prevRight - i) / Math.max(1, prevWidth - 1)) * cost.fpWeight;
    }
    if (i < prob) continue;
    const window = cur ? windowBase + w : -1;
    if (cur) seen.add(window);
    const s = Number(f.score[i]);
    rows.push({ score: Number.isNaN(s) ? -Infinity : s, sweep, window });
  }
  return { rows, windows: seen.size };
}

/** The corpus score at one threshold of the sweep: rows with score ≥ threshold are detections. */
export interface NabThresholdScore {
  threshold: number;
  /** Raw (un-normalised) corpus score. */
  raw: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Every distinct threshold of the corpus (descending, starting at +∞ = no detections) with its raw score, as NAB's
 * sweeper computes it: a window scores the best (earliest) detection in it, or −fnWeight if none; false positives add up.
 */
export function nabSweep(files: NabFile[], cost: NabCostMatrix): { scores: NabThresholdScore[]; windows: number } {
  const all: SweepRow[] = [];
  let base = 0;
  let windows = 0;
  for (const f of files) {
    const r = sweepRows(f, cost, base);
    base += f.windows.length;
    windows += r.windows;
    for (const x of r.rows) all.push(x);
  }
  const ranked = all.filter((r) => r.score > -Infinity).sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let fpSum = 0;
  let winSum = -cost.fnWeight * windows; // every scorable window starts as missed
  let tp = 0;
  let fp = 0;
  const inWindowRows = all.filter((r) => r.window >= 0).length;
  const outRows = all.length - inWindowRows;
  const out: NabThresholdScore[] = [];
  let cur = Infinity;
  const push = () => out.push({ threshold: cur, raw: winSum + fpSum, tp, fp, fn: inWindowRows - tp, tn: outRows - fp });
  for (const r of ranked) {
    if (r.score !== cur) {
      push();
      cur = r.score;
    }
    if (r.window >= 0) {
      tp++;
      const prev = best.get(r.window) ?? -cost.fnWeight;
      if (r.sweep > prev) {
        winSum += r.sweep - prev;
        best.set(r.window, r.sweep);
      }
    } else {
      fp++;
      fpSum += r.sweep;
    }
  }
  push();
  return { scores: out, windows };
}

export interface NabResult {
  profile: string;
  /** The corpus-optimal threshold (score ≥ threshold = detection); +∞ when never firing is best. */
  threshold: number;
  raw: number;
  /** Raw score of the null detector (−fnWeight per scorable window) and of a perfect one (tpWeight per window). */
  nullRaw: number;
  perfectRaw: number;
  /** 100 · (raw − null) / (perfect − null). */
  score: number;
  tp: number;
  fp: number;
  fn: number;
  windows: number;
}

/**
 * Scores a corpus under one profile. Without `threshold`, the threshold is optimised over the corpus (NAB's
 * optimizer: the sweep entry with the highest raw score); with one, the sweep entry at that threshold is used.
 */
export function scoreNab(files: NabFile[], profile: NabProfile | NabCostMatrix, threshold?: number): NabResult {
  const cost = typeof profile === 'string' ? NAB_PROFILES[profile] : profile;
  const { scores, windows } = nabSweep(files, cost);
  let pick = scores[0];
  if (threshold === undefined) {
    for (const s of scores) if (s.raw > pick.raw) pick = s;
  } else {
    // The lowest sweep threshold still ≥ the given one: exactly the detections score ≥ threshold.
    for (const s of scores) if (s.threshold >= threshold) pick = s;
  }
  const nullRaw = -cost.fnWeight * windows;
  const perfectRaw = cost.tpWeight * windows;
  const score = perfectRaw > nullRaw ? (100 * (pick.raw - nullRaw)) / (perfectRaw - nullRaw) : NaN;
  return {
    profile: typeof profile === 'string' ? profile : 'custom',
    threshold: pick.threshold,
    raw: pick.raw,
    nullRaw,
    perfectRaw,
    score,
    tp: pick.tp,
    fp: pick.fp,
    fn: pick.fn,
    windows,
  };
}

/** All three published profiles, each with its own corpus-optimal threshold. */
export function scoreNabProfiles(files: NabFile[]): Record<NabProfile, NabResult> {
  return {
    standard: scoreNab(files, 'standard'),
    reward_low_FP_rate: scoreNab(files, 'reward_low_FP_rate'),
    reward_low_FN_rate: scoreNab(files, 'reward_low_FN_rate'),
  };
}
