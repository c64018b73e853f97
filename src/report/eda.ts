/** Exploratory figures of one processed table: signals with labelled anomalies, daily and weekly seasonality in local time, correlations, label counts. */
import { normalRows } from '../data/frame';
import * as fs from 'fs';
import * as path from 'path';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs } from '../data/paths';
import { readProcessed, readProcessedMeta } from '../data/processed';
import type { CountryFrame } from '../data/types';
import { HOUR_MS } from '../base/time';
import { countryCalendar, localTimeColumns } from '../util/calendar';
import { countryName } from '../util/countries';
import { writePlotlyHtml, type PlotlyFigure } from './html';
import { isoHour, kindColor, kindLegendTraces, labelShapes, rounded, round, stackedAxes, yAxisId } from './overlay';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** 1 for hours usable as "normal" evidence (data/frame normalRows). */
export function normalHours(frame: CountryFrame): Uint8Array {
  return normalRows(frame);
}

/** Mean of `x` per group over rows where `use` is 1: groups are 0..groups-1; empty groups are NaN. */
export function groupMeans(x: ArrayLike<number>, group: ArrayLike<number>, groups: number, use?: ArrayLike<number>): number[] {
  const sum = new Float64Array(groups);
  const n = new Float64Array(groups);
  for (let i = 0; i < x.length; i++) {
    if (use && !use[i]) continue;
    sum[group[i]] += x[i];
    n[group[i]]++;
  }
  return Array.from(sum, (s, g) => (n[g] ? s / n[g] : NaN));
}

/**
 * Seasonal profiles of every signal in the country's local time (IANA zone, DST aware), each divided by the signal's
 * mean over normal hours so signals on different scales share one axis (1 = average level).
 * `daily[s]` has 24 values (local hour 0–23, workdays only); `weekly[s]` 168 (Monday 00:00 … Sunday 23:00).
 */
export function seasonalProfiles(frame: CountryFrame): { timezone: string; daily: Record<string, number[]>; weekly: Record<string, number[]> } {
  const years = frame.timestamps.length ? [new Date(frame.timestamps[0]).getUTCFullYear(), new Date(frame.timestamps[frame.timestamps.length - 1]).getUTCFullYear()] : [2000, 2000];
  const cal = countryCalendar(frame.id, years[0], years[1]);
  const local = localTimeColumns(cal, frame.timestamps);
  const normal = normalHours(frame);
  const workday = Uint8Array.from(normal, (v, i) => (v && local.dayType[i] === 0 ? 1 : 0));
  const slot = Uint16Array.from(local.hour, (h, i) => (local.weekday[i] - 1) * 24 + h);
  const daily: Record<string, number[]> = {};
  const weekly: Record<string, number[]> = {};
  for (const s of frame.signalNames) {
    const x = frame.signals[s];
    const mean = groupMeans(x, new Uint8Array(x.length), 1, normal)[0];
    const scale = Number.isFinite(mean) && mean !== 0 ? mean : 1;
    daily[s] = groupMeans(x, local.hour, 24, workday).map((v) => v / scale);
    weekly[s] = groupMeans(x, slot, 168, normal).map((v) => v / scale);
  }
  return { timezone: cal.timezone, daily, weekly };
}

/** Pearson correlation of two equal-length series over rows where `use` is 1 (NaN when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>, use?: ArrayLike<number>): number {
  let n = 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) {
    if (use && !use[i]) continue;
    n++;
    ma += a[i];
    mb += b[i];
  }
  if (n < 2) return NaN;
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (use && !use[i]) continue;
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Correlation matrix of the signals over normal hours, [signals][signals]. */
export function signalCorrelations(frame: CountryFrame): { signals: string[]; matrix: number[][] } {
  const use = normalHours(frame);
  const signals = [...frame.signalNames];
  const matrix = signals.map((a) => signals.map((b) => (a === b ? 1 : pearson(frame.signals[a], frame.signals[b], use))));
  return { signals, matrix };
}

/** Every signal over time in stacked panels, labelled anomaly windows shaded by kind. */
export function signalsFigure(frame: CountryFrame): PlotlyFigure {
  const x = frame.timestamps.map(isoHour);
  const data: Record<string, unknown>[] = frame.signalNames.map((s, i) => ({
    type: 'scatter',
    mode: 'lines',
    name: s,
    x,
    y: rounded(frame.signals[s]),
    xaxis: 'x',
    yaxis: yAxisId(i),
    line: { width: 1 },
    showlegend: false,
  }));
  data.push(...kindLegendTraces(frame.labels));
  return {
    data,
    layout: {
      title: { text: `${countryName(frame.id)} (${frame.id}): hourly signals, labelled anomalies shaded (${frame.labels.length} windows)` },
      height: Math.max(420, 150 * frame.signalNames.length + 120),
      ...stackedAxes(frame.signalNames),
      shapes: labelShapes(frame.labels),
      legend: { orientation: 'h', y: -0.08 },
      margin: { t: 60, l: 70, r: 20 },
    },
  };
}

