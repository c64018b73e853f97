/** Self-describing model folders (weights, feature spec, resolved config, meta, history) and the one loader that rebuilds a Detector from them. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { parseSavedConfig } from '../config/load';
import type { Config } from '../config/schema';
import type { CountryFrame } from '../data/types';
import { DataError, NotFoundError } from '../errors';
import { computeFeatures } from '../features/build';
import { checkFeatureSpec, type FeatureSpec } from '../features/spec';
import type { FeatureSet } from '../features/types';
import type { RowSplit } from '../train/split';
import type { EpochRecord, StopReason } from '../train/trainer';
import { writeFileAtomic, writeJsonAtomic } from '../util/fsx';
import { checkFeatureShapes, countParams, modelSizes, reconstruct, type Reconstruction } from './autoencoder';
import { checkFingerprint, FINGERPRINT_FILE, readFingerprint } from '../calibrate/fingerprint';

/** File names inside a model folder. `calibration.json` and `fingerprint.json` are written later by the calibrate stage. */
export const DETECTOR_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  spec: 'spec.json',
  config: 'config.json',
  meta: 'meta.json',
  history: 'history.json',
  calibration: 'calibration.json',
  fingerprint: FINGERPRINT_FILE,
} as const;

/** Bumped when the folder layout changes meaning. */
export const DETECTOR_FORMAT = 1;

/** What a training run hands to saveDetector (a TrainResult satisfies it). */
export interface SavableTraining {
  model: tf.LayersModel;
  spec: FeatureSpec;
  history: EpochRecord[];
  bestEpoch: number;
  bestValLoss: number;
  stopReason?: StopReason;
  seconds: number;
  split: RowSplit;
  fittedRows?: { train: number; validation: number };
  features: Pick<FeatureSet, 'rows' | 'timestamps'>;
}

interface RangeMeta {
  /** First hour (UTC ISO) and the hour after the last, [from, to). */
  from: string;
  to: string;
  rows: number;
}

/** meta.json: everything needed to know what a model is, where it came from and what it expects. */
export interface DetectorMeta {
  format: number;
  country: string;
  contNames: string[];
  contSignal: string[];
  catNames: string[];
  catCardinalities: number[];
  /** Hours of the frame trained on, and its chronological split (the test part never touched training). */
  dataRange: RangeMeta;
  split: { train: RangeMeta; validation: RangeMeta; test: RangeMeta };
  fittedRows?: { train: number; validation: number };
  epochs: number;
  bestEpoch: number;
  bestValLoss: number;
  stopReason?: StopReason;
  /** The series whose trained weights this model started from (train.warmStart); absent = from scratch. */
  warmStart?: string;
  trainSeconds: number;
  params: number;
  /** Size of weights.bin. */
  modelBytes: number;
  versions: { radarwatch: string; tfjs: string; node: string };
  backend: string;
  gitCommit: string | null;
  createdAt: string;
}

/** A loaded detector: model + feature spec + config + meta, all from one folder. */
export interface Detector {
  dir: string;
  country: string;
  model: tf.LayersModel;
  spec: FeatureSpec;
  config: Config;
  meta: DetectorMeta;
  history: EpochRecord[];
  /** Features of a frame under the saved spec, checked against meta.json. */
  features(frame: CountryFrame): FeatureSet;
  /** Reconstructions of every row of a frame (features computed with the training code) or of a FeatureSet. */
  reconstruct(input: CountryFrame | FeatureSet, opts?: { batchSize?: number }): Reconstruction & { features: FeatureSet };
  /** Frees the model's weights. */
  dispose(): void;
}

const iso = (ms: number) => new Date(ms).toISOString();
function rangeMeta(timestamps: number[], start: number, end: number): RangeMeta {
  const hour = timestamps.length > 1 ? timestamps[1] - timestamps[0] : 3_600_000;
  return { from: iso(timestamps[start]), to: iso(timestamps[end - 1] + hour), rows: end - start };
}

