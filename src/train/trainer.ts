/** The training loop: seeded shuffling and denoising, per-epoch validation loss, early stopping that restores the best epoch. */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema';
import { DataError } from '../errors';
import type { FeatureSet } from '../features/types';
import { batchInputs, buildAutoencoder, checkFeatureShapes, gatherBatch } from '../model/autoencoder';
import { corruptCont, evaluateLoss, hybridLoss } from '../model/loss';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { createRng, hashSeed } from '../util/random';
import { HostAdam, trainableVariables } from './adam';

/** One epoch of history. `loss` is the mean training loss on corrupted inputs; `valLoss` is clean (inference mode). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  valLoss: number;
  seconds: number;
}

export interface EpochEvent {
  epoch: number;
  loss: number;
  valLoss: number;
  /** valLoss's unweighted parts, so callers (tuning) can score epochs with weights of their own. */
  valParts: { contMse: number; catCe: number };
}

export interface FitOptions {
  /** Called after each epoch; returning true stops training (e.g. an Optuna pruner). */
  onEpoch?: (e: EpochEvent) => boolean | void | Promise<boolean | void>;
  /** Show a progress bar on stderr (default true; it stays silent when stderr is not a terminal). */
  progress?: boolean;
  /** Caps cfg.train.epochs (e.g. a tuning budget). */
  maxEpochs?: number;
  /** Label of the progress bar and log lines. */
  label?: string;
  /** Weights to start from instead of a fresh initialisation (a warm start), in model.getWeights() order and shapes. */
  initialWeights?: Float32Array[];
}

export type StopReason = 'maxEpochs' | 'patience' | 'callback' | 'diverged';

export interface FitResult {
  /** The model with the best epoch's weights restored. */
  model: tf.LayersModel;
  history: EpochRecord[];
  /** 1-based epoch whose weights the model holds. */
  bestEpoch: number;
  bestValLoss: number;
  stoppedEarly: boolean;
  stopReason: StopReason;
  seconds: number;
  /** True when training started from FitOptions.initialWeights (they fitted the model). */
  warmStarted: boolean;
}

/**
 * Trains a fresh autoencoder on rows `trainIdx` of `features`, validating on `valIdx` after each epoch.
 * Same seed, data and backend → same history. Halves the learning rate after every `lrPlateau` epochs without a
 * relative validation drop of `minDelta`, stops after `patience` such epochs, when `onEpoch` returns true, or on a
 * non-finite loss; the model always ends with the weights of the epoch with the lowest validation loss.
 */
