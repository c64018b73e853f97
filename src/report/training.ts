/** Training figures of one saved detector: loss curves with the restored best epoch, and actual-vs-reconstructed examples (a normal week, a labelled anomaly). */
import { frameStep, type CountryFrame } from '../data/types';
import * as fs from 'fs';
import * as path from 'path';
import type { Calibration, ScoringModel } from '../calibrate/calibrate';
import { loadCalibration } from '../calibrate/store';
import type { Config } from '../config/schema';
import { sliceFrame } from '../data/frame';
import { resultDirs } from '../data/paths';
import { DAY_MS } from '../base/time';
import type { LabelWindow } from '../base/labels';
import { loadCountryRun } from '../detect/load';
import { scoreRows } from '../detect/score';
import { rowsOfRange, sliceFeatureSet } from '../detect/window';
import { DataError } from '../errors';
import { computeFeatures } from '../features/build';
import { featureHistoryRows } from '../features/spec';
import { DETECTOR_FILES, type DetectorMeta } from '../model/artifact';
import { reconstruct } from '../model/autoencoder';
import { initBackend } from '../model/backend';
import type { EpochRecord } from '../train/trainer';
import { writePlotlyHtml, type PlotlyFigure } from './html';
import { isoHour, kindLegendTraces, labelShapes, labelsIn, rounded, stackedAxes, yAxisId } from './overlay';

/** Actual and reconstructed features of a window of hours, with the hourly score. */
export interface ReconstructionExample {
  title: string;
  /** Hour starts, epoch ms. */
  timestamps: number[];
  /** Scaled feature values (model space) and their reconstructions, one entry per shown feature. */
  features: { name: string; actual: number[]; recon: number[] }[];
  /** contWeight·MSE + catWeight·CE at the calibrated temperature, per hour. */
  score: number[];
  /** The calibrated threshold, when the model is calibrated. */
  threshold?: number;
  labels: LabelWindow[];
}

/** Loss (training, on corrupted inputs) and validation loss per epoch, with the epoch whose weights were kept. */
export function trainingCurveFigure(history: EpochRecord[], meta: Pick<DetectorMeta, 'bestEpoch' | 'bestValLoss' | 'stopReason' | 'trainSeconds'> & { country?: string }): PlotlyFigure {
  const epochs = history.map((h) => h.epoch);
  const positive = history.every((h) => h.loss > 0 && h.valLoss > 0);
  return {
    data: [
      { type: 'scatter', mode: 'lines+markers', name: 'training loss (noisy, masked inputs)', x: epochs, y: history.map((h) => h.loss), line: { color: '#1f77b4' } },
      { type: 'scatter', mode: 'lines+markers', name: 'validation loss (clean inputs)', x: epochs, y: history.map((h) => h.valLoss), line: { color: '#ff7f0e' } },
      { type: 'scatter', mode: 'markers', name: `best epoch ${meta.bestEpoch} (weights restored)`, x: [meta.bestEpoch], y: [meta.bestValLoss], marker: { color: '#d62728', size: 12, symbol: 'star' } },
    ],
    layout: {
      title: { text: `Training curves${meta.country ? ` — ${meta.country}` : ''}: ${history.length} epochs, stopped by ${meta.stopReason ?? 'n/a'}, ${meta.trainSeconds.toFixed(1)} s` },
      xaxis: { title: { text: 'epoch' } },
      yaxis: { title: { text: 'loss' }, type: positive ? 'log' : 'linear' },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: meta.bestEpoch, x1: meta.bestEpoch, y0: 0, y1: 1, line: { color: '#d62728', dash: 'dot', width: 1 } }],
    },
  };
}

/** Per signal, the feature shown in reconstruction plots: `<signal>.level`, else the signal's first feature. */
export function featuresToShow(contNames: string[], contSignal: string[]): string[] {
  const out: string[] = [];
  for (const s of [...new Set(contSignal)]) out.push(contNames.includes(`${s}.level`) ? `${s}.level` : contNames[contSignal.indexOf(s)]);
  return out;
}

/**
 * Reconstructs hours [fromMs, toMs) of `frame` with the detector: features are computed from the causal history
 * before `fromMs` (as detection does), then the shown features and the score per hour are kept.
 */
export function reconstructionExample(frame: CountryFrame, det: ScoringModel, fromMs: number, toMs: number, opts: { title: string; cal?: Calibration; features?: string[] }): ReconstructionExample {
  const { start, end } = rowsOfRange(frame.timestamps, fromMs, toMs, frameStep(frame));
  if (end <= start) throw new DataError(`No rows of ${frame.id} in ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()} to reconstruct`);
  const from = Math.max(0, start - featureHistoryRows(det.spec));
  const fsAll = computeFeatures(sliceFrame(frame, from, end), det.spec);
  const fset = sliceFeatureSet(fsAll, start - from, end - from);
  const recon = reconstruct(det.model, fset);
  const scores = scoreRows(fset, recon, det.config.model, opts.cal?.temperature.T ?? 1);
  const names = opts.features ?? featuresToShow(fset.contNames, fset.contSignal);
  const nCont = fset.contNames.length;
  const features = names.map((name) => {
    const j = fset.contNames.indexOf(name);
    if (j < 0) throw new DataError(`Feature "${name}" is not in the model's features (${fset.contNames.join(', ')})`);
    const actual: number[] = [];
    const rec: number[] = [];
    for (let r = 0; r < fset.rows; r++) {
      actual.push(fset.cont[r * nCont + j]);
      rec.push(recon.contRecon[r * nCont + j]);
    }
    return { name, actual, recon: rec };
  });
  const t0 = fset.timestamps[0];
  const t1 = fset.timestamps[fset.rows - 1] + 3_600_000;
  return { title: opts.title, timestamps: fset.timestamps, features, score: Array.from(scores.score), threshold: opts.cal?.threshold.value, labels: labelsIn(frame.labels, t0, t1) };
}

