/**
 * The detectors the quality benchmark compares, in one frozen registry keyed by name. Each gets a BenchSeries,
 * fits on rows [0, fitEnd) only (splitting them itself), and scores every row causally.
 */
import type { Config } from '../../config/schema';
import { fitCalibration, fitEvidence, MIN_NETWORK_SPAN_MS } from '../../calibrate/calibrate';
import { scoreRange } from '../../detect/detect';
import { confirmedFlags } from '../../detect/events';
import { scoreHybrid, type HybridScores } from '../../detect/hybrid';
import { probabilityLogOdds } from '../../detect/probability';
import { ConfigError } from '../../errors';
import { log } from '../../util/log';
import { prepareTraining, trainCountry, type PreparedTraining } from '../../train/country';
import { fitPooledBase, poolKey, poolParts, type PooledBase } from '../../train/pool';
import { runBaseline } from '../baseline';
import { IFOREST_DEFAULTS, runIsolationForest } from '../iforest';
import type { BenchDetector, BenchSeries, DetectorRun } from './types';

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The fixed similar-days baseline (src/evaluate/baseline.ts) with the config's evaluate.baseline settings. */
export const baselineDetector: BenchDetector = {
  name: 'baseline',
  description: 'Median of the most similar recent days at the same time of day ± robust sigma (MAD, or q90 of |deviations| when larger); attack volumes upward only; no fitting.',
  async run(s: BenchSeries, cfg: Config): Promise<DetectorRun> {
    const t0 = performance.now();
    const r = runBaseline(s.frame, cfg.evaluate.baseline);
    return { score: r.score, flagged: r.flagged, seconds: seconds(t0), info: { threshold: cfg.evaluate.baseline.madK } };
  },
};

/** Isolation forest on causal per-signal features (src/evaluate/iforest.ts), threshold = p99.5 of held-out normal fit rows. */
export const iforestDetector: BenchDetector = {
  name: 'iforest',
  description: `Isolation forest (${IFOREST_DEFAULTS.trees} trees, ψ = ${IFOREST_DEFAULTS.sampleSize}) on causal features per signal (level vs previous day, step change, daily and weekly differences); threshold = p${IFOREST_DEFAULTS.quantile * 100} of the last ${IFOREST_DEFAULTS.calibrationShare * 100} % of normal fit rows.`,
  async run(s: BenchSeries): Promise<DetectorRun> {
    const t0 = performance.now();
    const r = runIsolationForest(s.frame, s.fitEnd);
    return { score: r.score, flagged: r.flagged, seconds: seconds(t0), info: { threshold: r.threshold, fitRows: r.fitRows, calibrationRows: r.calibrationRows } };
  },
};

/** Rows of a scoring pass as the benchmark wants them: log-odds of the probability per row (NaN = not scorable) and the product's flags; info gets the budget. */
function runOf(h: HybridScores, n: number, t0: number, cfg: Config, info: Record<string, unknown>, budget: number): DetectorRun {
  const prob = new Float64Array(n).fill(NaN);
  const score = new Float64Array(n).fill(NaN);
  for (let r = 0; r < h.rows; r++) {
    if (!h.scorable[r]) continue;
    prob[r] = h.probability[r];
    score[r] = probabilityLogOdds(h.evidence[r], budget);
  }
  // The rows the product reports: rows of confirmed events (detect.confirmProbability), as `detect` and `watch` do.
  return { score, flagged: confirmedFlags(prob, h.timestamps, cfg.detect), seconds: seconds(t0), info: { ...info, budget } };
}

/** Share of the fit rows that trains; the rest are held out for calibration (75 / 25, like the product's 60 / 20 split). */
const TRAIN_SHARE_OF_FIT = 0.75;

