/** Brings any timestamped numeric CSV (a NetFlow or web-server export, a NAB or monitoring series) into the processed format at its own step, with label windows from a label column or a labels file. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DataError, InputError } from '../errors';
import { isoUtc, DAY_MS, describeStep, HOUR_MS } from '../base/time';
import { log } from '../util/log';
import { isCountryCode, SERIES_ID_RE, SERIES_ID_RULE } from '../util/series-id';
import { checkStep, describeFill, detectStep, fillGaps, gridPhase, MIN_SERIES, parseStep, RESAMPLE_RULES, resampleToGrid, stepRange, type ResampleRule } from './grid';
import { labelKindPerStep, ANOMALY_KINDS, type AnomalyKind, type LabelWindow } from '../base/labels';
import { processedPaths } from './paths';
import { PROCESSED_FIXED_COLUMNS, readCsvDataFrame, writeProcessed, type ProcessedMeta } from './processed';
import type { CountryFrame, SignalKind } from './types';

/** Header names recognised as the timestamp column (case-insensitive). */
export const TIMESTAMP_NAMES = ['timestamp', 'time', 'date', 'datetime', 'ts'] as const;
/** Header names recognised as a point-label column (case-insensitive): 1 marks an anomalous row; never a signal. */
export const LABEL_COLUMN_NAMES = ['label', 'is_anomaly', 'anomaly'] as const;
/** Fewest data rows a file can have (see grid.MIN_SERIES for why). */
export const MIN_ROWS = MIN_SERIES.rows;
/** A time span may create at most this many grid rows per input row; more means a wrong timestamp (1970, 2200) or step. */
export const MAX_FILL_FACTOR = 10;
/** Warn when more than this share of a column's steps had no data and were filled. */
export const FILLED_WARN_SHARE = 0.2;
/** Largest magnitude accepted: beyond it, squares in the rolling statistics and the scaler overflow float64. */
export const MAX_ABS_VALUE = 1e150;
const ACCEPTED_TIME = 'ISO-8601 (2024-01-31T13:00:00Z, 2024-01-31 13:00, 2024-01-31) or epoch seconds / milliseconds';

export interface ImportCsvOptions {
  /** Name of the imported table; becomes `<id>.csv` etc. Letters, digits, _ and - (util/series-id), not a country code. */
  id: string;
  processedDir: string;
  /** CSV with columns start,end[,kind] of labelled anomaly windows. */
  labelsFile?: string;
  /** One rule for all columns; default per column (see defaultImportRule): mean, or sum for columns named as counts. */
  resample?: ResampleRule;
  /** Gap filling (default 3 h, as in models.yml), in time; at least one step at coarse steps. */
  maxInterpolateHours?: number;
  /** Grid step: `5m`, `1h`, `1d` … or ms; default the median spacing of the timestamps (grid.detectStep). */
  step?: string | number;
  /** Kind of label windows made from a label column (default outage, like a labels CSV without a kind). */
  labelKind?: AnomalyKind;
}

export interface ImportCsvResult {
  frame: CountryFrame;
  meta: ProcessedMeta;
  paths: { csv: string; labels: string; meta: string };
  /** What import decided, one line each (step, rule and kind per column, duplicates, fills, labels): the CLI prints them. */
  report: string[];
  /** Warnings (also logged): duplicates aggregated, heavy filling, constant columns. */
  warnings: string[];
}

