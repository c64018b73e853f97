/** Fleet training: several countries in worker_threads (wasm is single-threaded, so one worker per core), one failure never stops the rest. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveCountryConfig } from '../config/load';
import type { Config } from '../config/schema';
import { processedPaths, resultDirs } from '../data/paths';
import { readProcessed } from '../data/processed';
import { checkDetectorFiles, DETECTOR_FILES, readModelWeights, saveDetector } from '../model/artifact';
import { initBackend } from '../model/backend';
import { loadTunedParams } from '../tune/best';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { poolSize, runPool } from '../util/pool';
import { prepareTraining, trainCountry, type PreparedTraining } from './country';
import { BASE_EPOCH_FACTOR, fitPooledBase, poolCap, poolKey, poolPart, POOL_MAX_ROWS, type PoolLayout, type PoolPart } from './pool';
import type { EpochEvent } from './trainer';

/** One country's outcome. */
export interface CountrySummary {
  country: string;
  ok: boolean;
  /** Failure as `ErrorName: message`. */
  error?: string;
  seconds?: number;
  epochs?: number;
  bestEpoch?: number;
  bestValLoss?: number;
  stopReason?: string;
  /** The series whose weights training started from (absent = from scratch). */
  warmStart?: string;
  modelBytes?: number;
  modelDir?: string;
}

/** What every worker needs (plain data: it crosses the thread boundary). */
export interface FleetJob {
  /** The loaded models.yml; each country is resolved from it (overrides, tuned params, cliPatch). */
  config: Config;
  /** CLI flags as a config patch, e.g. { train: { epochs: 5 } }. */
  cliPatch?: unknown;
  /** Use results/tuning/<CC>/best.json when present (default true). */
  useTuned?: boolean;
  /** Folder of processed tables (default config.data.processedDir). */
  processedDir?: string;
  /** Root of model folders: <modelRoot>/<CC> (default results/models). */
  modelRoot?: string;
  maxEpochs?: number;
}


/** Where a warm start comes from: the base series and the model folder holding its weights, or (pooled) the weights. */
export interface WarmStart {
  from: string;
  dir?: string;
  weights?: Float32Array[];
}

/** Weights of warm-start folders this thread has read (a run reads one base, for every country). */
const warmCache = new Map<string, Float32Array[]>();

/** The base's weights, or undefined (logged) when its folder cannot be read: the country then trains from scratch. */
async function warmWeights(warm: WarmStart, country: string): Promise<Float32Array[] | undefined> {
  if (warm.weights || !warm.dir) return warm.weights;
  try {
    // keyed by the weights file's time too: a base retrained later in the same process is read again
    const key = `${warm.dir}@${fs.statSync(path.join(warm.dir, DETECTOR_FILES.weights)).mtimeMs}`;
    let w = warmCache.get(key);
    if (!w) warmCache.set(key, (w = await readModelWeights(warm.dir)));
    return w;
  } catch (e) {
    log.warn(`train ${country}: cannot start from the weights of ${warm.from} (${(e as Error).message}); training from scratch`);
    return undefined;
  }
}

/**
 * Loads, trains and saves one country (in the calling thread). Used by workers and by single-threaded callers.
 * With `warm`, training starts from that model's weights unless the country's config says train.warmStart: none
 * or the weights do not fit its model (then from scratch, logged).
 */