function packageVersion(): string {
  // ../../package.json from both src/model and dist/model.
  try {
    return (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

/**
 * Writes a model folder: model.json + weights.bin (tfjs layers format), spec.json, config.json (resolved config),
 * history.json and meta.json — each atomically, meta.json last so a folder with a meta.json is complete. A stale
 * calibration.json (and its fingerprint.json) is removed: it belonged to the previous weights. Returns the meta written.
 */
export async function saveDetector(dir: string, result: SavableTraining, cfg: Config, extra: { country?: string; warmStart?: string } = {}): Promise<DetectorMeta> {
  fs.mkdirSync(dir, { recursive: true });
  let modelBytes = 0;
  await result.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      modelBytes = data.byteLength;
      writeFileAtomic(path.join(dir, DETECTOR_FILES.weights), new Uint8Array(data));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${DETECTOR_FILES.weights}`], weights: artifacts.weightSpecs ?? [] }],
      };
      writeJsonAtomic(path.join(dir, DETECTOR_FILES.model), modelJson);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: modelBytes } };
    }),
  );
  const { timestamps, rows } = result.features;
  const s = result.split;
  const sizes = modelSizes(result.model);
  const meta: DetectorMeta = {
    format: DETECTOR_FORMAT,
    country: extra.country ?? result.spec.id,
    contNames: [...result.spec.contNames],
    contSignal: [...result.spec.contSignal],
    catNames: [...result.spec.catNames],
    catCardinalities: [...sizes.catCardinalities],
    dataRange: rangeMeta(timestamps, 0, rows),
    split: { train: rangeMeta(timestamps, s.train.start, s.train.end), validation: rangeMeta(timestamps, s.validation.start, s.validation.end), test: rangeMeta(timestamps, s.test.start, s.test.end) },
    fittedRows: result.fittedRows,
    epochs: result.history.length,
    bestEpoch: result.bestEpoch,
    bestValLoss: result.bestValLoss,
    stopReason: result.stopReason,
    ...(extra.warmStart ? { warmStart: extra.warmStart } : {}),
    trainSeconds: result.seconds,
    params: countParams(result.model),
    modelBytes,
    versions: { radarwatch: packageVersion(), tfjs: tf.version.tfjs, node: process.version },
    backend: tf.getBackend(),
    gitCommit: gitCommit(),
    createdAt: new Date().toISOString(),
  };
  writeJsonAtomic(path.join(dir, DETECTOR_FILES.spec), result.spec);
  writeJsonAtomic(path.join(dir, DETECTOR_FILES.config), cfg);
  writeJsonAtomic(path.join(dir, DETECTOR_FILES.history), result.history);
  fs.rmSync(path.join(dir, DETECTOR_FILES.calibration), { force: true });
  fs.rmSync(path.join(dir, DETECTOR_FILES.fingerprint), { force: true });
  writeJsonAtomic(path.join(dir, DETECTOR_FILES.meta), meta);
  return meta;
}

function readJsonFile<T>(dir: string, name: string): T {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) throw new DataError(`Model folder ${dir} lacks ${name}; expected a folder written by \`radarwatch train\`. Retrain the country.`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new DataError(`${file} is not valid JSON (${(e as Error).message}); the file is corrupt. Retrain the country.`);
  }
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Checks a FeatureSet against meta.json: counts first (the common case), then names and categories. */
function checkAgainstMeta(fs_: FeatureSet, meta: DetectorMeta, dir: string): void {
  const where = path.join(dir, DETECTOR_FILES.meta);
  if (fs_.contNames.length !== meta.contNames.length) throw new DataError(`Expected ${meta.contNames.length} features, got ${fs_.contNames.length} (see ${where})`);
  if (!sameList(fs_.contNames, meta.contNames)) {
    const i = fs_.contNames.findIndex((n, k) => n !== meta.contNames[k]);
    throw new DataError(`Feature ${i} is "${fs_.contNames[i]}", expected "${meta.contNames[i]}" (see ${where})`);
  }
  if (!sameList(fs_.catNames, meta.catNames)) throw new DataError(`Expected categorical features ${meta.catNames.join(', ')}, got ${fs_.catNames.join(', ') || 'none'} (see ${where})`);
  checkFeatureShapes(fs_, { nCont: meta.contNames.length, catCardinalities: meta.catCardinalities }, where);
}

/**
 * Checks every weight is a finite float32; throws DataError naming the file, the weight tensor and the value.
 * NaN or random bytes of the right length would otherwise load fine and score every hour NaN ("not anomalous").
 */
export function checkFiniteWeights(buf: Uint8Array, specs: tf.io.WeightsManifestEntry[], file: string, cc: string): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let offset = 0;
  for (const w of specs) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (w.dtype === undefined || w.dtype === 'float32') {
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) {
          throw new DataError(`${file}: weight check failed: ${w.name}[${i}] is ${v}; expected finite numbers. The file is corrupt; retrain the country (radarwatch train ${cc}).`);
        }
      }
    }
    offset += 4 * n;
  }
}

