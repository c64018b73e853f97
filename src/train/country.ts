/** trainCountry: one country's frame → chronological split → features fitted on train rows → a trained autoencoder. */
import type { Config } from '../config/schema';
import type { CountryFrame } from '../data/types';
import { computeFeatures } from '../features/build';
import { fitFeatureSpec, type FeatureSpec } from '../features/spec';
import type { FeatureSet } from '../features/types';
import { fitAutoencoder, type FitOptions, type FitResult } from './trainer';
import { excludedRows, fitRows, splitFrame, type RowSplit } from './split';

export type TrainCountryOptions = Omit<FitOptions, 'label'>;

/** Everything a training run produced; saveDetector turns it into a model folder. */
export interface TrainResult extends FitResult {
  /** Feature spec fitted on the training rows only. */
  spec: FeatureSpec;
  /** Row ranges of the frame, [start, end). */
  split: RowSplit;
  /** Rows of the train and validation ranges that entered the loss (not warmup, gap, unreliable or — when excluded — labelled). */
  fittedRows: { train: number; validation: number };
  /** Features of the whole frame under `spec` (reused by validation and calibration). */
  features: FeatureSet;
  /** The config the run used. */
  config: Config;
}

/**
 * Trains one country's detector on `frame` with an already resolved `cfg` (see resolveCountryConfig).
 * Splits rows chronologically (train | validation | test), fits the feature spec on train rows only, and fits the
 * autoencoder on non-warmup, non-gap, non-unreliable (and, with train.excludeLabeled, unlabelled) rows.
 */
export async function trainCountry(frame: CountryFrame, cfg: Config, opts: TrainCountryOptions = {}): Promise<TrainResult> {
  const t0 = performance.now();
  const split = splitFrame(frame.timestamps, cfg.train);
  const excluded = excludedRows(frame, cfg.train.excludeLabeled);
  const spec = fitFeatureSpec(frame, split.train, cfg.features, { exclude: excluded });
  const features = computeFeatures(frame, spec);
  const trainIdx = fitRows(split.train, features, excluded);
  const valIdx = fitRows(split.validation, features, excluded);
  const fit = await fitAutoencoder(features, trainIdx, valIdx, cfg, { ...opts, label: `train ${frame.id}` });
  return {
    model: fit.model,
    spec,
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    bestValLoss: fit.bestValLoss,
    stoppedEarly: fit.stoppedEarly,
    stopReason: fit.stopReason,
    warmStarted: fit.warmStarted,
    seconds: (performance.now() - t0) / 1000,
    split,
    fittedRows: { train: trainIdx.length, validation: valIdx.length },
    features,
    config: cfg,
  };
}
