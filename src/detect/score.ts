/**
 * Raw per-hour anomaly scores from a reconstruction: contWeight·MSE over continuous features plus
 * catWeight·CE of the categorical heads at temperature T, with each feature's and each signal's share.
 */
import type { FeatureSet } from '../features/types';
import type { Reconstruction } from '../model/autoencoder';
import { crossEntropy } from '../model/loss';

export interface ScoreWeights {
  contWeight: number;
  catWeight: number;
}

/** Scores of every row of a FeatureSet. */
export interface RowScores {
  rows: number;
  /** Total score per row. */
  score: Float64Array;
  /** Mean squared error of the continuous features per row (unweighted). */
  contMse: Float64Array;
  /** Mean cross-entropy of the categorical heads per row at temperature T (unweighted). */
  catCe: Float64Array;
  /** Score share names: every signal of the continuous features, plus `calendar` for the categorical heads. */
  signalNames: string[];
  /** Per-signal share of each row's score, [rows, signalNames.length] row-major; rows sum to 1 (0 when the score is 0). */
  signalShare: Float32Array;
  /** Per signal, the scaled seasonal residual input (`<signal>.resid`; negative = below its usual level). */
  direction: Record<string, Float32Array>;
}

/**
 * Per-feature squared errors [rows, nCont] — the raw material of per-feature error distributions and shares.
 */
export function featureSquaredErrors(fs: FeatureSet, recon: Reconstruction): Float32Array {
  const out = new Float32Array(fs.cont.length);
  for (let i = 0; i < out.length; i++) {
    const d = fs.cont[i] - recon.contRecon[i];
    out[i] = d * d;
  }
  return out;
}

/**
 * Cross-entropy of each categorical head per row at temperature T: [nCat][rows].
 * Computed with a max-shift so large logits do not overflow.
 */
export function categoricalCrossEntropy(fs: FeatureSet, recon: Reconstruction, T = 1): Float64Array[] {
  const nCat = fs.catNames.length;
  return fs.catCardinalities.map((card, k) => {
    const logits = recon.catLogits[k];
    const ce = new Float64Array(fs.rows);
    for (let r = 0; r < fs.rows; r++) ce[r] = crossEntropy(logits, r * card, card, fs.cat[r * nCat + k], T);
    return ce;
  });
}

/** Scores every row: `contWeight·mean(sq. errors) + catWeight·mean(CE(logits / T))`, with shares and directions. */
export function scoreRows(fs: FeatureSet, recon: Reconstruction, weights: ScoreWeights, T = 1): RowScores {
  const nCont = fs.contNames.length;
  const nCat = fs.catNames.length;
  const sq = featureSquaredErrors(fs, recon);
  const ce = categoricalCrossEntropy(fs, recon, T);
  const signals = [...new Set(fs.contSignal)];
  const signalNames = nCat > 0 ? [...signals, 'calendar'] : signals;
  const sigIndex = fs.contSignal.map((s) => signals.indexOf(s));
  const S = signalNames.length;
  const score = new Float64Array(fs.rows);
  const contMse = new Float64Array(fs.rows);
  const catCe = new Float64Array(fs.rows);
  const signalShare = new Float32Array(fs.rows * S);
  const contrib = new Float64Array(S);
  for (let r = 0; r < fs.rows; r++) {
    contrib.fill(0);
    let mse = 0;
    for (let j = 0; j < nCont; j++) {
      const e = sq[r * nCont + j];
      mse += e;
      contrib[sigIndex[j]] += (weights.contWeight * e) / nCont;
    }
    let cet = 0;
    for (let k = 0; k < nCat; k++) cet += ce[k][r];
    if (nCat > 0) contrib[S - 1] = (weights.catWeight * cet) / nCat;
    contMse[r] = nCont ? mse / nCont : 0;
    catCe[r] = nCat ? cet / nCat : 0;
    const total = weights.contWeight * contMse[r] + weights.catWeight * catCe[r];
    score[r] = total;
    if (total > 0) for (let s = 0; s < S; s++) signalShare[r * S + s] = contrib[s] / total;
  }
  const direction: Record<string, Float32Array> = {};
  for (const s of signals) {
    let j = fs.contNames.indexOf(`${s}.resid`);
    const dir = new Float32Array(fs.rows);
    if (j >= 0) {
      for (let r = 0; r < fs.rows; r++) dir[r] = fs.cont[r * nCont + j];
    } else {
      // Without a residual feature, the sign of (actual − reconstruction) of the signal's first feature tells the direction.
      j = fs.contSignal.indexOf(s);
      for (let r = 0; r < fs.rows; r++) dir[r] = fs.cont[r * nCont + j] - recon.contRecon[r * nCont + j];
    }
    direction[s] = dir;
  }
  return { rows: fs.rows, score, contMse, catCe, signalNames, signalShare, direction };
}
