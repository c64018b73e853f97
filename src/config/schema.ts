/** The one typed schema of models.yml: defaults, the country list, per-country overrides and every stage's settings. */
import { z } from 'zod';

/** What train.warmStart accepts: a series id, pooled, or none. */
export const WARM_START_RULE = /^(none|[A-Za-z0-9][\w.-]*)$/;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .describe('A UTC calendar date, YYYY-MM-DD.');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as AT');

const sourceLimits = z
  .object({
    maxRequestsPer5Min: z.number().int().min(0).describe('Client-side rate limit (0 = none). Cloudflare allows 1200 / 5 min per user.'),
    concurrency: z.number().int().min(1).max(32).describe('Requests in flight at once.'),
  })
  .strict();

export const dataSchema = z
  .object({
    source: z.enum(['radar', 'synthetic']).default('synthetic').describe('Where `fetch` pulls from: the Radar API or the embedded generator behind a local mock Radar server.'),
    rawDir: z.string().default('datasets/raw').describe('Raw API responses, one JSON file per chunk.'),
    processedDir: z.string().default('datasets/processed').describe('Processed tables (one row per data.aggInterval step), one per country.'),
    aggInterval: z
      .enum(['1h', '15m'])
      .default('1h')
      .describe('Aggregation interval of the fetched series and step of the processed tables: 1h, or 15m (request windows then hold at most 7 days; raw chunks go to <series>@15m folders). BGP IPs and the label feeds have no interval and are shared.'),
    chunkDays: z.number().int().min(1).max(364).default(28).describe('Days per request window (at aggInterval=15m capped at 7).'),
    overlapHours: z.number().int().min(0).max(168).default(24).describe('Hours each window overlaps the previous one, used to stitch MIN0_MAX chunks onto one scale.'),
    retries: z.number().int().min(0).max(20).default(6).describe('Retries on 429/5xx/network errors, exponential backoff with jitter.'),
    backoffMs: z.number().int().min(1).default(500).describe('First backoff delay; doubles per retry, capped at 30 s, retry-after wins.'),
    timeoutMs: z.number().int().min(100).default(60000).describe('Per-request timeout.'),
    labelPageSize: z.number().int().min(1).max(1000).default(100).describe('limit= for paged label endpoints.'),
    radar: sourceLimits.default({ maxRequestsPer5Min: 1100, concurrency: 4 }),
    synthetic: sourceLimits.default({ maxRequestsPer5Min: 0, concurrency: 8 }),
    fill: z
      .object({
        maxInterpolateHours: z.number().int().min(0).default(3).describe('Gaps up to this long are linearly interpolated; longer gaps take the same hour one week earlier (seasonal fill).'),
      })
      .strict()
      .default({ maxInterpolateHours: 3 }),
  })
  .strict();

export const generatorSchema = z
  .object({
    seed: z.number().int().default(42).describe('Seed of the embedded generator; same seed, same data.'),
    anomaliesPerMonth: z.number().min(0).max(30).default(1.5).describe('Mean labelled anomalies injected per country-month.'),
    gapRate: z.number().min(0).max(0.2).default(0.002).describe('Probability an hour starts a data gap (missing points).'),
    unreliableRate: z.number().min(0).max(0.2).default(0.001).describe('Probability an hour starts a PIPELINE annotation.'),
    noise: z.number().min(0).max(1).default(0.03).describe('Relative noise level of volume signals.'),
    attackBurstiness: z.number().min(0).max(20).default(1).describe('Unlabelled bursts of the attack backgrounds (L3, L7): 1 = 0.7 % of hours run 1.3–2× higher; b scales both the share of burst hours and their excess (b = 3: 2.1 % of hours, 1.9–4×). Benchmarks use it to shift the data away from the default.'),
    anomalyDuration: z.number().min(0.1).max(10).default(1).describe('Multiplier of every injected anomaly\'s duration (1 = the per-kind ranges of KIND_DURATION_HOURS).'),
    ramadan: z
      .number()
      .min(0)
      .max(2)
      .default(0)
      .describe('Strength of the fasting month\'s daily rhythm in countries that observe Ramadan (0 = none; 1 = a dip at iftar, late nights and suhoor up by a quarter to a third, quieter mornings). Benchmarks use it for the Ramadan world.'),
    anomalyDepth: z.number().min(0.1).max(3).default(1).describe('Multiplier of every injected anomaly\'s effect size: the traffic an outage removes, an attack\'s excess, a surge\'s share points or rise (1 = the default ranges; < 1 = shallower, harder).'),
  })
  .strict();

