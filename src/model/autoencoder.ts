/** The hybrid autoencoder: continuous + one-hot categorical inputs → residual MLP with a bottleneck → MSE and softmax heads. */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/schema';
import { DataError } from '../errors';
import type { FeatureSet } from '../features/types';
import { hashSeed } from '../util/random';

/** The data-dependent sizes of a model. */
export interface AutoencoderSpec {
  /** Continuous features per row. */
  nCont: number;
  /** Categories of each categorical feature (one one-hot input and one softmax head each). */
  catCardinalities: number[];
  /** Seed of every initializer and dropout mask. */
  seed: number;
}

/** Input names, in the order `model.inputs` expects them. */
export const CONT_INPUT = 'cont';
export const catInputName = (i: number): string => `cat_${i}`;

/**
 * Dropout whose masks are seeded (seed + call count), so training is repeatable. tf.layers.dropout with a
 * fixed seed would reuse one mask for every batch; without a seed it is not repeatable.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'RadarwatchSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;
  constructor(args: { rate: number; seed: number; name?: string }) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs?.training || this.rate <= 0) return x;
    return tf.dropout(x, this.rate, undefined, (this.seed + this.calls++) >>> 0);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);

/**
 * Builds a fresh, uncompiled hybrid autoencoder.
 * Inputs: `cont` [batch, nCont] and `cat_i` one-hot [batch, card_i]. Each one-hot goes through a bias-free
 * Dense(embeddingDim) — an embedding that trains on wasm, which lacks the gradient kernel of tf.layers.embedding.
 * Outputs: [contRecon [batch, nCont], catLogits_0 [batch, card_0], …]. Denoising happens in the training loop
 * (see corruptCont), so `predict` never sees noise.
 */
export function buildAutoencoder(cfg: ModelConfig, spec: AutoencoderSpec): tf.LayersModel {
  if (!Number.isInteger(spec.nCont) || spec.nCont < 1) throw new DataError(`Expected at least 1 continuous feature, got ${spec.nCont}`);
  spec.catCardinalities.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 2) throw new DataError(`Categorical feature ${i} has ${c} categories; expected an integer ≥ 2`);
  });
  let layerNo = 0;
  const init = (name: string) => tf.initializers.glorotUniform({ seed: hashSeed(spec.seed, name, layerNo++) });
  const dense = (units: number, name: string, activation: 'linear' | ModelConfig['activation'] = 'linear', useBias = true) =>
    tf.layers.dense({ units, activation, useBias, name, kernelInitializer: init(name) });

  const contIn = tf.input({ shape: [spec.nCont], name: CONT_INPUT });
  const catIns = spec.catCardinalities.map((c, i) => tf.input({ shape: [c], name: catInputName(i) }));
  const embedded = catIns.map((x, i) => dense(cfg.embeddingDim, `embed_${i}`, 'linear', false).apply(x) as tf.SymbolicTensor);
  let h: tf.SymbolicTensor = embedded.length ? (tf.layers.concatenate({ name: 'joined' }).apply([contIn, ...embedded]) as tf.SymbolicTensor) : contIn;

  /**
   * One hidden block: act(Wx + b), dropout, plus a skip (identity when widths match, else a linear projection).
   * The first encoder block mixes raw features with embeddings and gets no skip: a projection of the input
   * would cost as many weights as the layer itself (about a fifth of the model) for little gain.
   */
  const block = (x: tf.SymbolicTensor, units: number, name: string, skip = cfg.residual): tf.SymbolicTensor => {
    let y = dense(units, name, cfg.activation).apply(x) as tf.SymbolicTensor;
    if (cfg.dropout > 0) y = new SeededDropout({ rate: cfg.dropout, seed: hashSeed(spec.seed, name, 'dropout'), name: `${name}_dropout` }).apply(y) as tf.SymbolicTensor;
    if (!skip) return y;
    const width = x.shape[x.shape.length - 1];
    const shortcut = width === units ? x : (dense(units, `${name}_proj`, 'linear', false).apply(x) as tf.SymbolicTensor);
    return tf.layers.add({ name: `${name}_res` }).apply([y, shortcut]) as tf.SymbolicTensor;
  };

  cfg.hiddenUnits.forEach((u, i) => (h = block(h, u, `enc_${i}`, cfg.residual && i > 0)));
  // The bottleneck is linear and no skip crosses it, so all information must pass through `bottleneck` units.
  h = dense(cfg.bottleneck, 'bottleneck').apply(h) as tf.SymbolicTensor;
  [...cfg.hiddenUnits].reverse().forEach((u, i) => (h = block(h, u, `dec_${i}`)));

  const contOut = dense(spec.nCont, 'cont_out').apply(h) as tf.SymbolicTensor;
  const catOuts = spec.catCardinalities.map((c, i) => dense(c, `cat_out_${i}`).apply(h) as tf.SymbolicTensor);
  return tf.model({ inputs: [contIn, ...catIns], outputs: [contOut, ...catOuts], name: 'radarwatch_autoencoder' });
}

