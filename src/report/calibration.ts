/** Calibration figures of one model: validation score distributions with the MAD / p99 / p99.5 thresholds side by side, and the temperature-scaling reliability diagram. */
import { frameStep } from '../data/types';
import * as path from 'path';
import { categoricalHeads, validationPass, type Calibration, type ScoringModel } from '../calibrate/calibrate';
import { reliabilityBins, type ReliabilityBin } from '../calibrate/temperature';
import type { Config } from '../config/schema';
import { resultDirs } from '../data/paths';
import type { CountryFrame } from '../data/types';
import { loadCountryRun } from '../detect/load';
import { scoreRows } from '../detect/score';
import { rowsOfRange } from '../detect/window';
import { initBackend } from '../model/backend';
import { writePlotlyHtml, type PlotlyFigure } from './html';
import { isoHour, rounded } from './overlay';

/** Re-exported: the reliability diagram's bins are the calibration module's. */
export { reliabilityBins, type ReliabilityBin };

const METHOD_COLORS: Record<string, string> = { mad: '#d62728', p99: '#9467bd', 'p99.5': '#8c564b' };
const methodColor = (m: string) => METHOD_COLORS[m] ?? '#7f7f7f';

/** What the calibration figures show, recomputed from the validation split exactly as `calibrate` fitted it. */
export interface CalibrationData {
  country: string;
  /** Validation hours and their scores at the fitted temperature. */
  timestamps: number[];
  scores: number[];
  /** 1 = normal hour (the rows thresholds were fitted on), 2 = inside a labelled window, 0 = other (warm-up, gap, unreliable). */
  kind: number[];
  cal: Calibration;
  reliability: { before: ReliabilityBin[]; after: ReliabilityBin[] };
}

/**
 * Scores the validation split of `frame` like fitCalibration does (rows after the split are cut before features are
 * computed) and gathers the categorical heads of normal hours for the reliability diagram.
 */
export function calibrationData(frame: CountryFrame, det: ScoringModel & { meta: { split: { validation: { from: string; to: string } } } }, cal: Calibration): CalibrationData {
  const v = det.meta.split.validation;
  const { start, end } = rowsOfRange(frame.timestamps, Date.parse(v.from), Date.parse(v.to), frameStep(frame));
  const { cut, fs: fset, recon, normal, warmup, normalIdx } = validationPass(frame, det, start, end);
  const T = cal.temperature.T;
  const scores = scoreRows(fset, recon, det.config.model, T).score;
  const kind = Array.from(normal, (n, i) => (n ? 1 : !warmup[i] && cut.labelKind[start + i] ? 2 : 0));
  const heads = categoricalHeads(fset, recon, normalIdx);
  return {
    country: frame.id,
    timestamps: fset.timestamps,
    scores: Array.from(scores),
    kind,
    cal,
    reliability: { before: reliabilityBins(heads, 1), after: reliabilityBins(heads, T) },
  };
}

/** Log-spaced bin edges covering the positive values of `xs`. */
export function logBins(xs: number[], bins = 60): number[] {
  const pos = xs.filter((x) => x > 0 && Number.isFinite(x));
  if (!pos.length) return [1e-3, 1];
  let lo = Math.log10(Math.min(...pos));
  let hi = Math.log10(Math.max(...pos));
  if (hi - lo < 1e-6) {
    lo -= 0.5;
    hi += 0.5;
  }
  return Array.from({ length: bins + 1 }, (_, i) => 10 ** (lo + ((hi - lo) * i) / bins));
}

/** Counts of `xs` per bin of `edges` (values outside the edges are clamped into the end bins). */
export function histogram(xs: number[], edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const x of xs) {
    if (!(x > 0) || !Number.isFinite(x)) continue;
    let b = edges.findIndex((e, i) => i > 0 && x < e) - 1;
    if (b < 0) b = x < edges[0] ? 0 : counts.length - 1;
    counts[b]++;
  }
  return counts;
}

