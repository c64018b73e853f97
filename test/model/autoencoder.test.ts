import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../../src/config/load';
import { batchInputs, buildAutoencoder, countParams, gatherBatch, reconstruct } from '../../src/model/autoencoder';
import { initBackend } from '../../src/model/backend';
import { DataError } from '../../src/errors';
import { smallConfig, syntheticFeatures } from './fixtures';

describe('model/autoencoder', () => {
  before(async () => {
    await initBackend();
  });

  it('has one continuous and one one-hot input per categorical feature, and matching heads', () => {
    const cfg = smallConfig().model;
    const model = buildAutoencoder(cfg, { nCont: 5, catCardinalities: [24, 7], seed: 1 });
    assert.deepEqual(model.inputs.map((i) => i.shape), [[null, 5], [null, 24], [null, 7]]);
    assert.deepEqual(model.outputs.map((o) => o.shape), [[null, 5], [null, 24], [null, 7]]);
    const out = tf.tidy(() => (model.predict([tf.zeros([3, 5]), tf.zeros([3, 24]), tf.zeros([3, 7])]) as tf.Tensor[]).map((t) => t.shape));
    assert.deepEqual(out, [[3, 5], [3, 24], [3, 7]]);
    // Embeddings are bias-free dense layers (one-hot × matrix), so they train on wasm.
    const embed = model.getLayer('embed_0');
    assert.equal(embed.getClassName(), 'Dense');
    assert.deepEqual(embed.getWeights().map((w) => w.shape), [[24, cfg.embeddingDim]]);
    model.dispose();
  });

  it('passes everything through the bottleneck and adds residual skips only when enabled', () => {
    const base = smallConfig({ model: { hiddenUnits: [8, 8, 4], bottleneck: 2 } }).model;
    const withRes = buildAutoencoder(base, { nCont: 4, catCardinalities: [3], seed: 1 });
    const names = withRes.layers.map((l) => l.name);
    assert.ok(!names.includes('enc_0_res'), 'the input block has no skip');
    assert.ok(!names.includes('enc_1_proj') && names.includes('enc_1_res'), 'equal widths (8 → 8) use an identity skip');
    assert.ok(names.includes('enc_2_proj') && names.includes('dec_0_proj'), 'different widths (8 → 4, 2 → 4) use a projection');
    assert.ok(!names.some((n) => n.startsWith('bottleneck_')), 'no skip crosses the bottleneck');
    assert.equal(withRes.getLayer('bottleneck').outputShape[1], 2);
    const noRes = buildAutoencoder({ ...base, residual: false }, { nCont: 4, catCardinalities: [3], seed: 1 });
    assert.ok(!noRes.layers.some((l) => l.name.endsWith('_res') || l.name.endsWith('_proj')));
    withRes.dispose();
    noRes.dispose();
  });

  it('stays under 100 KB of float32 weights with the models.yml defaults and far under 1 MB with the larger IN override', () => {
    const defaults = parseConfig({ countries: ['AT'], dateRange: { from: '2024-01-01', to: '2024-02-01' } }).model;
    // 6 signals × 11 features each, hour/weekday/day-type categories: the production feature layout.
    for (const [hiddenUnits, limit] of [[defaults.hiddenUnits, 100_000], [[96, 48], 200_000]] as const) {
      const model = buildAutoencoder({ ...defaults, hiddenUnits: [...hiddenUnits] }, { nCont: 66, catCardinalities: [24, 7, 3], seed: 1 });
      assert.ok(countParams(model) * 4 < limit, `${hiddenUnits}: ${countParams(model)} params`);
      model.dispose();
    }
  });

  it('builds identical weights for the same seed and different ones for another seed', () => {
    const cfg = smallConfig().model;
    const flat = (seed: number) => {
      const m = buildAutoencoder(cfg, { nCont: 4, catCardinalities: [5], seed });
      const v = m.getWeights().flatMap((w) => Array.from(w.dataSync()));
      m.dispose();
      return v;
    };
    assert.deepEqual(flat(3), flat(3));
    assert.notDeepEqual(flat(3), flat(4));
  });

  it('reconstructs every row without leaking tensors, deterministically (no noise at inference)', () => {
    const cfg = smallConfig({ model: { noiseStd: 0.5, maskRate: 0.5, dropout: 0.3 } }).model;
    const fs = syntheticFeatures(300, { nCont: 4 });
    const model = buildAutoencoder(cfg, { nCont: 4, catCardinalities: fs.catCardinalities, seed: 2 });
    const before = tf.memory().numTensors;
    const a = reconstruct(model, fs, { batchSize: 64 });
    const b = reconstruct(model, fs, { batchSize: 1000 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(a.contRecon.length, 300 * 4);
    assert.deepEqual(a.catLogits.map((l) => l.length), [300 * 24, 300 * 7]);
    assert.ok(a.contRecon.every(Number.isFinite));
    // Batch size must not change results, and dropout/noise must not act at inference.
    for (let k = 0; k < a.contRecon.length; k++) assert.ok(Math.abs(a.contRecon[k] - b.contRecon[k]) < 1e-5);
    model.dispose();
  });

  it('feeds exact one-hot rows to the categorical inputs', () => {
    const fs = syntheticFeatures(30);
    const batch = gatherBatch(fs, [25, 1], 0, 2);
    const inputs = batchInputs(batch, fs.catCardinalities);
    const hour = inputs[1].arraySync() as number[][];
    assert.deepEqual(hour.map((row) => row.indexOf(1)), [1, 1]);
    assert.deepEqual(hour.map((row) => row.reduce((a, b) => a + b, 0)), [1, 1]);
    assert.deepEqual((inputs[2].arraySync() as number[][]).map((row) => row.indexOf(1)), [1, 0]);
    assert.deepEqual(Array.from(inputs[0].dataSync().slice(0, 6)), Array.from(fs.cont.slice(25 * 6, 26 * 6)));
    tf.dispose(inputs);
  });

  it('rejects a feature set whose shape does not match the model, naming the counts', () => {
    const model = buildAutoencoder(smallConfig().model, { nCont: 5, catCardinalities: [24, 7], seed: 1 });
    assert.throws(() => reconstruct(model, syntheticFeatures(10, { nCont: 4 })), (e: Error) => e instanceof DataError && /Expected 5 continuous features, got 4/.test(e.message));
    const bad = syntheticFeatures(10, { nCont: 5 });
    bad.cat[3] = 9; // weekday 9 of 7
    assert.throws(() => reconstruct(model, bad), /index 9 at row 1; expected 0\.\.6/);
    model.dispose();
  });
});
