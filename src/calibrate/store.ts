/** Reads and writes calibration.json inside a model folder. */
import * as path from 'path';
import { DataError, NotFittedError } from '../errors';
import { DETECTOR_FILES } from '../model/artifact';
import { readJsonIfExists, writeJsonAtomic } from '../util/fsx';
import type { Calibration } from './calibrate';

/** Saves the fitted post-rules beside the model (atomically). */
export function saveCalibration(modelDir: string, cal: Calibration): void {
  writeJsonAtomic(path.join(modelDir, DETECTOR_FILES.calibration), cal);
}

/** Loads calibration.json; NotFittedError naming the command to run when it is missing. */
export function loadCalibration(modelDir: string, country = path.basename(modelDir)): Calibration {
  const file = path.join(modelDir, DETECTOR_FILES.calibration);
  let cal: Calibration | undefined;
  try {
    cal = readJsonIfExists<Calibration>(file);
  } catch (e) {
    throw new DataError(`${file} is not valid JSON (${(e as Error).message}); re-run \`radarwatch calibrate ${country}\``);
  }
  if (!cal) throw new NotFittedError(`Model of ${country} is not calibrated (no ${file}); run \`radarwatch calibrate ${country}\` first`);
  if (cal.version !== 1 || !cal.threshold || !cal.temperature) throw new DataError(`${file} has an unknown layout; re-run \`radarwatch calibrate ${country}\``);
  return cal;
}