/** The product's config for `s`: its fit rows split 75 / 25 into train and validation, calibrate.detector = source. */
function fitConfig(s: BenchSeries, cfg: Config, source: 'hybrid' | 'autoencoder'): Config {
  const share = s.fitEnd / s.frame.timestamps.length;
  const split = { train: TRAIN_SHARE_OF_FIT * share, validation: (1 - TRAIN_SHARE_OF_FIT) * share, test: 1 - share };
  return { ...cfg, train: { ...cfg.train, split }, calibrate: { ...cfg.calibrate, detector: source } };
}

/** Features and fitted rows of a series, per feature settings (a seed or a detector does not change them). */
const preparedCache = new WeakMap<BenchSeries, Map<string, PreparedTraining>>();
function preparedOf(s: BenchSeries, run: Config): PreparedTraining {
  const key = JSON.stringify([run.features, run.train.split, run.train.excludeLabeled]);
  let bySettings = preparedCache.get(s);
  if (!bySettings) preparedCache.set(s, (bySettings = new Map()));
  let p = bySettings.get(key);
  if (!p) bySettings.set(key, (p = prepareTraining(s.frame, run)));
  return p;
}

/** Pooled bases per data set (its series array), shared by the learned detectors of one seed. */
const baseCache = new WeakMap<readonly BenchSeries[], Map<string, Promise<PooledBase | undefined>>>();

/**
 * The pooled warm-start base for `s` (src/train/pool.ts), as a fleet would train it: fitted on the training rows of
 * every series of the data set with the same network inputs, before `s`'s first scored row only (series of one data
 * set overlap in time; no base sees a row at or after the rows it will score). Undefined when `s`'s network trains
 * on less than a week (the hybrid leaves such a network out; it trains from scratch as before), or nothing pools.
 */
function pooledBaseFor(s: BenchSeries, run: Config, source: 'hybrid' | 'autoencoder', peers: readonly BenchSeries[]): Promise<PooledBase | undefined> {
  const own = preparedOf(s, run);
  const ts = s.frame.timestamps;
  if (ts[own.split.validation.start] - ts[0] < MIN_NETWORK_SPAN_MS) return Promise.resolve(undefined);
  const before = s.fitEnd < ts.length ? ts[s.fitEnd] : Infinity;
  const layout = poolKey(own.features, run);
  // every series of the data set has its own split; the base's training settings are the rest of train
  const key = JSON.stringify([layout, { ...run.train, split: undefined }, before]);
  let bases = baseCache.get(peers);
  if (!bases) baseCache.set(peers, (bases = new Map()));
  let base = bases.get(key);
  if (!base) {
    // a series that cannot be prepared (it fails on its own turn) lends nothing
    const lenders = peers.flatMap((p) => {
      try {
        return [preparedOf(p, fitConfig(p, run, source))];
      } catch {
        return [];
      }
    }).filter((p) => poolKey(p.features, run) === layout);
    base = fitPooledBase(poolParts(lenders, { before, seed: run.train.seed }), own.features, run, { progress: false }).catch((e: Error) => {
      log.warn(`${s.dataset}: the pooled base failed (${e.message}); its series train from scratch`);
      return undefined;
    });
    bases.set(key, base);
  }
  return base;
}

/**
 * The product pipeline with evidence `source`, as a fleet trains it: trainCountry on the first 75 % of the fit rows
 * starting from the data set's pooled base (train.warmStart: pooled; a data set holds no models.yml base such as US,
 * and with train.warmStart: none every series trains from scratch), fitCalibration on the other 25 % (models.yml
 * settings, calibrate.detector = source), then every row scored causally; flagged = rows of confirmed events
 * (probability > 0.5, see isConfirmed).
 */
