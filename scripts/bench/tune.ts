/** Benchmark of tuning: wall time and pruned trials of a 20-trial Hyperband study on one country, against the same study without pruning. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { sliceFrame } from '../../src/data/frame';
import type { CountryFrame } from '../../src/data/types';
import { prunerSpec, type PrunerName } from '../../src/tune/pruners';
import { tuneCountry, type TuneSummary } from '../../src/tune/tune';
import { benchFrame } from './frame';
import type { Bench } from './types';

/**
 * Kept small so both studies take a few minutes on 2 cores: the last year of hourly rows and 9 epochs per trial
 * (Hyperband rungs at epochs 1, 3 and 9 with reduction factor 3). Both studies share the TPE seed and the search space.
 */
export const TUNE_BENCH_SETTINGS = Object.freeze({ country: 'AT', trials: 20, epochsPerTrial: 9, rows: 8760 });

/** One study's figures. */
interface StudyFigures {
  pruner: PrunerName;
  wallSeconds: number;
  complete: number;
  pruned: number;
  failed: number;
  /** Epochs trained over all trials: the work pruning saves. */
  epochsTrained: number;
  bestValue: number | null;
  bestTrial: number | null;
}

async function runStudy(cc: string, cfg: Config, frame: CountryFrame, pruner: PrunerName, dir: string): Promise<{ figures: StudyFigures; summary: TuneSummary }> {
  let epochsTrained = 0;
  const t0 = performance.now();
  const summary = await tuneCountry(cc, cfg, {
    trials: TUNE_BENCH_SETTINGS.trials,
    pruner,
    timeoutSeconds: 0,
    frame,
    storage: path.join(dir, `${pruner}.db`),
    studyName: `bench-${cc}-${pruner}`,
    writeBest: false,
    // a broken setup should stop the benchmark, but a few invalid combinations must not
    maxConsecutiveFailures: TUNE_BENCH_SETTINGS.trials,
    onTrial: (r, i, n) => {
      epochsTrained += r.epochs;
      process.stderr.write(`  ${pruner} trial ${i}/${n}: ${r.state} after ${r.epochs} epochs, ${r.seconds.toFixed(1)} s\n`);
    },
  });
  const figures: StudyFigures = {
    pruner,
    wallSeconds: (performance.now() - t0) / 1000,
    complete: summary.ran.complete,
    pruned: summary.ran.pruned,
    failed: summary.ran.fail,
    epochsTrained,
    bestValue: summary.best?.value ?? null,
    bestTrial: summary.best?.trial ?? null,
  };
  return { figures, summary };
}

export const tuneBench: Bench = {
  name: 'tune',
  description:
    `Optuna study of ${TUNE_BENCH_SETTINGS.trials} trials on ${TUNE_BENCH_SETTINGS.country} (last ${TUNE_BENCH_SETTINGS.rows} hourly rows, ` +
    `≤ ${TUNE_BENCH_SETTINGS.epochsPerTrial} epochs per trial): wall time and pruned trials with Hyperband vs no pruning.`,
  async run(cfg) {
    const { country: cc, epochsPerTrial, rows } = TUNE_BENCH_SETTINGS;
    const { frame: full, source } = await benchFrame(cfg, cc);
    const frame = full.timestamps.length > rows ? sliceFrame(full, full.timestamps.length - rows, full.timestamps.length) : full;
    // tune.epochs caps each trial; train.epochs must allow it
    const benchCfg = parseConfig({ ...structuredClone(cfg), tune: { ...cfg.tune, epochs: epochsPerTrial }, train: { ...cfg.train, epochs: Math.max(cfg.train.epochs, epochsPerTrial) } });
    // a throwaway study folder: results/tuning stays the user's
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'radarwatch-bench-tune-'));
    try {
      const hb = await runStudy(cc, benchCfg, frame, 'hyperband', dir);
      const none = await runStudy(cc, benchCfg, frame, 'none', dir);
      return {
        country: cc,
        source,
        rows: frame.timestamps.length,
        settings: {
          trials: TUNE_BENCH_SETTINGS.trials,
          epochsPerTrial,
          hyperband: prunerSpec('hyperband', { maxResource: epochsPerTrial }).kwargs,
          sampler: { type: 'tpe', seed: benchCfg.tune.seed },
          objective: benchCfg.tune.objective,
          space: benchCfg.tune.space,
          // learningRate is searched, so only the fixed training settings are recorded
          train: { batchSize: benchCfg.train.batchSize, patience: benchCfg.train.patience, minDelta: benchCfg.train.minDelta, seed: benchCfg.train.seed },
          storage: 'temporary SQLite files (deleted after the run)',
        },
        hyperband: hb.figures,
        none: none.figures,
        speedup: none.figures.wallSeconds / hb.figures.wallSeconds,
        epochsSaved: none.figures.epochsTrained - hb.figures.epochsTrained,
        optuna: hb.summary.bridge.optuna,
        python: hb.summary.bridge.executable,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
