/** computeFeatures: applies a fitted FeatureSpec to any hourly frame with the same signals; training and inference share it. */
import type { CountryFrame } from '../data/types';
import type { FeatureSet } from './types';
import { applyLevelTransform } from './transform';
import { applyRobustScaler } from './scaler';
import { categoricalFeatures, featureLocalTime } from './categorical';
import { frameSignals, seasonalIndex, signalColumns } from './columns';
import { checkFeatureSpec, type FeatureSpec } from './spec';

/**
 * Features of `frame` under a fitted `spec`: continuous [rows, contNames.length] (scaled, clipped to ±clip),
 * categorical [rows, catNames.length], and `warmup` = 1 on the first `spec.warmupRows` rows, whose rolling windows
 * or seasonal level are not yet full. Every value of row t depends only on rows ≤ t, so scoring a stream hour by hour
 * gives the same features as scoring it in one batch, provided `spec.warmupRows` of history precede the first scored hour.
 */
export function computeFeatures(frame: CountryFrame, spec: FeatureSpec): FeatureSet {
  checkFeatureSpec(spec);
  const raw = frameSignals(frame, spec);
  const local = featureLocalTime(spec.calendar, frame.timestamps);
  const idx = seasonalIndex(local);
  const columns: Float64Array[] = [];
  spec.signals.forEach((s, k) => columns.push(...signalColumns(applyLevelTransform(s.transform, raw[k]), s, spec.config, idx, spec.baselineRows, spec.rollingRows)));
  const cont = applyRobustScaler(columns, spec.scaler, spec.config.clip);
  const cat = categoricalFeatures(local, spec.config.daySegments);
  const rows = frame.timestamps.length;
  const warmup = new Uint8Array(rows);
  warmup.fill(1, 0, Math.min(rows, spec.warmupRows));
  return {
    rows,
    timestamps: [...frame.timestamps],
    cont,
    contNames: [...spec.contNames],
    contSignal: [...spec.contSignal],
    cat: cat.cat,
    catNames: cat.names,
    catCardinalities: cat.cardinalities,
    warmup,
  };
}