function productDetector(source: 'hybrid' | 'autoencoder', description: string): BenchDetector {
  return {
    name: source,
    description,
    learned: true,
    async run(s: BenchSeries, cfg: Config, peers: readonly BenchSeries[] = [s]): Promise<DetectorRun> {
      const t0 = performance.now();
      const { frame } = s;
      const n = frame.timestamps.length;
      const run = fitConfig(s, cfg, source);
      const prepared = preparedOf(s, run);
      const base = cfg.train.warmStart === 'none' ? undefined : await pooledBaseFor(s, run, source, peers);
      const r = await trainCountry(frame, run, { progress: false, initialWeights: base?.weights }, prepared);
      try {
        const det = { model: r.model, spec: r.spec, config: run };
        const ts = frame.timestamps;
        const cal = fitCalibration(frame, det, ts[r.split.validation.start], ts[r.split.validation.end - 1] + 1);
        const scored = scoreRange(frame, det, cal, ts[0], ts[n - 1] + 1);
        const warm = r.warmStarted && base ? { warmStart: `pooled base (${base.series} series, ${base.trainRows} rows, ${base.epochs} epochs)` } : {};
        return runOf(scored.hybrid, n, t0, run, { detector: source, epochs: r.history.length, bestEpoch: r.bestEpoch, ...warm }, cal.budget.share);
      } finally {
        r.model.dispose();
      }
    },
  };
}

/** The hybrid detector: autoencoder, seasonal-rule and novelty evidence combined into one calibrated probability. */
export const hybridDetector = productDetector('hybrid', 'Hybrid: per-series autoencoder errors (the network started from the data set\'s pooled base) and the robust seasonal residual rule, per signal and trailing window, as tail probabilities on held-out normal rows corrected for drift over the last four weeks, joined with the novelty rule (conformal rank among the last four weeks) by Brown\'s method; probability 0.5 = false-alarm budget.');
/** The autoencoder's evidence alone through the same calibration (an ablation of the hybrid). */
export const autoencoderDetector = productDetector('autoencoder', 'Autoencoder evidence alone (per-signal reconstruction errors, trailing windows), calibrated like the hybrid.');

/** The non-learned rules alone (no training): the seasonal residual rule and the novelty rule, fitted on the first 75 % of fit rows, calibrated on the rest. */
export const seasonalDetector: BenchDetector = {
  name: 'seasonal',
  description: 'Non-learned rules alone (the hybrid without its network): the robust seasonal residual rule (level vs the median of the most similar recent days at the same time of day, recent steps for short series; robust z against a rolling q90 of |residuals|) and the novelty rule (rank of the level among the last four weeks), joined by Brown\'s method; calibrated like the hybrid.',
  async run(s: BenchSeries, cfg: Config): Promise<DetectorRun> {
    const t0 = performance.now();
    const fitEnd = s.fitEnd;
    const trainEnd = Math.round(TRAIN_SHARE_OF_FIT * fitEnd);
    const n = s.frame.timestamps.length;
    const ev = fitEvidence(s.frame, null, 'seasonal', undefined, trainEnd, fitEnd, cfg.calibrate.falseAlarmsPerWeek);
    const h = scoreHybrid(s.frame, null, ev.seasonal, ev.evidence.windows, 0, n, ev.evidence, ev.budget.share);
    return runOf(h, n, t0, cfg, { references: ev.seasonal?.signals.map((x) => `${x.name}:${x.reference}`).join(' ') }, ev.budget.share);
  },
};

/**
 * Every detector the benchmark knows, by name. To add one: import it and add one line here.
 */
export const BENCH_DETECTORS: Readonly<Record<string, BenchDetector>> = Object.freeze({
  baseline: baselineDetector,
  iforest: iforestDetector,
  seasonal: seasonalDetector,
  autoencoder: autoencoderDetector,
  hybrid: hybridDetector,
});

/** The detector registered under `name`; throws ConfigError listing the valid names. */
export function benchDetector(name: string): BenchDetector {
  const d = BENCH_DETECTORS[name];
  if (!d) throw new ConfigError(`Unknown detector "${name}". Valid: ${Object.keys(BENCH_DETECTORS).join(', ')}`);
  return d;
}
