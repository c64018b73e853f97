/**
 * Fits the post-rules of one model on its validation rows only: temperature of the categorical heads, then the
 * MAD / p99 / p99.5 thresholds of validation scores on normal hours. Test rows are never read.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema';
import { normalRows, sliceFrame } from '../data/frame';
import type { CountryFrame } from '../data/types';
import { DataError } from '../errors';
import { computeFeatures } from '../features/build';
import type { FeatureSpec } from '../features/spec';
import type { FeatureSet } from '../features/types';
import { reconstruct, type Reconstruction } from '../model/autoencoder';
import { scoreRows } from '../detect/score';
import { rowsOfRange, sliceFeatureSet } from '../detect/window';
import { frameStep } from '../data/types';
import { DAY_MS } from '../base/time';
import { log } from '../util/log';
import { evidenceWindows, fitEvidenceModel, type EvidenceModel } from '../detect/evidence';
import { aeLevelRowsOf, scoreHybrid, type DetectorSource, type NetworkPart } from '../detect/hybrid';
import { budgetShare } from '../detect/probability';
import { fitSeasonalRule, scaleWindowRows, type SeasonalRule } from '../detect/seasonal';
import type { FeatureCalendar } from '../features/categorical';
import { fitTemperature, type CategoricalBatch, type Temperature } from './temperature';
import { fitThreshold, THRESHOLD_METHODS, type Threshold } from './threshold';

/** What scoring needs of a trained detector. */
export interface ScoringModel {
  model: tf.LayersModel;
  spec: FeatureSpec;
  config: Config;
}

/** The fitted post-rules saved as calibration.json beside the model. */
export interface Calibration {
  version: 2;
  /** Which evidence the detector combines (calibrate.detector). */
  detector: DetectorSource;
  /** The seasonal rule, fitted on the training rows (null for `autoencoder` alone). */
  seasonal: SeasonalRule | null;
  /** Tails of every evidence stream and of their combination on normal validation rows. */
  evidence: EvidenceModel;
  /** The false-alarm budget behind the probability: anomaly probability 0.5 = this share of normal rows. */
  budget: { falseAlarmsPerWeek: number; share: number };
  /** Temperature of the categorical heads (T = 1 when disabled). */
  temperature: Temperature;
  /** Threshold of the autoencoder's raw reconstruction score (cfg.calibrate.method), kept for reports and comparison. */
  threshold: Threshold;
  /** Every raw-score method fitted on the same scores, for comparison. */
  thresholds: Record<string, Threshold>;
  /** Validation hours the rules were fitted on. */
  fittedOn: { from: string; to: string; rows: number; normalRows: number };
  /** Score distribution of normal validation hours (for reports). */
  validationScores: { p50: number; p90: number; p99: number; max: number };
  createdAt: string;
}

/** 1 for rows usable as "normal" evidence: not warm-up, not filled, not unreliable, not labelled. */
export function normalRowMask(frame: CountryFrame, warmup: Uint8Array, start: number, end: number): Uint8Array {
  const normal = normalRows(frame, end);
  return Uint8Array.from({ length: end - start }, (_, i) => (normal[start + i] && !warmup[start + i] ? 1 : 0));
}

/** Validation rows [start, end) of a frame scored as calibration sees them. */
export interface ValidationPass {
  /** The frame cut at `end`: rows after the validation split never reach the features. */
  cut: CountryFrame;
  /** Features of the validation rows only. */
  fs: FeatureSet;
  recon: Reconstruction;
  /** 1 per validation row usable as normal evidence (see normalRowMask), and warm-up flags, both [end − start]. */
  normal: Uint8Array;
  warmup: Uint8Array;
  /** Indices (into the validation rows) of the normal rows. */
  normalIdx: number[];
}

/**
 * Computes features on the frame cut at `end` (causal features, and nothing from the test split can reach them) and
 * reconstructs rows [start, end). Shared by fitCalibration and the calibration report, so both see the same scores.
 */
