import { strict as assert } from 'assert';
import { initBackend } from '../../src/model/backend';
import { prepareTraining } from '../../src/train/country';
import { fitPooledBase, poolCap, poolKey, poolPart } from '../../src/train/pool';
import { fitAutoencoder } from '../../src/train/trainer';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from './fixtures';

describe('train/pool', () => {
  before(async () => {
    await initBackend();
  });

  const cfg = tinyCountryConfig(2);
  const at = prepareTraining(makeFrame('AT', 24 * 7 * 5, undefined, 1), cfg);
  const de = prepareTraining(makeFrame('DE', 24 * 7 * 5, undefined, 2), cfg);
  const nC = at.features.contNames.length;

  it('lends the training rows, then the validation rows, each before the cutoff only and at most maxRows of each (a seeded sample)', () => {
    const all = poolPart(at, { seed: 7 });
    assert.equal(all.train, at.trainIdx.length);
    assert.equal(all.validation, at.valIdx.length);
    const r0 = at.trainIdx[0];
    assert.deepEqual(Array.from(all.cont.subarray(0, nC)), Array.from(at.features.cont.subarray(r0 * nC, (r0 + 1) * nC)), 'row by row, the series\' own features');
    // a cutoff inside the training rows: nothing at or after it, so no validation row either
    const cut = at.features.timestamps[at.trainIdx[100]];
    const early = poolPart(at, { seed: 7, before: cut });
    assert.equal(early.train, 100);
    assert.equal(early.validation, 0);
    const small = poolPart(at, { seed: 7, maxRows: 50 });
    assert.deepEqual([small.train, small.validation], [50, 50]);
    assert.deepEqual(poolPart(at, { seed: 7, maxRows: 50 }).cont, small.cont, 'the same seed draws the same rows');
    assert.notDeepEqual(poolPart(at, { seed: 8, maxRows: 50 }).cont, small.cont);
  });

  it('caps each series\' rows only when the pool would pass its limit, equally, a short series lending all of its rows', () => {
    assert.equal(poolCap([5, 5], 20), Infinity);
    assert.equal(poolCap([10, 100, 1000], 310), 200, '10 + 100 + 200 = 310');
    assert.equal(poolCap([50, 50], 60), 30);
    assert.equal(poolCap([1000, 10], 110), 100);
  });

  it('pools only series whose networks have the same inputs and settings', () => {
    assert.equal(poolKey(at.features, cfg), poolKey(de.features, cfg));
    assert.notEqual(poolKey(at.features, cfg), poolKey(at.features, { ...cfg, model: { ...cfg.model, bottleneck: cfg.model.bottleneck + 1 } }));
    assert.notEqual(poolKey(at.features, cfg), poolKey({ ...at.features, contNames: at.features.contNames.slice(1) }, cfg));
  });

  it('fits a base on two or more series, which a model of the same shape starts from; one series is no pool', async () => {
    assert.equal(await fitPooledBase([poolPart(at, { seed: 7 })], at.features, cfg), undefined);
    const base = await fitPooledBase([poolPart(at, { seed: 7 }), poolPart(de, { seed: 7 })], at.features, cfg, { progress: false });
    assert.ok(base);
    assert.equal(base.series, 2);
    assert.equal(base.trainRows, at.trainIdx.length + de.trainIdx.length);
    assert.ok(base.epochs >= 1 && base.epochs <= 2 * cfg.train.epochs, 'at most twice the epoch cap');
    const fit = await fitAutoencoder(at.features, at.trainIdx, at.valIdx, cfg, { progress: false, initialWeights: base.weights });
    assert.equal(fit.warmStarted, true);
    fit.model.dispose();
  });
});