/** Average workday profile by local hour, per signal (1 = the signal's mean). */
export function dailyProfileFigure(profiles: ReturnType<typeof seasonalProfiles>): PlotlyFigure {
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return {
    data: Object.entries(profiles.daily).map(([s, v]) => ({ type: 'scatter', mode: 'lines+markers', name: s, x: hours, y: rounded(v, 4), marker: { size: 4 } })),
    layout: {
      title: { text: `Daily seasonality: mean by local hour on workdays (${profiles.timezone}), relative to each signal's mean` },
      xaxis: { title: { text: 'local hour' }, dtick: 2 },
      yaxis: { title: { text: 'relative level' } },
    },
  };
}

/** Average week by local hour of week, per signal (1 = the signal's mean). */
export function weeklyProfileFigure(profiles: ReturnType<typeof seasonalProfiles>): PlotlyFigure {
  const slots = Array.from({ length: 168 }, (_, i) => i);
  return {
    data: Object.entries(profiles.weekly).map(([s, v]) => ({ type: 'scatter', mode: 'lines', name: s, x: slots, y: rounded(v, 4) })),
    layout: {
      title: { text: `Weekly seasonality: mean by local hour of week (${profiles.timezone}), relative to each signal's mean` },
      xaxis: { title: { text: 'local time' }, tickvals: WEEKDAYS.map((_, d) => d * 24), ticktext: WEEKDAYS, showgrid: true },
      yaxis: { title: { text: 'relative level' } },
    },
  };
}

/** Heatmap of signal correlations over normal hours, values written in the cells. */
export function correlationFigure(corr: { signals: string[]; matrix: number[][] }): PlotlyFigure {
  const text = corr.matrix.map((row) => row.map((v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a')));
  return {
    data: [
      {
        type: 'heatmap',
        x: corr.signals,
        y: corr.signals,
        z: corr.matrix.map((r) => r.map((v) => round(v, 4))),
        text,
        texttemplate: '%{text}',
        zmin: -1,
        zmax: 1,
        colorscale: 'RdBu',
        reversescale: true,
        hovertemplate: '%{y} × %{x}: %{z:.3f}<extra></extra>',
      },
    ],
    layout: { title: { text: 'Pearson correlation of the hourly signals (normal hours only)' }, yaxis: { autorange: 'reversed' }, height: 480, margin: { l: 90 } },
  };
}

/** Labelled windows per kind (bars) with their total hours in the hover text. */
export function labelsFigure(frame: CountryFrame): PlotlyFigure {
  const byKind = new Map<string, { n: number; hours: number }>();
  for (const l of frame.labels) {
    const k = byKind.get(l.kind) ?? { n: 0, hours: 0 };
    k.n++;
    k.hours += Math.max(1, Math.round((Date.parse(l.end) - Date.parse(l.start)) / HOUR_MS));
    byKind.set(l.kind, k);
  }
  const kinds = [...byKind.keys()].sort();
  return {
    data: [
      {
        type: 'bar',
        x: kinds,
        y: kinds.map((k) => byKind.get(k)!.n),
        marker: { color: kinds.map(kindColor) },
        text: kinds.map((k) => `${byKind.get(k)!.hours} h`),
        textposition: 'outside',
        hovertemplate: '%{x}: %{y} windows, %{text}<extra></extra>',
      },
    ],
    layout: { title: { text: `Labelled anomaly windows by kind (${frame.labels.length} windows; bar text = total hours)` }, yaxis: { title: { text: 'windows' } } },
  };
}

/** The EDA figures of one table, in page order. */
export function edaFigures(frame: CountryFrame): PlotlyFigure[] {
  const profiles = seasonalProfiles(frame);
  return [signalsFigure(frame), dailyProfileFigure(profiles), weeklyProfileFigure(profiles), correlationFigure(signalCorrelations(frame)), labelsFigure(frame)];
}

/** One row per country with a processed table in `processedDir` (rows, range, gap/unreliable hours, labels); for console.table. */
export function processedSummaryRows(processedDir: string, countries: string[]): Record<string, string | number>[] {
  return countries
    .filter((cc) => fs.existsSync(processedPaths(processedDir, cc).meta))
    .map((cc) => {
      const m = readProcessedMeta(processedDir, cc);
      return { country: cc, rows: m.rows, from: m.from, to: m.to, gapHours: m.gapHoursAny, unreliableHours: m.unreliableHours, labels: m.labelCount, kinds: Object.entries(m.labelsByKind).map(([k, n]) => `${k}=${n}`).join(' ') };
    });
}

/** Reads the country's processed table and writes results/analysis/<CC>/eda.html; returns the file. */
export async function writeEdaReport(cfg: Config, country: string): Promise<{ file: string; figures: number }> {
  const frame = await readProcessed(cfg.data.processedDir, country);
  const figures = edaFigures(frame);
  const file = writePlotlyHtml(path.join(resultDirs.analysis(country), 'eda.html'), `radarwatch EDA — ${country} (${frame.timestamps.length} hours, ${frame.labels.length} labels)`, figures);
  return { file, figures: figures.length };
}
