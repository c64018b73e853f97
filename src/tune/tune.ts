/** Runs one country's Optuna study (resumable, in results/tuning/<CC>/study.db) and writes its best.json. */
import * as path from 'path';
import { resolveCountryConfig } from '../config/load';
import type { Config, TuneConfig } from '../config/schema';
import { resultDirs } from '../data/paths';
import { readProcessed, readProcessedMeta } from '../data/processed';
import type { CountryFrame } from '../data/types';
import { TuneError } from '../errors';
import { log } from '../util/log';
import { writeBestParams, type BestParams } from './best';
import { checkObjective, objectiveWeights, runTrial, validateSpace, type ObjectiveWeights, type TrainFn, type TrialResult } from './objective';
import { prunerSpec, type PrunerName } from './pruners';
import { createStudy, type BridgeInfo, type Study, type TrialRecord } from './shim';

/** Study name of a country inside its storage. */
export const studyName = (country: string): string => `radarwatch-${country}`;

/** SQLite file of a country's study. */
export const studyPath = (country: string): string => path.resolve(resultDirs.tuning(country), 'study.db');

/** Options of tuneCountry; unset ones come from the country's resolved `tune` settings. */
export interface TuneOptions {
  trials?: number;
  pruner?: PrunerName;
  timeoutSeconds?: number;
  python?: string;
  /** The processed table; read from data.processedDir when omitted. */
  frame?: CountryFrame;
  /** Training function (default trainCountry). */
  train?: TrainFn;
  /** SQLite file (default results/tuning/<CC>/study.db) and study name (default radarwatch-<CC>); the benchmark uses throwaway ones. */
  storage?: string;
  studyName?: string;
  /** Write best.json (default true). */
  writeBest?: boolean;
  /** Stop after this many failed trials in a row: a broken setup should not burn the whole budget (default 5). */
  maxConsecutiveFailures?: number;
  onTrial?: (r: TrialResult, done: number, total: number) => void;
  progress?: boolean;
}

/** What one tuneCountry run did and where the study stands. */
export interface TuneSummary {
  country: string;
  study: { name: string; storage: string };
  pruner: PrunerName;
  objective: string;
  /** Trials run by this call, by outcome. */
  ran: { total: number; complete: number; pruned: number; fail: number };
  /** Trials in the whole study after this call (resumed sessions included). */
  totals: { trials: number; complete: number; pruned: number; fail: number };
  /** True when the timeout ended the run before `trials` were done. */
  timedOut: boolean;
  seconds: number;
  best?: { trial: number; value: number; params: Record<string, unknown> };
  bestFile?: string;
  bridge: BridgeInfo;
}

const count = (ts: TrialRecord[], s: TrialRecord['state']): number => ts.filter((t) => t.state === s).length;

/**
 * Runs `trials` more trials of the country's study (creating or resuming it), then writes best.json when any trial completed.
 * Uses only the train and validation splits. Throws ConfigError for a bad space/objective/pruner, TuneError when Optuna fails.
 */
