import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig, resolveCountryConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { CountryFrame } from '../../src/data/types';
import { ConfigError, DataError, TuneError } from '../../src/errors';
import { bestParamsPath, loadTunedParams, readBestParams } from '../../src/tune/best';
import { epochObjective, objectiveWeights, validateSpace, type TrainFn } from '../../src/tune/objective';
import { createStudy } from '../../src/tune/shim';
import { studyName, studyPath, tuneCountry } from '../../src/tune/tune';
import { bridgePids, describeOptuna, optunaPython } from './optuna';

const FRAME = { id: 'AT' } as CountryFrame; // the stub trainer never reads it

const space = {
  'train.learningRate': { type: 'float', low: 1e-4, high: 1e-1, log: true },
  'model.bottleneck': { type: 'int', low: 2, high: 16, step: 1 },
  'model.hiddenUnits.0': { type: 'categorical', choices: [32, 64, 96] },
  'model.catShare': { type: 'float', low: 0.02, high: 0.5, log: true },
};

function config(tune: Record<string, unknown> = {}): Config {
  return parseConfig({ countries: ['AT'], dateRange: { from: '2024-01-01', to: '2024-03-31' }, tune: { epochs: 6, pruner: 'median', seed: 5, space, ...tune } });
}

interface Call {
  cfg: Config;
  maxEpochs?: number;
  epochsRun: number;
}

/** Continuous validation MSE of the stub at `epoch`: its floor depends on the learning rate and bottleneck (best at lr = 10^-2.5, bottleneck 8). */
function stubContMse(cfg: Config, epoch: number): number {
  return (Math.log10(cfg.train.learningRate) + 2.5) ** 2 + (cfg.model.bottleneck - 8) ** 2 / 50 + 0.1 + 1 / epoch;
}
/** The stub's categorical cross-entropy: small and constant, so a larger catWeight share alone shrinks the weighted loss. */
const STUB_CAT_CE = 0.05;

/**
 * A deterministic stand-in for trainCountry reporting valLoss weighted with the trial's own weights and its parts.
 * hiddenUnits[0] = 96 with a bottleneck above 12 is an "incompatible" shape that throws like a model builder would.
 */
function stubTrain(calls: Call[], opts0: { onEpoch?: (epoch: number) => void } = {}): TrainFn {
  return async (_frame, cfg, opts) => {
    const call: Call = { cfg, maxEpochs: opts.maxEpochs, epochsRun: 0 };
    calls.push(call);
    if (cfg.model.hiddenUnits[0] === 96 && cfg.model.bottleneck > 12) throw new ConfigError('residual needs equal widths (stub)');
    let best = Infinity;
    let bestEpoch = 0;
    for (let epoch = 1; epoch <= (opts.maxEpochs ?? cfg.train.epochs); epoch++) {
      opts0.onEpoch?.(epoch);
      const contMse = stubContMse(cfg, epoch);
      const valLoss = cfg.model.contWeight * contMse + cfg.model.catWeight * STUB_CAT_CE;
      if (valLoss < best) [best, bestEpoch] = [valLoss, epoch];
      call.epochsRun = epoch;
      if (await opts.onEpoch?.({ epoch, loss: valLoss, valLoss, valParts: { contMse, catCe: STUB_CAT_CE } })) break;
    }
    let disposed = false;
    return { bestValLoss: best, bestEpoch, model: { dispose: () => void (disposed = !disposed) } };
  };
}

const savedResults = process.env.RADARWATCH_RESULTS;

/** Points RADARWATCH_RESULTS at a fresh temp folder; returns it. */
function useTempResults(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-tune-'));
  process.env.RADARWATCH_RESULTS = dir;
  return dir;
}

/** Restores RADARWATCH_RESULTS and removes the temp folder. */
function restoreResults(dir: string): void {
  if (savedResults === undefined) delete process.env.RADARWATCH_RESULTS;
  else process.env.RADARWATCH_RESULTS = savedResults;
  fs.rmSync(dir, { recursive: true, force: true });
}