/** Checks the fitted scaler of a spec: finite centres, finite scales > 0 (a zero scale makes every hour "anomalous"). */
export function checkScaler(spec: FeatureSpec, file: string, cc: string): void {
  const { center, scale } = spec.scaler;
  for (let j = 0; j < scale.length; j++) {
    const why = !Number.isFinite(center[j]) ? `scaler.center[${j}] (${spec.contNames[j]}) is ${center[j]}; expected a finite number` : !(Number.isFinite(scale[j]) && scale[j] > 0) ? `scaler.scale[${j}] (${spec.contNames[j]}) is ${scale[j]}; expected a finite number > 0` : undefined;
    if (why) throw new DataError(`${file}: scaler check failed: ${why}. The file is corrupt; retrain the country (radarwatch train ${cc}).`);
  }
}

/** What a model folder holds once its files passed checkDetectorFiles (no TensorFlow model yet). */
export interface DetectorFiles {
  meta: DetectorMeta;
  spec: FeatureSpec;
  config: Config;
  history: EpochRecord[];
  modelJson: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  weightSpecs: tf.io.WeightsManifestEntry[];
  weights: Buffer;
}

/**
 * The checks of a model folder that need no TensorFlow (milliseconds per model, so a server verifies a whole fleet at
 * start): the JSON files parse, meta.json has this format, spec.json is a valid spec with a usable scaler, config.json
 * is a resolved config, weights.bin has the size model.json declares and only finite numbers. Throws NotFoundError
 * when the folder does not exist and DataError naming the file otherwise.
 */
