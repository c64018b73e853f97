/** The hybrid loss (contWeight·MSE + catWeight·mean cross-entropy), its host-side twin for evaluation, and input corruption for denoising. */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/schema';
import type { FeatureSet } from '../features/types';
import type { Rng } from '../util/random';
import { gatherBatch, modelSizes, predictBatch } from './autoencoder';

export type LossWeights = Pick<ModelConfig, 'contWeight' | 'catWeight'>;

/**
 * Training loss on one batch: contWeight · mean squared error over [b, nCont] + catWeight · cross-entropy averaged
 * over rows and categorical heads. `preds` = model outputs, `catOneHot` = one-hot targets [b, card_i].
 */
export function hybridLoss(preds: tf.Tensor[], contTarget: tf.Tensor, catOneHot: tf.Tensor[], w: LossWeights): tf.Scalar {
  return tf.tidy(() => {
    let loss = tf.losses.meanSquaredError(contTarget, preds[0], undefined, tf.Reduction.MEAN).mul(w.contWeight) as tf.Scalar;
    if (catOneHot.length && w.catWeight > 0) {
      const ces = catOneHot.map((y, j) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(preds[j + 1])), 1))));
      loss = loss.add(tf.addN(ces).div(catOneHot.length).mul(w.catWeight));
    }
    return loss;
  });
}

/**
 * Denoising corruption of a batch's continuous values (training only): x + N(0, noiseStd²), then each value
 * zeroed with probability maskRate. Zero is the scaled feature's centre, so a masked value reads as "typical".
 */
export function corruptCont(cont: Float32Array, cfg: Pick<ModelConfig, 'noiseStd' | 'maskRate'>, rng: Rng): Float32Array {
  if (cfg.noiseStd <= 0 && cfg.maskRate <= 0) return cont;
  const out = new Float32Array(cont.length);
  for (let k = 0; k < cont.length; k++) {
    const v = cfg.noiseStd > 0 ? cont[k] + cfg.noiseStd * rng.normal() : cont[k];
    out[k] = cfg.maskRate > 0 && rng() < cfg.maskRate ? 0 : v;
  }
  return out;
}

/**
 * Cross-entropy of the true class under softmax(logits / T) for one row's logits [offset, offset + card), in nats.
 * Max-shifted log-sum-exp, so large logits do not overflow. The one softmax-CE of radarwatch: loss, scores, temperature.
 */
export function crossEntropy(logits: ArrayLike<number>, offset: number, card: number, target: number, T = 1): number {
  let max = -Infinity;
  for (let c = 0; c < card; c++) max = Math.max(max, logits[offset + c] / T);
  let z = 0;
  for (let c = 0; c < card; c++) z += Math.exp(logits[offset + c] / T - max);
  return -(logits[offset + target] / T - max - Math.log(z));
}

/** Loss of a set of rows, split into its parts. */
export interface LossParts {
  /** contWeight · contMse + catWeight · catCe — the quantity early stopping watches. */
  loss: number;
  /** Mean squared error over rows × continuous features. */
  contMse: number;
  /** Cross-entropy averaged over rows and categorical heads (0 without categorical features). */
  catCe: number;
  rows: number;
}

/**
 * Inference-mode loss over rows `idx` of `fs` (no corruption, no dropout), accumulated in float64 so it is
 * independent of batch size. Used for validation loss, early stopping and the validate report.
 */
export function evaluateLoss(model: tf.LayersModel, fs: FeatureSet, idx: ArrayLike<number>, w: LossWeights, batchSize = 2048): LossParts {
  const { nCont, catCardinalities } = modelSizes(model);
  let se = 0;
  let ce = 0;
  for (let from = 0; from < idx.length; from += batchSize) {
    const to = Math.min(idx.length, from + batchSize);
    const batch = gatherBatch(fs, idx, from, to);
    const outs = predictBatch(model, batch, catCardinalities);
    for (let k = 0; k < batch.cont.length; k++) {
      const d = outs[0][k] - batch.cont[k];
      se += d * d;
    }
    catCardinalities.forEach((card, j) => {
      for (let b = 0; b < batch.size; b++) ce += crossEntropy(outs[j + 1], b * card, card, batch.cats[j][b]);
    });
  }
  const n = idx.length;
  const contMse = n ? se / (n * nCont) : NaN;
  const catCe = catCardinalities.length ? (n ? ce / (n * catCardinalities.length) : NaN) : 0;
  return { loss: w.contWeight * contMse + (catCardinalities.length ? w.catWeight * catCe : 0), contMse, catCe, rows: n };
}
