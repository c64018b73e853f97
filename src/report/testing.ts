/** Test-split figures of one calibrated detector: metrics table against the no-training baseline, detection rate per kind, and detected vs missed labelled events over time. */
import * as fs from 'fs';
import * as path from 'path';
import type { Calibration, ScoringModel } from '../calibrate/calibrate';
import type { Config } from '../config/schema';
import { resultDirs } from '../data/paths';
import type { CountryFrame } from '../data/types';
import type { LabelWindow } from '../base/labels';
import { scoreRange } from '../detect/detect';
import { loadCountryRun } from '../detect/load';
import type { AnomalyEvent } from '../detect/types';
import { evaluateScored, type CountryEvaluation } from '../evaluate/evaluate';
import type { Metrics } from '../evaluate/metrics';
import { initBackend } from '../model/backend';
import { writePlotlyHtml, type PlotlyFigure } from './html';
import { isoHour, labelShapes, labelsIn, rounded, stackedAxes, yAxisId } from './overlay';

const DETECTED = '#2ca02c';
const MISSED = '#d62728';

/** What the testing figures show. */
export interface TestingData {
  evaluation: CountryEvaluation;
  /** Test hours (epoch ms), their scores and the threshold in use. */
  timestamps: number[];
  score: number[];
  threshold: number;
  /** Raw signal values over the test hours, in table order. */
  signals: { name: string; values: number[] }[];
  /** Events the autoencoder raised on the test split. */
  events: AnomalyEvent[];
  /** Labelled windows overlapping the test split. */
  labels: LabelWindow[];
}

/** Evaluates the detector on its test split (the same evaluateCountry `radarwatch test` runs) and keeps the series to plot. */
export function testingData(frame: CountryFrame, det: ScoringModel & { meta: { split: { test: { from: string; to: string } } } }, cal: Calibration): TestingData {
  const from = Date.parse(det.meta.split.test.from);
  const to = Date.parse(det.meta.split.test.to);
  const scored = scoreRange(frame, det, cal, from, to);
  const { evaluation, events } = evaluateScored(frame, det, cal, scored, from, to);
  const { hours, start } = scored;
  const end = start + hours.length;
  return {
    evaluation,
    timestamps: hours.map((h) => h.timestamp),
    score: hours.map((h) => h.score),
    threshold: cal.threshold.value,
    signals: frame.signalNames.map((s) => ({ name: s, values: Array.from(frame.signals[s].subarray(start, end)) })),
    events,
    labels: labelsIn(frame.labels, from, to),
  };
}

const pct = (x: number, digits = 1) => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : 'n/a');

/** Rows of the metrics table: [metric, autoencoder, baseline]. */
export function metricsRows(e: CountryEvaluation): string[][] {
  const row = (name: string, f: (m: Metrics) => string) => [name, f(e.model), f(e.baseline)];
  return [
    row('labelled events in test split', (m) => String(m.labeledEvents)),
    row('detected events', (m) => String(m.detectedEvents)),
    row('event detection rate', (m) => pct(m.detectionRate)),
    row('hourly false-positive rate', (m) => pct(m.hourlyFpr, 2)),
    row('false-positive hours', (m) => `${m.falsePositiveHours} of ${m.normalHours}`),
    row('predicted events', (m) => String(m.predictedEvents)),
    row('event precision', (m) => pct(m.eventPrecision)),
    row('F1', (m) => m.f1.toFixed(3)),
    row('median time to detect (h)', (m) => (m.medianTimeToDetectHours === null ? 'n/a' : String(m.medianTimeToDetectHours))),
  ];
}

/** The metrics table: autoencoder (threshold in use) vs the similar-days baseline on the same evaluated hours. */
export function metricsTableFigure(e: CountryEvaluation): PlotlyFigure {
  const rows = metricsRows(e);
  return {
    data: [
      {
        type: 'table',
        header: { values: ['<b>metric</b>', `<b>autoencoder</b> (${e.threshold.method} ${e.threshold.value.toPrecision(4)})`, '<b>baseline</b> (similar days ± MAD)'], align: 'left', fill: { color: '#e8eef7' } },
        cells: { values: [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])], align: 'left', height: 26 },
      },
    ],
    layout: { title: { text: `${e.country} test split ${e.test.from.slice(0, 10)} … ${e.test.to.slice(0, 10)}: ${e.test.evaluatedHours} evaluated hours` }, height: 360, margin: { t: 60, l: 20, r: 20, b: 20 } },
  };
}

/** Detection rate per labelled kind, autoencoder vs baseline. */
export function perKindFigure(e: CountryEvaluation): PlotlyFigure {
  const kinds = [...new Set([...Object.keys(e.model.perKind), ...Object.keys(e.baseline.perKind)])].sort();
  const bar = (name: string, m: Metrics, color: string) => ({
    type: 'bar',
    name,
    x: kinds,
    y: kinds.map((k) => m.perKind[k]?.detectionRate ?? null),
    text: kinds.map((k) => `${m.perKind[k]?.detected ?? 0}/${m.perKind[k]?.events ?? 0}`),
    textposition: 'outside',
    marker: { color },
  });
  return {
    data: [bar('autoencoder', e.model, '#1f77b4'), bar('baseline', e.baseline, '#7f7f7f')],
    layout: { title: { text: 'Event detection rate by labelled kind (bar text = detected / events)' }, barmode: 'group', yaxis: { title: { text: 'detection rate' }, tickformat: '.0%', range: [0, 1.15] } },
  };
}

