import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/model/backend';
import { fitAutoencoder } from '../src/train/trainer';
import { buildAutoencoder } from '../src/model/autoencoder';
import { smallConfig, syntheticFeatures } from '../test/model/fixtures';
const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
(async () => {
  await initBackend(process.argv[2]);
  const fs = syntheticFeatures(24 * 6);
  const cfg = smallConfig({ train: { epochs: 2 } });
  const fresh = buildAutoencoder(cfg.model, { nCont: 6, catCardinalities: fs.catCardinalities, seed: cfg.train.seed });
  const init = fresh.getWeights().map(w => w.dataSync().slice());
  const names = fresh.weights.map(w => w.name);
  fresh.dispose();
  const r = await fitAutoencoder(fs, range(0, 100), range(100, 144), cfg, { progress: false });
  r.model.getWeights().forEach((w, i) => { const d = w.dataSync(); let m = 0; d.forEach((v, k) => m = Math.max(m, Math.abs(v - init[i][k]))); console.log(r.model.weights[i].name, names[i], m.toFixed(4)); });
})();
