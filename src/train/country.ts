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

/** A frame made ready to fit: its split, the feature spec fitted on train rows, its features and the rows that fit. */
export interface PreparedTraining {
  split: RowSplit;
  spec: FeatureSpec;
  features: FeatureSet;
  /** Rows of the train and validation ranges that enter the loss (not warmup, gap, unreliable or — when excluded — labelled). */
  trainIdx: Int32Array;
  valIdx: Int32Array;
}

/**
 * Splits rows chronologically (train | validation | test), fits the feature spec on train rows only, and picks the
 * non-warmup, non-gap, non-unreliable (and, with train.excludeLabeled, unlabelled) rows the autoencoder fits on.
 */
export function prepareTraining(frame: CountryFrame, cfg: Config): PreparedTraining {
  const split = splitFrame(frame.timestamps, cfg.train);
  const excluded = excludedRows(frame, cfg.train.excludeLabeled);
  const spec = fitFeatureSpec(frame, split.train, cfg.features, { exclude: excluded });
  const features = computeFeatures(frame, spec);
  return { split, spec, features, trainIdx: fitRows(split.train, features, excluded), valIdx: fitRows(split.validation, features, excluded) };
}

/** Trains one country's detector on `frame` with an already resolved `cfg` (see resolveCountryConfig); `prepared` reuses prepareTraining's work. */
export async function trainCountry(frame: CountryFrame, cfg: Config, opts: TrainCountryOptions = {}, prepared?: PreparedTraining): Promise<TrainResult> {
  const t0 = performance.now();
  const { split, spec, features, trainIdx, valIdx } = prepared ?? prepareTraining(frame, cfg);
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
