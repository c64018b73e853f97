/**
 * One tuning trial: sample the search space, train the country's autoencoder with those settings, report validation values per epoch, tell Optuna.
 * The objective is scored with fixed loss weights (the config's, before tuning), never the trial's own, so a searched
 * loss weighting (model.catShare) cannot lower the objective by rescaling the loss instead of improving the model.
 */
import { applyParam, resolveCountryConfig } from '../config/load';
import type { Config, ParamSpace } from '../config/schema';
import type { CountryFrame } from '../data/types';
import { ConfigError, TuneError } from '../errors';
import type { Study, Trial } from './shim';

/** What the objective reports per epoch (the trainer's onEpoch event). */
export interface EpochReport {
  epoch: number;
  loss: number;
  /** Validation loss weighted with the trial's own contWeight/catWeight (what early stopping watches). */
  valLoss: number;
  /** Its unweighted parts; needed whenever the space searches the loss weights. */
  valParts?: { contMse: number; catCe: number };
}

/** The fixed weights the objective scores every trial with. */
export interface ObjectiveWeights {
  contWeight: number;
  catWeight: number;
}

/** The slice of trainCountry's options the objective uses. */
export interface TrainCallOptions {
  /** Return true to stop training (the trial was pruned). */
  onEpoch?: (e: EpochReport) => boolean | void | Promise<boolean | void>;
  progress?: boolean;
  maxEpochs?: number;
}

/** The slice of trainCountry's result the objective uses. */
export interface TrainOutcome {
  bestValLoss: number;
  bestEpoch?: number;
  model?: { dispose(): void };
}

/** trainCountry's contract (src/train/train.ts); injectable so tests and benchmarks can swap it. */
export type TrainFn = (frame: CountryFrame, cfg: Config, opts: TrainCallOptions) => Promise<TrainOutcome>;

/** Validation-only objectives and their optimisation direction. */
export const OBJECTIVES = Object.freeze({
  /** Validation loss (continuous MSE and categorical cross-entropy) weighted with the fixed ObjectiveWeights. */
  val_loss: { direction: 'minimize' as const, available: true },
  val_detection: { direction: 'maximize' as const, available: false },
});
export type ObjectiveName = keyof typeof OBJECTIVES;

/** Checks the objective can be computed; val_detection needs calibration-on-validation, which is not wired yet. */
export function checkObjective(name: string): { direction: 'minimize' | 'maximize' } {
  const o = (OBJECTIVES as Record<string, { direction: 'minimize' | 'maximize'; available: boolean } | undefined>)[name];
  if (!o) throw new ConfigError(`Unknown tune.objective "${name}". Known: ${Object.keys(OBJECTIVES).join(', ')}`);
  if (!o.available) {
    throw new ConfigError(`tune.objective "${name}" is not available yet: it needs detection calibrated on the validation split, which tuning does not compute yet. Use tune.objective: val_loss.`);
  }
  return { direction: o.direction };
}

/** Config paths whose search would rescale the loss itself; model.catShare is the honest way to search the balance. */
const LOSS_SCALE_KEYS = ['model.contWeight', 'model.catWeight'];

/**
 * The weights every trial's objective is scored with: the country's model.contWeight/catWeight from models.yml
 * (defaults → file → overrides, never tuned values), identical for all trials of a study.
 */
export function objectiveWeights(cfg: Config, country: string): ObjectiveWeights {
  const m = resolveCountryConfig(cfg, country).model;
  return { contWeight: m.contWeight, catWeight: m.catWeight };
}

/**
 * The objective value of one epoch: the validation parts weighted with the fixed weights. Without parts (a trainer that
 * does not report them) the trial's own valLoss is only used when the trial trained with those same weights.
 */
export function epochObjective(e: EpochReport, fixed: ObjectiveWeights, trialWeights: ObjectiveWeights): number {
  if (e.valParts) return fixed.contWeight * e.valParts.contMse + fixed.catWeight * e.valParts.catCe;
  if (trialWeights.contWeight === fixed.contWeight && trialWeights.catWeight === fixed.catWeight) return e.valLoss;
  throw new TuneError(
    `epoch ${e.epoch}: the trainer reported no validation parts (valParts), so a trial with searched loss weights ` +
      `(contWeight ${trialWeights.contWeight}, catWeight ${trialWeights.catWeight}) cannot be scored with the fixed weights ${JSON.stringify(fixed)}. ` +
      'Use a trainer that reports valParts, or remove model.catShare from tune.space.',
  );
}

/**
 * Validates a search space before any trial runs, so a typo fails once with a clear message instead of failing every trial.
 * Paths must exist in the config (model.catShare is virtual); float log ranges need low > 0; catShare must stay inside (0, 1);
 * model.contWeight/catWeight cannot be searched directly (that searches the loss scale).
 */
export function validateSpace(space: Record<string, ParamSpace>, cfg: Config): void {
  const keys = Object.keys(space);
  if (keys.length === 0) throw new ConfigError('tune.space is empty; add at least one parameter, e.g. model.bottleneck: {type: int, low: 3, high: 16}');
  for (const [key, p] of Object.entries(space)) {
    if (LOSS_SCALE_KEYS.includes(key)) {
      throw new ConfigError(
        `tune.space["${key}"]: searching a loss weight directly rescales the loss; search model.catShare instead ` +
          '(a float share s strictly inside (0, 1): catWeight = s, contWeight = 1 - s), e.g. model.catShare: {type: float, low: 0.02, high: 0.5, log: true}',
      );
    }
    const where = `tune.space["${key}"]`;
    if (p.type !== 'categorical' && !(p.low <= p.high)) throw new ConfigError(`${where}: low ${p.low} is above high ${p.high}`);
    if (p.type === 'float' && p.log && p.low <= 0) throw new ConfigError(`${where}: a log-scale range needs low > 0, got ${p.low}`);
    if (key === 'model.catShare' && (p.type !== 'float' || p.low <= 0 || p.high >= 1)) {
      throw new ConfigError(`${where}: catShare is a float share strictly inside (0, 1) (catWeight = s, contWeight = 1 - s), got ${JSON.stringify(p)}`);
    }
    // Applying the low end (or first choice) proves the path exists without training anything.
    applyParam(cfg, key, p.type === 'categorical' ? p.choices[0] : p.low);
  }
}

