/** Brings any timestamped numeric CSV (a NetFlow or web-server export) into the processed hourly format, with optional label windows. */
import * as fs from 'fs';
import { DataError, InputError } from '../errors';
import { isoUtc } from '../radar/parse';
import { labelKindPerHour } from '../radar/labels';
import { log } from '../util/log';
import { describeFill, fillGaps, hourRange, RESAMPLE_RULES, resampleToGrid, type ResampleRule } from './grid';
import { processedPaths } from './paths';
import { PROCESSED_FIXED_COLUMNS, readCsvDataFrame, writeProcessed, type ProcessedMeta } from './processed';
import { ANOMALY_KINDS, HOUR_MS, type AnomalyKind, type CountryFrame, type LabelWindow, type SignalKind } from './types';

/** Header names recognised as the timestamp column (case-insensitive). */
export const TIMESTAMP_NAMES = ['timestamp', 'time', 'date', 'datetime', 'ts'] as const;
/** Fewest rows a table can have: two days of hours, the least any later stage can learn a daily cycle from. */
export const MIN_ROWS = 48;
const ACCEPTED_TIME = 'ISO-8601 (2024-01-31T13:00:00Z, 2024-01-31 13:00, 2024-01-31) or epoch seconds / milliseconds';

export interface ImportCsvOptions {
  /** Name of the imported table; becomes `<id>.csv` etc. Must match /^[A-Za-z0-9_-]+$/. */
  id: string;
  processedDir: string;
  /** CSV with columns start,end[,kind] of labelled anomaly windows. */
  labelsFile?: string;
  /** One rule for all columns; default mean for rates and sum for volumes. */
  resample?: ResampleRule;
  /** Gap filling (default 3 h, as in models.yml). */
  maxInterpolateHours?: number;
}

export interface ImportCsvResult {
  frame: CountryFrame;
  meta: ProcessedMeta;
  paths: { csv: string; labels: string; meta: string };
}

/** Reads a CSV with danfojs-node as strings (no type guessing: every cell is checked here). */
async function readCsvStrings(file: string): Promise<{ columns: string[]; rows: string[][] }> {
  if (!fs.existsSync(file)) throw new InputError(`CSV file not found: ${file}. Pass the path of an existing file.`);
  // Only a small file can be blank; a large one is never read twice just to check.
  if (fs.statSync(file).size < 4096 && fs.readFileSync(file, 'utf8').trim() === '') throw new DataError(`${file} is empty; expected a header row and at least ${MIN_ROWS} data rows.`);
  let df: Awaited<ReturnType<typeof readCsvDataFrame>>;
  try {
    df = await readCsvDataFrame(file);
  } catch (e) {
    throw new DataError(`${file}: cannot be parsed as CSV (${(e as Error).message}); expected comma-separated values with a header row.`);
  }
  const columns = (df.columns as string[]).map((c) => String(c).trim());
  const rows = (df.values as unknown[][]).map((r) => r.map((v) => (v === null || v === undefined ? '' : String(v).trim())));
  return { columns, rows };
}

/**
 * Parses a user timestamp to epoch ms: ISO-8601 (a time without zone is UTC; a space may replace
 * the `T`), a date alone, or epoch seconds / milliseconds (numbers above 1e11 are milliseconds,
 * which is 5138 in seconds). Returns NaN when it is none of these.
 */
export function parseUserTimestamp(raw: string): number {
  const s = raw.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    if (n < 1e8) return NaN; // too small for an epoch of this century: a plain number, not a time
    return n > 1e11 ? n : n * 1000;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${zone.length === 5 && !zone.includes(':') ? zone.slice(0, 3) + ':' + zone.slice(3) : zone.toUpperCase()}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2024-02-30 over to March; reject dates that do not exist.
  if (!Number.isFinite(ms) || Number(mo) > 12 || Number(d) > new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate() || Number(h) > 23 || Number(mi) > 59) return NaN;
  return ms;
}

/** 'rate' when the column name says share / pct / percent / ratio / rate (as a word or %), else 'volume'. */
export function signalKindOf(name: string): SignalKind {
  if (name.includes('%')) return 'rate';
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((w) => ['share', 'pct', 'percent', 'percentage', 'ratio', 'rate', 'fraction'].includes(w)) ? 'rate' : 'volume';
}

function findTimestampColumn(columns: string[], rows: string[][], file: string): number {
  const byName = columns.findIndex((c) => (TIMESTAMP_NAMES as readonly string[]).includes(c.toLowerCase()));
  if (byName >= 0) return byName;
  const first = rows.find((r) => (r[0] ?? '') !== '')?.[0];
  if (first !== undefined && Number.isFinite(parseUserTimestamp(first))) return 0;
  throw new DataError(
    `${file}: no timestamp column. Columns: ${columns.map((c) => `"${c}"`).join(', ')}. Expected a column named ${TIMESTAMP_NAMES.join(', ')} ` +
      `(any case), or a first column holding times (${ACCEPTED_TIME}). Rename the time column to "timestamp".`,
  );
}

