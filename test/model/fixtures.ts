/** Small seeded synthetic FeatureSets and configs for model and training tests. */
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { FeatureSet } from '../../src/features/types';
import { createRng } from '../../src/util/random';

/**
 * A daily-seasonal feature set: `nCont` continuous features driven by the hour of day (phase-shifted sines + noise),
 * categorical hour-of-day (24) and weekday (7), the first `warmup` rows flagged as warmup.
 */
export function syntheticFeatures(rows: number, opts: { nCont?: number; seed?: number; noise?: number; warmup?: number } = {}): FeatureSet {
  const nCont = opts.nCont ?? 6;
  const rng = createRng(opts.seed ?? 1);
  const cont = new Float32Array(rows * nCont);
  const cat = new Int32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const hour = r % 24;
    const day = Math.floor(r / 24) % 7;
    for (let j = 0; j < nCont; j++) {
      cont[r * nCont + j] = Math.sin((2 * Math.PI * hour) / 24 + j) + (day >= 5 ? -0.5 : 0) + (opts.noise ?? 0.05) * rng.normal();
    }
    cat[r * 2] = hour;
    cat[r * 2 + 1] = day;
  }
  const warmup = new Uint8Array(rows);
  warmup.fill(1, 0, opts.warmup ?? 0);
  return {
    rows,
    timestamps: Array.from({ length: rows }, (_, r) => Date.UTC(2024, 0, 1) + r * 3_600_000),
    cont,
    contNames: Array.from({ length: nCont }, (_, j) => `s${j % 2}.f${j}`),
    contSignal: Array.from({ length: nCont }, (_, j) => `s${j % 2}`),
    cat,
    catNames: ['hour', 'weekday'],
    catCardinalities: [24, 7],
    warmup,
  };
}

/** A valid Config with small model and training settings, patched by `patch` (model/train keys). */
export function smallConfig(patch: { model?: Partial<Config['model']>; train?: Partial<Config['train']> } = {}): Config {
  return parseConfig({
    countries: ['AT'],
    dateRange: { from: '2024-01-01', to: '2024-03-01' },
    model: { hiddenUnits: [16, 8], bottleneck: 3, embeddingDim: 2, ...patch.model },
    train: { epochs: 5, batchSize: 64, learningRate: 0.01, patience: 3, ...patch.train },
  });
}