/** Samples every parameter of `space` on `trial`, keyed by config path. */
export async function sampleParams(trial: Trial, space: Record<string, ParamSpace>): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [key, p] of Object.entries(space)) {
    if (p.type === 'float') params[key] = await trial.suggestFloat(key, p.low, p.high, { log: p.log });
    else if (p.type === 'int') params[key] = await trial.suggestInt(key, p.low, p.high, { step: p.step });
    else params[key] = await trial.suggestCategorical(key, p.choices);
  }
  return params;
}

/** How one trial ended. */
export interface TrialResult {
  number: number;
  state: 'complete' | 'pruned' | 'fail';
  /** Best validation value (complete), last reported value (pruned), null (fail). */
  value: number | null;
  params: Record<string, unknown>;
  /** Epochs trained. */
  epochs: number;
  failReason?: string;
  seconds: number;
}

/** What runTrial needs besides the study. */
export interface TrialContext {
  country: string;
  /** The loaded config (not yet resolved for the country: trial params go in at the tuned level). */
  cfg: Config;
  frame: CountryFrame;
  space: Record<string, ParamSpace>;
  /** Fixed weights of the objective (see objectiveWeights). */
  weights: ObjectiveWeights;
  /** Max epochs per trial (tune.epochs); also the pruners' resource. */
  epochs: number;
  train: TrainFn;
  progress?: boolean;
}

/**
 * Runs one trial end to end and tells the study. A trial whose settings are invalid or whose training throws
 * (e.g. a width combination the model rejects, a diverging learning rate) is told `fail` with the reason stored as
 * user attribute `failReason`; the study goes on. Bridge failures (TuneError) propagate: the study cannot continue.
 * Each epoch reports the validation loss under the fixed ctx.weights (pruners compare those); a complete trial's value
 * is that loss at the epoch whose weights the trainer keeps (its best epoch by its own loss), i.e. the score of the model
 * `train` would save. trainCountry fits on the train split and validates on the validation split; the test split is never read.
 */
export async function runTrial(study: Study, ctx: TrialContext): Promise<TrialResult> {
  const t0 = performance.now();
  const trial = await study.ask();
  const params = await sampleParams(trial, ctx.space);
  let step = 0;
  let pruned = false;
  let lastReported: number | null = null;
  // objective value per epoch (1-based index), to read off the value of the epoch the trainer keeps
  const perEpoch = new Map<number, number>();
  const finish = async (state: TrialResult['state'], value: number | null, failReason?: string): Promise<TrialResult> => {
    if (failReason) await trial.setUserAttr('failReason', failReason.slice(0, 2000));
    await trial.setUserAttr('epochs', step);
    await study.tell(trial, state === 'complete' ? (value as number) : state);
    return { number: trial.number, state, value, params, epochs: step, failReason, seconds: (performance.now() - t0) / 1000 };
  };

  let trialCfg: Config;
  try {
    trialCfg = resolveCountryConfig(ctx.cfg, ctx.country, { tuned: params });
  } catch (e) {
    if (e instanceof ConfigError) return finish('fail', null, `invalid settings: ${e.message}`);
    throw e;
  }

  const trialWeights = { contWeight: trialCfg.model.contWeight, catWeight: trialCfg.model.catWeight };
  let outcome: TrainOutcome;
  try {
    outcome = await ctx.train(ctx.frame, trialCfg, {
      maxEpochs: ctx.epochs,
      progress: ctx.progress ?? false,
      onEpoch: async (e) => {
        step += 1;
        // A diverged epoch is not a value Optuna can rank; stop and let the best finite epoch stand.
        if (!Number.isFinite(e.valLoss)) return true;
        const value = epochObjective(e, ctx.weights, trialWeights);
        if (!Number.isFinite(value)) return true;
        await trial.report(value, step);
        perEpoch.set(step, value);
        lastReported = value;
        pruned = await trial.shouldPrune();
        return pruned;
      },
    });
  } catch (e) {
    if (e instanceof TuneError) throw e;
    return finish('fail', null, `training failed: ${(e as Error).message ?? String(e)}`);
  }
  // Trials run back to back for an hour or more: free each model's tensors as soon as its loss is known.
  outcome.model?.dispose();
  if (pruned) return finish('pruned', lastReported);
  if (!Number.isFinite(outcome.bestValLoss)) return finish('fail', null, `no finite validation loss (best ${outcome.bestValLoss}); training diverged`);
  const kept = outcome.bestEpoch !== undefined ? perEpoch.get(outcome.bestEpoch) : undefined;
  const value = kept ?? Math.min(...perEpoch.values());
  if (!Number.isFinite(value)) return finish('fail', null, `no finite objective value was reported (${perEpoch.size} epochs)`);
  if (outcome.bestEpoch !== undefined) await trial.setUserAttr('bestEpoch', outcome.bestEpoch);
  // the trial's own weighted loss, for reference only: it is not comparable across trials with different weights
  await trial.setUserAttr('trainValLoss', outcome.bestValLoss);
  return finish('complete', value);
}