export const featuresSchema = z
  .object({
    rollingHours: z.array(z.number().int().min(2)).min(1).default([3, 24, 168]).describe('Causal rolling windows (hours) for mean/std/z-score features.'),
    rollingStats: z
      .array(z.enum(['mean', 'std', 'z']))
      .min(1)
      .default(['mean', 'std', 'z'])
      .describe('Rolling statistics per window: mean and std are levels (they carry an anomaly for the whole window after it ends), z is the deviation from the previous window.'),
    detrend: z
      .boolean()
      .default(true)
      .describe('Levels and rolling means relative to the causal local level (1-week median), so traffic growth and lasting shifts do not drift the features.'),
    baselineWeeks: z.number().int().min(1).default(4).describe('Training weeks behind the robust hour-of-week baseline.'),
    daySegments: z.number().int().min(2).max(24).default(24).describe('Categories of the time-of-day feature (24 = hour of day).'),
    clip: z.number().positive().default(10).describe('Scaled features are clipped to ±clip.'),
  })
  .strict();

export const modelSchema = z
  .object({
    hiddenUnits: z.array(z.number().int().min(2)).min(1).default([64, 32]).describe('Encoder layer sizes; the decoder mirrors them.'),
    bottleneck: z.number().int().min(1).default(8).describe('Latent size.'),
    embeddingDim: z.number().int().min(1).default(4).describe('Size of each categorical embedding (one-hot × matrix).'),
    residual: z.boolean().default(true).describe('Residual connections between same-width layers.'),
    activation: z.enum(['relu', 'elu', 'tanh', 'selu']).default('relu').describe('Hidden activation.'),
    dropout: z.number().min(0).max(0.9).default(0).describe('Dropout after hidden layers.'),
    noiseStd: z.number().min(0).default(0.1).describe('Gaussian noise on continuous inputs while training (denoising).'),
    maskRate: z.number().min(0).max(0.9).default(0.1).describe('Share of continuous inputs zeroed while training.'),
    contWeight: z.number().min(0).default(1).describe('Weight of the continuous MSE in the loss and the score.'),
    catWeight: z.number().min(0).default(0.1).describe('Weight of the categorical cross-entropy in the loss and the score.'),
  })
  .strict();