export async function trainAndSave(country: string, job: FleetJob, onEpoch?: (e: EpochEvent) => void, progress = false, warm?: WarmStart): Promise<CountrySummary> {
  await initBackend();
  const tuned = job.useTuned === false ? undefined : loadTunedParams(country);
  const resolved = resolveCountryConfig(job.config, country, { tuned, cliPatch: job.cliPatch });
  // The base's weights start every other model and it trains once for the whole fleet: twice the epoch cap, so it
  // too ends by early stopping (US on 3 years hourly was still improving at epoch 57 of 60).
  const cfg = country === resolved.train.warmStart ? { ...resolved, train: { ...resolved.train, epochs: resolved.train.epochs * BASE_EPOCH_FACTOR } } : resolved;
  const frame = await readProcessed(job.processedDir ?? cfg.data.processedDir, country);
  const initialWeights = warm && cfg.train.warmStart !== 'none' && warm.from !== country ? await warmWeights(warm, country) : undefined;
  const result = await trainCountry(frame, cfg, { progress, maxEpochs: job.maxEpochs, onEpoch: onEpoch && ((e) => void onEpoch(e)), initialWeights });
  const dir = modelDirOf(job, country);
  try {
    const meta = await saveDetector(dir, result, cfg, { country, ...(result.warmStarted && warm ? { warmStart: warm.from } : {}) });
    return {
      country,
      ok: true,
      seconds: result.seconds,
      epochs: result.history.length,
      bestEpoch: result.bestEpoch,
      bestValLoss: result.bestValLoss,
      stopReason: result.stopReason,
      ...(meta.warmStart ? { warmStart: meta.warmStart } : {}),
      modelBytes: meta.modelBytes,
      modelDir: dir,
    };
  } finally {
    result.model.dispose();
  }
}

/** The model folder of `id` under the job's model root (default results/models). */
function modelDirOf(job: FleetJob, id: string): string {
  return job.modelRoot ? path.join(job.modelRoot, id) : resultDirs.model(id);
}

/** Worker count: `requested` if > 0, else cfg.train.workers if > 0, else one per core; never more than countries. */
export function fleetSize(countries: number, cfg: Config, requested?: number): number {
  return poolSize(countries, requested && requested > 0 ? requested : cfg.train.workers);
}

/** Callbacks of one pool run. */
interface PoolEvents {
  epoch(country: string, epoch: number, valLoss: number): void;
  done(summary: CountrySummary): void;
}

/** Trains `countries` in `size` worker threads (see runPool), every one from `warm` when given. */
function trainInPool(countries: string[], job: FleetJob, size: number, events: PoolEvents, warm?: WarmStart): Promise<void> {
  // From src/ (tsx) the entry is worker.ts; from dist/ it is worker.js.
  const file = path.join(__dirname, `worker${path.extname(__filename)}`);
  return runPool<CountrySummary>(
    countries.map((country) => ({ id: country, payload: { country, warm } })),
    {
      file,
      workerData: job,
      size,
      onProgress: (country, e) => events.epoch(country, (e as EpochEvent).epoch, (e as EpochEvent).valLoss),
      onDone: (country, o) => events.done(o.ok ? o.result : { country, ok: false, error: o.error }),
    },
  );
}

/**
 * The warm-start base of a run (train.warmStart) and how its weights are had: trained first as one of the targets,
 * trained for its weights only, or (`ready`) from its model already under the model root.
 */
interface WarmStartPlan {
  base: string;
  train: 'target' | 'weights' | 'no' | 'pooled';
  /** With `no`: the base's model folder. */
  ready?: WarmStart;
}

function warmStartPlan(countries: string[], cfg: Config, job: FleetJob): WarmStartPlan | undefined {
  const base = cfg.train.warmStart;
  if (base === 'none' || countries.length === 0 || (countries.length === 1 && countries[0] === base)) return undefined;
  if (base === POOLED) return countries.length > 1 ? { base, train: 'pooled' } : undefined;
  if (countries.includes(base)) return { base, train: 'target' };
  const dir = modelDirOf(job, base);
  if (fs.existsSync(path.join(dir, DETECTOR_FILES.meta))) {
    try {
      checkDetectorFiles(dir);
      return { base, train: 'no', ready: { from: base, dir } };
    } catch (e) {
      log.warn(`train: the model of ${base} (train.warmStart) in ${dir} cannot be read (${(e as Error).message}); training ${base} again for its weights`);
    }
  }
  if (fs.existsSync(processedPaths(job.processedDir ?? cfg.data.processedDir, base).meta)) return { base, train: 'weights' };
  log.info(`train: no model or processed table of ${base} (train.warmStart) to start from; every model trains from scratch`);
  return undefined;
}

