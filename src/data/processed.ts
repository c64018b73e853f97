/** Reads and writes processed tables on a regular grid of any step (`<id>.csv`, `<id>.labels.json`, `<id>.meta.json`): written with danfojs-node, read back by a text scan (csv-rows.ts) and validated. */
import * as fs from 'fs';
import { DataError } from '../errors';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import { isoUtc, describeStep, HOUR_MS } from '../base/time';
import { readCsvColumns, readCsvWindow, type CsvColumns } from './csv-rows';
import { processedPaths } from './paths';
import { dataCommand } from '../util/series-id';
import { frameStep, type CountryFrame, type SignalKind } from './types';
import { signalGapOf } from './frame';
import { ANOMALY_KINDS, type LabelWindow } from '../base/labels';

/** Columns every processed CSV has besides its signals. */
export const PROCESSED_FIXED_COLUMNS = ['timestamp', 'gap', 'unreliable', 'label_kind'] as const;

/** `<id>.meta.json`: describes a processed table so later stages need nothing else. */
export interface ProcessedMeta {
  id: string;
  /** `radar`, `synthetic` or `csv`. */
  source: string;
  /** First and last UTC date of the table (YYYY-MM-DD). */
  from: string;
  to: string;
  rows: number;
  /** Grid step in ms (1 min … 1 day); absent in tables written before steps were stored, which are hourly. */
  stepMs?: number;
  signals: string[];
  signalKinds: Record<string, SignalKind>;
  fill: { maxInterpolateHours: number; rule: string };
  /** Per signal, how sub-hourly or irregular points became hourly values. */
  resample?: Record<string, string>;
  /** Per signal, hours that were missing and filled. */
  gapHours: Record<string, number>;
  /** Hours where any signal was filled. */
  gapHoursAny: number;
  unreliableHours: number;
  labelCount: number;
  labelsByKind: Record<string, number>;
  createdAt: string;
  /** Warnings worth keeping with the data (stitch fallbacks, dropped labels …). */
  notes?: string[];
}

/** What the caller knows that the frame does not. */
export interface ProcessedMetaInput {
  source: string;
  fill: { maxInterpolateHours: number; rule: string };
  gapHours: Record<string, number>;
  resample?: Record<string, string>;
  notes?: string[];
  /** Defaults to the dates of the first and last row. */
  from?: string;
  to?: string;
}

export type Danfo = typeof import('danfojs-node');
// Loaded on first use: requiring danfojs-node loads TensorFlow.js, which costs about a second.
function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('danfojs-node') as Danfo;
}

/** Reads a CSV with danfojs-node, every cell a string (no dynamic typing: callers parse and check each value). */
export async function readCsvDataFrame(file: string): Promise<InstanceType<Danfo['DataFrame']>> {
  return (await danfo().readCSV(file, { dynamicTyping: false, skipEmptyLines: true } as never)) as InstanceType<Danfo['DataFrame']>;
}

/** Optional column: per row, the signals that were missing and filled, joined by `|` (empty when none). */
export const GAP_SIGNALS_COLUMN = 'gap_signals';
const RESERVED = new Set<string>([...PROCESSED_FIXED_COLUMNS, GAP_SIGNALS_COLUMN]);

/** Label counts per kind. */
export function countByKind(labels: LabelWindow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[l.kind] = (out[l.kind] ?? 0) + 1;
  return out;
}

/** Checks a frame's internal consistency before it is written; throws naming the broken column. */
export function validateFrame(frame: CountryFrame): void {
  const n = frame.timestamps.length;
  const step = frameStep(frame);
  for (let i = 1; i < n; i++) {
    if (frame.timestamps[i] - frame.timestamps[i - 1] !== step) {
      throw new DataError(`${frame.id}: row ${i + 1} (${isoUtc(frame.timestamps[i])}) is not ${describeStep(step)} after the previous row; expected a regular grid of step ${describeStep(step)}.`);
    }
  }
  for (const s of frame.signalNames) {
    if (RESERVED.has(s)) throw new DataError(`${frame.id}: signal name "${s}" is reserved for a fixed column; rename the signal.`);
    const col = frame.signals[s];
    if (!col || col.length !== n) throw new DataError(`${frame.id}: signal "${s}" has ${col?.length ?? 0} rows, expected ${n}.`);
    const bad = col.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DataError(`${frame.id}: signal "${s}" row ${bad + 1} is ${col[bad]}; expected finite values (gaps filled).`);
  }
  for (const [name, col] of [['gap', frame.gap], ['unreliable', frame.unreliable], ['label_kind', frame.labelKind]] as const) {
    if (col.length !== n) throw new DataError(`${frame.id}: column "${name}" has ${col.length} rows, expected ${n}.`);
  }
}