/** Key of a label window for matching metrics' detected / missed lists. */
const labelKey = (l: { start: string; end: string; kind: string }) => `${l.start}|${l.end}|${l.kind}`;

/** Signals and score over the test split: detected labels shaded green, missed red, raised events marked on the score. */
export function detectionTimelineFigure(d: TestingData): PlotlyFigure {
  const x = d.timestamps.map(isoHour);
  const detected = new Set(d.evaluation.model.detected.map(labelKey));
  const missed = new Set(d.evaluation.model.missed.map(labelKey));
  const shown = d.labels.filter((l) => detected.has(labelKey(l)) || missed.has(labelKey(l)));
  const k = d.signals.length;
  const data: Record<string, unknown>[] = d.signals.map((s, i) => ({ type: 'scatter', mode: 'lines', name: s.name, showlegend: false, x, y: rounded(s.values), xaxis: 'x', yaxis: yAxisId(i), line: { width: 1, color: '#1f77b4' } }));
  data.push({ type: 'scatter', mode: 'lines', name: 'score', x, y: rounded(d.score, 4), xaxis: 'x', yaxis: yAxisId(k), line: { color: '#2ca02c', width: 1 } });
  data.push({ type: 'scatter', mode: 'lines', name: `threshold ${d.threshold.toPrecision(4)}`, x: [x[0], x[x.length - 1]], y: [d.threshold, d.threshold], xaxis: 'x', yaxis: yAxisId(k), line: { color: '#d62728', dash: 'dot' } });
  data.push({
    type: 'scatter',
    mode: 'markers',
    name: `raised events (${d.events.length})`,
    x: d.events.map((e) => isoHour(Date.parse(e.peakAt))),
    y: d.events.map((e) => e.peakScore),
    text: d.events.map((e) => `${e.cause}, ${e.severity}, ${e.hours} h`),
    xaxis: 'x',
    yaxis: yAxisId(k),
    marker: { color: '#ff7f0e', symbol: 'triangle-down', size: 9 },
  });
  data.push({ type: 'scatter', mode: 'markers', name: `detected labels (${d.evaluation.model.detected.length})`, x: [null], y: [null], marker: { color: DETECTED, symbol: 'square', size: 12, opacity: 0.5 } });
  data.push({ type: 'scatter', mode: 'markers', name: `missed labels (${d.evaluation.model.missed.length})`, x: [null], y: [null], marker: { color: MISSED, symbol: 'square', size: 12, opacity: 0.5 } });
  return {
    data,
    layout: {
      title: { text: `Detected vs missed labelled events on the test split (${d.evaluation.country})` },
      height: Math.max(480, 110 * (k + 1) + 160),
      ...stackedAxes([...d.signals.map((s) => s.name), 'score'], { logY: [...d.signals.map(() => false), d.score.every((s) => s > 0)] }),
      shapes: labelShapes(shown, { color: (l) => (detected.has(labelKey(l)) ? DETECTED : MISSED), opacity: 0.3 }),
      legend: { orientation: 'h', y: -0.08 },
      margin: { t: 60, l: 80, r: 20 },
    },
  };
}

/** The testing figures in page order. */
export function testingFigures(d: TestingData): PlotlyFigure[] {
  return [metricsTableFigure(d.evaluation), perKindFigure(d.evaluation), detectionTimelineFigure(d)];
}

/** One row per country with results/testing/<CC>/metrics.json (written by `radarwatch test`): autoencoder vs baseline; for console.table. */
export function testingSummaryRows(countries: string[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const cc of countries) {
    const file = path.join(resultDirs.testing(cc), 'metrics.json');
    if (!fs.existsSync(file)) continue;
    const e = JSON.parse(fs.readFileSync(file, 'utf8')) as CountryEvaluation;
    for (const [name, m] of [['autoencoder', e.model], ['baseline', e.baseline]] as const) {
      rows.push({ country: cc, detector: name, detected: `${m.detectedEvents}/${m.labeledEvents}`, detection: pct(m.detectionRate), hourlyFpr: pct(m.hourlyFpr, 2), precision: pct(m.eventPrecision), f1: Number(m.f1.toFixed(3)) });
    }
  }
  return rows;
}

/** Evaluates the country's calibrated detector on its test split and writes results/analysis/<CC>/testing.html. */
export async function writeTestingReport(cfg: Config, country: string): Promise<{ file: string; figures: number; evaluation: CountryEvaluation }> {
  await initBackend();
  const { det, cal, frame } = await loadCountryRun(cfg, country);
  try {
    const d = testingData(frame, det, cal);
    const figures = testingFigures(d);
    const m = d.evaluation.model;
    const file = writePlotlyHtml(path.join(resultDirs.analysis(country), 'testing.html'), `radarwatch testing — ${country} (${m.detectedEvents}/${m.labeledEvents} events detected, F1 ${m.f1.toFixed(3)})`, figures);
    return { file, figures: figures.length, evaluation: d.evaluation };
  } finally {
    det.dispose();
  }
}