/** Share of `xs` strictly above `t`. */
export function shareAbove(xs: number[], t: number): number {
  return xs.length ? xs.filter((x) => x > t).length / xs.length : NaN;
}

/** The fitted thresholds in a fixed order (mad, p99, p99.5, then any others), with the method in use marked. */
export function thresholdList(cal: Calibration): { method: string; value: number; inUse: boolean }[] {
  const order = ['mad', 'p99', 'p99.5'];
  const names = [...order.filter((m) => cal.thresholds[m]), ...Object.keys(cal.thresholds).filter((m) => !order.includes(m)).sort()];
  return names.map((m) => ({ method: m, value: cal.thresholds[m].value, inUse: m === cal.threshold.method }));
}

/** Histogram of validation scores (log-spaced bins; normal and labelled hours) with one vertical line per fitted threshold. */
export function scoreDistributionFigure(d: CalibrationData): PlotlyFigure {
  const normal = d.scores.filter((_, i) => d.kind[i] === 1);
  const labelled = d.scores.filter((_, i) => d.kind[i] === 2);
  const edges = logBins(d.scores);
  const centers = edges.slice(0, -1).map((e, i) => Math.sqrt(e * edges[i + 1]));
  const widths = edges.slice(0, -1).map((e, i) => edges[i + 1] - e);
  const ts = thresholdList(d.cal);
  const normalCounts = histogram(normal, edges);
  const yMax = Math.max(1, ...normalCounts);
  const data: Record<string, unknown>[] = [
    { type: 'bar', name: `normal validation hours (${normal.length}, fitted on)`, x: centers, y: normalCounts, width: widths, marker: { color: '#1f77b4' }, opacity: 0.75 },
  ];
  if (labelled.length) data.push({ type: 'bar', name: `labelled hours (${labelled.length})`, x: centers, y: histogram(labelled, edges), width: widths, marker: { color: '#ff7f0e' }, opacity: 0.75 });
  for (const t of ts) {
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: `${t.method} = ${t.value.toPrecision(4)}${t.inUse ? ' (in use)' : ''}`,
      x: [t.value, t.value],
      y: [0, yMax * 1.05],
      line: { color: methodColor(t.method), width: t.inUse ? 3 : 1.5, dash: t.inUse ? 'solid' : 'dash' },
      meta: { method: t.method, threshold: t.value },
    });
  }
  return {
    data,
    layout: {
      title: { text: `Validation score distribution at T = ${d.cal.temperature.T.toFixed(3)} with the fitted thresholds` },
      barmode: 'overlay',
      xaxis: { title: { text: 'score (log scale)' }, type: 'log' },
      yaxis: { title: { text: 'hours' } },
    },
  };
}

/** The thresholds side by side: share of normal and of labelled validation hours each one flags. */
export function thresholdComparisonFigure(d: CalibrationData): PlotlyFigure {
  const normal = d.scores.filter((_, i) => d.kind[i] === 1);
  const labelled = d.scores.filter((_, i) => d.kind[i] === 2);
  const ts = thresholdList(d.cal);
  const x = ts.map((t) => `${t.method}${t.inUse ? ' (in use)' : ''}<br>${t.value.toPrecision(4)}`);
  const data: Record<string, unknown>[] = [
    { type: 'bar', name: 'normal hours flagged (false-alarm rate)', x, y: ts.map((t) => shareAbove(normal, t.value)), marker: { color: '#1f77b4' }, texttemplate: '%{y:.2%}', textposition: 'outside' },
  ];
  if (labelled.length) data.push({ type: 'bar', name: 'labelled hours flagged', x, y: ts.map((t) => shareAbove(labelled, t.value)), marker: { color: '#ff7f0e' }, texttemplate: '%{y:.1%}', textposition: 'outside' });
  return {
    data,
    layout: {
      title: { text: 'Thresholds side by side on the validation split (MAD rule vs 99th / 99.5th percentile)' },
      barmode: 'group',
      yaxis: { title: { text: 'share of hours above the threshold' }, tickformat: '.0%', rangemode: 'tozero' },
    },
  };
}