export async function fitAutoencoder(features: FeatureSet, trainIdx: Int32Array, valIdx: Int32Array, cfg: Config, opts: FitOptions = {}): Promise<FitResult> {
  const { model: mcfg, train: tcfg } = cfg;
  if (trainIdx.length === 0) throw new DataError('No training rows left after removing warmup, gaps and labelled hours; use a longer date range or set train.excludeLabeled: false.');
  if (valIdx.length === 0) throw new DataError('No validation rows left after removing warmup, gaps and labelled hours; use a longer date range or a larger train.split.validation.');
  const catCardinalities = features.catCardinalities.slice();
  checkFeatureShapes(features, { nCont: features.contNames.length, catCardinalities }, 'the feature set');

  const t0 = performance.now();
  const model = buildAutoencoder(mcfg, { nCont: features.contNames.length, catCardinalities, seed: tcfg.seed });
  let warmStarted = false;
  if (opts.initialWeights) {
    const why = weightsMismatch(model, opts.initialWeights);
    if (why) log.info(`${opts.label ?? 'train'}: starting from scratch, the warm-start weights do not fit (${why})`);
    else {
      setWeightsFrom(model, opts.initialWeights);
      warmStarted = true;
    }
  }
  const optimizer = new HostAdam(tcfg.learningRate, trainableVariables(model));
  const maxEpochs = Math.max(1, Math.min(tcfg.epochs, opts.maxEpochs ?? Infinity));
  const label = opts.label ?? 'train';
  const bar = opts.progress === false ? undefined : startProgress(label, maxEpochs, '{bar} epoch {value}/{total} loss {loss} val {val} ETA {eta_formatted}', { loss: '-', val: '-' });

  // Fine-tuning from trained weights takes fewer, larger steps (measured: a third less time, about the same loss).
  const batchSize = warmStarted && tcfg.warmBatchSize > 0 ? tcfg.warmBatchSize : tcfg.batchSize;
  const history: EpochRecord[] = [];
  let best = { epoch: 0, valLoss: Infinity, weights: [] as Float32Array[] };
  let wait = 0;
  let stopReason: StopReason = 'maxEpochs';
  const order = Int32Array.from(trainIdx);
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const te = performance.now();
      // One seeded stream per epoch: shuffling and noise do not depend on how earlier epochs went.
      const rng = createRng(hashSeed(tcfg.seed, 'epoch', epoch));
      shuffle(order, rng);
      let lossSum = 0;
      let lossRows = 0;
      for (let from = 0; from < order.length; from += batchSize) {
        const to = Math.min(order.length, from + batchSize);
        const batch = gatherBatch(features, order, from, to);
        const noisy = corruptCont(batch.cont, mcfg, rng);
        const cost = tf.tidy(() => {
          const inputs = batchInputs(batch, catCardinalities, noisy);
          const target = tf.tensor2d(batch.cont, [batch.size, features.contNames.length]);
          return optimizer.minimize(() => {
            const out = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
            return hybridLoss(Array.isArray(out) ? out : [out], target, inputs.slice(1), mcfg);
          });
        });
        lossSum += (await cost.data())[0] * batch.size;
        lossRows += batch.size;
        cost.dispose();
      }
      const loss = lossSum / lossRows;
      const val = evaluateLoss(model, features, valIdx, mcfg);
      const valLoss = val.loss;
      history.push({ epoch, loss, valLoss, seconds: (performance.now() - te) / 1000 });
      bar?.update(epoch, { loss: loss.toFixed(4), val: valLoss.toFixed(4) });

      if (!Number.isFinite(loss) || !Number.isFinite(valLoss)) {
        stopReason = 'diverged';
        if (best.epoch === 0) {
          throw new DataError(`Training diverged: loss ${loss}, validation loss ${valLoss} at epoch ${epoch}. Lower train.learningRate (now ${tcfg.learningRate}) or check the features for extreme values.`);
        }
        log.warn(`${label}: loss became ${loss} at epoch ${epoch}; keeping epoch ${best.epoch}`);
        break;
      }
      if (valLoss < best.valLoss * (1 - tcfg.minDelta) || best.epoch === 0) {
        // Copy to host: a few thousand floats, and no tensors to track across epochs.
        best = { epoch, valLoss, weights: model.getWeights().map((w) => w.dataSync().slice() as Float32Array) };
        wait = 0;
      } else if (++wait >= tcfg.patience) {
        stopReason = 'patience';
      } else if (tcfg.lrPlateau > 0 && wait % tcfg.lrPlateau === 0) {
        // On a plateau, smaller steps: the rate halves, so a run settles and stops instead of hovering to the cap.
        optimizer.learningRate *= 0.5;
      }
      if ((await opts.onEpoch?.({ epoch, loss, valLoss, valParts: { contMse: val.contMse, catCe: val.catCe } })) === true) stopReason = 'callback';
      if (stopReason !== 'maxEpochs') break;
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    bar?.stop();
  }
  if (best.epoch !== history.length) restoreWeights(model, best.weights);
  return {
    model,
    history,
    bestEpoch: best.epoch,
    bestValLoss: best.valLoss,
    stoppedEarly: stopReason !== 'maxEpochs',
    stopReason,
    seconds: (performance.now() - t0) / 1000,
    warmStarted,
  };
}

/** Sets a model's weights from host copies taken with getWeights(). */
function restoreWeights(model: tf.LayersModel, weights: Float32Array[]): void {
  const current = model.getWeights();
  const tensors = weights.map((w, i) => tf.tensor(w, current[i].shape, current[i].dtype));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Fisher–Yates in place with a seeded generator. */
function shuffle(a: Int32Array, rng: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/** Why `weights` cannot be `model`'s (their number or sizes differ), or undefined when they fit. */
export function weightsMismatch(model: tf.LayersModel, weights: Float32Array[]): string | undefined {
  const current = model.getWeights();
  if (weights.length === current.length && current.every((w, i) => w.size === weights[i].length)) return undefined;
  if (weights.length !== current.length) return `the model has ${current.length} weight tensors, the weights ${weights.length}: other signals or model settings`;
  const i = current.findIndex((w, k) => w.size !== weights[k].length);
  return `weight tensor ${i} of the model has ${current[i].size} values, of the weights ${weights[i].length}: other signals or model settings`;
}

/** Sets `model`'s weights from host arrays in getWeights() order; throws DataError when they do not fit. */
export function setWeightsFrom(model: tf.LayersModel, weights: Float32Array[]): void {
  const why = weightsMismatch(model, weights);
  if (why) throw new DataError(`Cannot start from the given weights: ${why}.`);
  const current = model.getWeights();
  const tensors = current.map((w, i) => tf.tensor(weights[i], w.shape, 'float32'));
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
}
