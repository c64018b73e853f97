/** Calibrates one trained country end to end (load, fit, save with its fingerprint): shared by `calibrate` and its worker threads. */
import type { Config } from '../config/schema';
import { loadCountryRun } from '../detect/load';
import { fitCalibration, withMethod } from './calibrate';
import { fitFingerprint, saveFingerprint } from './fingerprint';
import { saveCalibration } from './store';

/** The `calibrate` table's columns, and one row per country. */
export const CALIBRATE_COLUMNS = ['country', 'detector', 'false-alarm budget', 'streams', 'seasonal ref', 'normal val rows', 'T', 'NLL before → after', 'ECE before → after', 'raw-score threshold'];

/**
 * Fits every post-rule of `country`'s model on its validation split and saves calibration.json and fingerprint.json
 * beside it; `method` picks the raw-score threshold reported (all are fitted). Returns the country's table row.
 */
export async function calibrateCountry(cfg: Config, country: string, method?: string): Promise<(string | number)[]> {
  const { det, frame } = await loadCountryRun(cfg, country, { calibrated: false });
  try {
    const v = det.meta.split.validation;
    let cal = fitCalibration(frame, det, Date.parse(v.from), Date.parse(v.to));
    if (method) cal = withMethod(cal, method);
    saveCalibration(det.dir, cal);
    saveFingerprint(det.dir, fitFingerprint(frame, det, Date.parse(v.from), Date.parse(v.to), { country }));
    const t = cal.temperature;
    const refs = cal.seasonal ? [...new Set(cal.seasonal.signals.map((x) => x.reference))].join('/') : '-';
    return [country, cal.detector, `${cal.budget.falseAlarmsPerWeek}/wk = ${(cal.budget.share * 100).toFixed(2)}%`, cal.evidence.streams.length, refs, cal.fittedOn.normalRows, t.T.toFixed(3), `${t.nllBefore.toFixed(3)} → ${t.nllAfter.toFixed(3)}`, `${t.eceBefore.toFixed(3)} → ${t.eceAfter.toFixed(3)}`, `${cal.threshold.value.toFixed(4)} (${cal.threshold.method})`];
  } finally {
    det.dispose();
  }
}