describeOptuna('tune/tune (study runner and objective against real Optuna, stub trainer)', function () {
  this.timeout(60_000);
  let dir: string;
  let PY: string;
  before(() => (PY = optunaPython()));
  beforeEach(() => (dir = useTempResults()));
  afterEach(() => restoreResults(dir));

  it('samples every space path, trains with catShare as weights summing to 1, writes best.json, and resumes to 20 trials', async () => {
    const cfg = config();
    const calls: Call[] = [];
    const first = await tuneCountry('AT', cfg, { trials: 10, frame: FRAME, train: stubTrain(calls), python: PY });
    assert.equal(first.ran.total, 10);
    assert.equal(first.study.name, 'radarwatch-AT');
    assert.equal(first.study.storage, `sqlite:///${path.resolve(dir, 'tuning', 'AT', 'study.db')}`);
    for (const c of calls) {
      assert.equal(c.maxEpochs, 6);
      assert.ok(Math.abs(c.cfg.model.catWeight + c.cfg.model.contWeight - 1) < 1e-12, 'catShare keeps the loss scale');
      assert.ok(c.cfg.model.catWeight >= 0.02 && c.cfg.model.catWeight <= 0.5);
    }
    // trials that chose the "incompatible" shape failed without stopping the study
    const failed = calls.filter((c) => c.cfg.model.hiddenUnits[0] === 96 && c.cfg.model.bottleneck > 12).length;
    assert.equal(first.ran.fail, failed);
    assert.equal(first.ran.complete + first.ran.pruned + first.ran.fail, 10);

    const best = readBestParams('AT');
    assert.ok(best && first.best);
    assert.equal(best.value, first.best.value);
    assert.deepEqual(Object.keys(best.params).sort(), Object.keys(space).sort());
    assert.equal(best.completedTrials + best.prunedTrials + best.failedTrials, 10);
    const tuned = loadTunedParams('AT')!;
    const resolved = resolveCountryConfig(cfg, 'AT', { tuned });
    assert.equal(resolved.train.learningRate, tuned['train.learningRate']);
    assert.equal(resolved.model.catWeight, tuned['model.catShare']);
    assert.equal(resolved.model.contWeight, 1 - (tuned['model.catShare'] as number));

    const second = await tuneCountry('AT', cfg, { trials: 10, frame: FRAME, train: stubTrain(calls), python: PY });
    assert.equal(second.totals.trials, 20);
    const again = readBestParams('AT')!;
    assert.equal(again.completedTrials + again.prunedTrials + again.failedTrials, 20);
    assert.ok(again.value <= best.value, 'the best of a resumed study never gets worse');

    const study = await createStudy({ name: studyName('AT'), storage: studyPath('AT'), loadOnly: true, python: PY });
    try {
      const trials = await study.trials();
      assert.deepEqual(trials.map((t) => t.number), [...Array(20).keys()]);
      const fail = trials.find((t) => t.state === 'fail');
      if (fail) assert.match(String(fail.userAttrs.failReason), /residual needs equal widths/);
      for (const t of trials.filter((t) => t.state !== 'fail')) assert.deepEqual(t.intermediate.map((p) => p[0]), [...Array(t.intermediate.length).keys()].map((i) => i + 1), 'one report per epoch, steps 1..n');
      assert.equal(study.userAttrs.objective, 'val_loss');
      assert.deepEqual(study.userAttrs.objectiveWeights, { contWeight: 1, catWeight: 0.1 });
    } finally {
      await study.close();
    }
  });

  it('scores every trial with the fixed config weights, so a larger catShare cannot shrink the objective', async () => {
    // With the trial's own weights the stub's loss (1-s)·mse + s·0.05 falls as catShare s grows; the fixed objective must not.
    const cfg = config({ pruner: 'none', space: { 'train.learningRate': space['train.learningRate'], 'model.catShare': space['model.catShare'] } });
    const s = await tuneCountry('AT', cfg, { trials: 8, frame: FRAME, train: stubTrain([]), python: PY });
    assert.equal(s.ran.complete, 8);
    const study = await createStudy({ name: studyName('AT'), storage: studyPath('AT'), loadOnly: true, python: PY });
    try {
      for (const t of await study.trials()) {
        const trialCfg = resolveCountryConfig(cfg, 'AT', { tuned: t.params });
        const epoch = t.userAttrs.bestEpoch as number;
        const fixed = 1 * stubContMse(trialCfg, epoch) + 0.1 * STUB_CAT_CE;
        const own = (1 - (t.params['model.catShare'] as number)) * stubContMse(trialCfg, epoch) + (t.params['model.catShare'] as number) * STUB_CAT_CE;
        assert.ok(Math.abs(t.value! - fixed) < 1e-12, `trial ${t.number}: value ${t.value}, fixed-weight ${fixed}`);
        assert.ok(Math.abs((t.userAttrs.trainValLoss as number) - own) < 1e-12, 'the trial\'s own weighted loss is kept for reference');
        for (const [step, v] of t.intermediate) assert.ok(Math.abs(v! - (stubContMse(trialCfg, step) + 0.1 * STUB_CAT_CE)) < 1e-12, 'intermediate values use the fixed weights too');
      }
    } finally {
      await study.close();
    }
    // a study scored with other weights cannot be resumed: its values would not be comparable
    const reweighted = parseConfig({ ...structuredClone(cfg), model: { ...cfg.model, catWeight: 0.2 } });
    await assert.rejects(tuneCountry('AT', reweighted, { trials: 1, frame: FRAME, train: stubTrain([]), python: PY }), (e: unknown) => e instanceof TuneError && /loss weights/.test(e.message));
  });

  it('when the Python process dies mid-trial, tuneCountry rejects with a TuneError instead of hanging', async () => {
    const calls: Call[] = [];
    const killer = stubTrain(calls, {
      onEpoch: (epoch) => {
        if (epoch !== 2) return;
        const pids = bridgePids();
        assert.equal(pids.length, 1, `one bridge process running, found ${pids.join(', ')}`);
        process.kill(pids[0], 'SIGKILL');
      },
    });
    const t0 = Date.now();
    const lrOnly = config({ space: { 'train.learningRate': space['train.learningRate'] } });
    await assert.rejects(tuneCountry('AT', lrOnly, { trials: 5, frame: FRAME, train: killer, python: PY }), (e: unknown) => e instanceof TuneError && /died unexpectedly \(signal SIGKILL\)/.test(e.message));
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(calls.length, 1, 'no trial starts after the bridge died');
    assert.deepEqual(bridgePids(), []);
  });

  it('the median pruner stops trials whose curve is clearly worse; with none every trial runs all epochs', async () => {
    const calls: Call[] = [];
    const pruned = await tuneCountry('AT', config({ space: { 'train.learningRate': space['train.learningRate'] } }), { trials: 14, pruner: 'median', frame: FRAME, train: stubTrain(calls), python: PY });
    assert.ok(pruned.ran.pruned > 0, JSON.stringify(pruned.ran));
    assert.ok(calls.some((c) => c.epochsRun < 6));
    const all: Call[] = [];
    const none = await tuneCountry('DE', config({ space: { 'train.learningRate': space['train.learningRate'] } }), { trials: 8, pruner: 'none', frame: FRAME, train: stubTrain(all), python: PY });
    assert.equal(none.ran.pruned, 0);
    assert.ok(all.every((c) => c.epochsRun === 6));
  });

  it('a trainer that always fails stops the study after 5 failures in a row with the reason', async () => {
    const broken: TrainFn = async () => {
      throw new DataError('No validation rows left (stub)');
    };
    await assert.rejects(
      tuneCountry('AT', config(), { trials: 20, frame: FRAME, train: broken, python: PY, writeBest: true }),
      (e: unknown) => e instanceof TuneError && /5 trials in a row failed/.test(e.message) && /No validation rows left \(stub\)/.test(e.message),
    );
    assert.equal(fs.existsSync(bestParamsPath('AT')), false);
  });

  it('a diverged trial (no finite validation loss) fails instead of ranking NaN', async () => {
    const nan: TrainFn = async (_f, _c, opts) => {
      await opts.onEpoch?.({ epoch: 1, loss: NaN, valLoss: NaN });
      return { bestValLoss: NaN };
    };
    const s = await tuneCountry('AT', config(), { trials: 2, frame: FRAME, train: nan, python: PY });
    assert.deepEqual(s.ran, { total: 2, complete: 0, pruned: 0, fail: 2 });
    assert.equal(s.best, undefined);
    assert.equal(fs.existsSync(bestParamsPath('AT')), false, 'no best.json without a complete trial');
  });

});

