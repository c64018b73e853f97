import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder } from '../../src/model/autoencoder';
import { initBackend } from '../../src/model/backend';
import { evaluateLoss } from '../../src/model/loss';
import { fitAutoencoder } from '../../src/train/trainer';
import { fitRows } from '../../src/train/split';
import { createRng } from '../../src/util/random';
import { smallConfig, syntheticFeatures } from '../model/fixtures';

const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);

describe('train/trainer', () => {
  before(async () => {
    await initBackend();
  });

  it('lowers the loss on a tiny seeded dataset', async () => {
    const fs = syntheticFeatures(24 * 20);
    const cfg = smallConfig({ train: { epochs: 8, patience: 8 } });
    const r = await fitAutoencoder(fs, range(0, 360), range(360, 480), cfg, { progress: false });
    assert.equal(r.history.length, 8);
    const first = r.history[0];
    const last = r.history[r.history.length - 1];
    assert.ok(last.loss < 0.6 * first.loss, `train loss ${first.loss} → ${last.loss}`);
    assert.ok(r.bestValLoss < 0.6 * first.valLoss, `val loss ${first.valLoss} → ${r.bestValLoss}`);
    r.model.dispose();
  });

  it('a warm start begins where the given weights are (first validation loss of a trained model), and mismatched weights start from scratch', async () => {
    const fs = syntheticFeatures(24 * 20);
    const cfg = smallConfig({ train: { epochs: 8, patience: 8 } });
    const trained = await fitAutoencoder(fs, range(0, 360), range(360, 480), cfg, { progress: false });
    const weights = trained.model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    trained.model.dispose();
    // a learning rate too small to move anything: the first epoch's validation loss is the trained model's
    const still = smallConfig({ train: { epochs: 1, learningRate: 1e-9 } });
    const warm = await fitAutoencoder(fs, range(0, 360), range(360, 480), still, { progress: false, initialWeights: weights });
    assert.equal(warm.warmStarted, true);
    assert.ok(Math.abs(warm.history[0].valLoss - trained.bestValLoss) < 1e-3 * trained.bestValLoss, `${warm.history[0].valLoss} vs ${trained.bestValLoss}`);
    warm.model.dispose();
    const cold = await fitAutoencoder(fs, range(0, 360), range(360, 480), still, { progress: false, initialWeights: weights.slice(1) });
    assert.equal(cold.warmStarted, false);
    assert.ok(cold.history[0].valLoss > 1.5 * trained.bestValLoss, 'weights that do not fit are not used');
    cold.model.dispose();
  });

  it('gives an identical history for the same seed, and a different one for another seed', async () => {
    const fs = syntheticFeatures(24 * 10);
    const run = async (seed: number) => {
      const cfg = smallConfig({ model: { dropout: 0.2 }, train: { epochs: 3, seed } });
      const r = await fitAutoencoder(fs, range(0, 180), range(180, 240), cfg, { progress: false });
      r.model.dispose();
      return r.history.map(({ loss, valLoss }) => [loss, valLoss]);
    };
    const a = await run(5);
    assert.deepEqual(await run(5), a);
    assert.notDeepEqual(await run(6), a);
  });

  it('restores the best epoch’s weights, not the last, when validation loss gets worse', async () => {
    // Overfitting by construction: 8 rows of pure noise, a wide net, a high learning rate, no denoising. Validation
    // loss (64 fresh noise rows) bottoms out at epoch 8 and rises after; patience 4 stops at epoch 12.
    const fs = syntheticFeatures(72, { seed: 1 });
    const rng = createRng(9);
    for (let k = 0; k < fs.cont.length; k++) fs.cont[k] = rng.normal();
    const cfg = smallConfig({
      model: { hiddenUnits: [32, 32], bottleneck: 2, noiseStd: 0, maskRate: 0, catWeight: 0 },
      train: { epochs: 20, patience: 4, learningRate: 0.03, batchSize: 4 },
    });
    const valIdx = range(8, 72);
    const r = await fitAutoencoder(fs, range(0, 8), valIdx, cfg, { progress: false });
    const lastVal = r.history[r.history.length - 1].valLoss;
    assert.ok(r.bestEpoch > 1 && r.bestEpoch < r.history.length, `best epoch ${r.bestEpoch} of ${r.history.length}: the case must get worse`);
    assert.equal(r.stopReason, 'patience');
    assert.equal(r.history.length, r.bestEpoch + cfg.train.patience);
    assert.equal(r.bestValLoss, Math.min(...r.history.map((h) => h.valLoss)));
    assert.ok(lastVal > r.bestValLoss + 1e-2, `last ${lastVal} vs best ${r.bestValLoss}`);
    const restored = evaluateLoss(r.model, fs, valIdx, cfg.model).loss;
    assert.ok(Math.abs(restored - r.bestValLoss) < 1e-6, `restored ${restored}, best ${r.bestValLoss}, last ${lastVal}`);
    r.model.dispose();
  });

  it('stops when onEpoch returns true (pruning) and reports each epoch to it', async () => {
    const fs = syntheticFeatures(24 * 6);
    const seen: number[] = [];
    const r = await fitAutoencoder(fs, range(0, 100), range(100, 144), smallConfig({ train: { epochs: 10 } }), {
      progress: false,
      onEpoch: (e) => {
        seen.push(e.epoch);
        return e.epoch === 2;
      },
    });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(r.stopReason, 'callback');
    assert.ok(r.stoppedEarly);
    r.model.dispose();
  });

  it('trains the one-hot embeddings on the wasm backend', async () => {
    assert.equal(tf.getBackend(), 'wasm');
    const fs = syntheticFeatures(24 * 6);
    const cfg = smallConfig({ train: { epochs: 2 } });
    const fresh = buildAutoencoder(cfg.model, { nCont: 6, catCardinalities: fs.catCardinalities, seed: cfg.train.seed });
    const initial = fresh.getLayer('embed_0').getWeights()[0].dataSync().slice();
    fresh.dispose();
    const r = await fitAutoencoder(fs, range(0, 100), range(100, 144), cfg, { progress: false });
    const trained = r.model.getLayer('embed_0').getWeights()[0].dataSync() as Float32Array;
    const moved = trained.reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - initial[i])), 0);
    assert.ok(moved > 1e-3, `embedding moved by ${moved}`);
    r.model.dispose();
  });

  it('leaves no tensors behind except the returned model’s weights', async () => {
    const fs = syntheticFeatures(24 * 4);
    const before = tf.memory().numTensors;
    const r = await fitAutoencoder(fs, range(0, 72), range(72, 96), smallConfig({ train: { epochs: 2 } }), { progress: false });
    r.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('fits only rows that are neither warmup nor excluded', () => {
    const fs = syntheticFeatures(10, { warmup: 3 });
    const excluded = new Uint8Array(10);
    excluded[5] = 1;
    assert.deepEqual(Array.from(fitRows({ start: 2, end: 8 }, fs, excluded)), [3, 4, 6, 7]);
  });
});