export const trainSchema = z
  .object({
    split: z
      .object({
        train: z.number().gt(0).lt(1).default(0.6),
        validation: z.number().gt(0).lt(1).default(0.2),
        test: z.number().gt(0).lt(1).default(0.2),
      })
      .strict()
      .default({ train: 0.6, validation: 0.2, test: 0.2 })
      .describe('Chronological shares; must sum to 1.'),
    splitDates: z
      .object({
        validation: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/, 'a UTC date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MMZ'),
        test: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/, 'a UTC date YYYY-MM-DD or date-time YYYY-MM-DDTHH:MMZ'),
      })
      .strict()
      .optional()
      .describe('Chronological split by time instead of shares: validation starts at `validation`, test at `test` (UTC). Overrides `split`.'),
    trainFraction: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('NAB-style mode: learn from the first fraction of rows only (its first 70 % train the network, its last 30 % calibrate), and test on every later row. Overrides `split` and `splitDates`.'),
    epochs: z.number().int().min(1).default(60).describe('Maximum epochs (early stopping normally ends a run well before).'),
    batchSize: z.number().int().min(1).default(256),
    learningRate: z.number().positive().default(0.004).describe('Initial Adam learning rate.'),
    patience: z.number().int().min(0).default(5).describe('Epochs without validation improvement before stopping.'),
    minDelta: z.number().min(0).max(1).default(0.002).describe('Smallest relative validation-loss drop that counts as improvement (0.002 = 0.2 %).'),
    lrPlateau: z.number().int().min(0).default(2).describe('Epochs without improvement after which the learning rate halves (again every as many epochs); 0 = a constant rate.'),
    seed: z.number().int().default(7).describe('Seed for weights, shuffling and noise.'),
    excludeLabeled: z.boolean().default(true).describe('Drop labelled anomaly hours (and gaps) from the fitted loss.'),
    workers: z.number().int().min(0).default(0).describe('Worker threads for `train all` (0 = one per core).'),
    warmStart: z
      .string()
      .regex(WARM_START_RULE, 'a series id such as US, pooled, or none')
      .default('none')
      .describe('Series whose trained weights every other model starts from (a warm start; its own model trains from scratch, first); pooled = a base fitted on the training rows of every series of the run with the same network inputs, which every one of them starts from (the quality benchmark trains its data sets so); or none. Models whose weights do not fit (other signals or model settings) start from scratch.'),
    warmBatchSize: z.number().int().min(0).default(0).describe('Batch size of a warm-started model (fine-tuning takes fewer, larger steps); 0 = batchSize.'),
  })
  .strict();

const floatRange = z.object({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().default(false) }).strict();
const intRange = z.object({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), step: z.number().int().min(1).default(1) }).strict();
const categorical = z.object({ type: z.literal('categorical'), choices: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }).strict();
export const paramSpaceSchema = z.discriminatedUnion('type', [floatRange, intRange, categorical]);

export const tuneSchema = z
  .object({
    trials: z.number().int().min(1).default(60),
    pruner: z.enum(['hyperband', 'median', 'sha', 'none']).default('hyperband'),
    objective: z.enum(['val_loss', 'val_detection']).default('val_loss').describe('Validation-only objective.'),
    timeoutSeconds: z.number().int().min(0).default(0).describe('Stop the study after this many seconds (0 = no limit).'),
    seed: z.number().int().default(11).describe('TPE sampler seed.'),
    python: z.string().optional().describe('Python interpreter with Optuna (else $RADARWATCH_PYTHON, else one that has it).'),
    epochs: z.number().int().min(1).default(20).describe('Max epochs per trial.'),
    space: z
      .record(z.string(), paramSpaceSchema)
      .default({
        'model.bottleneck': { type: 'int', low: 3, high: 16, step: 1 },
        'model.hiddenUnits.0': { type: 'categorical', choices: [32, 64, 96] },
        'model.hiddenUnits.1': { type: 'categorical', choices: [16, 32, 48] },
        'model.noiseStd': { type: 'float', low: 0.0, high: 0.3, log: false },
        'model.maskRate': { type: 'float', low: 0.0, high: 0.3, log: false },
        'model.residual': { type: 'categorical', choices: [true, false] },
        'model.catShare': { type: 'float', low: 0.02, high: 0.5, log: true },
        'train.learningRate': { type: 'float', low: 3e-4, high: 1e-2, log: true },
      })
      .describe('Search space keyed by config path. model.catShare sets catWeight = s, contWeight = 1 - s so the loss scale cannot be searched away.'),
  })
  .strict();

/** A shape with every key optional and without its default (zod's partial() keeps defaults, which would fill unnamed keys). */
type OverrideShape<S extends z.ZodRawShape> = { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer T> ? T : S[K]> };
function overrideShape<S extends z.ZodRawShape>(shape: S): OverrideShape<S> {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)).optional();
  return out as OverrideShape<S>;
}

/** `overrides.<CC>.tune`: only the keys named replace the file's tune settings (a `space` there adds or replaces parameters of tune.space). */
export const tuneOverrideSchema = z.object(overrideShape(tuneSchema.shape)).strict();