describe('tune/objective and best.json (no Optuna needed)', () => {
  let dir: string;
  beforeEach(() => (dir = useTempResults()));
  afterEach(() => restoreResults(dir));

  it('epochObjective weights the validation parts with the fixed weights, whatever the trial trained with', () => {
    const fixed = { contWeight: 1, catWeight: 0.1 };
    const e = { epoch: 3, loss: 9, valLoss: 0.5 * 2 + 0.5 * 0.4, valParts: { contMse: 2, catCe: 0.4 } };
    assert.equal(epochObjective(e, fixed, { contWeight: 0.5, catWeight: 0.5 }), 2 + 0.1 * 0.4);
    const noParts = { epoch: 3, loss: 9, valLoss: 1.23 };
    assert.equal(epochObjective(noParts, fixed, { contWeight: 1, catWeight: 0.1 }), 1.23, 'same weights: valLoss is already the fixed-weight value');
    assert.throws(() => epochObjective(noParts, fixed, { contWeight: 0.5, catWeight: 0.5 }), (err: unknown) => err instanceof TuneError && /valParts/.test(err.message));
    const cfg = parseConfig({ countries: ['AT'], dateRange: { from: '2024-01-01', to: '2024-03-31' }, model: { catWeight: 0.3 }, overrides: { AT: { model: { contWeight: 2, catWeight: 0.4 } } } });
    assert.deepEqual(objectiveWeights(cfg, 'AT'), { contWeight: 2, catWeight: 0.4 });
    assert.deepEqual(objectiveWeights(cfg, 'DE'), { contWeight: 1, catWeight: 0.3 });
  });

  it('rejects val_detection, bad spaces and bad pruners before starting Python', async () => {
    await assert.rejects(tuneCountry('AT', config({ objective: 'val_detection' }), { frame: FRAME, train: stubTrain([]) }), (e: unknown) => e instanceof ConfigError && /not available yet/.test(e.message));
    await assert.rejects(tuneCountry('AT', config(), { pruner: 'asha' as never, frame: FRAME, train: stubTrain([]) }), (e: unknown) => e instanceof ConfigError && /Unknown pruner "asha"/.test(e.message));
    const cfg = config();
    assert.throws(() => validateSpace({ 'model.catWeight': { type: 'float', low: 0.01, high: 1, log: false } }, cfg), /rescales the loss; search model.catShare/);
    assert.throws(() => validateSpace({ 'model.contWeight': { type: 'float', low: 0.01, high: 1, log: false } }, cfg), ConfigError);
    assert.throws(() => validateSpace({ 'model.nope.x': { type: 'int', low: 1, high: 2, step: 1 } }, cfg), ConfigError);
    assert.throws(() => validateSpace({ 'train.learningRate': { type: 'float', low: 0, high: 1, log: true } }, cfg), /log-scale range needs low > 0/);
    assert.throws(() => validateSpace({ 'model.catShare': { type: 'float', low: 0.1, high: 1, log: false } }, cfg), /strictly inside \(0, 1\)/);
    assert.throws(() => validateSpace({}, cfg), /tune.space is empty/);
  });

  it('loadTunedParams is undefined for an untuned country and names a malformed file', () => {
    assert.equal(loadTunedParams('AT'), undefined);
    fs.mkdirSync(path.dirname(bestParamsPath('AT')), { recursive: true });
    fs.writeFileSync(bestParamsPath('AT'), '{"params": [1]}');
    assert.throws(() => loadTunedParams('AT'), (e: unknown) => e instanceof DataError && e.message.includes('best.json') && /radarwatch tune AT/.test(e.message));
  });
});
