/** Scores a time range of a country table with a trained, calibrated detector and groups anomalous hours into events. */
import type { CountryFrame } from '../data/types';
import { frameStep } from '../data/types';
import { DataError } from '../errors';
import { networkPart, type Calibration, type ScoringModel } from '../calibrate/calibrate';
import { hybridHistoryRows, scoreHybrid, type HybridScores } from './hybrid';
import { groupEvents } from './events';
import { assertFiniteScores } from './finite';
import type { RowScores } from './score';
import type { AnomalyEvent, ScoredHour } from './types';
import { rowsOfRange } from './window';

export interface ScoredRange {
  hours: ScoredHour[];
  /** The autoencoder's raw reconstruction scores of the same rows (null for a seasonal-only detector). */
  scores: RowScores | null;
  /** The full scoring pass (probability, evidence per signal, streams). */
  hybrid: HybridScores;
  /** Row index of the first scored row in the frame. */
  start: number;
}

/** Probability above which a row is anomalous: the false-alarm budget itself (see probabilityOf). */
export const PROBABILITY_THRESHOLD = 0.5;

/**
 * Rows of history scoreRange reads before the first row of a range: a frame that starts this many rows earlier (or at
 * the start of the data) scores the range exactly as the whole table does. `radarwatch detect` reads only that window.
 */
export function scoreRangeHistoryRows(det: ScoringModel, cal: Calibration): number {
  return hybridHistoryRows(cal.detector === 'seasonal' ? null : networkPart(det, cal.temperature.T), cal.seasonal, cal.evidence.windows, cal.evidence.aeLevelRows ?? 0, cal.evidence.onlineRows);
}

/**
 * Scores rows [fromMs, toMs) of `frame` with the calibrated detector: features, seasonal rule and evidence windows are
 * computed over the range plus the history they need before it (hybridHistoryRows), so the cost grows with the
 * window, not with the table. Rows too close to the start of the data to have that history come back with
 * `scorable: false` and no score, never as normal. A non-finite score on a scorable row is an error.
 */
export function scoreRange(frame: CountryFrame, det: ScoringModel, cal: Calibration, fromMs: number, toMs: number): ScoredRange {
  const step = frameStep(frame);
  const { start, end } = rowsOfRange(frame.timestamps, fromMs, toMs, step);
  if (end <= start) {
    throw new DataError(`No data for ${frame.id} in ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()}; the table covers ${new Date(frame.timestamps[0]).toISOString()}..${new Date(frame.timestamps[frame.timestamps.length - 1] + step).toISOString()}`);
  }
  const net = cal.detector === 'seasonal' ? null : networkPart(det, cal.temperature.T);
  const h = scoreHybrid(frame, net, cal.seasonal, cal.evidence.windows, start, end, cal.evidence, cal.budget.share);
  if (h.raw) assertFiniteScores(h.raw.score, h.timestamps, frame.id);
  assertFiniteScores(h.probability.filter((_, r) => h.scorable[r] === 1), h.timestamps.filter((_, r) => h.scorable[r] === 1), frame.id);
  const hours: ScoredHour[] = [];
  for (let r = 0; r < h.rows; r++) hours.push(scoredHourAt(h, r));
  return { hours, scores: h.raw, hybrid: h, start };
}

/** The ScoredHour of row `r` of a scoring pass: probability, per-signal shares of the evidence and directions. */
export function scoredHourAt(h: HybridScores, r: number): ScoredHour {
  const timestamp = h.timestamps[r];
  const direction: Record<string, number> = {};
  for (const [k, v] of Object.entries(h.direction)) direction[k] = v[r];
  if (!h.scorable[r]) return { timestamp, scorable: false, score: NaN, threshold: PROBABILITY_THRESHOLD, anomaly: false, signals: {}, direction };
  const signals: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(h.bySignal)) {
    const e = Number.isFinite(v[r]) ? Math.max(0, v[r]) : 0;
    signals[k] = e;
    total += e;
  }
  for (const k of Object.keys(signals)) signals[k] = total > 0 ? signals[k] / total : 0;
  const p = h.probability[r];
  return { timestamp, scorable: true, score: p, evidence: h.evidence[r], threshold: PROBABILITY_THRESHOLD, anomaly: p > PROBABILITY_THRESHOLD, signals, direction };
}

/** Groups the anomalous hours of a scored range into events with the detector's settings. */
export function eventsOf(hours: ScoredHour[], det: ScoringModel): AnomalyEvent[] {
  return groupEvents(hours, det.config.detect, det.spec.stepMs);
}
