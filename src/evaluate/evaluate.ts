/** Evaluates a calibrated detector and the no-training baseline on the test split against labels, and writes the results. */
import * as path from 'path';
import type { Calibration, ScoringModel } from '../calibrate/calibrate';
import { frameStep, type CountryFrame } from '../data/types';
import { observedRows } from '../data/frame';
import type { LabelWindow } from '../base/labels';
import { resultDirs, resultsRoot } from '../data/paths';
import { scoreRange, type ScoredRange } from '../detect/detect';
import { confirmedFlags, groupEvents } from '../detect/events';
import type { AnomalyEvent, ScoredHour } from '../detect/types';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import { runBaseline } from './baseline';
import { computeMetrics, type Metrics } from './metrics';

export interface CountryEvaluation {
  country: string;
  /** Which evidence the calibrated detector combines (calibration.json `detector`). */
  detector: string;
  /**
   * Share of normal validation rows the detector flags (the rows its false-alarm budget was calibrated on), the same
   * share on the test rows, and their ratio: how far the budget drifted from validation to later data.
   */
  falseAlarms: { budget: number; validationFpr: number; testFpr: number; ratio: number };
  /** Labelled kind → likely cause of the detected event overlapping it (counts), and the share where they agree. */
  causes: { confusion: Record<string, Record<string, number>>; accuracy: number; detected: number };
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
  const evaluation = evaluateScored(frame, det, cal, scoreRange(frame, det, cal, testFromMs, testToMs), testFromMs, testToMs).evaluation;
  const validationFpr = normalFlagShare(frame, scoreRange(frame, det, cal, Date.parse(cal.fittedOn.from), Date.parse(cal.fittedOn.to)), det.config.detect);
  const testFpr = evaluation.model.hourlyFpr;
  evaluation.falseAlarms = { budget: cal.budget.share, validationFpr, testFpr, ratio: validationFpr > 0 ? testFpr / validationFpr : NaN };
  return evaluation;
}

/** Share of the scored rows that are normal (some signal observed, not unreliable or labelled) and in a reported event. */
export function normalFlagShare(frame: CountryFrame, scored: ScoredRange, cfg: ScoringModel['config']['detect']): number {
  const confirmed = confirmedFlags(scored.hybrid.probability, scored.hybrid.timestamps, cfg);
  let n = 0;
  let f = 0;
  const observed = observedRows(frame);
  scored.hours.forEach((h, i) => {
    const r = scored.start + i;
    if (!observed[r] || frame.labelKind[r] || h.scorable === false) return;
    n++;
    f += confirmed[i];
  });
  return n ? f / n : NaN;
}

/** The cause radarwatch should attribute to each labelled kind. */
export const EXPECTED_CAUSE: Readonly<Record<string, string>> = Object.freeze({
  outage: 'outage',
  partial_outage: 'outage',
  l3_ddos: 'l3_ddos',
  l7_attack: 'l7_attack',
  bot_surge: 'bot_surge',
  traffic_surge: 'traffic_surge',
  routing_change: 'routing_change',
});

/**
 * Confusion of labelled kinds and the likely causes of the detected events that overlap them; accuracy counts a
 * partial outage attributed to a traffic drop as right, and labels of no known kind not at all.
 */
export function causeConfusion(labels: LabelWindow[], events: AnomalyEvent[]): CountryEvaluation['causes'] {
  const confusion: Record<string, Record<string, number>> = {};
  let detected = 0;
  let right = 0;
  for (const l of labels) {
    const a = Date.parse(l.start);
    const b = Date.parse(l.end);
    const ev = events.find((e) => Date.parse(e.start) < b && Date.parse(e.end) > a);
    if (!ev) continue;
    const row = (confusion[l.kind] ??= {});
    row[ev.cause] = (row[ev.cause] ?? 0) + 1;
    const want = EXPECTED_CAUSE[l.kind];
    if (!want) continue;
    detected++;
    if (ev.cause === want || (l.kind === 'partial_outage' && ev.cause === 'traffic_drop')) right++;
  }
  return { confusion, accuracy: detected ? right / detected : NaN, detected };
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
  // Flagged rows are the rows of reported (confirmed) events, the same rows `detect` and `watch` report.
  const confirmed = confirmedFlags(scored.hybrid.probability, scored.hybrid.timestamps, det.config.detect);
  const observed = observedRows(frame);
  hours.forEach((_, i) => {
    const r = start + i;
    flagged[r] = confirmed[i];
    evaluated[r] = observed[r];
  });
  // labels and events map to rows at the series' own step (a 5-minute series has 12 rows an hour)
  const stepMs = frameStep(frame);
  const modelEvents = groupEvents(hours, det.config.detect, stepMs);
  const model = computeMetrics({ timestamps: frame.timestamps, flagged, evaluated, labels: frame.labels, events: modelEvents, stepMs });

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
  const baseEvents = groupEvents(baseHours, det.config.detect, stepMs);
  const baseline = computeMetrics({ timestamps: frame.timestamps, flagged: baseFlagged, evaluated, labels: frame.labels, events: baseEvents, stepMs });

  const labelsBySource: Record<string, number> = {};
  for (const l of frame.labels) labelsBySource[l.source] = (labelsBySource[l.source] ?? 0) + 1;
  const testLabels = frame.labels.filter((l) => Date.parse(l.end) > testFromMs && Date.parse(l.start) < testToMs);
  const evaluation: CountryEvaluation = {
    country: frame.id,
    detector: cal.detector,
    falseAlarms: { budget: cal.budget.share, validationFpr: NaN, testFpr: model.hourlyFpr, ratio: NaN },
    causes: causeConfusion(testLabels, modelEvents),
    test: { from: new Date(testFromMs).toISOString(), to: new Date(testToMs).toISOString(), hours: s1 - s0, evaluatedHours: model.evaluatedHours },
    threshold: { method: 'probability', value: 0.5 },
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
    name === 'baseline' ? 'similar-days-mad' : e.threshold.method,
    String(m.labeledEvents),
    String(m.detectedEvents),
    fmt(m.detectionRate),
    fmt(m.hourlyFpr),
    fmt(m.eventPrecision),
    fmt(m.f1),
    m.medianTimeToDetectHours === null ? '' : String(m.medianTimeToDetectHours),
    String(m.predictedEvents),
  ];
  return [row(e.detector, e.model), row('baseline', e.baseline)];
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