/** Validation scores over time (log) with each threshold as a horizontal line. */
export function validationTimelineFigure(d: CalibrationData): PlotlyFigure {
  const x = d.timestamps.map(isoHour);
  const data: Record<string, unknown>[] = [{ type: 'scatter', mode: 'lines', name: 'score', x, y: rounded(d.scores, 4), line: { color: '#2ca02c', width: 1 } }];
  const lab = d.scores.map((s, i) => (d.kind[i] === 2 ? s : null));
  if (lab.some((v) => v !== null)) data.push({ type: 'scatter', mode: 'markers', name: 'labelled hours', x, y: lab, marker: { color: '#ff7f0e', size: 4 } });
  for (const t of thresholdList(d.cal)) {
    data.push({ type: 'scatter', mode: 'lines', name: t.method, x: [x[0], x[x.length - 1]], y: [t.value, t.value], line: { color: methodColor(t.method), dash: t.inUse ? 'solid' : 'dash', width: t.inUse ? 2 : 1 } });
  }
  return {
    data,
    layout: { title: { text: `Validation scores over time (${d.cal.fittedOn.from.slice(0, 10)} … ${d.cal.fittedOn.to.slice(0, 10)})` }, yaxis: { title: { text: 'score' }, type: d.scores.every((s) => s > 0) ? 'log' : 'linear' } },
  };
}

/** Reliability diagram of the categorical heads before (T = 1) and after temperature scaling. */
export function reliabilityFigure(d: CalibrationData): PlotlyFigure {
  const t = d.cal.temperature;
  const line = (bins: ReliabilityBin[]) => bins.filter((b) => b.count > 0);
  const before = line(d.reliability.before);
  const after = line(d.reliability.after);
  return {
    data: [
      { type: 'scatter', mode: 'lines', name: 'perfect calibration', x: [0, 1], y: [0, 1], line: { color: '#7f7f7f', dash: 'dot' } },
      { type: 'scatter', mode: 'lines+markers', name: `before (T = 1, ECE ${t.eceBefore.toFixed(3)})`, x: before.map((b) => b.confidence), y: before.map((b) => b.accuracy), text: before.map((b) => `${b.count} rows`), line: { color: '#1f77b4' } },
      { type: 'scatter', mode: 'lines+markers', name: `after (T = ${t.T.toFixed(3)}, ECE ${t.eceAfter.toFixed(3)})`, x: after.map((b) => b.confidence), y: after.map((b) => b.accuracy), text: after.map((b) => `${b.count} rows`), line: { color: '#d62728' } },
    ],
    layout: {
      title: { text: `Temperature scaling of the calendar heads: NLL ${t.nllBefore.toFixed(3)} → ${t.nllAfter.toFixed(3)} on ${t.n} validation rows` },
      xaxis: { title: { text: 'confidence (top-1 probability)' }, range: [0, 1] },
      yaxis: { title: { text: 'accuracy' }, range: [0, 1] },
    },
  };
}

/** The calibration figures in page order. */
export function calibrationFigures(d: CalibrationData): PlotlyFigure[] {
  return [scoreDistributionFigure(d), thresholdComparisonFigure(d), validationTimelineFigure(d), reliabilityFigure(d)];
}

/** Loads the country's calibrated detector and writes results/analysis/<CC>/calibration.html. */
export async function writeCalibrationReport(cfg: Config, country: string): Promise<{ file: string; figures: number; thresholds: Record<string, number> }> {
  await initBackend();
  const { det, cal, frame } = await loadCountryRun(cfg, country);
  try {
    const figures = calibrationFigures(calibrationData(frame, det, cal));
    const file = writePlotlyHtml(path.join(resultDirs.analysis(country), 'calibration.html'), `radarwatch calibration — ${country} (threshold ${cal.threshold.method} = ${cal.threshold.value.toPrecision(4)})`, figures);
    return { file, figures: figures.length, thresholds: Object.fromEntries(thresholdList(cal).map((t) => [t.method, t.value])) };
  } finally {
    det.dispose();
  }
}
