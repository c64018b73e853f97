/**
 * A model folder's fingerprint (fingerprint.json): one validation day with its feature history, and the raw
 * reconstruction scores the model gave those hours when it was calibrated. Re-scoring the stored input at load
 * proves that weights, feature spec (transforms, seasonal profiles, scaler) and scoring still produce the same
 * numbers — a corrupt or swapped file that happens to parse cannot pass silently as "all normal".
 */
import { frameStep } from '../data/types';
import * as fs from 'fs';
import * as path from 'path';
import { sliceFrame } from '../data/frame';
import type { CountryFrame, SignalKind } from '../data/types';
import { HOUR_MS } from '../base/time';
import { DataError } from '../errors';
import { computeFeatures } from '../features/build';
import { featureHistoryRows } from '../features/spec';
import { reconstruct } from '../model/autoencoder';
import { scoreRows } from '../detect/score';
import { rowsOfRange, sliceFeatureSet } from '../detect/window';
import { writeJsonAtomic } from '../util/fsx';
import type { ScoringModel } from './calibrate';

/** File name inside a model folder. */
export const FINGERPRINT_FILE = 'fingerprint.json';

/** Bumped when the layout changes meaning. */
export const FINGERPRINT_VERSION = 1;

/**
 * Allowed difference between a recorded and a recomputed score: |a − b| ≤ abs + rel·|a|. Loose enough for backend
 * rounding (wasm vs cpu float32), tight enough that any corrupted weight, scaler entry or profile shows.
 */
export const FINGERPRINT_TOLERANCE = { rel: 1e-3, abs: 1e-6 } as const;

/** fingerprint.json: the input window (hourly, feature history first) and the expected raw scores at T = 1. */
export interface Fingerprint {
  version: typeof FINGERPRINT_VERSION;
  country: string;
  /** First hour of the stored input window, ISO; rows are `stepMs` apart. */
  from: string;
  stepMs: number;
  /** Input rows: the feature history followed by the scored rows. */
  rows: number;
  signalKinds: Record<string, SignalKind>;
  /** Signal values per row, by signal, in the model's training scale. */
  signals: Record<string, number[]>;
  gap: number[];
  unreliable: number[];
  /** The scored hours (the last rows of the window): ISO start and raw score (scoreRows at temperature 1). */
  scores: { timestamp: string; score: number }[];
  tolerance: { rel: number; abs: number };
  createdAt: string;
}

/** Scores of the last `n` rows of `frame` (the rows before them are feature history), raw, temperature 1. */
function scoreTail(frame: CountryFrame, det: ScoringModel, n: number): { timestamps: number[]; score: Float64Array } {
  const fsAll = computeFeatures(frame, det.spec);
  const fs_ = sliceFeatureSet(fsAll, fsAll.rows - n, fsAll.rows);
  const recon = reconstruct(det.model, fs_);
  return { timestamps: fs_.timestamps, score: scoreRows(fs_, recon, det.config.model, 1).score };
}

/**
 * Records the fingerprint of `det` on a validation day: the last `hours` hours of [valFromMs, valToMs) that have
 * their full feature history inside the frame, scored the way scoreRange scores a window (history + hours only).
 * Throws DataError when the frame is too short for one such window.
 */
export function fitFingerprint(frame: CountryFrame, det: ScoringModel, valFromMs: number, valToMs: number, opts: { country?: string; hours?: number } = {}): Fingerprint {
  const n = opts.hours ?? 24;
  const { start, end } = rowsOfRange(frame.timestamps, valFromMs, valToMs, frameStep(frame));
  const history = featureHistoryRows(det.spec);
  const first = Math.max(start, history, end - n);
  if (end - first < 1 || first - history < 0) {
    throw new DataError(`Cannot record a model fingerprint for ${opts.country ?? frame.id}: no validation hour in ${new Date(valFromMs).toISOString()}..${new Date(valToMs).toISOString()} has the ${history} hours of feature history before it`);
  }
  const window = sliceFrame(frame, first - history, end);
  const scored = scoreTail(window, det, end - first);
  const signalKinds: Record<string, SignalKind> = {};
  const signals: Record<string, number[]> = {};
  for (const s of window.signalNames) {
    signalKinds[s] = window.signalKinds[s];
    signals[s] = Array.from(window.signals[s]);
  }
  return {
    version: FINGERPRINT_VERSION,
    country: opts.country ?? frame.id,
    from: new Date(window.timestamps[0]).toISOString(),
    stepMs: window.stepMs ?? HOUR_MS,
    rows: window.timestamps.length,
    signalKinds,
    signals,
    gap: Array.from(window.gap),
    unreliable: Array.from(window.unreliable),
    scores: Array.from(scored.score, (score, i) => ({ timestamp: new Date(scored.timestamps[i]).toISOString(), score })),
    tolerance: { ...FINGERPRINT_TOLERANCE },
    createdAt: new Date().toISOString(),
  };
}

