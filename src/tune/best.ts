/** The tuning result one country trains with: `results/tuning/<CC>/best.json`, written after a study and read by `train`. */
import * as path from 'path';
import { resultDirs } from '../data/paths';
import { DataError } from '../errors';
import { readJsonIfExists, writeJsonAtomic } from '../util/fsx';

/** Contents of best.json. Counts cover the whole study (every session), not just the last run. */
export interface BestParams {
  /** Searched parameters by config path (model.catShare included as sampled). */
  params: Record<string, unknown>;
  /** Best validation value. */
  value: number;
  /** Trial number of the best trial. */
  trial: number;
  completedTrials: number;
  prunedTrials: number;
  failedTrials: number;
  /** Study name and storage URL, to reopen it (e.g. with optuna-dashboard). */
  study: { name: string; storage: string };
  objective: string;
  /** Fixed loss weights every trial was scored with (model.contWeight/catWeight of models.yml, not the tuned ones). */
  objectiveWeights?: { contWeight: number; catWeight: number };
  direction: 'minimize' | 'maximize';
  updatedAt: string;
}

/** Path of a country's best.json. */
export function bestParamsPath(country: string): string {
  return path.join(resultDirs.tuning(country), 'best.json');
}

/** Writes best.json atomically, so an interrupted write never leaves `train` a half file. */
export function writeBestParams(country: string, best: BestParams): string {
  const file = bestParamsPath(country);
  writeJsonAtomic(file, best);
  return file;
}

/** Reads the whole best.json, or undefined when the country was never tuned. Throws DataError when it is malformed. */
export function readBestParams(country: string): BestParams | undefined {
  const file = bestParamsPath(country);
  let b: BestParams | undefined;
  try {
    b = readJsonIfExists<BestParams>(file);
  } catch (e) {
    throw new DataError(`${file} is not valid JSON (${(e as Error).message}). Delete it or re-run \`radarwatch tune ${country}\`.`);
  }
  if (b === undefined) return undefined;
  if (b === null || typeof b !== 'object' || b.params === null || typeof b.params !== 'object' || Array.isArray(b.params)) {
    throw new DataError(`${file}: expected an object with "params" (config path → value). Delete it or re-run \`radarwatch tune ${country}\`.`);
  }
  return b;
}

/**
 * Tuned parameters for resolveCountryConfig(cfg, cc, {tuned}), or undefined when the country was never tuned.
 * `train` calls this so the next model of a tuned country uses the study's best settings.
 */
export function loadTunedParams(country: string): Record<string, unknown> | undefined {
  return readBestParams(country)?.params;
}
