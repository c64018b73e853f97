/**
 * A standard non-learned-by-gradient reference detector: an isolation forest (Liu, Ting & Zhou 2008) on simple causal
 * features of every signal — the level against its previous day, the step change, and the seasonal differences to
 * the same time one day and one week earlier — with a threshold calibrated on held-out normal rows of the fit range.
 */
import { frameStep, type CountryFrame } from '../data/types';
import { DAY_MS, stepsIn } from '../base/time';
import { DataError } from '../errors';
import { createRng, hashSeed, type Rng } from '../util/random';
import { quantileSorted, sortedFinite } from '../util/stats';
import { baselineTransform } from './baseline';

/** Settings of the isolation-forest detector (one set for every data set). */
export interface IsolationForestOptions {
  trees: number;
  /** Rows sampled per tree (ψ). */
  sampleSize: number;
  /** Share of the fit rows (the latest ones) kept out of the forest to calibrate the threshold. */
  calibrationShare: number;
  /** Quantile of the calibration rows' scores used as threshold. */
  quantile: number;
  seed: number;
}

export const IFOREST_DEFAULTS: Readonly<IsolationForestOptions> = Object.freeze({ trees: 100, sampleSize: 256, calibrationShare: 0.25, quantile: 0.995, seed: 17 });

/** Causal features, [rows × features] row-major, with their names; rows before one full day are warm-up (NaN). */
export interface CausalFeatures {
  names: string[];
  x: Float64Array;
  rows: number;
  cols: number;
  /** First row with every feature defined. */
  warmup: number;
}

/**
 * Per signal (volumes on the baseline's log scale): y − mean of the previous day, y − previous step, y − same time
 * yesterday, and (when the fit range holds at least 9 days) y − same time last week. Uses only past and present rows.
 * When the fit range is shorter than 3 days, "a day" shrinks to a third of it, so the features still have fit rows.
 */
export function causalFeatures(frame: CountryFrame, fitEnd = frame.timestamps.length): CausalFeatures {
  const n = frame.timestamps.length;
  const day = stepsIn(DAY_MS, frameStep(frame));
  // Lags need fit rows after their warm-up: a short fit range (NAB's probation) gets a shorter context, no weekly lag.
  const P = Math.max(2, Math.min(day, Math.floor(fitEnd / 3)));
  const weekly = P === day && fitEnd >= 9 * P;
  const names: string[] = [];
  const cols: Float64Array[] = [];
  for (const s of frame.signalNames) {
    const y = baselineTransform(frame, s);
    const level = new Float64Array(n).fill(NaN);
    let sum = 0;
    for (let t = 0; t < n; t++) {
      if (t >= P) level[t] = y[t] - sum / P;
      sum += y[t];
      if (t >= P) sum -= y[t - P];
    }
    const lag = (k: number) => Float64Array.from(y, (v, t) => (t >= k ? v - y[t - k] : NaN));
    names.push(`${s}:level`, `${s}:diff`, `${s}:day`);
    cols.push(level, lag(1), lag(P));
    if (weekly) {
      names.push(`${s}:week`);
      cols.push(lag(7 * P));
    }
  }
  const c = cols.length;
  const x = new Float64Array(n * c);
  for (let t = 0; t < n; t++) for (let j = 0; j < c; j++) x[t * c + j] = cols[j][t];
  return { names, x, rows: n, cols: c, warmup: weekly ? 7 * P : P };
}