export const calibrateSchema = z
  .object({
    method: z.enum(['mad', 'p99', 'p99.5']).default('mad').describe('Threshold rule, fitted on validation scores of normal hours.'),
    madK: z.number().positive().default(6).describe('k in median + k·1.4826·MAD.'),
    madScale: z
      .enum(['log', 'linear'])
      .default('log')
      .describe('Scale of the MAD rule: `log` applies it to ln(score) (scores are skewed squared errors), `linear` to raw scores.'),
    temperature: z.boolean().default(true).describe('Fit temperature scaling of the categorical heads.'),
    detector: z
      .enum(['hybrid', 'autoencoder', 'seasonal'])
      .default('hybrid')
      .describe('Evidence behind the anomaly probability: `hybrid` combines the autoencoder and the robust seasonal residual rule; the others use one alone.'),
    falseAlarmsPerWeek: z
      .number()
      .positive()
      .default(0.5)
      .describe('False-alarm budget: the share of normal held-out rows allowed to alarm, as alarms per week of data at the series\' step. Anomaly probability 0.5 sits exactly at this budget.'),
  })
  .strict();

export const detectSchema = z
  .object({
    eventGapHours: z.number().int().min(0).default(2).describe('Anomalous hours at most this far apart merge into one event.'),
    minEventHours: z.number().int().min(1).default(1).describe('Shorter events are dropped.'),
    confirmProbability: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.99)
      .describe('A one-row event is reported only when its anomaly probability reaches this (0.99 = 99 times rarer than the false-alarm budget); a run of n anomalous rows when its peak odds p / (1 − p) reach this one\'s divided by n⁴ (0.99: two rows 0.861, three 0.550, four or more any).'),
    topSignals: z.number().int().min(1).default(3).describe('Signals listed per event.'),
  })
  .strict();

export const evaluateSchema = z
  .object({
    baseline: z
      .object({
        lookbackDays: z.number().int().min(2).default(28).describe('Days searched for similar days.'),
        similarDays: z.number().int().min(1).default(6).describe('Most similar days whose median is the forecast.'),
        madK: z.number().positive().default(6).describe('Band half-width in robust standard deviations.'),
      })
      .strict()
      .default({ lookbackDays: 28, similarDays: 6, madK: 6 }),
  })
  .strict();

export const serverSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8080),
    host: z.string().default('127.0.0.1'),
    maxRangeDays: z.number().int().min(1).default(93).describe('Longest range one /api/detect request may ask for.'),
    preload: z
      .union([z.boolean(), z.literal('auto')])
      .default('auto')
      .describe('Load and score every model at start (true: every check runs before the server listens), only on a country\'s first request (false: start in seconds whatever the fleet), or `auto`: at start when there are at most 16 models. `serve --preload` / `--no-preload` override it.'),
    cache: z
      .object({
        maxCountries: z.number().int().min(0).default(0).describe('Countries kept loaded (model, table, scored blocks) at once; beyond it the least recently used is evicted and reloads on its next request (0 = no limit besides maxMegabytes).'),
        maxMegabytes: z.number().int().min(0).default(1024).describe('Estimated memory of the loaded countries, MB (tables, models and calibrations, scored blocks); beyond it the least recently used countries are evicted (0 = no limit). Each detection service has its own: `serve` runs two (the HTTP thread\'s and the heavy-request worker\'s).'),
      })
      .strict()
      .default({ maxCountries: 0, maxMegabytes: 1024 })
      .describe('The LRU of loaded countries behind `serve`; requests in flight keep their country loaded whatever the bounds.'),
  })
  .strict();

