/**
 * A pooled warm-start base: one network fitted on the training rows of several series at once (each in its own
 * feature scaling), so a series with a few weeks of rows starts from what many series taught the network.
 */
import type { Config } from '../config/schema';
import type { FeatureSet } from '../features/types';
import { createRng, hashSeed } from '../util/random';
import { fitAutoencoder, type FitOptions } from './trainer';
import type { PreparedTraining } from './country';

/** Most training rows a pooled base fits on (every series keeps an equal, seeded share beyond it). */
export const POOL_MAX_ROWS = 65_536;

/** Epoch cap of a warm-start base as a multiple of train.epochs: it trains once for many, until early stopping ends it. */
export const BASE_EPOCH_FACTOR = 2;

/** The rows one series lends a pool: its training rows first, then its validation rows, [rows, features] row-major. */
export interface PoolPart {
  cont: Float32Array;
  cat: Int32Array;
  train: number;
  validation: number;
}

/** The names and sizes a pool's series share (their poolKey): what a pooled FeatureSet takes from them. */
export type PoolLayout = Pick<FeatureSet, 'contNames' | 'contSignal' | 'catNames' | 'catCardinalities'>;

/** A fitted base: its weights in model.getWeights() order, and what it was fitted on. */
export interface PooledBase {
  weights: Float32Array[];
  series: number;
  trainRows: number;
  epochs: number;
  bestEpoch: number;
  seconds: number;
}

/**
 * Series pool only when their networks have the same inputs and the same settings: continuous feature names,
 * category counts and the model section of the config (weights of another shape could not start them).
 */
export function poolKey(features: Pick<FeatureSet, 'contNames' | 'catCardinalities'>, cfg: Pick<Config, 'model'>): string {
  return JSON.stringify([features.contNames, features.catCardinalities, cfg.model]);
}

/**
 * The most rows each series lends so that a pool of series with `counts` rows holds at most `max`: every row when
 * they fit, else the largest equal cap (a series with fewer rows lends them all). Infinity when nothing is capped.
 */
export function poolCap(counts: number[], max: number = POOL_MAX_ROWS): number {
  if (counts.reduce((a, n) => a + n, 0) <= max) return Infinity;
  const sorted = counts.slice().sort((a, b) => a - b);
  let left = max;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    if (sorted[i] > share) return share;
    left -= sorted[i];
  }
  return Infinity;
}

/** A seeded, ascending sample of `k` of `idx` (all of them when k ≥ idx.length). */
function sample(idx: Int32Array, k: number, seed: number): Int32Array {
  if (k >= idx.length) return idx;
  const rng = createRng(seed);
  const a = Int32Array.from(idx);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.subarray(0, k).sort();
}

/**
 * What `p` lends a pool: its fitted training and validation rows before `before` (epoch ms; default all), at most
 * `maxRows` of each (a seeded sample). The pool never sees a row at or after `before`: a base for a series scored
 * from time T learns from every series' rows before T only.
 */
export function poolPart(p: Pick<PreparedTraining, 'features' | 'trainIdx' | 'valIdx'>, opts: { before?: number; maxRows?: number; seed: number }): PoolPart {
  const { features: fs } = p;
  const keep = (idx: Int32Array) => rowsBefore(idx, fs.timestamps, opts.before);
  const max = opts.maxRows ?? Infinity;
  const tr = sample(keep(p.trainIdx), max, hashSeed(opts.seed, 'pool', 'train'));
  const va = sample(keep(p.valIdx), max, hashSeed(opts.seed, 'pool', 'validation'));
  const nC = fs.contNames.length;
  const nK = fs.catNames.length;
  const rows = [...tr, ...va];
  const cont = new Float32Array(rows.length * nC);
  const cat = new Int32Array(rows.length * nK);
  rows.forEach((r, i) => {
    cont.set(fs.cont.subarray(r * nC, (r + 1) * nC), i * nC);
    cat.set(fs.cat.subarray(r * nK, (r + 1) * nK), i * nK);
  });
  return { cont, cat, train: tr.length, validation: va.length };
}

/** The rows of `idx` whose timestamps are before `before` (epoch ms; every row when undefined). */
function rowsBefore(idx: Int32Array, timestamps: number[], before = Infinity): Int32Array {
  return before === Infinity ? idx : idx.filter((r) => timestamps[r] < before);
}

/** What each of `prepared` lends one pool before `before`, capped together by poolCap. */
export function poolParts(prepared: Pick<PreparedTraining, 'features' | 'trainIdx' | 'valIdx'>[], opts: { before?: number; seed: number }): PoolPart[] {
  const maxRows = poolCap(prepared.map((p) => rowsBefore(p.trainIdx, p.features.timestamps, opts.before).length));
  return prepared.map((p) => poolPart(p, { ...opts, maxRows }));
}

/**
 * Fits a base on `parts` (series with the same poolKey; `like` gives their feature names and category counts) for
 * at most BASE_EPOCH_FACTOR × train.epochs. Undefined when fewer than two series lend training rows or none lends a
 * validation row: one series is no pool.
 */
export async function fitPooledBase(parts: PoolPart[], like: PoolLayout, cfg: Config, opts: FitOptions = {}): Promise<PooledBase | undefined> {
  const lenders = parts.filter((p) => p.train > 0);
  if (lenders.length < 2 || lenders.every((p) => p.validation === 0)) return undefined;
  const nC = like.contNames.length;
  const nK = like.catNames.length;
  const rows = lenders.reduce((a, p) => a + p.train + p.validation, 0);
  const cont = new Float32Array(rows * nC);
  const cat = new Int32Array(rows * nK);
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  let at = 0;
  for (const p of lenders) {
    cont.set(p.cont, at * nC);
    cat.set(p.cat, at * nK);
    for (let i = 0; i < p.train + p.validation; i++) (i < p.train ? trainIdx : valIdx).push(at + i);
    at += p.train + p.validation;
  }
  const { contNames, contSignal, catNames, catCardinalities } = like;
  const pooled: FeatureSet = { contNames, contSignal, catNames, catCardinalities, rows, timestamps: new Array<number>(rows).fill(0), cont, cat, warmup: new Uint8Array(rows) };
  const baseCfg: Config = { ...cfg, train: { ...cfg.train, epochs: cfg.train.epochs * BASE_EPOCH_FACTOR } };
  const fit = await fitAutoencoder(pooled, Int32Array.from(trainIdx), Int32Array.from(valIdx), baseCfg, { label: 'pooled base', ...opts });
  try {
    return {
      weights: fit.model.getWeights().map((w) => w.dataSync().slice() as Float32Array),
      series: lenders.length,
      trainRows: trainIdx.length,
      epochs: fit.history.length,
      bestEpoch: fit.bestEpoch,
      seconds: fit.seconds,
    };
  } finally {
    fit.model.dispose();
  }
}
