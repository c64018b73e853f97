/** Chronological train/validation/test split by rows, and the mask of rows the loss may be fitted on. */
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