export function checkDetectorFiles(dir: string): DetectorFiles {
  if (!fs.existsSync(dir)) throw new NotFoundError(`No model at ${dir}; train one first: radarwatch train ${path.basename(dir)}`);
  const meta = readJsonFile<DetectorMeta>(dir, DETECTOR_FILES.meta);
  if (meta.format !== DETECTOR_FORMAT) throw new DataError(`${dir}/meta.json has format ${meta.format}; this radarwatch reads format ${DETECTOR_FORMAT}. Retrain the country.`);
  const spec = readJsonFile<unknown>(dir, DETECTOR_FILES.spec);
  try {
    checkFeatureSpec(spec);
  } catch (e) {
    throw new DataError(`${dir}/${DETECTOR_FILES.spec} is not a valid feature spec: ${(e as Error).message}`);
  }
  checkScaler(spec, path.join(dir, DETECTOR_FILES.spec), meta.country);
  const parsed = parseSavedConfig(readJsonFile<unknown>(dir, DETECTOR_FILES.config));
  if (!parsed.success) throw new DataError(`${dir}/${DETECTOR_FILES.config} is not a valid resolved config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const history = readJsonFile<EpochRecord[]>(dir, DETECTOR_FILES.history);

  const modelJson = readJsonFile<{ modelTopology?: object; weightsManifest?: { weights: tf.io.WeightsManifestEntry[] }[] }>(dir, DETECTOR_FILES.model);
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) throw new DataError(`${dir}/${DETECTOR_FILES.model} lacks modelTopology or weightsManifest; the file is corrupt. Retrain the country.`);
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights ?? []);
  const weightsFile = path.join(dir, DETECTOR_FILES.weights);
  if (!fs.existsSync(weightsFile)) throw new DataError(`Model folder ${dir} lacks ${DETECTOR_FILES.weights}; retrain the country.`);
  const buf = fs.readFileSync(weightsFile);
  const expectedBytes = weightSpecs.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (buf.byteLength !== expectedBytes) throw new DataError(`${weightsFile} has ${buf.byteLength} bytes; model.json expects ${expectedBytes}. The file is truncated or from another model; retrain the country.`);
  checkFiniteWeights(buf, weightSpecs, weightsFile, meta.country);
  return { meta, spec, config: parsed.data, history, modelJson: modelJson as DetectorFiles['modelJson'], weightSpecs, weights: buf };
}

/**
 * Rebuilds a Detector from a model folder alone. Throws NotFoundError when the folder does not exist and DataError
 * for a missing or corrupt file (checkDetectorFiles), or when weights, spec and meta disagree. Verifies what would
 * otherwise fail silently: every weight finite, every scaler scale > 0, and — when the folder has a fingerprint.json
 * (written by calibrate) — that the model still reproduces the scores recorded there.
 */
/** The network of checked model files (see checkDetectorFiles); throws DataError when tfjs cannot rebuild it. */
async function rebuildModel(dir: string, { modelJson, weightSpecs, weights: buf }: Pick<DetectorFiles, 'modelJson' | 'weightSpecs' | 'weights'>): Promise<tf.LayersModel> {
  try {
    const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
  } catch (e) {
    throw new DataError(`Could not rebuild the model from ${dir}/${DETECTOR_FILES.model}: ${(e as Error).message}`);
  }
}

/** The trained weights of the model in `dir` (model.getWeights() order), e.g. to warm-start another model; checked like loadDetector's. */
export async function readModelWeights(dir: string): Promise<Float32Array[]> {
  const model = await rebuildModel(dir, checkDetectorFiles(dir));
  try {
    return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  } finally {
    model.dispose();
  }
}

export async function loadDetector(dir: string): Promise<Detector> {
  const files = checkDetectorFiles(dir);
  const { meta, spec, config, history } = files;
  const model = await rebuildModel(dir, files);
  const sizes = modelSizes(model);
  if (sizes.nCont !== meta.contNames.length || sizes.nCont !== spec.contNames.length) {
    model.dispose();
    throw new DataError(`Expected ${meta.contNames.length} features, got ${sizes.nCont} in model.json and ${spec.contNames.length} in spec.json (see ${dir}/meta.json)`);
  }
  if (!sameList(sizes.catCardinalities, meta.catCardinalities)) {
    model.dispose();
    throw new DataError(`model.json has categorical inputs of sizes ${sizes.catCardinalities.join(', ')}; meta.json expects ${meta.catCardinalities.join(', ')} (see ${dir}/meta.json)`);
  }

  const detector: Detector = {
    dir,
    country: meta.country,
    model,
    spec,
    config,
    meta,
    history,
    features(frame) {
      const f = computeFeatures(frame, spec);
      checkAgainstMeta(f, meta, dir);
      return f;
    },
    reconstruct(input, opts = {}) {
      const features = 'signals' in input ? detector.features(input) : input;
      if (!('signals' in input)) checkAgainstMeta(features, meta, dir);
      return { ...reconstruct(model, features, { batchSize: opts.batchSize }), features };
    },
    dispose() {
      model.dispose();
    },
  };
  try {
    const fingerprint = readFingerprint(dir);
    if (fingerprint !== undefined) checkFingerprint(detector, fingerprint, path.join(dir, DETECTOR_FILES.fingerprint));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return detector;
}
