/**
 * A small, fast loader for the benchmark's public univariate CSVs (NAB, Microsoft cloud-monitoring): parse, sort by
 * time, average duplicate timestamps, and lay the values on a regular grid at the median step, carrying the last value
 * into empty cells (flagged in `gap`). Independent of the product's CSV import on purpose: the benchmark's data path
 * must not move when the import does.
 */
import * as fs from 'fs';
import { DataError } from '../../errors';
import type { CountryFrame } from '../../data/types';
import type { AnomalyKind, LabelWindow } from '../../base/labels';

/** The label kind of public data sets, which do not say what an anomaly is (a string outside ANOMALY_KINDS on purpose). */
export const GENERIC_KIND = 'anomaly' as AnomalyKind;

/** Rows of a univariate CSV: time (epoch ms), value and an optional 0/1 label, in file order. */
export interface RawSeries {
  timestamps: number[];
  values: number[];
  labels?: number[];
}

/** Parses "2014-07-01 00:00:00", "2018-03-15T00:00:00Z" and the like; times without a zone are UTC. */
export function parseTime(s: string): number {
  let t = s.trim().replace(/^"|"$/g, '');
  if (!/[zZ]|[+-]\d\d:?\d\d$/.test(t)) t = t.replace(' ', 'T') + 'Z';
  else t = t.replace(' ', 'T');
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) throw new DataError(`Unparseable timestamp "${s}"; expected ISO-8601 such as 2014-07-01 00:00:00.`);
  return ms;
}

/** Reads `file` (header row first); `valueCol` / `labelCol` are column indices. */
export function readSeriesCsv(file: string, valueCol = 1, labelCol?: number): RawSeries {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const out: RawSeries = { timestamps: [], values: [], labels: labelCol === undefined ? undefined : [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const v = Number(cells[valueCol]);
    out.timestamps.push(parseTime(cells[0]));
    out.values.push(Number.isFinite(v) ? v : NaN);
    if (out.labels) out.labels.push(Number(cells[labelCol!]) > 0 ? 1 : 0);
  }
  if (out.timestamps.length < 2) throw new DataError(`${file}: ${out.timestamps.length} data rows; expected at least 2.`);
  return out;
}

/** Sorted unique timestamps with the mean value (and max label) of each. */
export function dedupeSorted(raw: RawSeries): RawSeries {
  const idx = raw.timestamps.map((_, i) => i).sort((a, b) => raw.timestamps[a] - raw.timestamps[b] || a - b);
  const out: RawSeries = { timestamps: [], values: [], labels: raw.labels ? [] : undefined };
  let count = 0;
  let sum = 0;
  for (const i of idx) {
    const t = raw.timestamps[i];
    const last = out.timestamps.length - 1;
    if (last >= 0 && out.timestamps[last] === t) {
      if (Number.isFinite(raw.values[i])) {
        sum += raw.values[i];
        count++;
        out.values[last] = sum / count;
      }
      if (out.labels) out.labels[last] = Math.max(out.labels[last], raw.labels![i]);
      continue;
    }
    out.timestamps.push(t);
    out.values.push(raw.values[i]);
    sum = Number.isFinite(raw.values[i]) ? raw.values[i] : 0;
    count = Number.isFinite(raw.values[i]) ? 1 : 0;
    if (out.labels) out.labels.push(raw.labels![i]);
  }
  return out;
}

/** Median spacing of sorted timestamps, ms. */
export function medianStepMs(ts: number[]): number {
  const d: number[] = [];
  for (let i = 1; i < ts.length; i++) d.push(ts[i] - ts[i - 1]);
  d.sort((a, b) => a - b);
  return d[Math.floor((d.length - 1) / 2)];
}

/** A deduplicated series on its regular grid, with the grid row of every original row. */
export interface GriddedSeries {
  frame: CountryFrame;
  /** Grid row holding each (deduplicated) original row. */
  row: Int32Array;
  /** The deduplicated original rows. */
  source: RawSeries;
}

/**
 * Grids a univariate series: step = median spacing; a cell averages the rows inside it; empty cells carry the last
 * value and are flagged as gaps; a leading empty stretch takes the first value. `labels` (windows) win over the
 * per-row 0/1 labels, whose runs of 1 become windows otherwise. A series with any negative value is a `rate`
 * (never log-transformed), else a `volume`.
 */
export function gridSeries(id: string, raw: RawSeries, windows?: { start: number; end: number }[]): GriddedSeries {
  const src = dedupeSorted(raw);
  const step = medianStepMs(src.timestamps);
  if (!(step > 0)) throw new DataError(`Series "${id}" has no positive time step; expected increasing timestamps.`);
  const t0 = src.timestamps[0];
  const n = Math.floor((src.timestamps[src.timestamps.length - 1] - t0) / step) + 1;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  const lab = new Uint8Array(n);
  const row = new Int32Array(src.timestamps.length);
  src.timestamps.forEach((t, i) => {
    const r = Math.min(n - 1, Math.floor((t - t0) / step));
    row[i] = r;
    if (Number.isFinite(src.values[i])) {
      sum[r] += src.values[i];
      cnt[r]++;
    }
    if (src.labels?.[i]) lab[r] = 1;
  });
  const value = new Float64Array(n);
  const gap = new Uint8Array(n);
  let last = NaN;
  for (let r = 0; r < n; r++) {
    if (cnt[r]) last = value[r] = sum[r] / cnt[r];
    else {
      value[r] = last;
      gap[r] = 1;
    }
  }
  const firstFinite = value.findIndex((v) => Number.isFinite(v));
  if (firstFinite < 0) throw new DataError(`Series "${id}" has no finite values.`);
  for (let r = 0; r < firstFinite; r++) value[r] = value[firstFinite];
  const timestamps = Array.from({ length: n }, (_, i) => t0 + i * step);
  const labels: LabelWindow[] = [];
  const addWindow = (a: number, b: number) => labels.push({ start: new Date(a).toISOString(), end: new Date(b).toISOString(), kind: GENERIC_KIND, source: 'csv' });
  if (windows) for (const w of windows) addWindow(w.start, w.end);
  else {
    for (let r = 0; r < n; r++) {
      if (!lab[r]) continue;
      let e = r;
      while (e + 1 < n && lab[e + 1]) e++;
      addWindow(timestamps[r], timestamps[e] + step);
      r = e;
    }
  }
  const labelKind = new Array<string>(n).fill('');
  for (const l of labels) {
    const a = Math.max(0, Math.ceil((Date.parse(l.start) - t0) / step - 1e-9));
    const b = Math.min(n, Math.max(a + 1, Math.ceil((Date.parse(l.end) - t0) / step - 1e-9)));
    for (let r = a; r < b; r++) labelKind[r] = l.kind;
  }
  const negative = value.some((v) => v < 0);
  const frame: CountryFrame = {
    id,
    timestamps,
    stepMs: step,
    signalNames: ['value'],
    signalKinds: { value: negative ? 'rate' : 'volume' },
    signals: { value },
    gap,
    unreliable: new Uint8Array(n),
    labelKind,
    labels,
  };
  return { frame, row, source: src };
}
