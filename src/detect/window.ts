/** Row windows of feature sets: slicing a FeatureSet and finding the rows of a time range. */
import { HOUR_MS } from '../base/time';
import { DataError } from '../errors';
import type { FeatureSet } from '../features/types';

/** Rows [start, end) of a FeatureSet as a new FeatureSet (copies, so the source can be dropped). */
export function sliceFeatureSet(fs: FeatureSet, start: number, end: number): FeatureSet {
  const nCont = fs.contNames.length;
  const nCat = fs.catNames.length;
  return {
    ...fs,
    rows: end - start,
    timestamps: fs.timestamps.slice(start, end),
    cont: fs.cont.slice(start * nCont, end * nCont),
    cat: fs.cat.slice(start * nCat, end * nCat),
    warmup: fs.warmup.slice(start, end),
  };
}

/** Row indices [start, end) of the rows in [fromMs, toMs) of a regular, ascending timestamp list with step `stepMs`. */
export function rowsOfRange(timestamps: number[], fromMs: number, toMs: number, stepMs = HOUR_MS): { start: number; end: number } {
  if (timestamps.length === 0) throw new DataError('The table has no rows');
  const t0 = timestamps[0];
  const start = Math.max(0, Math.ceil((fromMs - t0) / stepMs));
  const end = Math.min(timestamps.length, Math.max(start, Math.ceil((toMs - t0) / stepMs)));
  return { start, end };
}
