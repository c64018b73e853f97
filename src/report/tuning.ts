/** Tuning analysis: plotly figures of an Optuna study (history, importances, learning curves) and the HTML page under results/analysis/<CC>/. */
import * as fs from 'fs';
import * as path from 'path';
import { resultDirs } from '../data/paths';
import { NotFoundError } from '../errors';
import { createStudy, type ParamImportances, type TrialRecord } from '../tune/shim';
import { studyName, studyPath } from '../tune/tune';
import { writePlotlyHtml, type PlotlyFigure } from './html';

const COMPLETE = '#1f77b4';
const PRUNED = '#b0b0b0';
const BEST = '#d62728';

/** Best value so far after each complete trial, in trial order (minimise or maximise). */
export function bestSoFar(trials: TrialRecord[], direction: 'minimize' | 'maximize'): { number: number; best: number }[] {
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const out: { number: number; best: number }[] = [];
  let best: number | undefined;
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.state !== 'complete' || t.value === null) continue;
    if (best === undefined || better(t.value, best)) best = t.value;
    out.push({ number: t.number, best });
  }
  return out;
}

/** Objective value per trial with the running best: complete and pruned trials as separate marker series. */
export function historyFigure(trials: TrialRecord[], direction: 'minimize' | 'maximize', objective = 'objective'): PlotlyFigure {
  const of = (s: TrialRecord['state']) => trials.filter((t) => t.state === s && t.value !== null);
  const complete = of('complete');
  const pruned = of('pruned');
  const run = bestSoFar(trials, direction);
  return {
    data: [
      { type: 'scatter', mode: 'markers', name: 'complete', x: complete.map((t) => t.number), y: complete.map((t) => t.value), marker: { color: COMPLETE, size: 8 } },
      { type: 'scatter', mode: 'markers', name: 'pruned (last reported)', x: pruned.map((t) => t.number), y: pruned.map((t) => t.value), marker: { color: PRUNED, symbol: 'x', size: 8 } },
      { type: 'scatter', mode: 'lines', name: 'best so far', x: run.map((r) => r.number), y: run.map((r) => r.best), line: { color: BEST, shape: 'hv', width: 2 } },
    ],
    layout: { title: { text: `Optimisation history (${direction} ${objective})` }, xaxis: { title: { text: 'trial' } }, yaxis: { title: { text: objective } } },
  };
}

/** Horizontal bars of parameter importance, most important on top. */
export function importanceFigure(imp: ParamImportances): PlotlyFigure {
  const entries = Object.entries(imp.values).sort((a, b) => a[1] - b[1]);
  const note = imp.method === 'none' ? ' — needs at least 2 complete trials' : imp.method === 'eta-squared' ? ' — η² (scikit-learn absent, fANOVA unavailable)' : ' — fANOVA';
  return {
    data: [{ type: 'bar', orientation: 'h', x: entries.map((e) => e[1]), y: entries.map((e) => e[0]), marker: { color: COMPLETE } }],
    layout: { title: { text: `Parameter importances${note}` }, xaxis: { title: { text: 'share of objective variance' }, range: [0, 1] }, margin: { l: 180 } },
  };
}

/** One validation curve per trial: complete solid, pruned dashed grey ending in an ×, the best trial thick red. */
export function intermediateFigure(trials: TrialRecord[], bestNumber: number | undefined, objective = 'objective'): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  const shown = new Set<string>();
  let allPositive = true;
  for (const t of trials) {
    const pts = t.intermediate.filter((p): p is [number, number] => p[1] !== null);
    if (!pts.length || (t.state !== 'complete' && t.state !== 'pruned')) continue;
    if (pts.some((p) => p[1] <= 0)) allPositive = false;
    const isBest = t.number === bestNumber;
    const group = isBest ? 'best' : t.state;
    const style =
      group === 'best'
        ? { line: { color: BEST, width: 3 }, marker: { size: 4 } }
        : group === 'pruned'
          ? { line: { color: PRUNED, width: 1, dash: 'dash' }, marker: { symbol: pts.map((_, i) => (i === pts.length - 1 ? 'x' : 'circle')), size: pts.map((_, i) => (i === pts.length - 1 ? 9 : 3)), color: PRUNED } }
          : { line: { color: COMPLETE, width: 1 }, marker: { size: 3 }, opacity: 0.7 };
    data.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: group === 'best' ? `best (trial ${t.number})` : group,
      legendgroup: group,
      showlegend: !shown.has(group),
      hovertext: `trial ${t.number} (${t.state})`,
      x: pts.map((p) => p[0]),
      y: pts.map((p) => p[1]),
      ...style,
    });
    shown.add(group);
  }
  return {
    data,
    layout: {
      title: { text: 'Intermediate values per trial (pruned trials dashed)' },
      xaxis: { title: { text: 'epoch' } },
      yaxis: { title: { text: objective }, type: allPositive ? 'log' : 'linear' },
    },
  };
}

/** The three tuning figures in page order. */
export function tuningFigures(trials: TrialRecord[], imp: ParamImportances, opts: { direction: 'minimize' | 'maximize'; objective?: string; bestNumber?: number }): PlotlyFigure[] {
  return [historyFigure(trials, opts.direction, opts.objective), importanceFigure(imp), intermediateFigure(trials, opts.bestNumber, opts.objective)];
}

/** Result of writeTuningReport. */
export interface TuningReport {
  file: string;
  trials: number;
  complete: number;
  pruned: number;
  importances: ParamImportances;
}

/**
 * Opens the country's study read-only (never creates one) and writes results/analysis/<CC>/tuning.html.
 * Throws NotFoundError when the country was never tuned.
 */
export async function writeTuningReport(country: string, opts: { python?: string; configPython?: string; storage?: string } = {}): Promise<TuningReport> {
  const storage = opts.storage ?? studyPath(country);
  if (!fs.existsSync(storage)) throw new NotFoundError(`No tuning study for ${country} at ${storage}. Run \`radarwatch tune ${country}\` first.`);
  const study = await createStudy({ name: studyName(country), storage, loadOnly: true, python: opts.python, configPython: opts.configPython });
  try {
    const trials = await study.trials();
    const importances = await study.paramImportances();
    const best = await study.bestTrial();
    const objective = String(study.userAttrs.objective ?? 'objective');
    const figures = tuningFigures(trials, importances, { direction: study.direction, objective, bestNumber: best?.number });
    const file = writePlotlyHtml(path.join(resultDirs.analysis(country), 'tuning.html'), `radarwatch tuning — ${country} (${trials.length} trials)`, figures);
    return { file, trials: trials.length, complete: trials.filter((t) => t.state === 'complete').length, pruned: trials.filter((t) => t.state === 'pruned').length, importances };
  } finally {
    await study.close();
  }
}