/** A fitted forest: flat node arrays (feature −1 = leaf, whose `value` is the path-length correction c(size)). */
interface Tree {
  feature: Int32Array;
  split: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Average path length of an unsuccessful BST search among n points, c(n). */
export function cFactor(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

function buildTree(x: Float64Array, cols: number, sample: number[], maxDepth: number, rng: Rng): Tree {
  const feature: number[] = [];
  const split: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const grow = (idx: number[], depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    split.push(0);
    left.push(-1);
    right.push(-1);
    value.push(cFactor(idx.length));
    if (depth >= maxDepth || idx.length <= 1) return node;
    // A random feature among those that still vary in this node; a leaf when none does.
    const order = Array.from({ length: cols }, (_, j) => j);
    for (let k = cols - 1; k > 0; k--) {
      const r = Math.floor(rng() * (k + 1));
      [order[k], order[r]] = [order[r], order[k]];
    }
    for (const j of order) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const i of idx) {
        const v = x[i * cols + j];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (!(hi > lo)) continue;
      const s = lo + rng() * (hi - lo);
      const a = idx.filter((i) => x[i * cols + j] < s);
      const b = idx.filter((i) => x[i * cols + j] >= s);
      feature[node] = j;
      split[node] = s;
      const l = grow(a, depth + 1);
      left[node] = l;
      const r = grow(b, depth + 1);
      right[node] = r;
      return node;
    }
    return node;
  };
  grow(sample, 0);
  return { feature: Int32Array.from(feature), split: Float64Array.from(split), left: Int32Array.from(left), right: Int32Array.from(right), value: Float64Array.from(value) };
}

function pathLength(t: Tree, x: Float64Array, off: number): number {
  let node = 0;
  let depth = 0;
  while (t.feature[node] >= 0) {
    node = x[off + t.feature[node]] < t.split[node] ? t.left[node] : t.right[node];
    depth++;
  }
  return depth + t.value[node];
}

/** A fitted isolation forest over `cols` features. */
export interface IsolationForest {
  trees: Tree[];
  cols: number;
  sampleSize: number;
}

/** Fits a forest on rows `rows` of `x` ([rows × cols] row-major, finite). */
export function fitIsolationForest(x: Float64Array, cols: number, rows: ArrayLike<number>, opts: Pick<IsolationForestOptions, 'trees' | 'sampleSize' | 'seed'>): IsolationForest {
  if (rows.length < 2) throw new DataError(`Isolation forest needs at least 2 fit rows; got ${rows.length}.`);
  const rng = createRng(opts.seed);
  const psi = Math.min(opts.sampleSize, rows.length);
  const maxDepth = Math.ceil(Math.log2(psi));
  const trees: Tree[] = [];
  for (let k = 0; k < opts.trees; k++) {
    const sample: number[] = [];
    for (let i = 0; i < psi; i++) sample.push(rows[Math.floor(rng() * rows.length)]);
    trees.push(buildTree(x, cols, sample, maxDepth, rng));
  }
  return { trees, cols, sampleSize: psi };
}

/** Anomaly score 2^(−E[h(x)] / c(ψ)) in (0, 1] per row; ≈ 0.5 for typical rows, → 1 for isolated ones. */
export function scoreIsolationForest(f: IsolationForest, x: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const c = cFactor(f.sampleSize);
  for (let r = 0; r < rows; r++) {
    let h = 0;
    for (const t of f.trees) h += pathLength(t, x, r * f.cols);
    out[r] = Math.pow(2, -h / f.trees.length / c);
  }
  return out;
}

/** What runIsolationForest returns: scores (NaN in warm-up), flags at the calibrated threshold, and the threshold. */
export interface IsolationForestRun {
  score: Float64Array;
  flagged: Uint8Array;
  threshold: number;
  fitRows: number;
  calibrationRows: number;
}

/**
 * Fits on the normal rows of [warm-up, fitEnd) (not gap, unreliable or labelled): features are robust-scaled on the
 * forest's rows, the earliest (1 − calibrationShare) build the forest, the latest calibrate the threshold as a high
 * quantile of their scores. Every row is then scored.
 */
export function runIsolationForest(frame: CountryFrame, fitEnd: number, opts: IsolationForestOptions = IFOREST_DEFAULTS): IsolationForestRun {
  const fx = causalFeatures(frame, fitEnd);
  const n = fx.rows;
  const C = fx.cols;
  const usable: number[] = [];
  for (let t = fx.warmup; t < Math.min(fitEnd, n); t++) if (!frame.gap[t] && !frame.unreliable[t] && !frame.labelKind[t]) usable.push(t);
  if (usable.length < 48) throw new DataError(`${frame.id}: only ${usable.length} usable fit rows after the ${fx.warmup}-row warm-up; expected at least 48 (a longer fit range).`);
  const cut = Math.max(24, Math.floor(usable.length * (1 - opts.calibrationShare)));
  const fitIdx = usable.slice(0, cut);
  const calIdx = usable.slice(cut).length >= 24 ? usable.slice(cut) : fitIdx;
  // Robust scaling per feature (median / IQR-like spread) so the clip at ±20 treats every feature alike.
  const x = fx.x;
  for (let j = 0; j < C; j++) {
    const s = sortedFinite(fitIdx.map((t) => x[t * C + j]));
    const med = quantileSorted(s, 0.5);
    const spread = Math.max(quantileSorted(s, 0.75) - quantileSorted(s, 0.25), 1e-9);
    for (let t = 0; t < n; t++) {
      const v = (x[t * C + j] - med) / spread;
      x[t * C + j] = Number.isFinite(v) ? Math.max(-20, Math.min(20, v)) : 0;
    }
  }
  const forest = fitIsolationForest(x, C, fitIdx, { ...opts, seed: hashSeed(opts.seed, frame.id) });
  const score = scoreIsolationForest(forest, x, n);
  for (let t = 0; t < fx.warmup && t < n; t++) score[t] = NaN;
  const threshold = quantileSorted(sortedFinite(calIdx.map((t) => score[t])), opts.quantile);
  const flagged = Uint8Array.from(score, (v) => (v > threshold ? 1 : 0));
  return { score, flagged, threshold, fitRows: fitIdx.length, calibrationRows: calIdx.length };
}
