/** Honest detection metrics against labelled windows: event detection rate (per kind), hourly false-positive rate, event precision, F1, time to detect. */
import { HOUR_MS } from '../base/time';
import type { LabelWindow } from '../base/labels';
import { median } from '../util/stats';

export interface PredictedWindow {
  start: string;
  end: string;
}

export interface MetricsInput {
  /** Hour starts, epoch ms, ascending. */
  timestamps: number[];
  /** 1 where the detector flagged the hour. */
  flagged: ArrayLike<number>;
  /** 1 where the hour is evaluated (e.g. test split, past warm-up); others are ignored entirely. */
  evaluated: ArrayLike<number>;
  labels: LabelWindow[];
  /** Predicted events; only those overlapping evaluated hours count. */
  events: PredictedWindow[];
  /** Grid step of `timestamps` in ms (default hourly); delays are still reported in hours. */
  stepMs?: number;
}

export interface KindMetrics {
  events: number;
  detected: number;
  detectionRate: number;
}

export interface Metrics {
  evaluatedHours: number;
  labeledEvents: number;
  detectedEvents: number;
  /** Labelled events with at least one flagged evaluated hour inside / labelled events overlapping evaluated hours. */
  detectionRate: number;
  perKind: Record<string, KindMetrics>;
  normalHours: number;
  falsePositiveHours: number;
  /** Flagged hours outside every labelled window / evaluated hours outside every labelled window. */
  hourlyFpr: number;
  predictedEvents: number;
  truePredictedEvents: number;
  /** Predicted events overlapping a labelled window / predicted events. */
  eventPrecision: number;
  /** Harmonic mean of event precision and detection rate. */
  f1: number;
  /** Median hours from a detected label's start (or the first evaluated hour) to its first flagged hour. */
  medianTimeToDetectHours: number | null;
  detected: { start: string; end: string; kind: string; delayHours: number }[];
  missed: { start: string; end: string; kind: string }[];
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : NaN;
}

/** Computes the metrics. Labels and events partly outside the evaluated hours count only by their evaluated part. */
export function computeMetrics(input: MetricsInput): Metrics {
  const { timestamps, flagged, evaluated, labels } = input;
  const n = timestamps.length;
  const t0 = timestamps[0] ?? 0;
  const step = input.stepMs ?? HOUR_MS;
  const idx = (ms: number) => Math.round((ms - t0) / step);
  const inLabel = new Uint8Array(n);
  for (const l of labels) {
    const a = Math.max(0, idx(Date.parse(l.start)));
    const b = Math.min(n, idx(Date.parse(l.end)));
    for (let i = a; i < b; i++) inLabel[i] = 1;
  }
  let evaluatedHours = 0;
  let normalHours = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    if (!evaluated[i]) continue;
    evaluatedHours++;
    if (inLabel[i]) continue;
    normalHours++;
    if (flagged[i]) fp++;
  }

  const perKind: Record<string, KindMetrics> = {};
  const detected: Metrics['detected'] = [];
  const missed: Metrics['missed'] = [];
  for (const l of labels) {
    const a = Math.max(0, idx(Date.parse(l.start)));
    const b = Math.min(n, Math.max(idx(Date.parse(l.end)), a + 1));
    let firstEval = -1;
    let firstFlag = -1;
    for (let i = a; i < b; i++) {
      if (!evaluated[i]) continue;
      if (firstEval < 0) firstEval = i;
      if (flagged[i]) {
        firstFlag = i;
        break;
      }
    }
    if (firstEval < 0) continue; // label entirely outside the evaluated hours
    const k = (perKind[l.kind] ??= { events: 0, detected: 0, detectionRate: NaN });
    k.events++;
    if (firstFlag >= 0) {
      k.detected++;
      detected.push({ start: l.start, end: l.end, kind: l.kind, delayHours: ((firstFlag - firstEval) * step) / HOUR_MS });
    } else {
      missed.push({ start: l.start, end: l.end, kind: l.kind });
    }
  }
  for (const k of Object.values(perKind)) k.detectionRate = ratio(k.detected, k.events);

  let predicted = 0;
  let truePredicted = 0;
  for (const e of input.events) {
    const a = Math.max(0, idx(Date.parse(e.start)));
    const b = Math.min(n, idx(Date.parse(e.end)));
    let anyEval = false;
    let hitsLabel = false;
    for (let i = a; i < b; i++) {
      if (!evaluated[i]) continue;
      anyEval = true;
      if (inLabel[i]) hitsLabel = true;
    }
    if (!anyEval) continue;
    predicted++;
    if (hitsLabel) truePredicted++;
  }

  const labeledEvents = detected.length + missed.length;
  const detectionRate = ratio(detected.length, labeledEvents);
  const eventPrecision = ratio(truePredicted, predicted);
  const f1 = detectionRate + eventPrecision > 0 ? (2 * detectionRate * eventPrecision) / (detectionRate + eventPrecision) : 0;
  return {
    evaluatedHours,
    labeledEvents,
    detectedEvents: detected.length,
    detectionRate,
    perKind,
    normalHours,
    falsePositiveHours: fp,
    hourlyFpr: ratio(fp, normalHours),
    predictedEvents: predicted,
    truePredictedEvents: truePredicted,
    eventPrecision,
    f1: Number.isFinite(f1) ? f1 : 0,
    medianTimeToDetectHours: detected.length ? median(detected.map((d) => d.delayHours)) : null,
    detected,
    missed,
  };
}