/** Number of trainable parameters. */
export function countParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** Checks a FeatureSet's shapes and category ranges against a model's sizes; throws DataError naming the mismatch. */
export function checkFeatureShapes(fs: FeatureSet, spec: Pick<AutoencoderSpec, 'nCont' | 'catCardinalities'>, where = 'the model'): void {
  const nCont = fs.contNames.length;
  if (nCont !== spec.nCont) throw new DataError(`Expected ${spec.nCont} continuous features, got ${nCont} (see meta.json of ${where})`);
  if (fs.cont.length !== fs.rows * nCont) throw new DataError(`FeatureSet.cont has ${fs.cont.length} values; expected rows × features = ${fs.rows} × ${nCont}`);
  const nCat = fs.catNames.length;
  if (nCat !== spec.catCardinalities.length) throw new DataError(`Expected ${spec.catCardinalities.length} categorical features, got ${nCat} (see meta.json of ${where})`);
  if (fs.cat.length !== fs.rows * nCat) throw new DataError(`FeatureSet.cat has ${fs.cat.length} values; expected rows × features = ${fs.rows} × ${nCat}`);
  spec.catCardinalities.forEach((card, j) => {
    if (fs.catCardinalities[j] !== card) throw new DataError(`Categorical feature "${fs.catNames[j]}" has ${fs.catCardinalities[j]} categories; expected ${card} (see meta.json of ${where})`);
  });
  for (let k = 0; k < fs.cat.length; k++) {
    const j = k % nCat;
    if (fs.cat[k] < 0 || fs.cat[k] >= spec.catCardinalities[j]) {
      throw new DataError(`Categorical feature "${fs.catNames[j]}" has index ${fs.cat[k]} at row ${Math.floor(k / nCat)}; expected 0..${spec.catCardinalities[j] - 1}`);
    }
  }
}

/** Host-side batch of rows `idx`: continuous values [b, nCont] and category indices per categorical feature [b]. */
export interface HostBatch {
  size: number;
  cont: Float32Array;
  cats: Int32Array[];
}

/** Gathers rows `idx[from..to)` of a FeatureSet (rows `from..to` when `idx` is undefined) into contiguous host arrays. */
export function gatherBatch(fs: FeatureSet, idx: ArrayLike<number> | undefined, from: number, to: number): HostBatch {
  const nCont = fs.contNames.length;
  const nCat = fs.catNames.length;
  const size = to - from;
  const cont = new Float32Array(size * nCont);
  const cats = Array.from({ length: nCat }, () => new Int32Array(size));
  for (let b = 0; b < size; b++) {
    const r = idx ? idx[from + b] : from + b;
    cont.set(fs.cont.subarray(r * nCont, (r + 1) * nCont), b * nCont);
    for (let j = 0; j < nCat; j++) cats[j][b] = fs.cat[r * nCat + j];
  }
  return { size, cont, cats };
}

/** One-hot rows [indices.length, card] on the host. */
export function oneHot(indices: Int32Array, card: number): Float32Array {
  const out = new Float32Array(indices.length * card);
  for (let b = 0; b < indices.length; b++) out[b * card + indices[b]] = 1;
  return out;
}

/**
 * Model inputs for a host batch: [cont [b, nCont], oneHot_0 [b, card_0], …]. Caller disposes (or runs inside tf.tidy).
 * One-hots are built on the host: tf.oneHot(…, 'float32') on the wasm backend (4.22) writes int32 bit patterns
 * into the float buffer, i.e. values of ~1e-45 instead of 1.
 */
export function batchInputs(batch: HostBatch, catCardinalities: number[], cont: Float32Array = batch.cont): tf.Tensor[] {
  const nCont = cont.length / batch.size;
  return [
    tf.tensor2d(cont, [batch.size, nCont]),
    ...batch.cats.map((c, j) => tf.tensor2d(oneHot(c, catCardinalities[j]), [batch.size, catCardinalities[j]])),
  ];
}

/**
 * The model's outputs for a host batch in inference mode, copied to the host: [contRecon [b, nCont], catLogits_0
 * [b, card_0], …], row-major. Frees every tensor. The one inference pass of training's validation and of scoring.
 */
export function predictBatch(model: tf.LayersModel, batch: HostBatch, catCardinalities: number[]): Float32Array[] {
  // tidy returns the tensors and dataSync runs after it: tidy walks whatever it returns, element by element for a
  // typed array (that walk was a tenth of all training time). predict's own batch size defaults to 32: without the
  // batch's size the validation pass ran 160 batches per epoch, a fifth of the epoch (same numbers either way).
  const preds = tf.tidy(() => {
    const p = model.predict(batchInputs(batch, catCardinalities), { batchSize: batch.size }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(p) ? p : [p];
  });
  const outs = preds.map((t) => t.dataSync() as Float32Array);
  tf.dispose(preds);
  return outs;
}

/** Reconstructions of every row of a FeatureSet. */
export interface Reconstruction {
  /** Reconstructed continuous features, [rows, nCont] row-major. */
  contRecon: Float32Array;
  /** Logits per categorical feature, each [rows, card_i] row-major. */
  catLogits: Float32Array[];
}

/** Sizes a built model expects, read from its inputs. */
export function modelSizes(model: tf.LayersModel): { nCont: number; catCardinalities: number[] } {
  const [cont, ...cats] = model.inputs;
  return { nCont: cont.shape[1] as number, catCardinalities: cats.map((c) => c.shape[1] as number) };
}

/**
 * Runs the model over all rows of `fs` in batches (inference: no noise, no dropout) and copies the outputs to host arrays.
 * Frees every intermediate tensor.
 */
export function reconstruct(model: tf.LayersModel, fs: FeatureSet, opts: { batchSize?: number } = {}): Reconstruction {
  const sizes = modelSizes(model);
  checkFeatureShapes(fs, sizes);
  const batchSize = Math.max(1, opts.batchSize ?? 2048);
  const contRecon = new Float32Array(fs.rows * sizes.nCont);
  const catLogits = sizes.catCardinalities.map((c) => new Float32Array(fs.rows * c));
  for (let from = 0; from < fs.rows; from += batchSize) {
    const to = Math.min(fs.rows, from + batchSize);
    const outs = predictBatch(model, gatherBatch(fs, undefined, from, to), sizes.catCardinalities);
    contRecon.set(outs[0], from * sizes.nCont);
    sizes.catCardinalities.forEach((c, j) => catLogits[j].set(outs[j + 1], from * c));
  }
  return { contRecon, catLogits };
}
