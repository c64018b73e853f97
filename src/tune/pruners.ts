/** The pruner registry: config name (`hyperband | median | sha | none`) → the Optuna pruner class and arguments the bridge builds. */
import { ConfigError } from '../errors';

/** Pruner names accepted in models.yml (`tune.pruner`) and by `--pruner`. */
export type PrunerName = 'hyperband' | 'median' | 'sha' | 'none';

/** What the Python bridge instantiates: an allow-listed `optuna.pruners` class and its keyword arguments. */
export interface PrunerSpec {
  cls: 'HyperbandPruner' | 'MedianPruner' | 'SuccessiveHalvingPruner' | 'NopPruner';
  kwargs: Record<string, number | string>;
}

/** Knobs a caller may set; every one has a default suited to epoch-level reports. */
export interface PrunerOptions {
  /** Steps (epochs) a trial runs at most; Hyperband's max_resource. */
  maxResource: number;
  /** Smallest step at which a trial may be stopped (Hyperband/SHA min_resource). Default 1. */
  minResource?: number;
  /** Hyperband/SHA keep the best 1/reductionFactor at each rung. Default 3. */
  reductionFactor?: number;
  /** Median: trials that always run to the end before pruning starts. Default 5. */
  startupTrials?: number;
  /** Median: steps each trial runs before it may be pruned. Default max(1, maxResource/5). */
  warmupSteps?: number;
}

type Builder = (o: PrunerOptions) => PrunerSpec;

/** The registry; frozen so no caller can swap a pruner at runtime. */
export const PRUNERS: Readonly<Record<PrunerName, Builder>> = Object.freeze({
  hyperband: (o: PrunerOptions): PrunerSpec => ({
    cls: 'HyperbandPruner',
    kwargs: { min_resource: o.minResource ?? 1, max_resource: Math.max(1, Math.round(o.maxResource)), reduction_factor: o.reductionFactor ?? 3 },
  }),
  median: (o: PrunerOptions): PrunerSpec => ({
    cls: 'MedianPruner',
    // early epochs of an autoencoder are noisy; judging them would prune slow starters that end up best
    kwargs: { n_startup_trials: o.startupTrials ?? 5, n_warmup_steps: o.warmupSteps ?? Math.max(1, Math.floor(o.maxResource / 5)), interval_steps: 1 },
  }),
  sha: (o: PrunerOptions): PrunerSpec => ({
    cls: 'SuccessiveHalvingPruner',
    kwargs: { min_resource: o.minResource ?? 1, reduction_factor: o.reductionFactor ?? 3, min_early_stopping_rate: 0 },
  }),
  none: (): PrunerSpec => ({ cls: 'NopPruner', kwargs: {} }),
});

/** Names of the registered pruners. */
export const PRUNER_NAMES = Object.keys(PRUNERS) as PrunerName[];

/** Builds the bridge spec of a named pruner; an unknown name throws ConfigError listing the valid ones. */
export function prunerSpec(name: string, opts: PrunerOptions): PrunerSpec {
  const build = (PRUNERS as Record<string, Builder | undefined>)[name];
  if (!Object.prototype.hasOwnProperty.call(PRUNERS, name) || !build) {
    throw new ConfigError(`Unknown pruner "${name}". Known: ${PRUNER_NAMES.join(', ')}`);
  }
  // Hyperband and the median warm-up are measured in epochs, so they need the trial length
  if ((name === 'hyperband' || name === 'median') && (!Number.isFinite(opts.maxResource) || opts.maxResource < 1)) {
    throw new ConfigError(`Pruner "${name}": maxResource must be at least 1 (the epochs per trial), got ${opts.maxResource}`);
  }
  return build(opts);
}
