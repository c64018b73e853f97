/** Chronological train/validation/test split — by shares, by dates or NAB-style by a training fraction — and the mask of rows the loss may be fitted on. */
import type { TrainConfig } from '../config/schema';
import type { CountryFrame } from '../data/types';
import { DataError } from '../errors';
import type { FeatureSet } from '../features/types';

/** Rows [start, end). */
export interface RowRange {
  start: number;
  end: number;
}

export interface RowSplit {
  train: RowRange;
  validation: RowRange;
  test: RowRange;
}

/**
 * Splits `n` rows chronologically into train | validation | test by the configured shares (earliest rows train),
 * so validation and test always lie after every training hour. Throws DataError when a part would be empty.
 */
export function splitRows(n: number, split: TrainConfig['split']): RowSplit {
  const trainEnd = Math.round(n * split.train);
  const valEnd = Math.round(n * (split.train + split.validation));
  const out: RowSplit = { train: { start: 0, end: trainEnd }, validation: { start: trainEnd, end: valEnd }, test: { start: valEnd, end: n } };
  for (const [name, r] of Object.entries(out) as [keyof RowSplit, RowRange][]) {
    if (r.end <= r.start) {
      throw new DataError(`The ${name} part of ${n} rows is empty with split ${JSON.stringify(split)}; expected enough rows for every part (use a longer date range).`);
    }
  }
  return out;
}

/** Share of a NAB-style training fraction that trains the network; the rest of the fraction calibrates. */
export const TRAIN_FRACTION_FIT_SHARE = 0.7;

/** Epoch ms of a split date: `YYYY-MM-DD` is 00:00 UTC, a date-time without zone is UTC. */
function splitInstant(text: string, what: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : /Z$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new DataError(`train.splitDates.${what} "${text}" is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MMZ (UTC).`);
  return ms;
}

/**
 * Splits a frame's rows chronologically by `train` (the train config section), in this order of precedence:
 * - `trainFraction` f (NAB-style): train = the first 70 % of the first f of the rows, validation = the rest of that
 *   fraction, test = every later row (the detector then scores every row causally; the test part is what it never saw);
 * - `splitDates` {validation, test}: validation starts at the first row at or after `validation`, test likewise;
 * - `split` shares (splitRows).
 * Throws DataError naming the rule when a part would be empty.
 */
export function splitFrame(timestamps: ArrayLike<number>, train: Pick<TrainConfig, 'split'> & { splitDates?: { validation: string; test: string }; trainFraction?: number }): RowSplit {
  const n = timestamps.length;
  if (train.trainFraction !== undefined) {
    const f = train.trainFraction;
    const valEnd = Math.round(n * f);
    const trainEnd = Math.round(valEnd * TRAIN_FRACTION_FIT_SHARE);
    return checkParts({ train: { start: 0, end: trainEnd }, validation: { start: trainEnd, end: valEnd }, test: { start: valEnd, end: n } }, n, `train.trainFraction ${f} (${trainEnd} train, ${valEnd - trainEnd} calibration rows)`, 'use a larger --train-fraction');
  }
  if (train.splitDates) {
    const v = splitInstant(train.splitDates.validation, 'validation');
    const t = splitInstant(train.splitDates.test, 'test');
    if (!(v < t)) throw new DataError(`train.splitDates: validation ${train.splitDates.validation} is not before test ${train.splitDates.test}; expected validation < test.`);
    const firstAtOrAfter = (ms: number) => {
      let i = 0;
      while (i < n && timestamps[i] < ms) i++;
      return i;
    };
    const trainEnd = firstAtOrAfter(v);
    const valEnd = firstAtOrAfter(t);
    const range = n ? `${new Date(timestamps[0]).toISOString()} .. ${new Date(timestamps[n - 1]).toISOString()}` : 'no rows';
    return checkParts({ train: { start: 0, end: trainEnd }, validation: { start: trainEnd, end: valEnd }, test: { start: valEnd, end: n } }, n, `train.splitDates ${JSON.stringify(train.splitDates)}`, `pick dates inside the data (${range})`);
  }
  return splitRows(n, train.split);
}

function checkParts(out: RowSplit, n: number, rule: string, fix: string): RowSplit {
  for (const [name, r] of Object.entries(out) as [keyof RowSplit, RowRange][]) {
    if (r.end <= r.start) throw new DataError(`The ${name} part of ${n} rows is empty with ${rule}; expected rows in every part (${fix}).`);
  }
  return out;
}

/**
 * 1 for rows that must not shape the model: gap-filled or Radar-unreliable hours (their values are made up or known
 * wrong) and, when `excludeLabeled`, hours inside labelled anomaly windows (the model must learn normal traffic only).
 */
export function excludedRows(frame: CountryFrame, excludeLabeled: boolean): Uint8Array {
  const n = frame.timestamps.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (frame.gap[i] || frame.unreliable[i] || (excludeLabeled && frame.labelKind[i])) out[i] = 1;
  }
  return out;
}

/** Indices of rows in `range` that are neither warmup nor excluded, ascending. */
export function fitRows(range: RowRange, features: Pick<FeatureSet, 'warmup'>, excluded?: Uint8Array): Int32Array {
  const idx: number[] = [];
  for (let i = range.start; i < range.end; i++) if (!features.warmup[i] && !excluded?.[i]) idx.push(i);
  return Int32Array.from(idx);
}