export function validationPass(frame: CountryFrame, det: Pick<ScoringModel, 'model' | 'spec'>, start: number, end: number): ValidationPass {
  const cut = end < frame.timestamps.length ? sliceFrame(frame, 0, end) : frame;
  const fsAll = computeFeatures(cut, det.spec);
  const fs = sliceFeatureSet(fsAll, start, end);
  const recon = reconstruct(det.model, fs);
  const normal = normalRowMask(cut, fsAll.warmup, start, end);
  const normalIdx: number[] = [];
  normal.forEach((v, i) => v && normalIdx.push(i));
  return { cut, fs, recon, normal, warmup: fsAll.warmup.subarray(start, end), normalIdx };
}

/** The categorical heads' logits and true classes at `rows` of a reconstruction, one batch per head. */
export function categoricalHeads(fs: FeatureSet, recon: Reconstruction, rows: number[]): CategoricalBatch[] {
  return fs.catCardinalities.map((card, k) => {
    const logits = new Float32Array(rows.length * card);
    const labels = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      logits.set(recon.catLogits[k].subarray(r * card, (r + 1) * card), i * card);
      labels[i] = fs.cat[r * fs.catNames.length + k];
    });
    return { logits, card, labels };
  });
}

/** Fewest (normal) validation rows a calibration is fitted on: the evidence tails need 20 values each. */
const MIN_CALIBRATION_ROWS = 20;

/**
 * Shortest training span whose network may vote: one week, so its calendar embeddings have seen every hour of the
 * week once. A network fitted on a day or two (NAB's 15 % probation) reconstructs its few days and calls the rest of
 * the week anomalous; on NAB its evidence alone scored 1 of 100 and cut the hybrid's score from 25 to 10.
 */
export const MIN_NETWORK_SPAN_MS = 7 * DAY_MS;

/** The evidence sources calibration fits: `hybrid` falls back to `seasonal` when the network trained on less than a week. */
export function effectiveDetector(configured: DetectorSource, trainSpanMs: number): DetectorSource {
  return configured === 'hybrid' && trainSpanMs < MIN_NETWORK_SPAN_MS ? 'seasonal' : configured;
}

/** The autoencoder part of a scoring model at temperature `T`. */
export function networkPart(det: ScoringModel, T: number): NetworkPart {
  return { model: det.model, spec: det.spec, weights: det.config.model, T };
}

/**
 * Fits every post-rule on the rows [valFromMs, valToMs) of `frame`: temperature, the raw-score thresholds, the
 * seasonal rule (on the rows before valFromMs, i.e. the training rows) and the evidence tails behind the anomaly
 * probability. Rows after `valToMs` are cut off before anything is computed, so the test split cannot reach the fit.
 */
