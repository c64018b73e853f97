import { strict as assert } from 'assert';
import * as tf from '@tensorflow/tfjs';
import { batchInputs, buildAutoencoder, gatherBatch } from '../../src/model/autoencoder';
import { initBackend } from '../../src/model/backend';
import { hybridLoss } from '../../src/model/loss';
import { HostAdam, trainableVariables } from '../../src/train/adam';
import { smallConfig, syntheticFeatures } from '../model/fixtures';

/** The autoencoder's weights after `steps` Adam steps on rows of a seeded feature set, the rate halved at step 5. */
function trainWith(kind: 'tfjs' | 'host', steps: number): Float32Array[] {
  const fs = syntheticFeatures(24 * 10);
  const cfg = smallConfig();
  const model = buildAutoencoder(cfg.model, { nCont: fs.contNames.length, catCardinalities: fs.catCardinalities, seed: 3 });
  const tfAdam = tf.train.adam(0.01);
  const host = new HostAdam(0.01, trainableVariables(model));
  for (let s = 0; s < steps; s++) {
    if (s === 5) {
      host.learningRate *= 0.5;
      (tfAdam as unknown as { learningRate: number }).learningRate *= 0.5;
    }
    const batch = gatherBatch(fs, undefined, (s * 32) % 192, (s * 32) % 192 + 48);
    tf.tidy(() => {
      const inputs = batchInputs(batch, fs.catCardinalities);
      const target = tf.tensor2d(batch.cont, [batch.size, fs.contNames.length]);
      // in training mode, as the trainer: the dropout masks are seeded per model and call, so both runs draw the same
      const loss = () => hybridLoss(model.apply(inputs, { training: true }) as tf.Tensor[], target, inputs.slice(1), cfg.model);
      return kind === 'host' ? host.minimize(loss) : (tfAdam.minimize(loss, true) as tf.Scalar);
    }).dispose();
  }
  const w = model.getWeights().map((x) => x.dataSync().slice() as Float32Array);
  tfAdam.dispose();
  model.dispose();
  return w;
}

describe('train/adam (HostAdam)', () => {
  before(async () => {
    await initBackend();
  });

  it("gives tf.train.adam's weights bit for bit over steps with a learning-rate change", () => {
    const ours = trainWith('host', 12);
    const theirs = trainWith('tfjs', 12);
    const start = trainWith('host', 0);
    assert.equal(ours.length, theirs.length);
    let moved = 0;
    ours.forEach((w, i) => {
      assert.deepEqual(Array.from(w), Array.from(theirs[i]), `weight tensor ${i} differs`);
      moved += w.filter((x, j) => x !== start[i][j]).length;
    });
    // the comparison means something: training moved most weights
    assert.ok(moved > 0.5 * ours.reduce((a, w) => a + w.length, 0), `only ${moved} weights moved`);
  });

  it('leaves no tensors behind and a variable the loss does not reach unchanged', () => {
    const used = tf.variable(tf.tensor1d([1, 2, 3]));
    const unused = tf.variable(tf.tensor1d([5, 6]));
    const adam = new HostAdam(0.1, [used, unused]);
    const before = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) adam.minimize(() => tf.sum(tf.square(used))).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(Array.from(unused.dataSync()), [5, 6]);
    // each of the three steps moves a weight by at most the learning rate (Adam's step size), towards the minimum at 0
    assert.ok(Array.from(used.dataSync()).every((x, i) => i + 1 - x > 0.29 && i + 1 - x <= 0.3 + 1e-6), `${used.dataSync()}`);
    used.dispose();
    unused.dispose();
  });
});