/**
 * Reads a labels CSV (`start,end[,kind]`, kind one of ANOMALY_KINDS, default outage; start < end)
 * into label windows with source 'csv'.
 */
export async function readLabelsCsv(file: string): Promise<LabelWindow[]> {
  const { columns, rows } = await readCsvStrings(file);
  const lower = columns.map((c) => c.toLowerCase());
  const si = lower.indexOf('start');
  const ei = lower.indexOf('end');
  const ki = lower.indexOf('kind');
  if (si < 0 || ei < 0) throw new DataError(`${file}: labels need columns start,end[,kind]; found ${columns.map((c) => `"${c}"`).join(', ')}. Rename the columns.`);
  return rows.map((r, i) => {
    const where = `${file} row ${i + 1}`;
    const s = parseUserTimestamp(r[si] ?? '');
    const e = parseUserTimestamp(r[ei] ?? '');
    if (!Number.isFinite(s)) throw new DataError(`${where}: start "${r[si]}" is not a time; expected ${ACCEPTED_TIME}.`);
    if (!Number.isFinite(e)) throw new DataError(`${where}: end "${r[ei]}" is not a time; expected ${ACCEPTED_TIME}.`);
    if (!(s < e)) throw new DataError(`${where}: start ${r[si]} is not before end ${r[ei]}; expected start < end (end is exclusive).`);
    const kind = ki >= 0 && r[ki] ? r[ki] : 'outage';
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) throw new DataError(`${where}: kind "${kind}" is unknown; allowed kinds: ${ANOMALY_KINDS.join(', ')}.`);
    return { start: isoUtc(s), end: isoUtc(e), kind: kind as AnomalyKind, source: 'csv' as const, id: `csv:${i + 1}` };
  });
}

/**
 * Imports a timestamped numeric CSV as processed table `id` (source 'csv'):
 * - the timestamp column is the one named timestamp/time/date/datetime/ts, else the first column if it parses;
 * - every other column is a signal, kind 'rate' or 'volume' by its name (see signalKindOf); empty cells are gaps;
 * - rows are sorted by time; points that are not one per whole hour (sub-hourly or irregular) are
 *   resampled to hours, by `resample` or per column mean for rates and sum for volumes, and the rule is logged;
 * - hours without data are filled like Radar data (grid.fillGaps) and flagged in `gap`.
 */
