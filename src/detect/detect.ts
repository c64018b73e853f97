/** Scores a time range of a country table with a trained, calibrated detector and groups anomalous hours into events. */
import { sliceFrame } from '../data/frame';
import type { CountryFrame } from '../data/types';
import { HOUR_MS } from '../data/types';
import { DataError } from '../errors';
import { computeFeatures } from '../features/build';
import { featureHistoryHours } from '../features/spec';
import { reconstruct } from '../model/autoencoder';
import type { Calibration, ScoringModel } from '../calibrate/calibrate';
import { groupEvents } from './events';
import { scoreRows, type RowScores } from './score';
import type { AnomalyEvent, DetectHour, ScoredHour } from './types';
import { rowsOfRange, sliceFeatureSet } from './window';

export interface ScoredRange {
  hours: ScoredHour[];
  scores: RowScores;
  /** Row index of the first scored hour in the frame. */
  start: number;
}

/**
 * Scores hours [fromMs, toMs) of `frame`. The frame must hold the history the causal features need before
 * `fromMs` (featureHistoryHours(spec)); features are computed from there only, so the cost grows with the
 * window, not with the table.
 */
export function scoreRange(frame: CountryFrame, det: ScoringModel, cal: Calibration, fromMs: number, toMs: number): ScoredRange {
  const { start, end } = rowsOfRange(frame.timestamps, fromMs, toMs);
  if (end <= start) {
    throw new DataError(`No data for ${frame.id} in ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()}; the table covers ${new Date(frame.timestamps[0]).toISOString()}..${new Date(frame.timestamps[frame.timestamps.length - 1] + HOUR_MS).toISOString()}`);
  }
  const history = featureHistoryHours(det.spec);
  if (start < history) {
    const earliest = new Date(frame.timestamps[0] + history * HOUR_MS).toISOString();
    throw new DataError(`Detection for ${frame.id} needs ${history} hours of history before the first scored hour; the data starts at ${new Date(frame.timestamps[0]).toISOString()}, so the earliest hour that can be scored is ${earliest}`);
  }
  const from = start - history;
  const window = sliceFrame(frame, from, end);
  const fsAll = computeFeatures(window, det.spec);
  const fs = sliceFeatureSet(fsAll, start - from, end - from);
  const recon = reconstruct(det.model, fs);
  const scores = scoreRows(fs, recon, det.config.model, cal.temperature.T);
  const hours: ScoredHour[] = [];
  for (let r = 0; r < fs.rows; r++) hours.push(scoredHourAt(scores, r, fs.timestamps[r], cal.threshold.value));
  return { hours, scores, start };
}

/** The ScoredHour of row `r` of `scores` (hour start `timestamp`, epoch ms) against `threshold`. */
export function scoredHourAt(scores: RowScores, r: number, timestamp: number, threshold: number): ScoredHour {
  const S = scores.signalNames.length;
  const signals: Record<string, number> = {};
  for (let s = 0; s < S; s++) signals[scores.signalNames[s]] = scores.signalShare[r * S + s];
  const direction: Record<string, number> = {};
  for (const [k, v] of Object.entries(scores.direction)) direction[k] = v[r];
  return { timestamp, score: scores.score[r], threshold, anomaly: scores.score[r] > threshold, signals, direction };
}

/** Scored hours → the JSON form (ISO timestamps, shares rounded to 4 decimals). */
export function toDetectHours(hours: ScoredHour[]): DetectHour[] {
  return hours.map((h) => {
    const signals: Record<string, number> = {};
    for (const [k, v] of Object.entries(h.signals)) signals[k] = Math.round(v * 1e4) / 1e4;
    return { timestamp: new Date(h.timestamp).toISOString(), score: h.score, threshold: h.threshold, anomaly: h.anomaly, signals };
  });
}

/** Groups the anomalous hours of a scored range into events with the detector's settings. */
export function eventsOf(hours: ScoredHour[], det: ScoringModel): AnomalyEvent[] {
  return groupEvents(hours, det.config.detect);
}
