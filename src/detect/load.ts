/** Loads what scoring a country needs: its detector with today's post-rule settings, its calibration and its processed table. */
import * as fs from 'fs';
import * as path from 'path';
import { resolveCountryConfig } from '../config/load';
import type { Config } from '../config/schema';
import { loadCalibration } from '../calibrate/store';
import type { Calibration } from '../calibrate/calibrate';
import { resultDirs } from '../data/paths';
import { readProcessed } from '../data/processed';
import type { CountryFrame } from '../data/types';
import { DETECTOR_FILES, loadDetector, type Detector } from '../model/artifact';
import { log } from '../util/log';

/**
 * The detector keeps the model/feature/training settings it was trained with; the post-rules (calibrate, detect,
 * evaluate) come from the current models.yml so they can be changed without retraining.
 */
export function withPostRules(det: Detector, cfg: Config, country: string): Detector {
  const now = resolveCountryConfig(cfg, country);
  return { ...det, config: { ...det.config, calibrate: now.calibrate, detect: now.detect, evaluate: now.evaluate } };
}

/**
 * Loads the detector of `country` from results/models/<CC> with current post-rules. loadDetector verifies the
 * folder (finite weights, scaler, fingerprint.json); a calibrated folder without a fingerprint (calibrated before
 * fingerprints existed) still loads, with a warning saying how to add one.
 */
export async function loadCountryDetector(cfg: Config, country: string): Promise<Detector> {
  const dir = resultDirs.model(country);
  const det = await loadDetector(dir);
  if (fs.existsSync(path.join(dir, DETECTOR_FILES.calibration)) && !fs.existsSync(path.join(dir, DETECTOR_FILES.fingerprint))) {
    log.warn(`${dir} has no ${DETECTOR_FILES.fingerprint}, so its scores cannot be verified against calibration; run \`radarwatch calibrate ${country}\` to record one`);
  }
  return withPostRules(det, cfg, country);
}

/** Detector, calibration and processed table of a country; `{calibrated: false}` skips the calibration (e.g. to fit it). */
export function loadCountryRun(cfg: Config, country: string): Promise<{ det: Detector; cal: Calibration; frame: CountryFrame }>;
export function loadCountryRun(cfg: Config, country: string, opts: { calibrated: false }): Promise<{ det: Detector; cal?: undefined; frame: CountryFrame }>;
export async function loadCountryRun(cfg: Config, country: string, opts: { calibrated?: boolean } = {}): Promise<{ det: Detector; cal?: Calibration; frame: CountryFrame }> {
  const det = await loadCountryDetector(cfg, country);
  const cal = opts.calibrated === false ? undefined : loadCalibration(det.dir, country);
  const frame = await readProcessed(cfg.data.processedDir, country);
  return { det, cal, frame };
}