export const watchSchema = z
  .object({
    every: z.string().regex(/^\d+(s|m|h)$/, 'a period such as 30s, 15m or 1h').default('1h').describe('Cycle period, e.g. 30s, 15m, 1h.'),
    quietHours: z.number().int().min(1).default(3).describe('Consecutive normal scored hours after which an open event closes; for live events it takes the place of detect.eventGapHours (gap-filled or unreliable hours count neither way).'),
    lateAfterHours: z.number().int().min(1).default(3).describe('A country whose newest complete hour is older than this is reported late (`data_late`).'),
    source: z.enum(['radar', 'synthetic']).optional().describe('Where the watcher pulls from (default: data.source); `synthetic` serves the generator from an in-process mock Radar on a simulated clock.'),
    backfillHours: z.number().int().min(0).default(24).describe('On a country\'s first cycle, only the last this-many complete hours are scored; older ones are fetched for scale and feature history only.'),
    webhook: z
      .object({
        url: z.string().url().optional().describe('POST every alert here as JSON (the --webhook flag wins).'),
        retries: z.number().int().min(0).default(5).describe('Retries per delivery pass; undelivered alerts stay in the outbox for the next pass.'),
        backoffMs: z.number().int().min(1).default(1000).describe('First retry delay; doubles per retry (jittered between half and all of it), capped at maxBackoffMs.'),
        maxBackoffMs: z.number().int().min(1).default(60000).describe('Longest delay between two attempts.'),
        timeoutMs: z.number().int().min(100).default(10000).describe('Per-request timeout.'),
      })
      .strict()
      .default({ retries: 5, backoffMs: 1000, maxBackoffMs: 60000, timeoutMs: 10000 }),
  })
  .strict();

/** Stage settings that a country may override. */
export const stagesShape = {
  data: dataSchema,
  generator: generatorSchema,
  features: featuresSchema,
  model: modelSchema,
  train: trainSchema,
  tune: tuneSchema,
  calibrate: calibrateSchema,
  detect: detectSchema,
  evaluate: evaluateSchema,
  server: serverSchema,
  watch: watchSchema,
};

const stagesObject = z.object(stagesShape).strict();
/** A per-country override: any subset of stage settings. */
export const overrideSchema = z
  .object({
    model: z.object(overrideShape(modelSchema.shape)).strict().optional(),
    train: z.object(overrideShape(trainSchema.shape)).strict().optional(),
    features: z.object(overrideShape(featuresSchema.shape)).strict().optional(),
    calibrate: z.object(overrideShape(calibrateSchema.shape)).strict().optional(),
    detect: z.object(overrideShape(detectSchema.shape)).strict().optional(),
    tune: tuneOverrideSchema.optional(),
  })
  .strict();

export const configSchema = z
  .object({
    countries: z.array(countryCode).min(1).describe('Default country list (`all`).'),
    dateRange: z.object({ from: isoDate, to: isoDate }).strict().describe('Default fetch/train range, inclusive UTC dates.'),
    data: dataSchema.default(dataSchema.parse({})),
    generator: generatorSchema.default(generatorSchema.parse({})),
    features: featuresSchema.default(featuresSchema.parse({})),
    model: modelSchema.default(modelSchema.parse({})),
    train: trainSchema.default(trainSchema.parse({})),
    tune: tuneSchema.default(tuneSchema.parse({})),
    calibrate: calibrateSchema.default(calibrateSchema.parse({})),
    detect: detectSchema.default(detectSchema.parse({})),
    evaluate: evaluateSchema.default(evaluateSchema.parse({})),
    server: serverSchema.default(serverSchema.parse({})),
    watch: watchSchema.default(watchSchema.parse({})),
    overrides: z.record(countryCode, overrideSchema).default({}).describe('Per-country settings that replace the defaults.'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type CountryOverride = z.infer<typeof overrideSchema>;
export type DataConfig = Config['data'];
export type GeneratorConfig = Config['generator'];
export type FeaturesConfig = Config['features'];
export type ModelConfig = Config['model'];
export type TrainConfig = Config['train'];
export type TuneConfig = Config['tune'];
export type CalibrateConfig = Config['calibrate'];
export type DetectConfig = Config['detect'];
export type EvaluateConfig = Config['evaluate'];
export type ServerConfig = Config['server'];
export type WatchConfig = Config['watch'];
export type ParamSpace = z.infer<typeof paramSpaceSchema>;
export { stagesObject };
