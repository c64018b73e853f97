import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig, resolveCountryConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { CountryFrame } from '../../src/data/types';
import { ConfigError, DataError, TuneError } from '../../src/errors';
import { bestParamsPath, loadTunedParams, readBestParams } from '../../src/tune/best';
import { validateSpace, type TrainFn } from '../../src/tune/objective';
import { createStudy } from '../../src/tune/shim';
import { studyName, studyPath, tuneCountry } from '../../src/tune/tune';

const PY = process.env.RADARWATCH_PYTHON ?? '/usr/bin/python3';
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

/**
 * A deterministic stand-in for trainCountry: the validation curve's floor depends on the learning rate and bottleneck
 * (best at lr = 10^-2.5, bottleneck 8); hiddenUnits[0] = 96 is an "incompatible" width that throws like a model builder would.
 */
function stubTrain(calls: Call[]): TrainFn {
  return async (_frame, cfg, opts) => {
    const call: Call = { cfg, maxEpochs: opts.maxEpochs, epochsRun: 0 };
    calls.push(call);
    if (cfg.model.hiddenUnits[0] === 96) throw new ConfigError('residual needs equal widths (stub)');
    const floor = (Math.log10(cfg.train.learningRate) + 2.5) ** 2 + (cfg.model.bottleneck - 8) ** 2 / 50 + 0.1;
    let best = Infinity;
    for (let epoch = 1; epoch <= (opts.maxEpochs ?? cfg.train.epochs); epoch++) {
      const valLoss = floor + 1 / epoch;
      best = Math.min(best, valLoss);
      call.epochsRun = epoch;
      if (await opts.onEpoch?.({ epoch, loss: valLoss, valLoss })) break;
    }
    let disposed = false;
    return { bestValLoss: best, bestEpoch: call.epochsRun, model: { dispose: () => void (disposed = !disposed) } };
  };
}

describe('tune/tune (study runner and objective against real Optuna, stub trainer)', function () {
  this.timeout(60_000);
  let dir: string;
  const saved = process.env.RADARWATCH_RESULTS;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-tune-'));
    process.env.RADARWATCH_RESULTS = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.RADARWATCH_RESULTS;
    else process.env.RADARWATCH_RESULTS = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

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
    // trials that chose the "incompatible" width failed without stopping the study
    const failed = calls.filter((c) => c.cfg.model.hiddenUnits[0] === 96).length;
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
    } finally {
      await study.close();
    }
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

  it('rejects val_detection, bad spaces and bad pruners before starting Python', async () => {
    await assert.rejects(tuneCountry('AT', config({ objective: 'val_detection' }), { frame: FRAME, train: stubTrain([]) }), (e: unknown) => e instanceof ConfigError && /not available yet/.test(e.message));
    const cfg = config();
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