/** Reads a CSV with danfojs-node as strings (no type guessing: every cell is checked here). */
async function readCsvStrings(file: string): Promise<{ columns: string[]; rows: string[][] }> {
  if (!fs.existsSync(file)) throw new InputError(`CSV file not found: ${file}. Pass the path of an existing file.`);
  // Only a small file can be blank; a large one is never read twice just to check.
  if (fs.statSync(file).size < 4096 && fs.readFileSync(file, 'utf8').trim() === '') throw new DataError(`${file} is empty; expected a header row and data rows.`);
  let df: Awaited<ReturnType<typeof readCsvDataFrame>>;
  try {
    df = await readCsvDataFrame(file);
  } catch (e) {
    // danfojs streams the file through PapaParse, which can misread a quoted field whose CRLF line end straddles two
    // stream chunks (cloud-monitoring's mongo-01.csv); the same text with LF line ends parses.
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('\r')) throw new DataError(`${file}: cannot be parsed as CSV (${(e as Error).message}); expected comma-separated values with a header row.`);
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rw-import-')), 'lf.csv');
    try {
      fs.writeFileSync(tmp, text.replace(/\r\n?/g, '\n'));
      df = await readCsvDataFrame(tmp);
    } catch (e2) {
      throw new DataError(`${file}: cannot be parsed as CSV (${(e2 as Error).message}); expected comma-separated values with a header row.`);
    } finally {
      fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    }
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

/** Words of a column name, split at non-alphanumerics and camelCase. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const SHARE_WORDS = ['share', 'ratio', 'fraction', 'rate'];
const PERCENT_WORDS = ['pct', 'percent', 'percentage'];
const COUNT_WORDS = ['count', 'counts', 'total', 'sum', 'num', 'requests', 'bytes', 'packets', 'hits', 'events', 'errors', 'calls'];

/** 'rate' when the column name says share / pct / percent / ratio / rate / fraction (as a word or %), else 'volume'. */
export function signalKindOf(name: string): SignalKind {
  if (name.includes('%')) return 'rate';
  const words = nameWords(name);
  return words.some((w) => [...SHARE_WORDS, ...PERCENT_WORDS].includes(w)) ? 'rate' : 'volume';
}

/**
 * The allowed range of a share column by its name: [0, 100] when it says percent (pct, percent, %), [0, 1] when it
 * says share, ratio or fraction; undefined for anything else (a "rate" may be requests per second).
 */
export function shareRangeOf(name: string): [number, number] | undefined {
  const words = nameWords(name);
  if (name.includes('%') || words.some((w) => PERCENT_WORDS.includes(w))) return [0, 100];
  if (words.some((w) => SHARE_WORDS.filter((x) => x !== 'rate').includes(w))) return [0, 1];
  return undefined;
}

/**
 * How several points of one step combine by default: `sum` for a column named as a count (count, total, requests,
 * bytes, packets, hits …), since counts per step add up; `mean` for everything else (a generic `value`, a level, a
 * rate or share, a temperature), which keeps the column's unit whatever the step.
 */
export function defaultImportRule(name: string): ResampleRule {
  return nameWords(name).some((w) => COUNT_WORDS.includes(w)) ? 'sum' : 'mean';
}

/** True when the name says the column is a volume or count (so it can never be negative). */
function namedVolume(name: string): boolean {
  return nameWords(name).some((w) => [...COUNT_WORDS, 'volume', 'traffic', 'flows', 'netflows', 'bits', 'bps', 'rps', 'qps'].includes(w));
}

/** Parses a point-label cell: 1/true/yes → 1, 0/false/no/empty → 0; anything else is undefined. */
function parseLabelCell(v: string): 0 | 1 | undefined {
  const s = v.trim().toLowerCase();
  if (s === '' || s === '0' || s === 'false' || s === 'no' || s === '0.0') return 0;
  if (s === '1' || s === 'true' || s === 'yes' || s === '1.0') return 1;
  return undefined;
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

/** Turns a 0/1 mark per grid step into label windows [start, end) of consecutive marked steps. */
export function pointLabelsToWindows(grid: number[], marked: ArrayLike<number>, stepMs: number, kind: AnomalyKind, column: string): LabelWindow[] {
  const out: LabelWindow[] = [];
  let i = 0;
  while (i < grid.length) {
    if (!marked[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < grid.length && marked[j]) j++;
    out.push({ start: isoUtc(grid[i]), end: isoUtc(grid[j - 1] + stepMs), kind, source: 'csv', id: `${column}:${out.length + 1}`, description: `${j - i} marked row(s) in column "${column}"` });
    i = j;
  }
  return out;
}

/** Where a row is: `row 12 (line 13)`. */
const rowAt = (i: number) => `row ${i + 1} (line ${i + 2})`;

/**
 * Imports a timestamped numeric CSV as processed table `id` (source 'csv') at the series' own step:
 * - the timestamp column is the one named timestamp/time/date/datetime/ts, else the first column if it parses;
 * - a column named label / is_anomaly / anomaly (any case) holds point labels (1 = anomalous) and becomes label
 *   windows of consecutive marked steps, never a signal; `labelsFile` (start,end[,kind]) adds windows;
 * - every other column is a signal, kind 'rate' or 'volume' by its name (see signalKindOf); a generic column with
 *   negative values (a temperature) is kept on its own scale as kind 'rate'; empty cells are gaps;
 * - the step is `step` or the median spacing (detectStep); points of one step — irregular readings or duplicated
 *   timestamps (a repeated daylight-saving hour) — combine by the column's rule (defaultImportRule, or `resample`),
 *   and duplicates are counted in a warning;
 * - steps without data are filled (grid.fillGaps, limits in time) and flagged in `gap`; a column more than 20 % filled
 *   is warned about.
 * Refused with a DataError naming column, row and what is allowed: non-finite or absurdly large values, negative
 * values in a column named as a volume or count, shares outside [0,1] (or [0,100] for percent columns), a time span
 * that would create more than 10× the input rows, sums that overflow, and series shorter than MIN_SERIES.
 */
export async function importCsv(file: string, opts: ImportCsvOptions): Promise<ImportCsvResult> {
  if (!SERIES_ID_RE.test(opts.id)) throw new InputError(`Invalid --id "${opts.id}": expected ${SERIES_ID_RULE} (it becomes a file name).`);
  if (isCountryCode(opts.id)) {
    throw new InputError(`Invalid --id "${opts.id}": it is a country code, which names Radar data (radarwatch fetch / preprocess); pick an id that is not a two-letter country code, e.g. ${opts.id.toLowerCase()}_csv.`);
  }
  if (opts.resample !== undefined && !RESAMPLE_RULES.includes(opts.resample)) {
    throw new InputError(`Invalid resample rule "${String(opts.resample)}"; expected one of ${RESAMPLE_RULES.join(', ')}.`);
  }
  const givenStep = opts.step === undefined ? undefined : typeof opts.step === 'number' ? checkStep(opts.step) : parseStep(opts.step);
  const reimport = `radarwatch import ${file} --id ${opts.id}`;
  const report: string[] = [];
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log.warn(`${file}: ${m}`);
  };

  const { columns, rows } = await readCsvStrings(file);
  const tcol = findTimestampColumn(columns, rows, file);
  const labelCols = columns.map((c, i) => ({ name: c, i })).filter((c) => c.i !== tcol && (LABEL_COLUMN_NAMES as readonly string[]).includes(c.name.toLowerCase()));
  if (labelCols.length > 1) throw new DataError(`${file}: ${labelCols.length} label columns (${labelCols.map((c) => `"${c.name}"`).join(', ')}); expected at most one column named ${LABEL_COLUMN_NAMES.join(' / ')}.`);
  const labelCol = labelCols[0];
  const signalCols = columns.map((c, i) => ({ name: c, i })).filter((c) => c.i !== tcol && c.i !== labelCol?.i);
  if (signalCols.length === 0) throw new DataError(`${file}: no signal column next to the timestamp ("${columns[tcol]}")${labelCol ? ` and the label column ("${labelCol.name}")` : ''}; expected at least one numeric column.`);
  const seen = new Set<string>();
  for (const c of signalCols) {
    if (c.name === '' || (PROCESSED_FIXED_COLUMNS as readonly string[]).includes(c.name.toLowerCase()) || /[",\r\n]/.test(c.name)) {
      throw new DataError(`${file}: column name "${c.name}" cannot be a signal (empty, reserved for ${PROCESSED_FIXED_COLUMNS.join('/')}, or containing a comma or quote); rename it.`);
    }
    if (seen.has(c.name)) throw new DataError(`${file}: column "${c.name}" appears twice; rename one.`);
    seen.add(c.name);
  }
  const minText = `at least ${MIN_SERIES.ms / DAY_MS} days and ${MIN_SERIES.rows} rows, because ${MIN_SERIES.why}`;
  if (rows.length < MIN_SERIES.rows) throw new DataError(`${file}: ${rows.length} data rows; a series needs ${minText}. Import a longer export.`);

  // Times; rows are numbered from 1 after the header (file line = row + 1).
  const times = rows.map((r, i) => {
    const v = r[tcol] ?? '';
    const ms = parseUserTimestamp(v);
    if (!Number.isFinite(ms)) throw new DataError(`${file}: ${rowAt(i)}: timestamp "${v}" in column "${columns[tcol]}" is not a time; expected ${ACCEPTED_TIME}.`);
    return ms;
  });

  // Values column by column, so a column without any number is reported as such.
  const values: Record<string, number[]> = {};
  const kinds: Record<string, SignalKind> = {};
  for (const c of signalCols) {
    const cells = rows.map((r) => r[c.i] ?? '');
    const parsed = cells.map((v) => (v === '' ? NaN : Number(v)));
    if (!parsed.some((x) => Number.isFinite(x))) {
      const sample = cells.find((v) => v !== '') ?? '';
      throw new DataError(`${file}: unknown column "${c.name}" (first value "${sample}"): expected numeric values in every column besides the timestamp; drop it or rename it to "timestamp" if it holds the times.`);
    }
    let min = Infinity;
    let minAt = -1;
    for (let i = 0; i < parsed.length; i++) {
      const x = parsed[i];
      if (cells[i] === '') continue;
      if (!Number.isFinite(x)) {
        const what = /^[+-]?(inf(inity)?|nan)$/i.test(cells[i]) ? 'is not a finite number' : 'is not a number';
        throw new DataError(`${file}: column "${c.name}", ${rowAt(i)}: "${cells[i]}" ${what}; expected a finite numeric value, or an empty cell for a gap.`);
      }
      if (Math.abs(x) > MAX_ABS_VALUE) throw new DataError(`${file}: column "${c.name}", ${rowAt(i)}: ${cells[i]} is too large; expected values of magnitude at most ${MAX_ABS_VALUE} (larger ones overflow the rolling statistics). Rescale the column (e.g. to kilo- or mega-units).`);
      if (x < min) [min, minAt] = [x, i];
    }
    let kind = signalKindOf(c.name);
    const share = shareRangeOf(c.name);
    if (share) {
      const bad = parsed.findIndex((x) => Number.isFinite(x) && (x < share[0] || x > share[1]));
      if (bad >= 0) {
        const hint = share[1] === 1 ? ' If the column holds percent, name it with pct or % (e.g. "' + c.name + '_pct") to allow [0, 100].' : '';
        throw new DataError(`${file}: column "${c.name}", ${rowAt(bad)}: ${cells[bad]} is outside [${share[0]}, ${share[1]}]; the name says it is a ${share[1] === 1 ? 'share' : 'percentage'}, so values must lie in [${share[0]}, ${share[1]}].${hint}`);
      }
    }
    if (kind === 'volume' && min < 0) {
      if (namedVolume(c.name)) {
        throw new DataError(`${file}: column "${c.name}", ${rowAt(minAt)}: ${cells[minAt]} is negative; the name says it is a volume or count, which must be ≥ 0. Fix the export, or rename the column if it is a signed quantity.`);
      }
      kind = 'rate';
      report.push(`${c.name}: takes negative values (min ${min} at ${rowAt(minAt)}), so it is modelled on its own scale (kind rate) instead of log-scaled`);
    }
    values[c.name] = parsed;
    kinds[c.name] = kind;
  }

  // Point labels from a label column.
  let marks: number[] | undefined;
  if (labelCol) {
    marks = rows.map((r, i) => {
      const m = parseLabelCell(r[labelCol.i] ?? '');
      if (m === undefined) throw new DataError(`${file}: label column "${labelCol.name}", ${rowAt(i)}: "${r[labelCol.i]}" is not a label; expected 1 (anomalous), 0 (normal) or empty.`);
      return m;
    });
  }

  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  if (order.some((v, i) => v !== i)) report.push('rows were not in time order; sorted them');
  const ts = order.map((i) => times[i]);
  let dups = 0;
  let firstDup = -1;
  for (let k = 1; k < ts.length; k++) {
    if (ts[k] === ts[k - 1]) {
      dups++;
      if (firstDup < 0) firstDup = k;
    }
  }

  // The step and the grid.
  const detected = detectStep(ts);
  const stepMs = givenStep ?? checkStep(detected.stepMs, `${file}: the median spacing of the timestamps (${describeStep(detected.stepMs)})`);
  report.push(givenStep ? `step ${describeStep(stepMs)} (--step)` : `step ${describeStep(stepMs)} (median spacing of the timestamps${detected.median !== stepMs ? `, ${Math.round(detected.median / 1000)} s, snapped` : ''}; override with --step)`);
  const phase = gridPhase(ts, stepMs);
  const first = ts[0];
  const last = ts[ts.length - 1];
  const nGrid = Math.floor((last - phase) / stepMs) - Math.floor((first - phase) / stepMs) + 1;
  if (nGrid > MAX_FILL_FACTOR * rows.length) {
    // Name the row furthest from the median time: usually the wrong one.
    const med = ts[ts.length >> 1];
    const far = Math.abs(first - med) > Math.abs(last - med) ? order[0] : order[order.length - 1];
    throw new DataError(
      `${file}: ${rows.length} rows span ${isoUtc(first)} .. ${isoUtc(last)}, which at a step of ${describeStep(stepMs)} is ${nGrid} rows, more than ${MAX_FILL_FACTOR}× the input; ` +
        `expected a series without long holes. Check the timestamp of ${rowAt(far)} ("${rows[far][tcol]}"), or give a coarser --step.`,
    );
  }
  const spanMs = last - first + stepMs;
  if (spanMs < MIN_SERIES.ms || nGrid < MIN_SERIES.rows) {
    throw new DataError(`${file}: the data spans ${(spanMs / DAY_MS).toFixed(1)} days (${nGrid} rows of ${describeStep(stepMs)}, ${isoUtc(first)} .. ${isoUtc(last)}); a series needs ${minText}. Import a longer export${nGrid < MIN_SERIES.rows ? ' or give a finer --step' : ''}.`);
  }
  const grid = stepRange(first, last, stepMs, phase);
  const maxInterp = opts.maxInterpolateHours ?? 3;

  const signals: Record<string, Float64Array> = {};
  const gapHours: Record<string, number> = {};
  const resample: Record<string, string> = {};
  const gap = new Uint8Array(grid.length);
  const signalGap: Record<string, Uint8Array> = {};
  const perStep = new Uint32Array(grid.length);
  for (const t of ts) perStep[Math.floor((t - grid[0]) / stepMs)]++;
  const combined = perStep.some((c) => c > 1);
  for (const c of signalCols) {
    const rule: ResampleRule = opts.resample ?? defaultImportRule(c.name);
    const col = resampleToGrid(ts, order.map((i) => values[c.name][i]), grid, rule, undefined, stepMs);
    const overflow = col.findIndex((v) => v === Infinity || v === -Infinity);
    if (overflow >= 0) {
      throw new DataError(`${file}: column "${c.name}": the ${rule} of the points in the step starting ${isoUtc(grid[overflow])} overflows (values too large to add up); expected values whose ${rule} per ${describeStep(stepMs)} stays finite. Rescale the column or use --resample mean.`);
    }
    resample[c.name] = combined ? `${rule} per ${describeStep(stepMs)}` : `${describeStep(stepMs)} as received (${rule} if points share a step)`;
    report.push(`${c.name}: ${kinds[c.name]}, ${rule} of the points in each ${describeStep(stepMs)} step${opts.resample ? ' (--resample)' : ' (default: sum for columns named as counts, else mean; override with --resample)'}`);
    const filled = fillGaps(col, maxInterp, `${file}: column "${c.name}"`, { stepMs, fix: `fix the export and re-run \`${reimport}\`` });
    signals[c.name] = filled.values;
    signalGap[c.name] = filled.filled;
    gapHours[c.name] = filled.filled.reduce((a, b) => a + b, 0);
    for (let i = 0; i < grid.length; i++) gap[i] |= filled.filled[i];
    if (gapHours[c.name] > FILLED_WARN_SHARE * grid.length) {
      warn(`column "${c.name}": ${gapHours[c.name]} of ${grid.length} steps (${((100 * gapHours[c.name]) / grid.length).toFixed(0)} %) had no data and were filled (more than ${100 * FILLED_WARN_SHARE} %); filled steps are flagged and never trained on, but scores there mean little.`);
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of filled.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (lo === hi) warn(`column "${c.name}" is constant (${lo} everywhere); it carries no information, and any change will score as an anomaly.`);
  }
  if (dups > 0) {
    const i0 = order[firstDup - 1];
    const i1 = order[firstDup];
    warn(`${dups} row(s) repeat an earlier timestamp (first: ${rowAt(i0)} and ${rowAt(i1)} at ${isoUtc(ts[firstDup])}); aggregated by each column's rule (${signalCols.map((c) => `${c.name}=${opts.resample ?? defaultImportRule(c.name)}`).join(', ')}).`);
  }

  let labels: LabelWindow[] = [];
  if (labelCol && marks) {
    const marked = new Uint8Array(grid.length);
    order.forEach((i, k) => {
      if (marks![i]) marked[Math.floor((ts[k] - grid[0]) / stepMs)] = 1;
    });
    labels = pointLabelsToWindows(grid, marked, stepMs, opts.labelKind ?? 'outage', labelCol.name);
    report.push(`labels: column "${labelCol.name}" (${marks.reduce((a, b) => a + b, 0)} marked rows) → ${labels.length} window(s) of kind ${opts.labelKind ?? 'outage'}`);
  }
  if (opts.labelsFile) {
    const fromFile = await readLabelsCsv(opts.labelsFile);
    const end = grid[grid.length - 1] + stepMs;
    const outside = fromFile.filter((l) => Date.parse(l.end) <= grid[0] || Date.parse(l.start) >= end);
    if (outside.length) warn(`${opts.labelsFile}: ${outside.length} label window(s) lie outside the data (${isoUtc(grid[0])} .. ${isoUtc(end)}) and mark no step.`);
    labels = [...labels, ...fromFile].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    report.push(`labels: ${fromFile.length} window(s) from ${opts.labelsFile}`);
  }

  const frame: CountryFrame = {
    id: opts.id,
    timestamps: grid,
    ...(stepMs !== HOUR_MS ? { stepMs } : {}),
    signalNames: signalCols.map((c) => c.name),
    signalKinds: kinds,
    signals,
    gap,
    signalGap,
    unreliable: new Uint8Array(grid.length),
    labelKind: labelKindPerStep(grid, labels, stepMs),
    labels,
  };
  const meta = writeProcessed(opts.processedDir, frame, {
    source: 'csv',
    fill: { maxInterpolateHours: maxInterp, rule: describeFill(maxInterp, stepMs) },
    gapHours,
    resample,
    notes: [`imported from ${file}`, ...(dups ? [`${dups} duplicate timestamp(s) aggregated`] : []), ...warnings],
  });
  return { frame, meta, paths: processedPaths(opts.processedDir, opts.id), report, warnings };
}
