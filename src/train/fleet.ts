/** Fleet training: several countries in worker_threads (wasm is single-threaded, so one worker per core), one failure never stops the rest. */
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { resolveCountryConfig } from '../config/load';
import type { Config } from '../config/schema';
import { resultDirs } from '../data/paths';
import { readProcessed } from '../data/processed';
import { saveDetector } from '../model/artifact';
import { initBackend } from '../model/backend';
import { loadTunedParams } from '../tune/best';
import { log } from '../util/log';
import { startProgress } from '../util/progress';
import { trainCountry } from './country';
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

export type WorkerMessage =
  | { type: 'ready' }
  | ({ type: 'epoch'; country: string } & EpochEvent)
  | { type: 'done'; summary: CountrySummary };

/** Loads, trains and saves one country (in the calling thread). Used by workers and by single-threaded callers. */
export async function trainAndSave(country: string, job: FleetJob, onEpoch?: (e: EpochEvent) => void, progress = false): Promise<CountrySummary> {
  await initBackend();
  const tuned = job.useTuned === false ? undefined : loadTunedParams(country);
  const cfg = resolveCountryConfig(job.config, country, { tuned, cliPatch: job.cliPatch });
  const frame = await readProcessed(job.processedDir ?? cfg.data.processedDir, country);
  const result = await trainCountry(frame, cfg, { progress, maxEpochs: job.maxEpochs, onEpoch: onEpoch && ((e) => void onEpoch(e)) });
  const dir = job.modelRoot ? path.join(job.modelRoot, country) : resultDirs.model(country);
  try {
    const meta = await saveDetector(dir, result, cfg, { country });
    return {
      country,
      ok: true,
      seconds: result.seconds,
      epochs: result.history.length,
      bestEpoch: result.bestEpoch,
      bestValLoss: result.bestValLoss,
      stopReason: result.stopReason,
      modelBytes: meta.modelBytes,
      modelDir: dir,
    };
  } finally {
    result.model.dispose();
  }
}

/** Worker count: `requested` if > 0, else cfg.train.workers if > 0, else one per core; never more than countries. */
export function fleetSize(countries: number, cfg: Config, requested?: number): number {
  const wanted = requested && requested > 0 ? requested : cfg.train.workers > 0 ? cfg.train.workers : (os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.min(countries, wanted));
}

function spawnWorker(job: FleetJob): Worker {
  // From src/ (tsx) the entry is worker.ts and needs tsx's require hook; from dist/ it is plain worker.js.
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `worker${ext}`);
  return new Worker(file, { workerData: job, execArgv: ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [] });
}

/**
 * Trains and saves `countries` in parallel worker threads, each taking the next country when it finishes one.
 * Shows one overall progress bar (in epochs). A failing country (missing data, divergence, even a crashed worker)
 * is reported in its summary and the others continue. Summaries come back in the order of `countries`.
 */
export async function trainCountries(countries: string[], cfg: Config, opts: Omit<FleetJob, 'config'> & { workers?: number; progress?: boolean } = {}): Promise<CountrySummary[]> {
  const { workers: requested, progress = true, ...rest } = opts;
  const job: FleetJob = { config: cfg, ...rest };
  const epochsEach = Math.min(cfg.train.epochs, opts.maxEpochs ?? Infinity);
  const bar = progress ? startProgress('train', countries.length * epochsEach, '{bar} {value}/{total} epochs | {done}/{n} countries | {current} ETA {eta_formatted}', { done: 0, n: countries.length, current: '' }) : undefined;
  const queue = [...countries];
  const results = new Map<string, CountrySummary>();
  const epochsSeen = new Map<string, number>();
  let units = 0;
  const advance = (country: string, epoch: number, extra: Record<string, unknown> = {}) => {
    units += epoch - (epochsSeen.get(country) ?? 0);
    epochsSeen.set(country, epoch);
    bar?.update(units, extra);
  };
  const finish = (s: CountrySummary) => {
    results.set(s.country, s);
    advance(s.country, epochsEach, { done: results.size, current: `${s.country} ${s.ok ? 'done' : 'FAILED'}` });
    if (!s.ok) log.warn(`train ${s.country} failed: ${s.error}`);
  };

  const runWorker = () =>
    new Promise<void>((resolve) => {
      const worker = spawnWorker(job);
      let current: string | undefined;
      let ready = false;
      let startError: string | undefined;
      const next = () => {
        ready = true;
        current = queue.shift();
        if (current === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage({ country: current });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') next();
        else if (m.type === 'epoch') advance(m.country, m.epoch, { current: `${m.country} epoch ${m.epoch} val ${m.valLoss.toFixed(4)}` });
        else if (m.type === 'done') {
          finish(m.summary);
          current = undefined;
          next();
        }
      });
      // A crashed worker (out of memory, a bug outside trainAndSave) fails its country; a fresh worker takes the rest.
      worker.on('error', (e) => {
        if (!ready) startError = e.message;
        if (current !== undefined) finish({ country: current, ok: false, error: `worker crashed: ${e.message}` });
        current = undefined;
      });
      worker.on('exit', (code) => {
        if (current !== undefined) finish({ country: current, ok: false, error: `worker exited with code ${code}` });
        current = undefined;
        if (!ready) {
          // A worker that cannot even start would fail the same way again: fail the waiting countries instead of respawning forever.
          const why = `training worker could not start (${startError ?? `exit code ${code}`})`;
          for (const c of queue.splice(0)) finish({ country: c, ok: false, error: why });
          resolve();
        } else if (queue.length) void runWorker().then(resolve);
        else resolve();
      });
    });

  try {
    await Promise.all(Array.from({ length: fleetSize(countries.length, cfg, requested) }, runWorker));
  } finally {
    bar?.stop();
  }
  return countries.map((c) => results.get(c) ?? { country: c, ok: false, error: 'not trained' });
}
