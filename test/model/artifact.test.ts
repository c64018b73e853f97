import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { DETECTOR_FILES, loadDetector, saveDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { reconstruct } from '../../src/model/autoencoder';
import { trainCountry, type TrainResult } from '../../src/train/country';
import { DataError, NotFoundError } from '../../src/errors';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from '../train/fixtures';

describe('model/artifact', () => {
  let result: TrainResult;
  let root: string;
  const frame = makeFrame('AT', 24 * 7 * 5);

  before(async () => {
    await initBackend();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-artifact-'));
    result = await trainCountry(frame, tinyCountryConfig(2), { progress: false });
  });
  after(() => {
    result.model.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const saved = async (name: string) => {
    const dir = path.join(root, name);
    await saveDetector(dir, result, result.config, { country: 'AT' });
    return dir;
  };

  it('writes a self-describing folder and loads identical reconstructions from it alone', async () => {
    const dir = await saved('AT');
    fs.writeFileSync(path.join(dir, DETECTOR_FILES.calibration), '{}');
    const meta = await saveDetector(dir, result, result.config, { country: 'AT' });
    assert.ok(!fs.existsSync(path.join(dir, DETECTOR_FILES.calibration)), 'a new model drops the old calibration');
    for (const f of ['model.json', 'weights.bin', 'spec.json', 'config.json', 'meta.json', 'history.json']) assert.ok(fs.existsSync(path.join(dir, f)), f);
    assert.equal(meta.modelBytes, fs.statSync(path.join(dir, 'weights.bin')).size);
    assert.equal(meta.modelBytes, meta.params * 4);
    assert.equal(meta.contNames.length, result.features.contNames.length);
    assert.equal(meta.split.train.to, meta.split.validation.from);
    assert.equal(meta.split.test.to, meta.dataRange.to);
    assert.equal(meta.dataRange.rows, frame.timestamps.length);
    assert.equal(meta.versions.tfjs, tf.version.tfjs);
    assert.equal(meta.backend, 'wasm');

    const before = reconstruct(result.model, result.features);
    const det = await loadDetector(dir);
    const after = det.reconstruct(frame);
    assert.deepEqual(det.config, result.config);
    assert.deepEqual(det.spec, result.spec);
    assert.equal(det.history.length, result.history.length);
    let maxDiff = 0;
    for (let k = 0; k < before.contRecon.length; k++) maxDiff = Math.max(maxDiff, Math.abs(before.contRecon[k] - after.contRecon[k]));
    before.catLogits.forEach((l, j) => l.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - after.catLogits[j][k])))));
    assert.ok(maxDiff < 1e-6, `max difference ${maxDiff}`);
    det.dispose();
  });

  it('names the missing or corrupt file', async () => {
    await assert.rejects(loadDetector(path.join(root, 'nope')), NotFoundError);
    const missing = await saved('missing');
    fs.rmSync(path.join(missing, 'spec.json'));
    await assert.rejects(loadDetector(missing), (e: Error) => e instanceof DataError && /lacks spec\.json/.test(e.message));
    const truncated = await saved('truncated');
    const w = path.join(truncated, 'weights.bin');
    fs.writeFileSync(w, fs.readFileSync(w).subarray(0, 100));
    await assert.rejects(loadDetector(truncated), /weights\.bin has 100 bytes; model\.json expects \d+/);
    const garbled = await saved('garbled');
    fs.writeFileSync(path.join(garbled, 'config.json'), '{"countries": [');
    await assert.rejects(loadDetector(garbled), /config\.json is not valid JSON/);
  });

  it('when weights.bin holds NaN floats or random bytes of the right length, then loading fails naming the file and the weight', async () => {
    const nan = await saved('nan');
    const w = path.join(nan, 'weights.bin');
    fs.writeFileSync(w, Buffer.from(new Float32Array(fs.statSync(w).size / 4).fill(NaN).buffer));
    await assert.rejects(loadDetector(nan), (e: Error) => e instanceof DataError && /weights\.bin: weight check failed: \S+\[0\] is NaN; expected finite numbers/.test(e.message));
    const random = await saved('random');
    const r = path.join(random, 'weights.bin');
    // random bytes: about one float in 128 has an all-ones exponent (NaN or ±Infinity); seeded so the test is stable
    const bytes = Buffer.alloc(fs.statSync(r).size);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    fs.writeFileSync(r, bytes);
    await assert.rejects(loadDetector(random), /weights\.bin: weight check failed: .* is (NaN|-?Infinity)/);
  });

  it('when the scaler has a zero or non-finite scale, then loading fails naming spec.json and the feature', async () => {
    for (const bad of [0, -1, null]) {
      const dir = await saved(`scale-${bad}`);
      const file = path.join(dir, 'spec.json');
      const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
      spec.scaler.scale = spec.scaler.scale.map(() => bad);
      fs.writeFileSync(file, JSON.stringify(spec));
      await assert.rejects(loadDetector(dir), (e: Error) => e instanceof DataError && new RegExp(`spec\\.json: scaler check failed: scaler\\.scale\\[0\\] \\(${spec.contNames[0].replace('.', '\\.')}\\) is ${bad}; expected a finite number > 0`).test(e.message));
    }
  });

  it('rejects features that do not match meta.json', async () => {
    const dir = await saved('mismatch');
    const det = await loadDetector(dir);
    const n = result.features.contNames.length;
    const fewer = { ...result.features, contNames: result.features.contNames.slice(0, n - 2), cont: new Float32Array(result.features.rows * (n - 2)) };
    assert.throws(() => det.reconstruct(fewer), (e: Error) => e instanceof DataError && e.message.startsWith(`Expected ${n} features, got ${n - 2} (see `) && e.message.includes('meta.json'));
    det.dispose();
    const metaFile = path.join(dir, 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    meta.contNames.pop();
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    await assert.rejects(loadDetector(dir), new RegExp(`Expected ${n - 1} features, got ${n} in model\\.json`));
  });
});
