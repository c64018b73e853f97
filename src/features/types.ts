/** The feature matrix contract between features/, model/, train/ and detect/. */

/**
 * Features of one table, row-major. Row i describes hour `timestamps[i]`; every row has
 * `contNames.length` continuous values and `catNames.length` category indices.
 */
export interface FeatureSet {
  rows: number;
  timestamps: number[];
  /** Continuous features, scaled and clipped, shape [rows, contNames.length] row-major. */
  cont: Float32Array;
  contNames: string[];
  /** For each continuous feature, the signal it derives from (for per-signal score shares). */
  contSignal: string[];
  /** Categorical features as category indices, shape [rows, catNames.length] row-major. */
  cat: Int32Array;
  catNames: string[];
  /** Number of categories of each categorical feature. */
  catCardinalities: number[];
  /** 1 where the causal rolling windows are not yet full (first rows), so the row should not be fitted or scored. */
  warmup: Uint8Array;
}
