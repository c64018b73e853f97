/** Robust per-feature scaler: centre on the median, divide by the IQR-based sigma, clip to ±clip. */
import { quantileSorted, sortedFinite } from '../util/stats';

/** Fitted scaler (plain JSON): one centre and one positive scale per continuous feature. */
export interface RobustScaler {
  center: number[];
  scale: number[];
}

/**
 * Fits median / (IQR / 1.349) per column over rows where `keep` is 1. A column whose IQR is ~0 (constant, or
 * mostly constant like an attack signal that is zero most hours) falls back to the mean absolute deviation × 1.2533
 * (both estimate sigma under normality), then to 1, so it can neither divide by zero nor blow small noise up.
 * `columns`: one Float64Array of shape [rows] per feature.
 */
export function fitRobustScaler(columns: Float64Array[], keep: Uint8Array): RobustScaler {
  const center: number[] = [];
  const scale: number[] = [];
  for (const col of columns) {
    const v = sortedFinite(col, keep);
    const c = v.length ? quantileSorted(v, 0.5) : 0;
    const tiny = 1e-9 * Math.max(1, Math.abs(c));
    let s = v.length ? (quantileSorted(v, 0.75) - quantileSorted(v, 0.25)) / 1.349 : 0;
    if (!(s > tiny)) {
      let sum = 0;
      for (let i = 0; i < v.length; i++) sum += Math.abs(v[i] - c);
      s = v.length ? (1.2533 * sum) / v.length : 0;
    }
    if (!(s > tiny)) s = 1;
    center.push(c);
    scale.push(s);
  }
  return { center, scale };
}

/** Scales and clips `columns` into a row-major Float32Array of shape [rows, columns.length]. */
export function applyRobustScaler(columns: Float64Array[], scaler: RobustScaler, clip: number): Float32Array {
  const nf = columns.length;
  const rows = nf ? columns[0].length : 0;
  const out = new Float32Array(rows * nf);
  for (let j = 0; j < nf; j++) {
    const col = columns[j];
    const c = scaler.center[j];
    const inv = 1 / scaler.scale[j];
    for (let i = 0; i < rows; i++) {
      const z = (col[i] - c) * inv;
      out[i * nf + j] = z > clip ? clip : z < -clip ? -clip : z;
    }
  }
  return out;
}