/** The CSV text of a frame: timestamp (ISO UTC), one column per signal, gap, unreliable, label_kind. */
export function frameToCsv(frame: CountryFrame): string {
  const dfd = danfo();
  const data: Record<string, (string | number)[]> = { timestamp: frame.timestamps.map(isoUtc) };
  for (const s of frame.signalNames) data[s] = Array.from(frame.signals[s]);
  data.gap = Array.from(frame.gap);
  if (frame.signalGap && frame.signalNames.length > 1) {
    const masks = frame.signalNames.map((s) => signalGapOf(frame, s));
    data[GAP_SIGNALS_COLUMN] = frame.timestamps.map((_, i) => frame.signalNames.filter((_, k) => masks[k][i]).join('|'));
  }
  data.unreliable = Array.from(frame.unreliable);
  data.label_kind = frame.labelKind;
  const df = new dfd.DataFrame(data, { columns: Object.keys(data) });
  // Without a path, toCSV returns the text, so the file itself can be written atomically.
  return dfd.toCSV(df) as string;
}

/**
 * Writes `<id>.csv`, `<id>.labels.json` and `<id>.meta.json` into `processedDir`, each atomically;
 * meta goes last, so a table with meta is complete. Returns the meta written.
 */
export function writeProcessed(processedDir: string, frame: CountryFrame, input: ProcessedMetaInput): ProcessedMeta {
  validateFrame(frame);
  const p = processedPaths(processedDir, frame.id);
  const n = frame.timestamps.length;
  const meta: ProcessedMeta = {
    id: frame.id,
    source: input.source,
    from: input.from ?? (n ? isoUtc(frame.timestamps[0]).slice(0, 10) : ''),
    to: input.to ?? (n ? isoUtc(frame.timestamps[n - 1]).slice(0, 10) : ''),
    rows: n,
    stepMs: frameStep(frame),
    signals: [...frame.signalNames],
    signalKinds: { ...frame.signalKinds },
    fill: input.fill,
    ...(input.resample ? { resample: input.resample } : {}),
    gapHours: input.gapHours,
    gapHoursAny: frame.gap.reduce((a, b) => a + b, 0),
    unreliableHours: frame.unreliable.reduce((a, b) => a + b, 0),
    labelCount: frame.labels.length,
    labelsByKind: countByKind(frame.labels),
    createdAt: new Date().toISOString(),
    ...(input.notes && input.notes.length ? { notes: input.notes } : {}),
  };
  writeFileAtomic(p.csv, frameToCsv(frame));
  writeJsonAtomic(p.labels, frame.labels);
  writeJsonAtomic(p.meta, meta);
  return meta;
}

/** Reads `<id>.meta.json`; throws when the table was never processed. */
export function readProcessedMeta(processedDir: string, id: string): ProcessedMeta {
  const p = processedPaths(processedDir, id);
  const meta = readJsonIfExists<ProcessedMeta>(p.meta);
  if (!meta || !fs.existsSync(p.csv)) {
    throw new DataError(`No processed table "${id}" in ${processedDir} (expected ${p.csv} and ${p.meta}). Run \`${dataCommand(id)}\` first.`);
  }
  return meta;
}

/** Options of readProcessed. */
export interface ReadProcessedOptions {
  /**
   * Only the rows with timestamps in [fromMs, toMs) (epoch ms): for callers that need a window (plus its feature
   * history) of a long table, e.g. `radarwatch detect -d DAY`.
   */
  window?: { fromMs: number; toMs: number };
}

/**
 * Reads a processed table back into a CountryFrame (with its grid step from meta), checking the columns against meta,
 * the grid spacing, finite signal values, 0/1 flags and known label kinds. Every problem throws a DataError
 * naming the file, row and column, and suggesting to re-run `radarwatch preprocess`.
 */