/** train.warmStart value for a base pooled from every target of the run (src/train/pool.ts). */
export const POOLED = 'pooled';

/**
 * Pooled warm-start bases of a run (train.warmStart: pooled), by country: each country's training rows (a seeded
 * share when they pass POOL_MAX_ROWS in all, see poolCap) pooled with every other target whose network has the same shapes, one base
 * per such group of two or more, fitted in this thread. A country whose table cannot be read, or that is alone in its
 * group, has no base (it fails, or trains from scratch, as it would without one).
 */
async function pooledBases(countries: string[], job: FleetJob, onEpoch: (epoch: number) => void): Promise<Map<string, WarmStart>> {
  await initBackend();
  const prepare = async (country: string) => {
    try {
      const cfg = resolveCountryConfig(job.config, country, { tuned: job.useTuned === false ? undefined : loadTunedParams(country), cliPatch: job.cliPatch });
      if (cfg.train.warmStart !== POOLED) return undefined;
      return { cfg, p: prepareTraining(await readProcessed(job.processedDir ?? cfg.data.processedDir, country), cfg) };
    } catch (e) {
      log.debug(`train: ${country} lends no rows to the pooled base (${(e as Error).message})`);
      return undefined;
    }
  };
  // One table in memory at a time (a part keeps its rows and the names, never the features). While the pool fits
  // under POOL_MAX_ROWS every target lends every row (one pass); past it, a second pass takes each one's share.
  const lent: { country: string; cfg: Config; layout: PoolLayout; key: string; part: PoolPart }[] = [];
  const lend = (country: string, { cfg, p }: { cfg: Config; p: PreparedTraining }, maxRows?: number) => {
    const { contNames, contSignal, catNames, catCardinalities } = p.features;
    lent.push({ country, cfg, layout: { contNames, contSignal, catNames, catCardinalities }, key: poolKey(p.features, cfg), part: poolPart(p, { maxRows, seed: cfg.train.seed }) });
  };
  const counts: number[] = [];
  let total = 0;
  for (const country of countries) {
    const got = await prepare(country);
    counts.push(got?.p.trainIdx.length ?? 0);
    total += counts[counts.length - 1];
    if (got && total <= POOL_MAX_ROWS) lend(country, got);
  }
  if (total > POOL_MAX_ROWS) {
    lent.length = 0;
    const maxRows = poolCap(counts);
    for (const country of countries) {
      const got = await prepare(country);
      if (got) lend(country, got, maxRows);
    }
  }
  const groups = new Map<string, typeof lent>();
  for (const l of lent) groups.set(l.key, [...(groups.get(l.key) ?? []), l]);
  const out = new Map<string, WarmStart>();
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const { cfg, layout } = g[0];
    const base = await fitPooledBase(g.map((l) => l.part), layout, cfg, { progress: false, maxEpochs: job.maxEpochs && job.maxEpochs * BASE_EPOCH_FACTOR, onEpoch: (e) => void onEpoch(e.epoch) });
    if (!base) continue;
    log.info(`train: pooled base of ${base.series} series (${base.trainRows} training rows) in ${base.seconds.toFixed(1)} s, ${base.epochs} epochs; each of them starts from it`);
    const warm: WarmStart = { from: POOLED, weights: base.weights };
    for (const l of g) out.set(l.country, warm);
  }
  return out;
}

/**
 * Trains and saves `countries` in parallel worker threads (see runPool), with one overall progress bar (in epochs).
 * With train.warmStart = B (not none), B's model trains first, from scratch, and every other country starts from its
 * weights — about half the epochs, and a lower validation loss than from scratch (README, "Many countries"). B is
 * trained first when it is one of `countries`; otherwise its model under the model root is used, or, when there is
 * none but its table is there, B is trained for its weights only (not saved): every shard of a sharded fleet then
 * starts from the same weights. With train.warmStart = pooled, a base fitted on every target's training rows starts
 * each of them (see pooledBases). A failing country (missing data, divergence, even a crashed worker) is reported in its
 * summary and the others continue. Summaries come back in the order of `countries`.
 */
