/** Evaluates a calibrated detector and the no-training baseline on the test split against labels, and writes the results. */
import * as path from 'path';
import type { Calibration, ScoringModel } from '../calibrate/calibrate';
import type { CountryFrame } from '../data/types';
import { resultDirs, resultsRoot } from '../data/paths';
import { scoreRange, type ScoredRange } from '../detect/detect';
import { groupEvents } from '../detect/events';
import type { AnomalyEvent, ScoredHour } from '../detect/types';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import { runBaseline } from './baseline';
import { computeMetrics, type Metrics } from './metrics';

export interface CountryEvaluation {
  country: string;
  test: { from: string; to: string; hours: number; evaluatedHours: number };
  threshold: { method: string; value: number };
  model: Metrics;
  baseline: Metrics;
  labelsBySource: Record<string, number>;
  createdAt: string;
}

/**
 * Scores the test hours [testFromMs, testToMs) with the detector and the baseline, and measures both against the
 * frame's labels. Gap-filled and Radar-unreliable hours are not evaluated (their values are made up or known wrong),
 * for both detectors alike.
 */
export function evaluateCountry(frame: CountryFrame, det: ScoringModel, cal: Calibration, testFromMs: number, testToMs: number): CountryEvaluation {
  return evaluateScored(frame, det, cal, scoreRange(frame, det, cal, testFromMs, testToMs), testFromMs, testToMs).evaluation;
}

/** evaluateCountry on hours already scored by scoreRange over [testFromMs, testToMs); also returns the detector's events. */
export function evaluateScored(
  frame: CountryFrame,
  det: ScoringModel,
  cal: Calibration,
  scored: ScoredRange,
  testFromMs: number,
  testToMs: number,
): { evaluation: CountryEvaluation; events: AnomalyEvent[] } {
  const { hours, start } = scored;
  const n = frame.timestamps.length;
  const flagged = new Uint8Array(n);
  const evaluated = new Uint8Array(n);
  hours.forEach((h, i) => {
    const r = start + i;
    flagged[r] = h.anomaly ? 1 : 0;
    evaluated[r] = frame.gap[r] || frame.unreliable[r] ? 0 : 1;
  });
  const modelEvents = groupEvents(hours, det.config.detect);
  const model = computeMetrics({ timestamps: frame.timestamps, flagged, evaluated, labels: frame.labels, events: modelEvents });

  const base = runBaseline(frame, det.config.evaluate.baseline);
  const s0 = start;
  const s1 = start + hours.length;
  const baseFlagged = new Uint8Array(n);
  const baseHours: ScoredHour[] = [];
  for (let r = s0; r < s1; r++) {
    baseFlagged[r] = base.flagged[r];
    const z = Number.isFinite(base.score[r]) ? base.score[r] : 0;
    baseHours.push({ timestamp: frame.timestamps[r], score: z, threshold: det.config.evaluate.baseline.madK, anomaly: base.flagged[r] === 1, signals: { [base.topSignal[r] || 'none']: 1 }, direction: {} });
  }
  const baseEvents = groupEvents(baseHours, det.config.detect);
  const baseline = computeMetrics({ timestamps: frame.timestamps, flagged: baseFlagged, evaluated, labels: frame.labels, events: baseEvents });

  const labelsBySource: Record<string, number> = {};
  for (const l of frame.labels) labelsBySource[l.source] = (labelsBySource[l.source] ?? 0) + 1;
  const evaluation: CountryEvaluation = {
    country: frame.id,
    test: { from: new Date(testFromMs).toISOString(), to: new Date(testToMs).toISOString(), hours: s1 - s0, evaluatedHours: model.evaluatedHours },
    threshold: { method: cal.threshold.method, value: cal.threshold.value },
    model,
    baseline,
    labelsBySource,
    createdAt: new Date().toISOString(),
  };
  return { evaluation, events: modelEvents };
}

const SUMMARY_COLUMNS = ['country', 'detector', 'threshold', 'labeled_events', 'detected', 'detection_rate', 'hourly_fpr', 'event_precision', 'f1', 'median_ttd_hours', 'predicted_events'];

function summaryRows(e: CountryEvaluation): string[][] {
  const row = (name: string, m: Metrics) => [
    e.country,
    name,
    name === 'autoencoder' ? e.threshold.method : 'similar-days-mad',
    String(m.labeledEvents),
    String(m.detectedEvents),
    fmt(m.detectionRate),
    fmt(m.hourlyFpr),
    fmt(m.eventPrecision),
    fmt(m.f1),
    m.medianTimeToDetectHours === null ? '' : String(m.medianTimeToDetectHours),
    String(m.predictedEvents),
  ];
  return [row('autoencoder', e.model), row('baseline', e.baseline)];
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : '';
}

/** Writes results/testing/<CC>/metrics.json per country and the combined results/testing/summary.csv (atomically). */
export function writeEvaluations(evals: CountryEvaluation[]): { summary: string } {
  for (const e of evals) writeJsonAtomic(path.join(resultDirs.testing(e.country), 'metrics.json'), e);
  const summary = path.join(resultsRoot(), 'testing', 'summary.csv');
  const lines = [SUMMARY_COLUMNS.join(','), ...evals.flatMap(summaryRows).map((r) => r.join(','))];
  writeFileAtomic(summary, lines.join('\n') + '\n');
  return { summary };
}

/** Pools several countries' metrics (sums of counts; rates recomputed from the pooled counts). */
export function pooledMetrics(ms: Metrics[]): { labeledEvents: number; detectedEvents: number; detectionRate: number; hourlyFpr: number; eventPrecision: number; f1: number; perKind: Record<string, { events: number; detected: number; detectionRate: number }> } {
  const sum = (f: (m: Metrics) => number) => ms.reduce((a, m) => a + f(m), 0);
  const labeled = sum((m) => m.labeledEvents);
  const detected = sum((m) => m.detectedEvents);
  const normal = sum((m) => m.normalHours);
  const fp = sum((m) => m.falsePositiveHours);
  const pred = sum((m) => m.predictedEvents);
  const truePred = sum((m) => m.truePredictedEvents);
  const dr = labeled ? detected / labeled : NaN;
  const pr = pred ? truePred / pred : NaN;
  const perKind: Record<string, { events: number; detected: number; detectionRate: number }> = {};
  for (const m of ms) {
    for (const [k, v] of Object.entries(m.perKind)) {
      const p = (perKind[k] ??= { events: 0, detected: 0, detectionRate: NaN });
      p.events += v.events;
      p.detected += v.detected;
    }
  }
  for (const p of Object.values(perKind)) p.detectionRate = p.events ? p.detected / p.events : NaN;
  return { labeledEvents: labeled, detectedEvents: detected, detectionRate: dr, hourlyFpr: normal ? fp / normal : NaN, eventPrecision: pr, f1: dr + pr > 0 ? (2 * dr * pr) / (dr + pr) : 0, perKind };
}