export function fitCalibration(frame: CountryFrame, det: ScoringModel, valFromMs: number, valToMs: number): Calibration {
  const { start, end } = rowsOfRange(frame.timestamps, valFromMs, valToMs, frameStep(frame));
  if (end - start < MIN_CALIBRATION_ROWS) throw new DataError(`Only ${end - start} validation rows in ${new Date(valFromMs).toISOString()}..${new Date(valToMs).toISOString()}; expected at least ${MIN_CALIBRATION_ROWS} (is the processed table shorter than the training range?)`);
  const { fs, recon, normalIdx, cut } = validationPass(frame, det, start, end);
  if (normalIdx.length < MIN_CALIBRATION_ROWS) throw new DataError(`Only ${normalIdx.length} normal validation rows (the rest are warm-up, gaps, unreliable or labelled); expected at least ${MIN_CALIBRATION_ROWS}`);

  const cfg = det.config;
  let temperature: Temperature;
  if (cfg.calibrate.temperature && fs.catNames.length > 0) {
    temperature = fitTemperature(categoricalHeads(fs, recon, normalIdx));
  } else {
    temperature = { T: 1, nllBefore: NaN, nllAfter: NaN, eceBefore: NaN, eceAfter: NaN, n: 0 };
  }

  const scores = scoreRows(fs, recon, cfg.model, temperature.T).score;
  const normalScores = normalIdx.map((i) => scores[i]);
  const step = frameStep(frame);
  const fittedOn = { from: fs.timestamps[0], to: fs.timestamps[fs.rows - 1] + step };

  const detector = effectiveDetector(cfg.calibrate.detector, start * step);
  if (detector !== cfg.calibrate.detector) log.warn(`${frame.id}: the network trained on ${((start * step) / DAY_MS).toFixed(1)} days of rows, less than the ${MIN_NETWORK_SPAN_MS / DAY_MS} days it needs to have seen every hour of the week; its evidence is left out and the seasonal rule alone scores this series (detector "seasonal").`);
  const net = detector === 'seasonal' ? null : networkPart(det, temperature.T);
  const { seasonal, evidence, budget } = fitEvidence(cut, net, detector, det.spec.calendar, start, end, cfg.calibrate.falseAlarmsPerWeek);
  const thresholds: Record<string, Threshold> = {};
  for (const m of Object.keys(THRESHOLD_METHODS)) thresholds[m] = fitThreshold(normalScores, m, { k: cfg.calibrate.madK, scale: cfg.calibrate.madScale, fittedOn });
  const sorted = normalScores.slice().sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
  return {
    version: 2,
    detector,
    seasonal,
    evidence,
    budget,
    temperature,
    threshold: thresholds[cfg.calibrate.method],
    thresholds,
    fittedOn: { from: new Date(fittedOn.from).toISOString(), to: new Date(fittedOn.to).toISOString(), rows: fs.rows, normalRows: normalIdx.length },
    validationScores: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1] },
    createdAt: new Date().toISOString(),
  };
}

/** The evidence part of a calibration: what turns scores into an anomaly probability. */
export type EvidenceCalibration = Pick<Calibration, 'detector' | 'seasonal' | 'evidence' | 'budget'>;

/**
 * Fits the seasonal rule on rows [0, start) of `frame` (unless the detector is the autoencoder alone) and the evidence
 * tails on normal rows (not gap-filled, unreliable or labelled): the autoencoder's streams and their combination on
 * the held-out rows [start, end) only (the network has seen the rows before), the seasonal rule's streams on every
 * row before `end` — a year of history holds the holidays and seasons a few held-out months lack, which is what keeps
 * the false-alarm rate on later data near its budget. Rows from `end` on are never read.
 */
export function fitEvidence(frame: CountryFrame, net: NetworkPart | null, detector: DetectorSource, calendar: FeatureCalendar | undefined, start: number, end: number, falseAlarmsPerWeek: number): EvidenceCalibration {
  const cut = end < frame.timestamps.length ? sliceFrame(frame, 0, end) : frame;
  const step = frameStep(frame);
  const seasonal = detector === 'autoencoder' ? null : fitSeasonalRule(cut, start, calendar);
  const windows = evidenceWindows(step);
  const share = budgetShare(falseAlarmsPerWeek, step);
  const aeLevelRows = detector === 'seasonal' ? 0 : aeLevelRowsOf(seasonal, step, start);
  // Labels up to the end of these rows are known anomalies from now on: no noise for the rule's scale, no history for
  // the drift check and the novelty rule (applySeasonalRule, onlineCensored). Later labels are never used.
  const labelsKnownTo = cut.timestamps[end - 1] + step;
  const pass = scoreHybrid(cut, detector === 'seasonal' ? null : net, seasonal, windows, 0, end, null, share, aeLevelRows, labelsKnownTo);
  const evidence = { ...fitEvidenceModel(pass.streams, normalRows(cut, end), start, windows, scaleWindowRows(step), aeLevelRows), labelsKnownTo };
  return { detector, seasonal, evidence, budget: { falseAlarmsPerWeek, share } };
}

/** Picks another fitted threshold method of a calibration (e.g. `--method p99`). */
export function withMethod(cal: Calibration, method: string): Calibration {
  const t = cal.thresholds[method];
  if (!t) throw new DataError(`Calibration has no "${method}" threshold; fitted: ${Object.keys(cal.thresholds).join(', ')}. Re-run radarwatch calibrate.`);
  return { ...cal, threshold: t };
}
