/** Validation report of a saved detector: loss on the validation rows and the reconstruction-error distribution per feature and signal. */
import * as path from 'path';
import type { CountryFrame } from '../data/types';
import { resultDirs } from '../data/paths';
import { DataError } from '../errors';
import type { Detector } from '../model/artifact';
import { crossEntropy, type LossParts } from '../model/loss';
import { writeJsonAtomic } from '../util/fsx';
import { mean, quantile } from '../util/stats';
import { excludedRows, fitRows, type RowRange } from './split';

/** Distribution of one error column over the validation rows. */
export interface ErrorStats {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface ValidationReport {
  country: string;
  modelDir: string;
  createdAt: string;
  /** The validation hours ([from, to) UTC) and how many entered the statistics (no warmup, gap, unreliable or labelled hours). */
  range: { from: string; to: string; rows: number; fittedRows: number };
  /** contWeight·contMse + catWeight·catCe, as during training. */
  loss: LossParts;
  /** Squared reconstruction error per continuous feature. */
  features: ({ name: string; signal: string } & ErrorStats)[];
  /** Cross-entropy (nats) per categorical feature. */
  categorical: ({ name: string } & ErrorStats)[];
  /** Per signal: mean squared error over its features and its share of the total squared error. */
  signals: { signal: string; features: number; meanSquaredError: number; share: number }[];
}

function stats(xs: Float64Array): ErrorStats {
  return { mean: mean(xs), p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99) };
}

/** Rows of `frame` that hold the detector's validation hours (meta.json split), or a DataError when the table does not cover them. */
export function validationRange(det: Pick<Detector, 'meta' | 'dir'>, frame: CountryFrame): RowRange {
  const v = det.meta.split.validation;
  const start = frame.timestamps.indexOf(Date.parse(v.from));
  if (start < 0 || start + v.rows > frame.timestamps.length) {
    throw new DataError(`The table of "${frame.id}" does not cover the validation hours ${v.from} → ${v.to} of ${det.dir}/meta.json; validate with the table the model was trained on.`);
  }
  return { start, end: start + v.rows };
}

/** Recomputes features with the saved spec and reports validation loss and error distributions. */
export function validateDetector(det: Detector, frame: CountryFrame): ValidationReport {
  const range = validationRange(det, frame);
  const { features, contRecon, catLogits } = det.reconstruct(frame);
  const idx = fitRows(range, features, excludedRows(frame, det.config.train.excludeLabeled));
  if (idx.length === 0) throw new DataError(`No usable validation hours in ${det.meta.split.validation.from} → ${det.meta.split.validation.to} of "${frame.id}" (all warmup, gaps or labelled).`);
  const nCont = features.contNames.length;
  const nCat = features.catNames.length;
  const perFeature = features.contNames.map((name, j) => {
    const e = Float64Array.from(idx, (r) => (contRecon[r * nCont + j] - features.cont[r * nCont + j]) ** 2);
    return { name, signal: features.contSignal[j], ...stats(e) };
  });
  const categorical = features.catNames.map((name, j) => {
    const card = features.catCardinalities[j];
    const e = Float64Array.from(idx, (r) => crossEntropy(catLogits[j], r * card, card, features.cat[r * nCat + j]));
    return { name, ...stats(e) };
  });
  const total = perFeature.reduce((s, f) => s + f.mean, 0);
  const signals = [...new Set(features.contSignal)].map((signal) => {
    const own = perFeature.filter((f) => f.signal === signal);
    const sum = own.reduce((s, f) => s + f.mean, 0);
    return { signal, features: own.length, meanSquaredError: sum / own.length, share: total > 0 ? sum / total : 0 };
  });
  // The loss from the reconstruction already at hand (float64 sums, as evaluateLoss), not from a second forward pass.
  const contMse = perFeature.reduce((sum, f) => sum + f.mean, 0) / nCont;
  const catCe = nCat ? categorical.reduce((sum, c) => sum + c.mean, 0) / nCat : 0;
  const w = det.config.model;
  const loss: LossParts = { loss: w.contWeight * contMse + (nCat ? w.catWeight * catCe : 0), contMse, catCe, rows: idx.length };
  const v = det.meta.split.validation;
  return {
    country: det.country,
    modelDir: det.dir,
    createdAt: new Date().toISOString(),
    range: { from: v.from, to: v.to, rows: v.rows, fittedRows: idx.length },
    loss,
    features: perFeature,
    categorical,
    signals,
  };
}

/** Writes results/validation/<CC>/validation.json (or into `dir`); returns the file path. */
export function writeValidation(report: ValidationReport, dir: string = resultDirs.validation(report.country)): string {
  const file = path.join(dir, 'validation.json');
  writeJsonAtomic(file, report);
  return file;
}