/** The stored input window as a CountryFrame (no labels). */
function fingerprintFrame(fp: Fingerprint): CountryFrame {
  const t0 = Date.parse(fp.from);
  const names = Object.keys(fp.signals);
  return {
    id: fp.country,
    timestamps: Array.from({ length: fp.rows }, (_, i) => t0 + i * fp.stepMs),
    ...(fp.stepMs !== HOUR_MS ? { stepMs: fp.stepMs } : {}),
    signalNames: names,
    signalKinds: { ...fp.signalKinds },
    signals: Object.fromEntries(names.map((s) => [s, Float64Array.from(fp.signals[s])])),
    gap: Uint8Array.from(fp.gap),
    unreliable: Uint8Array.from(fp.unreliable),
    labelKind: Array.from({ length: fp.rows }, () => ''),
    labels: [],
  };
}

/** Throws DataError naming `file` when `raw` is not a fingerprint of this layout. */
function checkLayout(raw: unknown, file: string): asserts raw is Fingerprint {
  const fp = raw as Partial<Fingerprint> | null;
  const bad = (what: string): never => {
    throw new DataError(`${file}: fingerprint check failed: ${what}; the file is damaged. Re-run \`radarwatch calibrate ${fp?.country ?? path.basename(path.dirname(file))}\` to record it again.`);
  };
  if (!fp || typeof fp !== 'object') return bad('expected a JSON object');
  if (fp.version !== FINGERPRINT_VERSION) return bad(`version ${JSON.stringify(fp.version)}, expected ${FINGERPRINT_VERSION}`);
  if (!Number.isInteger(fp.rows) || (fp.rows as number) < 1 || !Number.isFinite(Date.parse(fp.from ?? '')) || !(Number(fp.stepMs) > 0)) return bad('rows, from or stepMs missing');
  if (!fp.signals || typeof fp.signals !== 'object' || !fp.signalKinds) return bad('no input signals');
  for (const [s, v] of Object.entries(fp.signals)) if (!Array.isArray(v) || v.length !== fp.rows) return bad(`signal "${s}" has ${Array.isArray(v) ? v.length : 'no'} values for ${fp.rows} rows`);
  if (!Array.isArray(fp.gap) || fp.gap.length !== fp.rows || !Array.isArray(fp.unreliable) || fp.unreliable.length !== fp.rows) return bad('gap / unreliable flags do not match the rows');
  if (!Array.isArray(fp.scores) || fp.scores.length === 0 || fp.scores.length > fp.rows) return bad('no recorded scores');
  for (const s of fp.scores) if (!s || !Number.isFinite(s.score) || !Number.isFinite(Date.parse(s.timestamp))) return bad('a recorded score is not a finite number with a timestamp');
}

/**
 * Re-scores the fingerprint's input with `det` and compares with the recorded scores. Throws DataError naming
 * `file`, the first hour that differs, both scores and the tolerance; a non-finite recomputed score fails too.
 */
export function checkFingerprint(det: ScoringModel, fp: unknown, file = FINGERPRINT_FILE): void {
  checkLayout(fp, file);
  const cc = fp.country;
  const fix = `weights.bin, model.json or spec.json changed since \`radarwatch calibrate ${cc}\` recorded it. Retrain (\`radarwatch train ${cc}\`, then \`radarwatch calibrate ${cc}\`); if the model was replaced on purpose, re-run \`radarwatch calibrate ${cc}\``;
  let scored: { timestamps: number[]; score: Float64Array };
  try {
    scored = scoreTail(fingerprintFrame(fp), det, fp.scores.length);
  } catch (e) {
    throw new DataError(`${file}: fingerprint check failed: the model could not score the recorded hours (${(e as Error).message}); ${fix}`);
  }
  const tol = { ...FINGERPRINT_TOLERANCE, ...fp.tolerance };
  fp.scores.forEach((want, i) => {
    const got = scored.score[i];
    const at = new Date(scored.timestamps[i]).toISOString();
    if (at !== new Date(Date.parse(want.timestamp)).toISOString()) throw new DataError(`${file}: fingerprint check failed: recorded hour ${want.timestamp} does not line up with the stored input (${at}); the file is damaged. Re-run \`radarwatch calibrate ${cc}\``);
    if (!Number.isFinite(got) || Math.abs(got - want.score) > tol.abs + tol.rel * Math.abs(want.score)) {
      throw new DataError(`${file}: fingerprint check failed: the raw score of ${at} is ${got}, recorded ${want.score} (tolerance ${tol.rel * 100} %); ${fix}`);
    }
  });
}

/** Saves `fp` as fingerprint.json in `modelDir` (atomically). */
export function saveFingerprint(modelDir: string, fp: Fingerprint): void {
  writeJsonAtomic(path.join(modelDir, FINGERPRINT_FILE), fp);
}

/** Reads fingerprint.json of `modelDir` (unchecked), or undefined when the folder has none. Unparseable JSON is a DataError. */
export function readFingerprint(modelDir: string): unknown {
  const file = path.join(modelDir, FINGERPRINT_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: fingerprint check failed: not valid JSON (${(e as Error).message}); re-run \`radarwatch calibrate ${path.basename(modelDir)}\``);
  }
}