export async function importCsv(file: string, opts: ImportCsvOptions): Promise<ImportCsvResult> {
  if (!/^[A-Za-z0-9_-]+$/.test(opts.id)) throw new InputError(`Invalid --id "${opts.id}": expected letters, digits, "_" or "-" only (it becomes a file name), e.g. web_eu-1.`);
  if (opts.resample !== undefined && !RESAMPLE_RULES.includes(opts.resample)) {
    throw new InputError(`Invalid resample rule "${String(opts.resample)}"; expected one of ${RESAMPLE_RULES.join(', ')}.`);
  }
  const { columns, rows } = await readCsvStrings(file);
  const tcol = findTimestampColumn(columns, rows, file);
  const signalCols = columns.map((c, i) => ({ name: c, i })).filter((c) => c.i !== tcol);
  if (signalCols.length === 0) throw new DataError(`${file}: only a timestamp column ("${columns[tcol]}"); expected at least one numeric signal column next to it.`);
  const seen = new Set<string>();
  for (const c of signalCols) {
    if (c.name === '' || (PROCESSED_FIXED_COLUMNS as readonly string[]).includes(c.name.toLowerCase()) || /[",\r\n]/.test(c.name)) {
      throw new DataError(`${file}: column name "${c.name}" cannot be a signal (empty, reserved for ${PROCESSED_FIXED_COLUMNS.join('/')}, or containing a comma or quote); rename it.`);
    }
    if (seen.has(c.name)) throw new DataError(`${file}: column "${c.name}" appears twice; rename one.`);
    seen.add(c.name);
  }
  if (rows.length < MIN_ROWS) throw new DataError(`${file}: ${rows.length} data rows; expected at least ${MIN_ROWS} (two days of hours) to learn a daily cycle from.`);

  // Parse times; rows are numbered from 1 after the header (file line = row + 1).
  const times = rows.map((r, i) => {
    const v = r[tcol] ?? '';
    const ms = parseUserTimestamp(v);
    if (!Number.isFinite(ms)) throw new DataError(`${file}: row ${i + 1} (line ${i + 2}): timestamp "${v}" in column "${columns[tcol]}" is not a time; expected ${ACCEPTED_TIME}.`);
    return ms;
  });
  const firstRow = new Map<number, number>();
  times.forEach((t, i) => {
    const prev = firstRow.get(t);
    if (prev !== undefined) throw new DataError(`${file}: rows ${prev + 1} and ${i + 1} have the same timestamp ${isoUtc(t)}; expected one row per time. Remove or aggregate the duplicates.`);
    firstRow.set(t, i);
  });

  // Parse values column by column, so a column without any number is reported as such.
  const values: Record<string, number[]> = {};
  for (const c of signalCols) {
    const cells = rows.map((r) => r[c.i] ?? '');
    const parsed = cells.map((v) => (v === '' ? NaN : Number(v)));
    const numeric = parsed.filter((x) => Number.isFinite(x)).length;
    if (numeric === 0) {
      const sample = cells.find((v) => v !== '') ?? '';
      throw new DataError(`${file}: unknown column "${c.name}" (first value "${sample}"): expected numeric values in every column besides the timestamp; drop it or rename it to "timestamp" if it holds the times.`);
    }
    const bad = parsed.findIndex((x, i) => cells[i] !== '' && !Number.isFinite(x));
    if (bad >= 0) throw new DataError(`${file}: column "${c.name}", row ${bad + 1} (line ${bad + 2}): "${cells[bad]}" is not a number; expected a numeric value or an empty cell for a gap.`);
    values[c.name] = parsed;
  }

  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  if (order.some((v, i) => v !== i)) log.info(`${file}: rows are not in time order; sorted them.`);
  const ts = order.map((i) => times[i]);
  const grid = hourRange(ts[0], ts[ts.length - 1]);
  if (grid.length < MIN_ROWS) throw new DataError(`${file}: the data spans ${grid.length} hours (${isoUtc(ts[0])} .. ${isoUtc(ts[ts.length - 1])}); expected at least ${MIN_ROWS} hours.`);
  const onHours = ts.every((t) => t % HOUR_MS === 0);
  const maxInterp = opts.maxInterpolateHours ?? 3;

  const signals: Record<string, Float64Array> = {};
  const signalKinds: Record<string, SignalKind> = {};
  const gapHours: Record<string, number> = {};
  const resample: Record<string, string> = {};
  const gap = new Uint8Array(grid.length);
  for (const c of signalCols) {
    const kind = signalKindOf(c.name);
    const rule: ResampleRule = opts.resample ?? (kind === 'rate' ? 'mean' : 'sum');
    const col = resampleToGrid(ts, order.map((i) => values[c.name][i]), grid, rule);
    resample[c.name] = onHours ? 'hourly as received' : `${rule} per hour`;
    const filled = fillGaps(col, maxInterp, `${file}: column "${c.name}"`);
    signals[c.name] = filled.values;
    signalKinds[c.name] = kind;
    gapHours[c.name] = filled.filled.reduce((a, b) => a + b, 0);
    for (let i = 0; i < grid.length; i++) gap[i] |= filled.filled[i];
  }
  if (!onHours) {
    log.info(`${file}: ${ts.length} rows are not one per whole hour; resampled to ${grid.length} hours by: ${signalCols.map((c) => `${c.name}=${resample[c.name]}`).join(', ')}` + (opts.resample ? ' (--resample)' : ' (mean for rates, sum for volumes; override with --resample)'));
  }

  let labels: LabelWindow[] = [];
  if (opts.labelsFile) {
    labels = await readLabelsCsv(opts.labelsFile);
    const end = grid[grid.length - 1] + HOUR_MS;
    const outside = labels.filter((l) => Date.parse(l.end) <= grid[0] || Date.parse(l.start) >= end);
    if (outside.length) log.warn(`${opts.labelsFile}: ${outside.length} label window(s) lie outside the data (${isoUtc(grid[0])} .. ${isoUtc(end)}) and mark no hour.`);
  }

  const frame: CountryFrame = {
    id: opts.id,
    timestamps: grid,
    signalNames: signalCols.map((c) => c.name),
    signalKinds,
    signals,
    gap,
    unreliable: new Uint8Array(grid.length),
    labelKind: labelKindPerHour(grid, labels),
    labels,
  };
  const meta = writeProcessed(opts.processedDir, frame, {
    source: 'csv',
    fill: { maxInterpolateHours: maxInterp, rule: describeFill(maxInterp) },
    gapHours,
    resample,
    notes: [`imported from ${file}`],
  });
  return { frame, meta, paths: processedPaths(opts.processedDir, opts.id) };
}