export async function trainCountries(countries: string[], cfg: Config, opts: Omit<FleetJob, 'config'> & { workers?: number; progress?: boolean } = {}): Promise<CountrySummary[]> {
  const { workers: requested, progress = true, ...rest } = opts;
  const job: FleetJob = { config: cfg, ...rest };
  const plan = warmStartPlan(countries, cfg, job);
  const epochsEach = Math.min(cfg.train.epochs, opts.maxEpochs ?? Infinity);
  // the base may run twice the epochs (BASE_EPOCH_FACTOR): one more country's worth in the total
  const jobs = countries.length + (plan?.train === 'weights' || plan?.train === 'pooled' ? 2 : plan?.train === 'target' ? 1 : 0);
  const bar = progress ? startProgress('train', jobs * epochsEach, '{bar} {value}/{total} epochs | {done}/{n} countries | {current} ETA {eta_formatted}', { done: 0, n: countries.length, current: '' }) : undefined;
  const results = new Map<string, CountrySummary>();
  const epochsSeen = new Map<string, number>();
  let units = 0;
  const advance = (key: string, epoch: number, extra: Record<string, unknown> = {}) => {
    units += epoch - (epochsSeen.get(key) ?? 0);
    epochsSeen.set(key, epoch);
    bar?.update(units, extra);
  };
  const events = (key = (c: string) => c, store: (s: CountrySummary) => void = (s) => void results.set(s.country, s)): PoolEvents => ({
    epoch: (c, epoch, valLoss) => advance(key(c), epoch, { current: `${c} epoch ${epoch} val ${valLoss.toFixed(4)}` }),
    done: (s) => {
      store(s);
      const k = key(s.country);
      advance(k, Math.max(epochsEach, epochsSeen.get(k) ?? 0), { done: results.size, current: `${s.country} ${s.ok ? 'done' : 'FAILED'}` });
      if (!s.ok) log.warn(`train ${s.country} failed: ${s.error}`);
    },
  });
  const size = (n: number) => fleetSize(n, cfg, requested);
  let scratch: string | undefined;
  try {
    let warm: WarmStart | undefined;
    let pooled: Map<string, WarmStart> | undefined;
    if (plan?.train === 'target') {
      log.info(`train: ${plan.base} first (train.warmStart); the others start from its weights`);
      await trainInPool([plan.base], job, 1, events());
      if (results.get(plan.base)?.ok) warm = { from: plan.base, dir: results.get(plan.base)!.modelDir! };
    } else if (plan?.train === 'weights') {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-warm-start-'));
      log.info(`train: ${plan.base} (train.warmStart) has no model here; training it first for its weights only (not saved)`);
      let baseRun: CountrySummary | undefined;
      await trainInPool([plan.base], { ...job, modelRoot: scratch }, 1, events((c) => `${c} (warm start)`, (s) => {
        baseRun = s;
      }));
      if (baseRun?.ok) warm = { from: plan.base, dir: baseRun.modelDir! };
      else log.warn(`train: ${plan.base} (train.warmStart) failed to train (${baseRun?.error}); every model trains from scratch`);
    } else if (plan?.train === 'pooled') {
      pooled = await pooledBases(countries, job, (epoch) => advance('pooled base', epoch, { current: `pooled base epoch ${epoch}` }));
    } else if (plan) {
      warm = plan.ready;
    }
    // one pool run per warm start: `warm` for all, or (pooled) each group's base and, for the rest, none
    const byWarm = new Map<WarmStart | undefined, string[]>();
    for (const c of countries.filter((c) => !results.has(c))) {
      const w = pooled ? pooled.get(c) : warm;
      byWarm.set(w, [...(byWarm.get(w) ?? []), c]);
    }
    for (const [w, members] of byWarm) await trainInPool(members, job, size(members.length), events(), w);
  } finally {
    bar?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
  return countries.map((c) => results.get(c) ?? { country: c, ok: false, error: 'not trained' });
}