/**
 * The windows worth showing: the first week of the validation split (unseen hours, mostly normal) and a week around
 * the first labelled anomaly after the training split, when there is one.
 */
export function exampleWindows(frame: CountryFrame, meta: Pick<DetectorMeta, 'split'>): { title: string; from: number; to: number }[] {
  const valFrom = Date.parse(meta.split.validation.from);
  const dataEnd = frame.timestamps[frame.timestamps.length - 1] + 3_600_000;
  const out = [{ title: 'first validation week (hours the network never trained on)', from: valFrom, to: Math.min(dataEnd, valFrom + 7 * DAY_MS) }];
  const label = frame.labels.find((l) => Date.parse(l.start) >= valFrom);
  if (label) {
    const s = Date.parse(label.start);
    out.push({ title: `around a labelled ${label.kind} (${label.start.slice(0, 16)}Z)`, from: Math.max(valFrom, s - 3 * DAY_MS), to: Math.min(dataEnd, s + 4 * DAY_MS) });
  }
  return out;
}

/** Stacked panels: each feature actual (solid) vs reconstruction (dashed), then the score (log) with the threshold. */
export function reconstructionFigure(ex: ReconstructionExample): PlotlyFigure {
  const x = ex.timestamps.map(isoHour);
  const data: Record<string, unknown>[] = [];
  ex.features.forEach((f, i) => {
    data.push({ type: 'scatter', mode: 'lines', name: 'actual', legendgroup: 'actual', showlegend: i === 0, x, y: rounded(f.actual, 4), xaxis: 'x', yaxis: yAxisId(i), line: { color: '#1f77b4', width: 1.5 } });
    data.push({ type: 'scatter', mode: 'lines', name: 'reconstruction', legendgroup: 'recon', showlegend: i === 0, x, y: rounded(f.recon, 4), xaxis: 'x', yaxis: yAxisId(i), line: { color: '#ff7f0e', width: 1.5, dash: 'dash' } });
  });
  const k = ex.features.length;
  data.push({ type: 'scatter', mode: 'lines', name: 'score', x, y: rounded(ex.score, 4), xaxis: 'x', yaxis: yAxisId(k), line: { color: '#2ca02c', width: 1.5 } });
  if (ex.threshold !== undefined) {
    data.push({ type: 'scatter', mode: 'lines', name: `threshold ${ex.threshold.toPrecision(4)}`, x: [x[0], x[x.length - 1]], y: [ex.threshold, ex.threshold], xaxis: 'x', yaxis: yAxisId(k), line: { color: '#d62728', dash: 'dot', width: 1.5 } });
  }
  data.push(...kindLegendTraces(ex.labels));
  return {
    data,
    layout: {
      title: { text: `Reconstruction: ${ex.title}` },
      height: Math.max(420, 110 * (k + 1) + 140),
      ...stackedAxes([...ex.features.map((f) => f.name), 'score'], { logY: [...ex.features.map(() => false), ex.score.every((s) => s > 0)] }),
      shapes: labelShapes(ex.labels),
      legend: { orientation: 'h', y: -0.08 },
      margin: { t: 60, l: 90, r: 20 },
    },
  };
}

/** The training figures in page order: curves, then one reconstruction figure per example. */
export function trainingFigures(history: EpochRecord[], meta: Parameters<typeof trainingCurveFigure>[1], examples: ReconstructionExample[]): PlotlyFigure[] {
  return [trainingCurveFigure(history, meta), ...examples.map(reconstructionFigure)];
}

/** Loads the country's detector (and calibration, when fitted) and writes results/analysis/<CC>/training.html. */
export async function writeTrainingReport(cfg: Config, country: string): Promise<{ file: string; figures: number; epochs: number; bestEpoch: number }> {
  await initBackend();
  const { det, frame } = await loadCountryRun(cfg, country, { calibrated: false });
  try {
    const cal = fs.existsSync(path.join(det.dir, DETECTOR_FILES.calibration)) ? loadCalibration(det.dir, country) : undefined;
    const examples = exampleWindows(frame, det.meta).map((w) => reconstructionExample(frame, det, w.from, w.to, { title: w.title, cal }));
    const figures = trainingFigures(det.history, { ...det.meta, country }, examples);
    const file = writePlotlyHtml(path.join(resultDirs.analysis(country), 'training.html'), `radarwatch training — ${country} (${det.meta.epochs} epochs, best ${det.meta.bestEpoch})`, figures);
    return { file, figures: figures.length, epochs: det.meta.epochs, bestEpoch: det.meta.bestEpoch };
  } finally {
    det.dispose();
  }
}