export async function readProcessed(processedDir: string, id: string, opts: ReadProcessedOptions = {}): Promise<CountryFrame> {
  const meta = readProcessedMeta(processedDir, id);
  const p = processedPaths(processedDir, id);
  const fix = `Re-run \`${meta.source === 'csv' ? `radarwatch import FILE.csv --id ${id}` : dataCommand(id)}\` to rebuild it.`;
  const step = meta.stepMs ?? HOUR_MS;
  const fail = (what: string): never => {
    throw new DataError(`${p.csv}: ${what}. ${fix}`);
  };
  let table: CsvColumns;
  try {
    // Strings only: values are parsed and checked here, so "NaN" or "abc" cannot slip through as NaN.
    table = opts.window ? readCsvWindow(p.csv, opts.window.fromMs, opts.window.toMs) : readCsvColumns(p.csv);
  } catch (e) {
    return fail(`cannot be parsed as CSV (${(e as Error).message})`);
  }
  const columns = table.columns;
  const missing = [...PROCESSED_FIXED_COLUMNS, ...meta.signals].filter((c) => !columns.includes(c));
  if (missing.length) fail(`missing column(s) ${missing.join(', ')}; expected ${[PROCESSED_FIXED_COLUMNS[0], ...meta.signals, ...PROCESSED_FIXED_COLUMNS.slice(1)].join(', ')}`);
  const col = (name: string): string[] => table.column(name);
  const tsRaw = col('timestamp');
  if (!opts.window && tsRaw.length !== meta.rows) fail(`${tsRaw.length} rows, but ${p.meta} says ${meta.rows}`);
  const isoStart = /^\d{4}-\d{2}-\d{2}T/;
  const timestamps = new Array<number>(tsRaw.length);
  for (let i = 0; i < tsRaw.length; i++) {
    const s = tsRaw[i];
    const ms = Date.parse(s);
    if (!isoStart.test(s) || !Number.isFinite(ms)) fail(`row ${i + 1}: timestamp "${s}" is not ISO-8601 UTC like 2024-01-31T13:00:00Z`);
    if (i > 0 && ms - timestamps[i - 1] !== step) fail(`row ${i + 1}: timestamp ${s} is not ${describeStep(step)} after ${tsRaw[i - 1]}; expected a regular grid of step ${describeStep(step)} (meta stepMs)`);
    timestamps[i] = ms;
  }
  const signals: Record<string, Float64Array> = {};
  for (const s of meta.signals) {
    signals[s] = Float64Array.from(col(s), (v, i) => {
      const x = v.trim() === '' ? NaN : Number(v);
      if (!Number.isFinite(x)) fail(`row ${i + 1}, column "${s}": "${v}" is not a finite number`);
      return x;
    });
  }
  const flag = (name: string) =>
    Uint8Array.from(col(name), (v, i) => {
      if (v !== '0' && v !== '1') fail(`row ${i + 1}, column "${name}": "${v}" is not 0 or 1`);
      return Number(v);
    });
  const gap = flag('gap');
  const signalGap = columns.includes(GAP_SIGNALS_COLUMN) ? readSignalGaps(col(GAP_SIGNALS_COLUMN), gap, meta.signals, fail) : undefined;
  const unreliable = flag('unreliable');
  // The canonical constants, not the cells: a string cut from the file text would keep the whole text alive.
  const kinds = new Map<string, string>(['', ...ANOMALY_KINDS].map((k) => [k, k]));
  const labelKind = col('label_kind').map((v, i) => {
    const k = kinds.get(v);
    if (k === undefined) fail(`row ${i + 1}, column "label_kind": "${v}" is not one of ${ANOMALY_KINDS.join(', ')} (or empty)`);
    return k!;
  });
  const labels = readJsonIfExists<LabelWindow[]>(p.labels);
  if (!Array.isArray(labels)) fail(`its labels file ${p.labels} is missing or not a JSON array`);
  return { id: meta.id, timestamps, ...(meta.stepMs !== undefined && meta.stepMs !== HOUR_MS ? { stepMs: meta.stepMs } : {}), signalNames: [...meta.signals], signalKinds: { ...meta.signalKinds }, signals, gap, ...(signalGap ? { signalGap } : {}), unreliable, labelKind, labels: labels! };
}

/** Parses the gap_signals column: known signal names only, and non-empty exactly where `gap` is 1. */
function readSignalGaps(cells: string[], gap: Uint8Array, signals: string[], fail: (what: string) => never): Record<string, Uint8Array> {
  const out = Object.fromEntries(signals.map((s) => [s, new Uint8Array(cells.length)]));
  cells.forEach((v, i) => {
    const names = v.trim() === '' ? [] : v.split('|');
    for (const s of names) {
      if (!out[s]) fail(`row ${i + 1}, column "${GAP_SIGNALS_COLUMN}": "${s}" is not a signal of the table (${signals.join(', ')})`);
      out[s][i] = 1;
    }
    if ((names.length > 0 ? 1 : 0) !== gap[i]) fail(`row ${i + 1}: column "${GAP_SIGNALS_COLUMN}" ("${v}") disagrees with "gap" (${gap[i]}); a row is a gap exactly when some signal was filled`);
  });
  return out;
}
