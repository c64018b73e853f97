/** Reads and writes calibration.json inside a model folder. */
import * as path from 'path';
import { DataError, NotFittedError } from '../errors';
import { DETECTOR_FILES } from '../model/artifact';
import { readJsonIfExists, writeJsonAtomic } from '../util/fsx';
import type { Calibration } from './calibrate';
import { checkEvidenceModel } from '../detect/evidence';

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
  if ((cal.version as number) !== 2 || !cal.threshold || !cal.temperature || !cal.evidence) {
    throw new DataError(`${file} has an unknown or older layout (version ${JSON.stringify(cal.version)}; expected 2, with the anomaly-probability evidence); re-run \`radarwatch calibrate ${country}\``);
  }
  const bad = checkCalibration(cal);
  if (bad) throw new DataError(`${file}: calibration check failed: ${bad}. Re-run \`radarwatch calibrate ${country}\``);
  return cal;
}

const finitePositive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * The values a detector applies, checked before use: returns what is wrong (one clause), or undefined when the
 * calibration is usable. A threshold of NaN would flag nothing and one ≤ 0 everything; a temperature ≤ 0 or NaN
 * breaks the categorical scores. Extend it when Calibration gains fields.
 */
export function checkCalibration(cal: Calibration): string | undefined {
  if (!finitePositive(cal.threshold?.value)) return `threshold.value is ${JSON.stringify(cal.threshold?.value)}; expected a finite number > 0`;
  if (!finitePositive(cal.temperature?.T)) return `temperature.T is ${JSON.stringify(cal.temperature?.T)}; expected a finite number > 0`;
  for (const [m, t] of Object.entries(cal.thresholds ?? {})) {
    if (!finitePositive(t?.value)) return `thresholds.${m}.value is ${JSON.stringify(t?.value)}; expected a finite number > 0`;
  }
  if (!finitePositive(cal.budget?.share) || cal.budget.share >= 1) return `budget.share is ${JSON.stringify(cal.budget?.share)}; expected a number in (0, 1)`;
  const dayFactor = (x: number) => x >= 1 && Number.isFinite(x);
  if (cal.seasonal && (cal.seasonal.version !== 4 || !cal.seasonal.signals?.every((x) => x.hourScale?.length === 24 && finitePositive(x.scaleFloor) && dayFactor(x.holidayScale) && dayFactor(x.shiftScale) && x.fastingOffset?.length === 24 && x.fastingOffset.every(Number.isFinite)))) {
    return `seasonal rule is version ${JSON.stringify(cal.seasonal.version)} or damaged; expected version 4 with 24 hour factors, holiday and shift-day factors ≥ 1, 24 fasting offsets and a positive scale floor per signal`;
  }
  try {
    checkEvidenceModel(cal.evidence, 'evidence');
  } catch (e) {
    return (e as Error).message.replace(/ Re-run radarwatch calibrate\.$/, '');
  }
  return undefined;
}