export async function tuneCountry(country: string, cfg: Config, opts: TuneOptions = {}): Promise<TuneSummary> {
  const t0 = performance.now();
  const resolved = resolveCountryConfig(cfg, country);
  const tcfg: TuneConfig = resolved.tune;
  const trials = opts.trials ?? tcfg.trials;
  const prunerName = opts.pruner ?? tcfg.pruner;
  const timeoutSeconds = opts.timeoutSeconds ?? tcfg.timeoutSeconds;
  const { direction } = checkObjective(tcfg.objective);
  validateSpace(tcfg.space, cfg);
  const weights = objectiveWeights(cfg, country);
  // The trainer stops at min(train.epochs, maxEpochs): that is the real per-trial budget Hyperband allots.
  const epochs = Math.min(tcfg.epochs, resolved.train.epochs);
  const pruner = prunerSpec(prunerName, { maxResource: epochs });

  const storage = opts.storage ?? studyPath(country);
  const name = opts.studyName ?? studyName(country);

  // a missing table must not leave an empty study behind; the full read comes after Python is up
  if (!opts.frame) readProcessedMeta(cfg.data.processedDir, country);
  // Python first: a missing Optuna fails in a second, before the table and TensorFlow.js are loaded
  const study = await createStudy({
    name,
    storage,
    direction,
    sampler: { type: 'tpe', seed: tcfg.seed },
    pruner,
    loadIfExists: true,
    python: opts.python,
    configPython: tcfg.python,
  });
  try {
    checkResumable(study, tcfg.objective, weights, storage);
    let train = opts.train;
    if (!train) {
      // loaded lazily so `analyze tuning` and tests with a stub trainer never load TensorFlow.js; require, not import():
      // a dynamic import() goes through Node's ESM resolver, which finds no .ts file under the bin's CommonJS tsx hook
      await (require('../model/backend') as typeof import('../model/backend')).initBackend();
      train = (require('../train/country') as typeof import('../train/country')).trainCountry;
    }
    const frame = opts.frame ?? (await readProcessed(cfg.data.processedDir, country));
    await study.setUserAttr('objective', tcfg.objective);
    await study.setUserAttr('objectiveWeights', weights);
    await study.setUserAttr('epochs', epochs);
    if (study.staleFailed) log.warn(`${country}: ${study.staleFailed} trial(s) interrupted in an earlier session were marked failed`);
    const ran: TuneSummary['ran'] = { total: 0, complete: 0, pruned: 0, fail: 0 };
    let failStreak = 0;
    let timedOut = false;
    for (let i = 0; i < trials; i++) {
      if (timeoutSeconds > 0 && (performance.now() - t0) / 1000 >= timeoutSeconds) {
        timedOut = true;
        break;
      }
      const r = await runTrial(study, { country, cfg, frame, space: tcfg.space, weights, epochs, train, progress: opts.progress });
      ran.total++;
      ran[r.state]++;
      opts.onTrial?.(r, i + 1, trials);
      if (r.state === 'fail') log.warn(`${country} trial ${r.number} failed: ${r.failReason}`);
      failStreak = r.state === 'fail' ? failStreak + 1 : 0;
      if (failStreak >= (opts.maxConsecutiveFailures ?? 5)) {
        throw new TuneError(`${country}: ${failStreak} trials in a row failed; stopping the study. Last reason: ${r.failReason}. Fix the cause (see failReason in the study) and re-run; finished trials are kept.`);
      }
    }
    const all = await study.trials();
    const best = await study.bestTrial();
    const summary: TuneSummary = {
      country,
      study: { name, storage: study.storageUrl ?? storage },
      pruner: prunerName,
      objective: tcfg.objective,
      ran,
      totals: { trials: all.length, complete: count(all, 'complete'), pruned: count(all, 'pruned'), fail: count(all, 'fail') },
      timedOut,
      seconds: (performance.now() - t0) / 1000,
      bridge: study.bridge.info,
    };
    if (best && best.value !== null) {
      summary.best = { trial: best.number, value: best.value, params: best.params };
      if (opts.writeBest ?? true) {
        const file: BestParams = {
          params: best.params,
          value: best.value,
          trial: best.number,
          completedTrials: summary.totals.complete,
          prunedTrials: summary.totals.pruned,
          failedTrials: summary.totals.fail,
          study: summary.study,
          objective: tcfg.objective,
          objectiveWeights: weights,
          direction,
          updatedAt: new Date().toISOString(),
        };
        summary.bestFile = writeBestParams(country, file);
      }
    }
    return summary;
  } finally {
    await study.close();
  }
}

/** Values of different objectives (or of one loss under different fixed weights) cannot be ranked together; refuse to resume across a change. */
function checkResumable(study: Study, objective: string, weights: ObjectiveWeights, storage: string): void {
  if (study.trialsAtOpen === 0) return;
  const prev = study.userAttrs.objective;
  if (prev !== undefined && prev !== objective) {
    throw new TuneError(
      `Study "${study.name}" in ${storage} was run with objective "${prev}", now "${objective}"; their values cannot be compared. ` +
        'Move or delete that study.db to start a new study, or set tune.objective back.',
    );
  }
  const pw = study.userAttrs.objectiveWeights as Partial<ObjectiveWeights> | undefined;
  if (pw !== undefined && (pw.contWeight !== weights.contWeight || pw.catWeight !== weights.catWeight)) {
    throw new TuneError(
      `Study "${study.name}" in ${storage} scored trials with loss weights ${JSON.stringify(pw)} (model.contWeight/catWeight in models.yml), now ${JSON.stringify(weights)}; ` +
        'their values cannot be compared. Move or delete that study.db to start a new study, or set the weights back.',
    );
  }
}
