import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeProcessed } from '../../src/data/processed';
import { loadDetector } from '../../src/model/artifact';
import { initBackend } from '../../src/model/backend';
import { fleetSize, trainCountries } from '../../src/train/fleet';
import { makeFrame } from '../features/fixtures';
import { tinyCountryConfig } from './fixtures';

describe('train/fleet', () => {
  let root: string;
  before(async () => {
    await initBackend();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-fleet-'));
    for (const [cc, seed] of [['AT', 1], ['DE', 2]] as const) {
      writeProcessed(path.join(root, 'processed'), makeFrame(cc, 24 * 7 * 5, undefined, seed), { source: 'test', fill: { maxInterpolateHours: 3, rule: 'linear' }, gapHours: {} });
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('trains countries in worker threads, saves each, and reports a failing country without stopping the others', async () => {
    const cfg = tinyCountryConfig(2);
    const summaries = await trainCountries(['AT', 'XX', 'DE'], cfg, { workers: 2, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: path.join(root, 'models') });
    assert.deepEqual(summaries.map((s) => [s.country, s.ok]), [['AT', true], ['XX', false], ['DE', true]]);
    assert.match(summaries[1].error!, /DataError: No processed table "XX"/);
    for (const s of [summaries[0], summaries[2]]) {
      assert.equal(s.epochs, 2);
      assert.ok(s.modelBytes! > 0 && Number.isFinite(s.bestValLoss));
      const det = await loadDetector(s.modelDir!);
      assert.equal(det.meta.country, s.country);
      assert.equal(det.meta.bestValLoss, s.bestValLoss);
      det.dispose();
    }
  });

  describe('warm start (train.warmStart)', () => {
    const warmCfg = (base: string, over: Record<string, unknown> = {}) => {
      const c = tinyCountryConfig(2);
      return { ...c, train: { ...c.train, warmStart: base }, ...over } as typeof c;
    };
    const meta = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { warmStart?: string };

    it('trains the base first from scratch, then starts every other country from its weights', async () => {
      const models = path.join(root, 'warm-models');
      const summaries = await trainCountries(['DE', 'AT'], warmCfg('AT'), { workers: 2, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: models });
      assert.deepEqual(summaries.map((s) => [s.country, s.ok, s.warmStart]), [['DE', true, 'AT'], ['AT', true, undefined]]);
      assert.deepEqual(summaries.map((s) => s.epochs), [2, 4], 'the base may run twice the epoch cap');
      assert.equal(meta(path.join(models, 'DE')).warmStart, 'AT');
      assert.equal(meta(path.join(models, 'AT')).warmStart, undefined);
    });

    it('a base outside the list without a model is trained for its weights only (not saved); a base whose weights do not fit leaves models from scratch', async () => {
      const models = path.join(root, 'warm-models-2');
      const [de] = await trainCountries(['DE'], warmCfg('AT'), { workers: 1, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: models });
      assert.equal(de.warmStart, 'AT');
      assert.ok(!fs.existsSync(path.join(models, 'AT')), 'the base is not saved when it is not a target');
      // AT trained with other hidden units: its weights cannot fit DE's model
      const other = path.join(root, 'warm-models-3');
      const c = warmCfg('AT');
      await trainCountries(['AT'], { ...c, model: { ...c.model, hiddenUnits: [12, 6] } }, { workers: 1, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: other });
      const [cold] = await trainCountries(['DE'], c, { workers: 1, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: other });
      assert.equal(cold.ok, true);
      assert.equal(cold.warmStart, undefined, 'weights of another shape: trained from scratch');
    });

    it('pooled: one base fitted on every target\'s training rows, which each of them starts from; a lone target trains from scratch', async () => {
      const models = path.join(root, 'pooled-models');
      const summaries = await trainCountries(['AT', 'XX', 'DE'], warmCfg('pooled'), { workers: 2, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: models });
      assert.deepEqual(summaries.map((s) => [s.country, s.ok, s.warmStart]), [['AT', true, 'pooled'], ['XX', false, undefined], ['DE', true, 'pooled']]);
      assert.equal(meta(path.join(models, 'DE')).warmStart, 'pooled');
      const [alone] = await trainCountries(['AT'], warmCfg('pooled'), { workers: 1, progress: false, useTuned: false, processedDir: path.join(root, 'processed'), modelRoot: path.join(root, 'pooled-alone') });
      assert.equal(alone.ok, true);
      assert.equal(alone.warmStart, undefined, 'one series is no pool');
    });
  });

  it('uses one worker per core unless told otherwise, never more than countries', () => {
    const cfg = tinyCountryConfig();
    assert.equal(fleetSize(1, cfg), 1);
    assert.equal(fleetSize(8, cfg, 3), 3);
    assert.equal(fleetSize(8, { ...cfg, train: { ...cfg.train, workers: 5 } }), 5);
    assert.equal(fleetSize(64, cfg), Math.min(64, os.availableParallelism()));
  });
});
